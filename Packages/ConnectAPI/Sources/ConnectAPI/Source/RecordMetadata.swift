/// Where Kafka stored a produced source record (Kafka's `RecordMetadata`, the fields Connect uses).
public struct RecordMetadata: Sendable, Hashable {
    /// The topic.
    public var topic: String
    /// The partition.
    public var partition: Int32
    /// The offset; -1 when unknown (`acks=0`).
    public var offset: Int64
    /// The record's timestamp, if known.
    public var timestamp: Int64?

    /// Creates metadata.
    public init(topic: String, partition: Int32, offset: Int64, timestamp: Int64? = nil) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
    }
}
