/// A record produced by a source task (Kafka's `SourceRecord`): a ``ConnectRecord`` plus the source
/// partition and offset the runtime commits for it.
///
/// Partition and offset maps have string keys and primitive values (integers, floats, booleans,
/// strings, bytes) or ``ConnectValue/null``; either map may be `nil`. They are `let`: transforms can
/// change the topic, key, value, headers… but not where the record came from.
///
/// ```swift
/// SourceRecord(
///     sourcePartition: ["filename": .string(path)],
///     sourceOffset: ["position": .int64(position)],
///     topic: "lines", valueSchema: .string, value: .string(line))
/// ```
public struct SourceRecord: ConnectRecord {
    /// Identifies the part of the source the record came from (a file, a table, a shard).
    public let sourcePartition: [String: ConnectValue]?
    /// The position within the source partition to resume after this record.
    public let sourceOffset: [String: ConnectValue]?
    /// The topic to write to.
    public var topic: String
    /// The partition to write to; `nil` lets the producer's partitioner choose.
    public var kafkaPartition: Int32?
    /// The key's schema.
    public var keySchema: Schema?
    /// The key.
    public var key: ConnectValue
    /// The value's schema.
    public var valueSchema: Schema?
    /// The value.
    public var value: ConnectValue
    /// Milliseconds since the epoch; `nil` lets the producer set it.
    public var timestamp: Int64?
    /// The headers.
    public var headers: Headers

    /// Creates a record.
    public init(
        sourcePartition: [String: ConnectValue]?,
        sourceOffset: [String: ConnectValue]?,
        topic: String,
        kafkaPartition: Int32? = nil,
        keySchema: Schema? = nil,
        key: ConnectValue = .null,
        valueSchema: Schema?,
        value: ConnectValue,
        timestamp: Int64? = nil,
        headers: Headers = Headers()
    ) {
        self.sourcePartition = sourcePartition
        self.sourceOffset = sourceOffset
        self.topic = topic
        self.kafkaPartition = kafkaPartition
        self.keySchema = keySchema
        self.key = key
        self.valueSchema = valueSchema
        self.value = value
        self.timestamp = timestamp
        self.headers = headers
    }

    /// `SourceRecord{sourcePartition=…, sourceOffset=…} ConnectRecord{…}`, as Kafka's `toString()`.
    public var description: String {
        "SourceRecord{sourcePartition=\(Self.render(sourcePartition)), sourceOffset=\(Self.render(sourceOffset))} "
            + "ConnectRecord{\(baseDescription)}"
    }

    private static func render(_ map: [String: ConnectValue]?) -> String {
        guard let map else { return "null" }
        return "{" + map.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "}"
    }
}
