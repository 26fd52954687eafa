/// What source and sink records have in common (Kafka's `ConnectRecord`): topic, partition, key and
/// value with their schemas, timestamp and headers.
///
/// ``SourceRecord`` and ``SinkRecord`` are structs, so "copying a record with changes" — what every
/// transform does — is a plain `var copy = record; copy.value = …`. The subclass-specific fields
/// (source partition and offset; Kafka offset, timestamp type and the original topic/partition/offset)
/// are `let` and survive every copy, as Kafka's `newRecord` keeps them. Generic code over
/// `R: ConnectRecord` can use the settable properties or ``newRecord(topic:kafkaPartition:keySchema:key:valueSchema:value:timestamp:headers:)``.
public protocol ConnectRecord: Sendable, Hashable, CustomStringConvertible {
    /// The topic the record is written to (source) or was read from, after transforms (sink).
    var topic: String { get set }
    /// The partition; `nil` lets the producer's partitioner choose (source records).
    var kafkaPartition: Int32? { get set }
    /// The key's schema; `nil` for schemaless keys.
    var keySchema: Schema? { get set }
    /// The key; ``ConnectValue/null`` for none.
    var key: ConnectValue { get set }
    /// The value's schema; `nil` for schemaless values.
    var valueSchema: Schema? { get set }
    /// The value; ``ConnectValue/null`` for a tombstone.
    var value: ConnectValue { get set }
    /// Milliseconds since the epoch, if any.
    var timestamp: Int64? { get set }
    /// The headers.
    var headers: Headers { get set }
}

extension ConnectRecord {
    /// A copy with the given topic, partition, key, value and timestamp, and the same headers unless
    /// others are given (Kafka's `newRecord`). Fields specific to the record type are kept.
    public func newRecord(
        topic: String,
        kafkaPartition: Int32?,
        keySchema: Schema?,
        key: ConnectValue,
        valueSchema: Schema?,
        value: ConnectValue,
        timestamp: Int64?,
        headers: Headers? = nil
    ) -> Self {
        var copy = self
        copy.topic = topic
        copy.kafkaPartition = kafkaPartition
        copy.keySchema = keySchema
        copy.key = key
        copy.valueSchema = valueSchema
        copy.value = value
        copy.timestamp = timestamp
        if let headers { copy.headers = headers }
        return copy
    }

    /// Kafka's `ConnectRecord.toString()` body: `topic='t', kafkaPartition=0, key=…, keySchema=…,
    /// value=…, valueSchema=…, timestamp=…, headers=…`.
    var baseDescription: String {
        "topic='\(topic)', kafkaPartition=\(kafkaPartition.map(String.init) ?? "null"), key=\(key), "
            + "keySchema=\(keySchema.map(\.description) ?? "null"), value=\(value), "
            + "valueSchema=\(valueSchema.map(\.description) ?? "null"), "
            + "timestamp=\(timestamp.map(String.init) ?? "null"), headers=\(headers)"
    }
}
