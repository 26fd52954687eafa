import ConnectAPI
import KafkaNIO
import Logging
import NIOCore
import Synchronization

/// Source offsets in the offsets topic (`offset.storage.topic`), Kafka's `KafkaOffsetBackingStore`:
/// the distributed worker's ``OffsetBackingStore``, so source tasks use it unchanged.
///
/// Every worker tails the whole topic into memory; ``get(_:)`` and ``partitions(namespace:)`` first
/// read to the end, so they see every write acknowledged before the call, from any worker.
/// ``set(_:)`` returns once the broker acknowledged all records. Keys compare by parsed JSON value
/// (``OffsetKey``), so a Java worker's member order never makes a lookup miss. With
/// `exactly.once.source.support=enabled` the topic is read `read_committed` and "the end" is the last
/// stable offset, so offsets of open (and, on Kafka, aborted) transactions are never seen.
public final class KafkaOffsetBackingStore: OffsetBackingStore {
    private let offsets = Mutex<[OffsetKey: [String: ConnectValue]]>([:])
    private let logger: Logger
    private let log = KafkaBasedLogSlot()

    /// A store on `config.offsetTopic` with the worker's client settings (`client.id`
    /// `<group.id>-offsets`).
    /// - Throws: ``KafkaError`` for client settings the Kafka client refuses.
    public convenience init(
        config: DistributedConfig,
        logger: Logger = Logger(label: "swift-connect.offsets")
    ) throws {
        self.init(logger: logger)
        // Under exactly-once, tasks write offsets in transactions: read only committed ones (Kafka).
        let log = try config.makeLog(
            config.offsetTopic,
            clientIDSuffix: "offsets",
            extraProperties: config.exactlyOnceSourceSupport == .enabled ? ["isolation.level": "read_committed"] : [:],
            logger: logger
        ) { [weak self] record in self?.consume(record) }
        self.log.set(log)
    }

    private init(logger: Logger) {
        self.logger = logger
    }

    /// Applies a record read from the offsets topic.
    func consume(_ record: KafkaConsumerRecord) {
        let key = record.key.map { Array($0.readableBytesView) }
        let value = record.value.map { Array($0.readableBytesView) }
        guard let (offsetKey, offset) = OffsetRecordCodec.decode(key: key, value: value) else {
            logger.warning(
                "ignoring offsets topic record at \(record.partition):\(record.offset): key or value unusable"
            )
            return
        }
        offsets.withLock { $0[offsetKey] = offset }
    }

    /// Creates the topic if needed (compacted, `offset.storage.partitions`) and reads it to the end.
    public func start() async throws {
        try await log.require().start()
    }

    /// Stops reading and writing.
    public func stop() async {
        await log.stop()
    }

    public func get(_ keys: [OffsetKey]) async throws -> [OffsetKey: [String: ConnectValue]] {
        try await log.require().readToEnd()
        return offsets.withLock { offsets in
            var result: [OffsetKey: [String: ConnectValue]] = [:]
            for key in keys { if let offset = offsets[key] { result[key] = offset } }
            return result
        }
    }

    public func set(_ values: [OffsetKey: [String: ConnectValue]?]) async throws {
        guard !values.isEmpty else { return }
        let records = try values.map { key, offset in
            let encoded = try OffsetRecordCodec.encode(key, offset: offset)
            return (key: Optional(encoded.key), value: encoded.value)
        }
        for result in try await log.require().send(records) {
            _ = try result.get()
        }
    }

    public func partitions(namespace: String) async throws -> [[String: ConnectValue]] {
        try await log.require().readToEnd()
        return offsets.withLock { $0.keys.filter { $0.namespace == namespace }.map(\.partition) }
    }
}
