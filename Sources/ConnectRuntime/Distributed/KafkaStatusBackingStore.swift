import ConnectAPI
import KafkaNIO
import Logging
import NIOCore
import Synchronization

/// Connector, task and topic statuses in the status topic (`status.storage.topic`), Kafka's
/// `KafkaStatusBackingStore`.
///
/// Every worker tails the topic into a ``StatusCache``, so statuses written by any worker are read
/// from memory. Writes carry the writer's worker id and group generation; *safe* writes
/// (``putSafe(_:)``, Kafka's for UNASSIGNED and FAILED) are dropped when the cache shows another
/// worker wrote the key at a newer generation. A write that fails with a retriable error is sent
/// again, as Kafka's store does, unless a newer write of the same key or a new generation
/// superseded it meanwhile.
public final class KafkaStatusBackingStore: Sendable {
    private struct State {
        var cache = StatusCache()
        /// Writes issued per key, to drop retries of superseded writes (Kafka's `CacheEntry.sequence`).
        var sequences: [StatusTopicKey: Int] = [:]
        /// The generation of the last write (Kafka's `generation` field).
        var generation: Int32 = 0
    }

    private let state = Mutex(State())
    private let log = KafkaBasedLogSlot()
    private let logger: Logger

    /// A store on `config.statusTopic` with the worker's client settings (`client.id`
    /// `<group.id>-statuses`).
    /// - Throws: ``KafkaError`` for client settings the Kafka client refuses.
    public convenience init(
        config: DistributedConfig,
        logger: Logger = Logger(label: "swift-connect.statuses")
    ) throws {
        self.init(logger: logger)
        // Kafka's status producer gives up early and re-sends itself (below), so that a retry can be
        // dropped when a newer status superseded it.
        let log = try config.makeLog(
            config.statusTopic,
            clientIDSuffix: "statuses",
            deliveryTimeoutMs: 120_000,
            logger: logger
        ) {
            [weak self] record in self?.consume(record)
        }
        self.log.set(log)
    }

    private init(logger: Logger) {
        self.logger = logger
    }

    /// Applies a record read from the status topic.
    func consume(_ record: KafkaConsumerRecord) {
        let key = record.key.map { String(buffer: $0) }
        switch StatusRecordCodec.decode(key: key, value: record.value.map { Array($0.readableBytesView) }) {
        case .record(let status):
            state.withLock { _ = $0.cache.apply(status) }
        case .skipped(let reason):
            logger.warning("\(reason)")
        }
    }

    /// Creates the topic if needed (compacted, `status.storage.partitions`) and reads it to the end.
    public func start() async throws {
        try await log.require().start()
    }

    /// Stops reading and writing.
    public func stop() async {
        await log.stop()
    }

    /// Reads the topic to its end: afterwards the cache holds every status acknowledged before the
    /// call, whichever worker wrote it.
    public func readToEnd(timeout: Duration? = nil) async throws {
        try await log.require().readToEnd(timeout: timeout)
    }

    /// Writes a status (a `nil` status writes the tombstone Kafka writes for a destroyed connector or
    /// task, or a reset topic) and returns once acknowledged, or once a newer write superseded it.
    /// - Throws: ``KafkaError`` for a non-retriable failure.
    public func put(_ record: StatusRecord) async throws {
        try await write(record, safe: false)
    }

    /// Like ``put(_:)``, but skipped if another worker wrote the key at a newer generation (Kafka's
    /// `putSafe`, used for UNASSIGNED and FAILED so a worker that lost the work does not overwrite
    /// its new owner).
    public func putSafe(_ record: StatusRecord) async throws {
        try await write(record, safe: true)
    }

    private func write(_ record: StatusRecord, safe: Bool) async throws {
        let key = record.key
        let generation: Int32? =
            switch record {
            case .connector(_, let status?), .task(_, let status?): status.generation
            default: nil
            }
        let sequence = state.withLock { state -> Int? in
            if let generation { state.generation = generation }
            if safe, case .connector(_, let status?) = record, !state.cache.allowsSafeWrite(key, status) { return nil }
            if safe, case .task(_, let status?) = record, !state.cache.allowsSafeWrite(key, status) { return nil }
            state.sequences[key, default: 0] += 1
            return state.sequences[key]
        }
        guard let sequence else {
            logger.trace("not writing \(key): another worker wrote it at a newer generation")
            return
        }
        let encoded = try StatusRecordCodec.encode(record)
        var attempt = 0
        while true {
            do {
                try await log.require().send(key: Array(encoded.key.utf8), value: encoded.value)
                return
            } catch let error as KafkaError where error.isRetriable {
                attempt += 1
                let superseded = state.withLock { state in
                    state.sequences[key] != sequence || (generation.map { $0 != state.generation } ?? false)
                }
                if superseded { return }
                logger.warning("failed to write status \(key), retrying: \(error)")
                try await Task.sleep(for: .milliseconds(min(1_000, 100 * attempt)))
            }
        }
    }

    /// The connector's status as last read.
    public func connector(_ name: String) -> StatusRecordValue? {
        state.withLock { $0.cache.connectors[name] }
    }

    /// The task's status as last read.
    public func task(_ id: ConnectorTaskID) -> StatusRecordValue? {
        state.withLock { $0.cache.tasks[id] }
    }

    /// The statuses of a connector's tasks as last read.
    public func tasks(of connector: String) -> [ConnectorTaskID: StatusRecordValue] {
        state.withLock { $0.cache.tasks.filter { $0.key.connector == connector } }
    }

    /// The topics a connector uses, as last read.
    public func topics(of connector: String) -> [TopicStatusValue] {
        state.withLock { $0.cache.topics[connector].map { Array($0.values) } ?? [] }.sorted { $0.topic < $1.topic }
    }

    /// Every connector with a status.
    public var connectors: Set<String> {
        state.withLock { Set($0.cache.connectors.keys) }
    }

    /// The whole cache as last read.
    public var cache: StatusCache { state.withLock { $0.cache } }
}
