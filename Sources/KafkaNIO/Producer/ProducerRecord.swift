import KafkaProtocol
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A record to send to Kafka.
public struct KafkaProducerRecord: Sendable {
    public var topic: String
    /// The partition; nil lets the partitioner choose (murmur2 of the key, sticky for null keys).
    public var partition: Int32?
    public var key: ByteBuffer?
    public var value: ByteBuffer?
    public var headers: [KafkaRecordHeader]
    /// CreateTime in milliseconds since the epoch; nil means now.
    public var timestamp: Int64?

    public init(
        topic: String,
        partition: Int32? = nil,
        key: ByteBuffer? = nil,
        value: ByteBuffer?,
        headers: [KafkaRecordHeader] = [],
        timestamp: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// Bytes this record adds to a batch, roughly (for `batch.size` and `max.request.size`).
    var estimatedSize: Int {
        var size = 21 + (self.key?.readableBytes ?? 0) + (self.value?.readableBytes ?? 0)
        for header in self.headers { size += 10 + header.key.utf8.count + (header.value?.readableBytes ?? 0) }
        return size
    }
}

/// Where a record was written.
public struct RecordMetadata: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    /// The record's offset; -1 with `acks=0`, where the broker does not say.
    public var offset: Int64
    /// The record's timestamp: LogAppendTime when the topic uses it, else the CreateTime sent.
    public var timestamp: Int64

    public init(topic: String, partition: Int32, offset: Int64, timestamp: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
    }
}

/// Milliseconds since the Unix epoch.
func currentTimeMillis() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
}
