/// A record consumed from Kafka and delivered to a sink task (Kafka's `SinkRecord`): a
/// ``ConnectRecord`` plus its offset and timestamp type, and (KIP-793) the topic, partition and
/// offset as consumed, which transforms cannot change.
///
/// ```swift
/// var routed = record          // a transform changing the topic
/// routed.topic = "archive-" + record.topic
/// routed.originalTopic         // still the consumed topic
/// ```
public struct SinkRecord: ConnectRecord {
    /// How the record's timestamp was set (Kafka's `TimestampType`).
    public enum TimestampType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// No timestamp (`NoTimestampType`).
        case noTimestampType = "NoTimestampType"
        /// Set by the producer (`CreateTime`).
        case createTime = "CreateTime"
        /// Set by the broker (`LogAppendTime`).
        case logAppendTime = "LogAppendTime"

        /// Kafka's name: `NoTimestampType`, `CreateTime` or `LogAppendTime`.
        public var description: String { rawValue }
    }

    /// The topic (after transforms).
    public var topic: String
    /// The partition (after transforms).
    public var kafkaPartition: Int32?
    /// The key's schema.
    public var keySchema: Schema?
    /// The key.
    public var key: ConnectValue
    /// The value's schema.
    public var valueSchema: Schema?
    /// The value.
    public var value: ConnectValue
    /// Milliseconds since the epoch, if the record has a timestamp.
    public var timestamp: Int64?
    /// The headers.
    public var headers: Headers
    /// The record's offset in its partition.
    public let kafkaOffset: Int64
    /// How ``timestamp`` was set.
    public let timestampType: TimestampType
    /// The topic as consumed, before transforms.
    public let originalTopic: String
    /// The partition as consumed, before transforms.
    public let originalKafkaPartition: Int32?
    /// The offset as consumed, before transforms.
    public let originalKafkaOffset: Int64

    /// Creates a record; the original topic, partition and offset default to `topic`, `partition` and
    /// `kafkaOffset`.
    public init(
        topic: String,
        partition: Int32,
        keySchema: Schema? = nil,
        key: ConnectValue = .null,
        valueSchema: Schema?,
        value: ConnectValue,
        kafkaOffset: Int64,
        timestamp: Int64? = nil,
        timestampType: TimestampType = .noTimestampType,
        headers: Headers = Headers(),
        originalTopic: String? = nil,
        originalKafkaPartition: Int32? = nil,
        originalKafkaOffset: Int64? = nil
    ) {
        self.topic = topic
        self.kafkaPartition = partition
        self.keySchema = keySchema
        self.key = key
        self.valueSchema = valueSchema
        self.value = value
        self.kafkaOffset = kafkaOffset
        self.timestamp = timestamp
        self.timestampType = timestampType
        self.headers = headers
        self.originalTopic = originalTopic ?? topic
        self.originalKafkaPartition = originalKafkaPartition ?? partition
        self.originalKafkaOffset = originalKafkaOffset ?? kafkaOffset
    }

    /// The partition as consumed, as a ``TopicPartition`` (what offsets are committed for).
    public var originalTopicPartition: TopicPartition {
        TopicPartition(originalTopic, originalKafkaPartition ?? -1)
    }

    /// `SinkRecord{kafkaOffset=…, timestampType=…, originalTopic=…, …} ConnectRecord{…}`, as Kafka's
    /// `toString()`.
    public var description: String {
        "SinkRecord{kafkaOffset=\(kafkaOffset), timestampType=\(timestampType), originalTopic=\(originalTopic), "
            + "originalKafkaPartition=\(originalKafkaPartition.map(String.init) ?? "null"), "
            + "originalKafkaOffset=\(originalKafkaOffset)} ConnectRecord{\(baseDescription)}"
    }
}
