import KafkaProtocol

/// A topic and partition.
public struct TopicPartition: Hashable, Sendable, CustomStringConvertible, Comparable {
    public var topic: String
    public var partition: Int32

    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)-\(partition)" }

    public static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }
}

/// What one Metadata response said about the cluster.
public struct ClusterMetadata: Sendable {
    public struct Broker: Sendable, Hashable {
        public var nodeID: Int32
        public var address: KafkaBrokerAddress
        public var rack: String?
    }

    public struct Partition: Sendable, Hashable {
        public var partition: Int32
        public var leaderID: Int32
        public var leaderEpoch: Int32
        public var replicas: [Int32]
        public var isr: [Int32]
        public var error: KafkaErrorCode
    }

    public struct Topic: Sendable {
        public var name: String
        public var topicID: KafkaUUID
        public var isInternal: Bool
        public var error: KafkaErrorCode
        /// Partitions by index.
        public var partitions: [Int32: Partition]
    }

    public var clusterID: String?
    public var controllerID: Int32
    public var brokers: [Int32: Broker]
    public var topics: [String: Topic]

    public init(
        clusterID: String? = nil,
        controllerID: Int32 = -1,
        brokers: [Int32: Broker] = [:],
        topics: [String: Topic] = [:]
    ) {
        self.clusterID = clusterID
        self.controllerID = controllerID
        self.brokers = brokers
        self.topics = topics
    }

    init(_ response: MetadataResponse) {
        var brokers: [Int32: Broker] = [:]
        for broker in response.brokers {
            brokers[broker.nodeId] = Broker(
                nodeID: broker.nodeId,
                address: KafkaBrokerAddress(host: broker.host, port: Int(broker.port)),
                rack: broker.rack
            )
        }
        var topics: [String: Topic] = [:]
        for topic in response.topics {
            guard let name = topic.name else { continue }
            var partitions: [Int32: Partition] = [:]
            for partition in topic.partitions {
                partitions[partition.partitionIndex] = Partition(
                    partition: partition.partitionIndex,
                    leaderID: partition.leaderId,
                    leaderEpoch: partition.leaderEpoch,
                    replicas: partition.replicaNodes,
                    isr: partition.isrNodes,
                    error: KafkaErrorCode(rawValue: partition.errorCode)
                )
            }
            topics[name] = Topic(
                name: name,
                topicID: topic.topicId,
                isInternal: topic.isInternal,
                error: KafkaErrorCode(rawValue: topic.errorCode),
                partitions: partitions
            )
        }
        self.init(
            clusterID: response.clusterId,
            controllerID: response.controllerId,
            brokers: brokers,
            topics: topics
        )
    }

    /// Merges a response about some topics into what is known (a full response replaces all).
    mutating func merge(_ other: ClusterMetadata, replacingAllTopics: Bool) {
        self.clusterID = other.clusterID ?? self.clusterID
        self.controllerID = other.controllerID
        if !other.brokers.isEmpty { self.brokers = other.brokers }
        if replacingAllTopics {
            self.topics = other.topics
        } else {
            for (name, topic) in other.topics { self.topics[name] = topic }
        }
    }

    /// The leader of a partition, if one is known and the partition reported no error.
    public func leader(of topicPartition: TopicPartition) -> Broker? {
        guard let partition = self.topics[topicPartition.topic]?.partitions[topicPartition.partition],
            partition.leaderID >= 0
        else { return nil }
        return self.brokers[partition.leaderID]
    }

    /// The number of partitions of `topic`, if it is known without error.
    public func partitionCount(of topic: String) -> Int? {
        guard let entry = self.topics[topic], entry.error == .noError, !entry.partitions.isEmpty else { return nil }
        return entry.partitions.count
    }
}
