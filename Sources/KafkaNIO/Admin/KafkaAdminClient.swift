import KafkaProtocol
import Logging

/// Topic and cluster administration.
public struct KafkaAdminClient: Sendable {
    public let cluster: KafkaCluster

    public init(cluster: KafkaCluster) {
        self.cluster = cluster
    }

    /// A topic to create.
    public struct NewTopic: Sendable {
        public var name: String
        /// -1 uses the broker's `num.partitions`.
        public var partitions: Int32
        /// -1 uses the broker's `default.replication.factor`.
        public var replicationFactor: Int16
        public var configs: [String: String]

        public init(
            name: String,
            partitions: Int32 = -1,
            replicationFactor: Int16 = -1,
            configs: [String: String] = [:]
        ) {
            self.name = name
            self.partitions = partitions
            self.replicationFactor = replicationFactor
            self.configs = configs
        }
    }

    /// What the cluster says about itself.
    public struct ClusterDescription: Sendable {
        public var clusterID: String
        public var controllerID: Int32
        public var brokers: [ClusterMetadata.Broker]
    }

    /// A topic's partitions as the cluster reports them.
    public struct TopicDescription: Sendable {
        public var name: String
        public var topicID: KafkaUUID
        public var isInternal: Bool
        public var partitions: [ClusterMetadata.Partition]
    }

    /// A config entry of a described resource.
    public struct ConfigEntry: Sendable, Hashable {
        public var name: String
        public var value: String?
        public var isReadOnly: Bool
        public var isSensitive: Bool
        /// Kafka's ConfigSource (1 = topic config, 5 = default, ...); -1 when unknown.
        public var source: Int8
    }

    /// Creates topics on the controller.
    /// - Throws: ``KafkaError/broker(_:message:)`` with the first topic's error, e.g. TOPIC_ALREADY_EXISTS.
    public func createTopics(_ topics: [NewTopic], timeoutMs: Int32 = 30_000) async throws {
        let request = CreateTopicsRequest(
            topics: topics.map { topic in
                CreateTopicsRequest.CreatableTopic(
                    name: topic.name,
                    numPartitions: topic.partitions,
                    replicationFactor: topic.replicationFactor,
                    configs: topic.configs.sorted { $0.key < $1.key }.map { .init(name: $0.key, value: $0.value) }
                )
            },
            timeoutMs: timeoutMs
        )
        let response = try await self.controllerConnection().send(request)
        for result in response.topics {
            try KafkaError.check(
                result.errorCode,
                message: result.errorMessage.map { "\(result.name): \($0)" } ?? result.name
            )
        }
        for topic in topics { await self.cluster.invalidate(topic: topic.name) }
    }

    /// Deletes topics by name.
    public func deleteTopics(_ names: [String], timeoutMs: Int32 = 30_000) async throws {
        let request = DeleteTopicsRequest(
            topics: names.map { DeleteTopicsRequest.DeleteTopicState(name: $0) },
            topicNames: names,
            timeoutMs: timeoutMs
        )
        let response = try await self.controllerConnection().send(request)
        for result in response.responses {
            try KafkaError.check(
                result.errorCode,
                message: [result.name, result.errorMessage].compactMap { $0 }.joined(separator: ": ")
            )
        }
        for name in names { await self.cluster.invalidate(topic: name) }
    }

    /// Every topic (internal ones only when asked), sorted by name.
    public func listTopics(includeInternal: Bool = false) async throws -> [TopicDescription] {
        let metadata = try await self.cluster.refreshMetadata(topics: nil)
        return metadata.topics.values
            .filter { includeInternal || !$0.isInternal }
            .map { topic in
                TopicDescription(
                    name: topic.name,
                    topicID: topic.topicID,
                    isInternal: topic.isInternal,
                    partitions: topic.partitions.values.sorted { $0.partition < $1.partition }
                )
            }
            .sorted { $0.name < $1.name }
    }

    /// Describes named topics; a missing topic throws UNKNOWN_TOPIC_OR_PARTITION.
    public func describeTopics(_ names: [String]) async throws -> [TopicDescription] {
        let metadata = try await self.cluster.refreshMetadata(topics: names)
        return try names.map { name in
            guard let topic = metadata.topics[name] else {
                throw KafkaError.unknownTopicOrPartition(topic: name, partition: nil)
            }
            try KafkaError.check(topic.error.rawValue, message: name)
            return TopicDescription(
                name: name,
                topicID: topic.topicID,
                isInternal: topic.isInternal,
                partitions: topic.partitions.values.sorted { $0.partition < $1.partition }
            )
        }
    }

    /// The configs of a topic (resource type 2) or broker (4).
    public func describeConfigs(topic: String, keys: [String]? = nil) async throws -> [ConfigEntry] {
        let request = DescribeConfigsRequest(
            resources: [.init(resourceType: 2, resourceName: topic, configurationKeys: keys)]
        )
        let response = try await self.cluster.anyConnection().send(request)
        var entries: [ConfigEntry] = []
        for result in response.results {
            try KafkaError.check(result.errorCode, message: result.errorMessage)
            for config in result.configs {
                entries.append(
                    ConfigEntry(
                        name: config.name,
                        value: config.isSensitive ? nil : config.value,
                        isReadOnly: config.readOnly,
                        isSensitive: config.isSensitive,
                        source: config.configSource
                    )
                )
            }
        }
        return entries.sorted { $0.name < $1.name }
    }

    /// What ``listOffsets(_:)`` looks up for a partition.
    public enum OffsetSpec: Sendable, Hashable {
        case earliest
        case latest
        case timestamp(Int64)

        var wireValue: Int64 {
            switch self {
            case .earliest: return -2
            case .latest: return -1
            case .timestamp(let value): return value
            }
        }
    }

    /// Offsets of partitions: earliest, latest (the log end), or the first at or after a timestamp
    /// (-1 when there is none).
    public func listOffsets(_ specs: [TopicPartition: OffsetSpec]) async throws -> [TopicPartition: Int64] {
        let found = try await KafkaOffsetLookup.listOffsets(
            cluster: self.cluster,
            specs.mapValues(\.wireValue)
        )
        return found.mapValues(\.offset)
    }

    /// The cluster id, controller and brokers (DescribeCluster, or Metadata where unsupported).
    public func describeCluster() async throws -> ClusterDescription {
        let connection = try await self.cluster.anyConnection()
        if connection.apiVersions.version(for: DescribeClusterRequest.self) != nil {
            let response = try await connection.send(DescribeClusterRequest())
            try KafkaError.check(response.errorCode, message: response.errorMessage)
            return ClusterDescription(
                clusterID: response.clusterId,
                controllerID: response.controllerId,
                brokers: response.brokers.map {
                    ClusterMetadata.Broker(
                        nodeID: $0.brokerId,
                        address: KafkaBrokerAddress(host: $0.host, port: Int($0.port)),
                        rack: $0.rack
                    )
                }.sorted { $0.nodeID < $1.nodeID }
            )
        }
        let metadata = try await self.cluster.refreshMetadata(topics: [])
        return ClusterDescription(
            clusterID: metadata.clusterID ?? "",
            controllerID: metadata.controllerID,
            brokers: metadata.brokers.values.sorted { $0.nodeID < $1.nodeID }
        )
    }

    private func controllerConnection() async throws -> BrokerConnection {
        let metadata = try await self.cluster.refreshMetadata(topics: [])
        if metadata.controllerID >= 0, metadata.brokers[metadata.controllerID] != nil {
            return try await self.cluster.connection(to: metadata.controllerID)
        }
        return try await self.cluster.anyConnection()
    }
}
