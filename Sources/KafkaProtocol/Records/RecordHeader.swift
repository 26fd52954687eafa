import NIOCore

/// One header of a Kafka record (magic v2). Keys may repeat; a value may be null.
public struct KafkaRecordHeader: Hashable, Sendable {
    // Declared in this order so that the public initializer can delegate to the synthesized one,
    // which the optimizer handles better (see `Record`).
    public var value: ByteBuffer?
    public var key: String
}

extension KafkaRecordHeader {
    public init(key: String, value: ByteBuffer?) {
        self.init(value: value, key: key)
    }
}
