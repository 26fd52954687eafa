import ConnectAPI

/// Builds the records a sink task receives from one topic partition, with consecutive offsets, in
/// the shapes the worker's converters produce:
///
/// | helper | what a worker produces it from |
/// |---|---|
/// | ``string(_:key:)`` | `StringConverter`: `STRING` schema |
/// | ``json(_:key:)`` | `JsonConverter` with `schemas.enable=false`: schemaless maps, arrays, `int64`, `float64`… |
/// | ``struct(_:key:)`` | a converter with schemas (JSON with envelope, Avro…): a `Struct` and its schema |
/// | ``record(keySchema:key:valueSchema:value:)`` | anything else |
///
/// ```swift
/// var orders = SinkRecordBuilder(topic: "orders", partition: 1, startOffset: 100)
/// let batch = try [orders.json(#"{"id": 1}"#), orders.json(#"{"id": 2}"#)]   // offsets 100, 101
/// ```
public struct SinkRecordBuilder: Sendable {
    /// The topic of the records.
    public var topic: String
    /// The partition of the records.
    public var partition: Int32
    /// The offset the next record gets.
    public var nextOffset: Int64
    /// The timestamp the next record gets, if any; it advances by 1 ms per record.
    public var nextTimestamp: Int64?

    /// A builder for `topic`-`partition`, starting at `startOffset`.
    public init(topic: String, partition: Int32 = 0, startOffset: Int64 = 0, timestamp: Int64? = nil) {
        self.topic = topic
        self.partition = partition
        self.nextOffset = startOffset
        self.nextTimestamp = timestamp
    }

    /// The topic partition the records come from.
    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }

    /// A record with any key and value; the next offset.
    public mutating func record(
        keySchema: Schema? = nil,
        key: ConnectValue = .null,
        valueSchema: Schema?,
        value: ConnectValue,
        headers: Headers = Headers()
    ) -> SinkRecord {
        defer {
            nextOffset += 1
            if let timestamp = nextTimestamp { nextTimestamp = timestamp + 1 }
        }
        return SinkRecord(
            topic: topic,
            partition: partition,
            keySchema: keySchema,
            key: key,
            valueSchema: valueSchema,
            value: value,
            kafkaOffset: nextOffset,
            timestamp: nextTimestamp,
            timestampType: nextTimestamp == nil ? .noTimestampType : .createTime,
            headers: headers
        )
    }

    /// A record with a `STRING` value (and key, if given), as `StringConverter` produces.
    public mutating func string(_ value: String?, key: String? = nil) -> SinkRecord {
        record(
            keySchema: key == nil ? nil : .optionalString,
            key: key.map(ConnectValue.string) ?? .null,
            valueSchema: .optionalString,
            value: value.map(ConnectValue.string) ?? .null
        )
    }

    /// One `STRING` record per value.
    public mutating func strings(_ values: [String]) -> [SinkRecord] {
        values.map { string($0) }
    }

    /// A schemaless record parsed from JSON text, as `JsonConverter` with `schemas.enable=false`
    /// produces it (objects become maps with string keys, integers `int64`, other numbers `float64`).
    /// - Throws: ``ConnectTestingError`` if the text is not JSON.
    public mutating func json(_ value: String, key: String? = nil) throws -> SinkRecord {
        let parsedKey = try key.map(JSONText.parse) ?? .null
        return record(key: parsedKey, valueSchema: nil, value: try JSONText.parse(value))
    }

    /// A record whose value is a `Struct` with its schema.
    public mutating func `struct`(_ value: Struct, key: ConnectValue = .null, keySchema: Schema? = nil) -> SinkRecord {
        record(keySchema: keySchema, key: key, valueSchema: value.schema, value: .struct(value))
    }

    /// A tombstone: a key and a `nil` value.
    public mutating func tombstone(key: String) -> SinkRecord {
        record(keySchema: .optionalString, key: .string(key), valueSchema: nil, value: .null)
    }
}
