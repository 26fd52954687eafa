import KafkaProtocol
import NIOCore

/// A record read from Kafka.
public struct KafkaConsumerRecord: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// Milliseconds since the epoch, of the kind `timestampType` says.
    public var timestamp: Int64
    public var timestampType: TimestampType
    public var key: ByteBuffer?
    public var value: ByteBuffer?
    public var headers: [KafkaRecordHeader]

    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        timestamp: Int64,
        timestampType: TimestampType,
        key: ByteBuffer?,
        value: ByteBuffer?,
        headers: [KafkaRecordHeader]
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
        self.timestampType = timestampType
        self.key = key
        self.value = value
        self.headers = headers
    }
}
