/// Reads committed source offsets (Kafka's `OffsetStorageReader`). Partitions and offsets are the maps
/// connectors put in ``SourceRecord/sourcePartition`` and ``SourceRecord/sourceOffset``; after a round
/// trip through the offsets store, integers come back as ``ConnectValue/int64(_:)`` and decimals as
/// ``ConnectValue/float64(_:)`` (JSON decoding).
public protocol OffsetStorageReader: Sendable {
    /// The committed offset of one source partition, or `nil` if none.
    func offset(for partition: [String: ConnectValue]) async throws -> [String: ConnectValue]?

    /// The committed offsets of several source partitions; partitions without one are absent.
    func offsets(
        for partitions: [[String: ConnectValue]]
    ) async throws -> [[String: ConnectValue]: [String: ConnectValue]]
}
