import KafkaProtocol
import NIOCore

/// Splits the inbound byte stream into Kafka frames: a big-endian int32 size, then that many bytes.
///
/// The size is checked against `maximumFrameSize` before anything is buffered for it, so a garbage
/// or hostile length prefix fails the connection with ``KafkaProtocolError/frameTooLarge(size:maximum:)``
/// instead of allocating gigabytes.
struct KafkaFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    let maximumFrameSize: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try Self.nextFrame(in: &buffer, maximumFrameSize: self.maximumFrameSize) else {
            return .needMoreData
        }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        while try self.decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// The framing rule, without NIO: returns the next complete frame or nil when more bytes are needed.
    static func nextFrame(in buffer: inout ByteBuffer, maximumFrameSize: Int) throws -> ByteBuffer? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: Int32.self) else {
            return nil
        }
        guard size >= 0 else { throw KafkaProtocolError.invalidLength(Int64(size)) }
        guard Int(size) <= maximumFrameSize else {
            throw KafkaProtocolError.frameTooLarge(size: Int(size), maximum: maximumFrameSize)
        }
        guard buffer.readableBytes >= 4 + Int(size) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(size))
    }
}
