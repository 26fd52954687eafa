import ConnectAPI
import KafkaNIO
import Logging
import NIOCore
import Synchronization

/// Connector configurations, task configurations, target states, restart requests and the session
/// key in the config topic (`config.storage.topic`, one partition), Kafka's `KafkaConfigBackingStore`.
///
/// Every worker tails the topic through a ``ConfigLogState``: ``snapshot()`` is the cluster's
/// configuration as last read, and ``events`` delivers what changed after start-up (Kafka's update
/// listener) for the herder to act on. Writes return once they are acknowledged *and* read back, so
/// the snapshot shows them when a write returns (as Kafka's writes, which read to the end after
/// sending; 30 s overall).
///
/// Which worker may write what is the herder's business: connector configs, task configs and their
/// commit, restart requests, task count records and the session key are written by the leader only;
/// target states and logger levels by any worker. (Under exactly-once source support Kafka writes the
/// leader's records in transactions so a deposed leader is fenced; not done here yet.)
public final class KafkaConfigBackingStore: Sendable {
    /// How long a write (sends plus reading back) may take: Kafka's `READ_WRITE_TOTAL_TIMEOUT_MS`.
    public static let readWriteTimeout: Duration = .seconds(30)

    private let state = Mutex(ConfigLogState())
    private let log = KafkaBasedLogSlot()
    private let logger: Logger
    private let continuation: AsyncStream<ConfigLogEvent>.Continuation

    /// What changed in the config topic after ``start()`` completed, one event per record the herder
    /// must act on, in topic order. Ends at ``stop()``. For one consumer.
    public let events: AsyncStream<ConfigLogEvent>

    /// A store on `config.configTopic` with the worker's client settings (`client.id`
    /// `<group.id>-configs`).
    /// - Throws: ``KafkaError`` for client settings the Kafka client refuses.
    public convenience init(
        config: DistributedConfig,
        logger: Logger = Logger(label: "swift-connect.configs")
    ) throws {
        self.init(logger: logger)
        let log = try config.makeLog(
            config.configTopic,
            clientIDSuffix: "configs",
            deliveryTimeoutMs: Int(Self.readWriteTimeout.components.seconds) * 1_000,
            logger: logger
        ) {
            [weak self] record in self?.consume(record)
        }
        self.log.set(log)
    }

    private init(logger: Logger) {
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(of: ConfigLogEvent.self)
    }

    /// Applies a record read from the config topic.
    func consume(_ record: KafkaConsumerRecord) {
        let key = record.key.map { String(buffer: $0) }
        let value = record.value.map { Array($0.readableBytesView) }
        let event = state.withLock { $0.apply(key: key, value: value, offset: record.offset) }
        switch event {
        case .none:
            break
        case .skipped(let reason):
            logger.warning("config topic record at offset \(record.offset): \(reason)")
        default:
            continuation.yield(event)
        }
    }

    /// Creates the topic if needed (compacted, one partition) and reads it to the end; records read
    /// so far are history and produce no ``events``.
    /// - Throws: ``ConfigError`` if the topic has more than one partition or is not compacted.
    public func start() async throws {
        try await log.require().start()
        state.withLock { $0.markStarted() }
    }

    /// Stops reading and writing and ends ``events``.
    public func stop() async {
        await log.stop()
        continuation.finish()
    }

    /// The cluster's configuration as last read.
    public func snapshot() -> ClusterConfigSnapshot {
        state.withLock { $0.snapshot }
    }

    /// Removes and returns the restart requests read since start-up.
    public func takePendingRestarts() -> [RestartRequest] {
        state.withLock { $0.takePendingRestarts() }
    }

    /// Reads the topic to its end (Kafka's `refresh`).
    /// - Throws: ``ConnectError`` after `timeout`.
    public func refresh(timeout: Duration = KafkaConfigBackingStore.readWriteTimeout) async throws {
        try await log.require().readToEnd(timeout: timeout)
    }

    // MARK: Writes

    /// Creates or updates a connector's configuration; with `targetState`, writes that first (Kafka
    /// writes a new connector's initial state before its config so it never runs in another).
    public func putConnectorConfig(
        _ connector: String,
        config: [String: String],
        targetState: TargetState? = nil
    ) async throws {
        var records: [ConfigRecord] = []
        if let targetState { records.append(.targetState(connector, targetState)) }
        records.append(.connectorConfig(connector, config))
        try await write(records, readBefore: false)
    }

    /// Deletes a connector: tombstones its configuration and target state.
    public func removeConnectorConfig(_ connector: String) async throws {
        try await write([.connectorConfig(connector, nil), .targetState(connector, nil)], readBefore: false)
    }

    /// Publishes a connector's task configurations: reads to the end, writes `task-<name>-<n>` for
    /// each, then `commit-<name>` with their count, and reads back; readers apply the batch only when
    /// they read the commit. An empty list commits zero tasks.
    public func putTaskConfigs(_ connector: String, _ configs: [[String: String]]) async throws {
        let tasks = configs.enumerated().map { index, config in
            ConfigRecord.taskConfig(ConnectorTaskID(connector: connector, task: index), config)
        }
        // As Kafka: read to the end, write the tasks, read to the end, write the commit, read to the end.
        let commit: [ConfigRecord] = [.commit(connector, taskCount: configs.count)]
        try await write(batches: tasks.isEmpty ? [commit] : [tasks, commit], readBefore: true)
    }

    /// Sets a connector's target state (any worker may).
    public func putTargetState(_ connector: String, _ targetState: TargetState) async throws {
        try await write([.targetState(connector, targetState)], readBefore: false)
    }

    /// Asks the cluster to restart a connector (and maybe its tasks).
    public func putRestartRequest(_ request: RestartRequest) async throws {
        try await write([.restart(request)], readBefore: false)
    }

    /// Writes the session key used to sign requests between workers.
    public func putSessionKey(_ key: SessionKey) async throws {
        try await write([.sessionKey(key)], readBefore: false)
    }

    /// Writes an exactly-once task count record.
    public func putTaskCountRecord(_ connector: String, count: Int) async throws {
        try await write([.taskCount(connector, count: count)], readBefore: false)
    }

    /// Sets a cluster-wide logger level (any worker may).
    public func putLoggerLevel(namespace: String, level: String) async throws {
        try await write([.loggerLevel(namespace: namespace, level: level)], readBefore: false)
    }

    private func write(_ records: [ConfigRecord], readBefore: Bool) async throws {
        try await write(batches: [records], readBefore: readBefore)
    }

    /// Sends the records of each batch in order, each after the previous was acknowledged (a commit
    /// must never overtake its task configs), and reads to the end after each batch; all within
    /// ``readWriteTimeout`` (the producer's `delivery.timeout.ms` is that long too, so a send never
    /// outlives the write).
    private func write(batches: [[ConfigRecord]], readBefore: Bool) async throws {
        let log = try log.require()
        let deadline = ContinuousClock.now + Self.readWriteTimeout
        func remaining() throws -> Duration {
            let left = deadline - ContinuousClock.now
            guard left > .zero else {
                throw ConnectError(
                    "timed out after \(Self.readWriteTimeout) writing to the config topic "
                        + "'\(log.topic.name)'; check that the brokers are reachable"
                )
            }
            return left
        }
        if readBefore { try await log.readToEnd(timeout: try remaining()) }
        for records in batches {
            for record in try records.map(ConfigRecordCodec.encode) {
                _ = try remaining()
                try await log.send(key: Array(record.key.utf8), value: record.value)
            }
            try await log.readToEnd(timeout: try remaining())
        }
    }
}
