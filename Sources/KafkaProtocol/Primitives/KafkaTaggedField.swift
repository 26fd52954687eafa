import NIOCore

/// A tagged field this library's version of a message does not know, kept as raw bytes so that
/// re-encoding a decoded message writes it back unchanged (KIP-482).
public struct KafkaTaggedField: Hashable, Sendable {
    public var tag: UInt32
    public var data: ByteBuffer

    public init(tag: UInt32, data: ByteBuffer) {
        self.tag = tag
        self.data = data
    }
}
