import KafkaProtocol
import Logging
import NIOCore
import NIOPosix

/// The client's view of a Kafka cluster: one connection per broker, and a metadata cache.
///
/// Producers, consumers and the admin client share one `KafkaCluster`. Connections are opened on
/// first use, and reopened after they fail; metadata is refreshed when it is older than
/// `metadata.max.age.ms`, when a topic is missing from it, or when a caller reports that it is
/// stale (after NOT_LEADER_OR_FOLLOWER and similar errors).
public actor KafkaCluster {
    public nonisolated let configuration: KafkaClientConfiguration
    nonisolated let eventLoopGroup: any EventLoopGroup
    nonisolated let logger: Logger

    private var connections: [Int32: BrokerConnection] = [:]
    private var connecting: [Int32: Task<BrokerConnection, any Error>] = [:]
    private var bootstrapConnection: BrokerConnection?
    private var bootstrapConnecting: Task<BrokerConnection, any Error>?
    private var cachedMetadata = ClusterMetadata()
    private var metadataFetchedAt: ContinuousClock.Instant?
    private var staleTopics: Set<String> = []
    private var coordinators: [CoordinatorKey: Int32] = [:]
    private var isShutDown = false

    public init(
        configuration: KafkaClientConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "swift-connect.kafka")
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// The last metadata fetched (possibly empty).
    public var metadata: ClusterMetadata { self.cachedMetadata }

    // MARK: Connections

    /// A connection to any broker: an open one if there is one, else a bootstrap server.
    public func anyConnection() async throws -> BrokerConnection {
        guard !self.isShutDown else { throw KafkaError.shutDown }
        if let open = self.connections.values.first(where: { $0.isActive }) { return open }
        if let bootstrap = self.bootstrapConnection, bootstrap.isActive { return bootstrap }
        if let pending = self.bootstrapConnecting { return try await pending.value }
        let configuration = self.configuration
        let group = self.eventLoopGroup
        let known = self.cachedMetadata.brokers.values.map(\.address)
        let task = Task<BrokerConnection, any Error> {
            var failures: [String] = []
            for address in configuration.bootstrapServers + known {
                do {
                    return try await BrokerConnection.connect(
                        to: address,
                        nodeID: -1,
                        configuration: configuration,
                        eventLoopGroup: group
                    )
                } catch let error as KafkaError where !error.isRetriable {
                    // Authentication or configuration failures would fail on every broker alike.
                    throw error
                } catch {
                    failures.append("\(error)")
                }
            }
            throw KafkaError.connectionFailed(
                "no broker reachable (\(failures.joined(separator: "; "))); check bootstrap.servers"
            )
        }
        self.bootstrapConnecting = task
        defer { self.bootstrapConnecting = nil }
        let connection = try await self.connectionUnlessShutDown(task)
        self.bootstrapConnection = connection
        return connection
    }

    /// The connection to broker `nodeID`, opened if needed.
    public func connection(to nodeID: Int32) async throws -> BrokerConnection {
        guard !self.isShutDown else { throw KafkaError.shutDown }
        if let open = self.connections[nodeID], open.isActive { return open }
        if let pending = self.connecting[nodeID] { return try await pending.value }
        var broker = self.cachedMetadata.brokers[nodeID]
        if broker == nil {
            _ = try await self.refreshMetadata(topics: [])
            broker = self.cachedMetadata.brokers[nodeID]
        }
        guard let broker else {
            throw KafkaError.connectionFailed("broker \(nodeID) is not in the cluster metadata")
        }
        let configuration = self.configuration
        let group = self.eventLoopGroup
        let task = Task<BrokerConnection, any Error> {
            try await BrokerConnection.connect(
                to: broker.address,
                nodeID: nodeID,
                configuration: configuration,
                eventLoopGroup: group
            )
        }
        self.connecting[nodeID] = task
        defer { self.connecting[nodeID] = nil }
        let connection = try await self.connectionUnlessShutDown(task)
        self.connections[nodeID] = connection
        return connection
    }

    /// Awaits a connection attempt; one that completes after shutdown is closed at once.
    private func connectionUnlessShutDown(_ task: Task<BrokerConnection, any Error>) async throws -> BrokerConnection {
        let connection = try await task.value
        if self.isShutDown {
            await connection.close()
            throw KafkaError.shutDown
        }
        return connection
    }

    // MARK: Metadata

    /// Fetches metadata for `topics` (nil: every topic; []: brokers only) and merges it into the cache.
    @discardableResult
    public func refreshMetadata(
        topics: [String]?,
        allowAutoTopicCreation: Bool = false
    ) async throws
        -> ClusterMetadata
    {
        let connection = try await self.anyConnection()
        let request = MetadataRequest(
            topics: topics.map { $0.map { MetadataRequest.MetadataRequestTopic(name: $0) } },
            allowAutoTopicCreation: allowAutoTopicCreation
        )
        let response: MetadataResponse
        do {
            response = try await connection.send(request)
        } catch let error as KafkaError where error.isRetriable {
            // The connection we used may be dead: drop it so the next attempt opens another.
            await self.connectionFailed(connection)
            throw error
        }
        let fresh = ClusterMetadata(response)
        self.cachedMetadata.merge(fresh, replacingAllTopics: topics == nil)
        self.metadataFetchedAt = .now
        for topic in fresh.topics.keys { self.staleTopics.remove(topic) }
        return fresh
    }

    /// Metadata that covers every topic in `topics` and is fresh, refreshing with retries until the
    /// topics have leaders or `timeout` passes.
    public func metadata(
        for topics: [String],
        allowAutoTopicCreation: Bool = false,
        timeout: Duration? = nil
    ) async throws -> ClusterMetadata {
        let deadline = ContinuousClock.now + (timeout ?? .milliseconds(self.configuration.requestTimeoutMs))
        var attempt = 0
        while true {
            if self.isUsable(for: topics) { return self.cachedMetadata }
            attempt += 1
            do {
                let fresh = try await self.refreshMetadata(
                    topics: topics,
                    allowAutoTopicCreation: allowAutoTopicCreation
                )
                if self.isUsable(for: topics) { return self.cachedMetadata }
                // A topic that does not exist (and was not auto-created) is final.
                for topic in topics {
                    if let entry = fresh.topics[topic], entry.error == .unknownTopicOrPartition,
                        !allowAutoTopicCreation
                    {
                        throw KafkaError.unknownTopicOrPartition(topic: topic, partition: nil)
                    }
                    if let entry = fresh.topics[topic], entry.error != .noError, !entry.error.isRetriable {
                        throw KafkaError.broker(entry.error, message: "metadata for topic \(topic)")
                    }
                }
            } catch let error as KafkaError where error.isRetriable {
                // A topic the broker says does not exist is final, though the code is retriable.
                if case .unknownTopicOrPartition = error, !allowAutoTopicCreation { throw error }
                if ContinuousClock.now >= deadline { throw error }
            }
            if ContinuousClock.now >= deadline {
                throw KafkaError.retriesExhausted(last: "no leader known for \(topics.joined(separator: ", "))")
            }
            try await Task.sleep(for: self.configuration.retryBackoff(attempt: attempt))
        }
    }

    private func isUsable(for topics: [String]) -> Bool {
        guard let fetchedAt = self.metadataFetchedAt,
            fetchedAt.duration(to: .now) < .milliseconds(self.configuration.metadataMaxAgeMs)
        else { return false }
        for topic in topics {
            guard !self.staleTopics.contains(topic),
                let entry = self.cachedMetadata.topics[topic], entry.error == .noError, !entry.partitions.isEmpty,
                entry.partitions.values.allSatisfy({ $0.leaderID >= 0 })
            else { return false }
        }
        return true
    }

    /// Marks a topic's metadata stale: the next ``metadata(for:allowAutoTopicCreation:timeout:)`` refetches it.
    public func invalidate(topic: String) {
        self.staleTopics.insert(topic)
    }

    /// Forgets a connection that failed so that the next request opens a new one.
    public func connectionFailed(_ connection: BrokerConnection) async {
        if let current = self.connections[connection.nodeID], current === connection {
            self.connections[connection.nodeID] = nil
        }
        if self.bootstrapConnection === connection { self.bootstrapConnection = nil }
        await connection.close()
    }

    /// The connection to the leader of `topicPartition`.
    public func leaderConnection(for topicPartition: TopicPartition) async throws -> BrokerConnection {
        let metadata = try await self.metadata(for: [topicPartition.topic])
        guard let leader = metadata.leader(of: topicPartition) else {
            throw KafkaError.unknownTopicOrPartition(topic: topicPartition.topic, partition: topicPartition.partition)
        }
        return try await self.connection(to: leader.nodeID)
    }

    // MARK: Coordinators

    /// The kind of coordinator FindCoordinator looks up (its `key_type`).
    public enum CoordinatorType: Int8, Sendable {
        case group = 0
        case transaction = 1
    }

    /// The connection to the coordinator of consumer group or transactional id `key` (the
    /// cluster's shared connection to that broker).
    ///
    /// Retries COORDINATOR_NOT_AVAILABLE and similar transient answers (a new group's coordinator
    /// may need a moment to load) until `default.api.timeout.ms` passes; callers that get
    /// NOT_COORDINATOR later should call ``coordinatorMoved(key:type:)`` and ask again.
    public func coordinator(for key: String, type: CoordinatorType) async throws -> BrokerConnection {
        let cacheKey = CoordinatorKey(key: key, type: type)
        if let nodeID = self.coordinators[cacheKey], let open = self.connections[nodeID], open.isActive {
            return open
        }
        let broker = try await self.coordinatorBroker(for: key, type: type)
        return try await self.connection(to: broker.nodeID)
    }

    /// The broker that coordinates group or transactional id `key`, found with FindCoordinator (or
    /// remembered from the last lookup).
    public func coordinatorBroker(for key: String, type: CoordinatorType) async throws -> ClusterMetadata.Broker {
        let cacheKey = CoordinatorKey(key: key, type: type)
        if let nodeID = self.coordinators[cacheKey], let broker = self.cachedMetadata.brokers[nodeID] {
            return broker
        }
        let deadline = ContinuousClock.now + .milliseconds(self.configuration.defaultApiTimeoutMs)
        var attempt = 0
        while true {
            attempt += 1
            let connection = try await self.anyConnection()
            do {
                let node = try await Self.findCoordinator(key: key, type: type, on: connection)
                // Record the coordinator's address so that connection(to:) can reach it even if the
                // metadata has not listed it yet.
                if self.cachedMetadata.brokers[node.nodeID] == nil {
                    self.cachedMetadata.brokers[node.nodeID] = node
                }
                self.coordinators[cacheKey] = node.nodeID
                return node
            } catch let error as KafkaError where error.isRetriable {
                if case .connectionClosed = error { await self.connectionFailed(connection) }
                if case .connectionFailed = error { await self.connectionFailed(connection) }
                if ContinuousClock.now >= deadline { throw error }
            }
            try await Task.sleep(for: self.configuration.retryBackoff(attempt: attempt))
        }
    }

    /// Opens a connection to `broker` that the cluster does not share or cache; the caller owns it
    /// and closes it. Group members use one for the coordinator, as Java's clients do: a broker
    /// answers one request per connection at a time, and a JoinGroup is held for the whole
    /// rebalance, which would stall every other request on a shared connection.
    public func openDedicatedConnection(to broker: ClusterMetadata.Broker) async throws -> BrokerConnection {
        guard !self.isShutDown else { throw KafkaError.shutDown }
        let connection = try await BrokerConnection.connect(
            to: broker.address,
            nodeID: broker.nodeID,
            configuration: self.configuration,
            eventLoopGroup: self.eventLoopGroup
        )
        if self.isShutDown {
            await connection.close()
            throw KafkaError.shutDown
        }
        return connection
    }

    /// Forgets the cached coordinator of `key` (after NOT_COORDINATOR or a failed connection).
    public func coordinatorMoved(key: String, type: CoordinatorType) {
        self.coordinators[CoordinatorKey(key: key, type: type)] = nil
    }

    private static func findCoordinator(
        key: String,
        type: CoordinatorType,
        on connection: BrokerConnection
    ) async throws -> ClusterMetadata.Broker {
        guard let version = connection.apiVersions.version(for: FindCoordinatorRequest.self) else {
            throw KafkaError.unsupportedAPI(.findCoordinator)
        }
        // v4 replaced the single key with a batch of keys.
        let request =
            version >= 4
            ? FindCoordinatorRequest(key: "", keyType: type.rawValue, coordinatorKeys: [key])
            : FindCoordinatorRequest(key: key, keyType: type.rawValue, coordinatorKeys: [])
        let response = try await connection.send(request, version: version)
        if version >= 4 {
            guard let entry = response.coordinators.first(where: { $0.key == key }) ?? response.coordinators.first
            else { throw KafkaError.broker(.coordinatorNotAvailable, message: "no coordinator for \(key)") }
            try KafkaError.check(entry.errorCode, message: entry.errorMessage)
            return ClusterMetadata.Broker(
                nodeID: entry.nodeId,
                address: KafkaBrokerAddress(host: entry.host, port: Int(entry.port)),
                rack: nil
            )
        }
        try KafkaError.check(response.errorCode, message: response.errorMessage)
        return ClusterMetadata.Broker(
            nodeID: response.nodeId,
            address: KafkaBrokerAddress(host: response.host, port: Int(response.port)),
            rack: nil
        )
    }

    /// Closes every connection; later calls fail with ``KafkaError/shutDown``.
    public func shutdown() async {
        self.isShutDown = true
        let all = Array(self.connections.values) + (self.bootstrapConnection.map { [$0] } ?? [])
        self.connections.removeAll()
        self.bootstrapConnection = nil
        for connection in all { await connection.close() }
    }
}

private struct CoordinatorKey: Hashable {
    var key: String
    var type: KafkaCluster.CoordinatorType
}
