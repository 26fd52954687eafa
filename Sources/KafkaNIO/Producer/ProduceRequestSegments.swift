import KafkaProtocol
import NIOCore

/// Encodes a ProduceRequest body with its large record batches as separate buffers.
///
/// The generated ``ProduceRequest/write(into:version:)`` copies every batch into the frame; for
/// megabyte batches that copy (and the fresh memory it needs) is a large part of producing. Here
/// batches of `inlineLimit` bytes or more are passed on as their own segments and written to the
/// socket as they are. The bytes on the wire are the same as the generated encoder's
/// (ProduceRequestSegmentsTests checks it for every version).
enum ProduceRequestSegments {
    static let inlineLimit = 16 * 1024

    /// Appends the body to `frame` up to the first large batch; returns the parts that follow.
    static func encode(_ request: ProduceRequest, version: Int16, into frame: inout ByteBuffer) throws -> [ByteBuffer] {
        guard ProduceRequest.validVersions.contains(version) else {
            throw KafkaProtocolError.unsupportedVersion(api: "ProduceRequest", version: version)
        }
        let compact = version >= 9
        var writer = SegmentWriter()
        writer.write(into: &frame) { buffer in
            if version >= 3 { buffer.writeKafkaNullableString(request.transactionalId, compact: compact) }
            buffer.writeKafkaInteger(request.acks)
            buffer.writeKafkaInteger(request.timeoutMs)
            buffer.writeKafkaArrayCount(request.topicData.count, compact: compact)
        }
        for topic in request.topicData {
            writer.write(into: &frame) { buffer in
                buffer.writeKafkaString(topic.name, compact: compact)
                buffer.writeKafkaArrayCount(topic.partitionData.count, compact: compact)
            }
            for partition in topic.partitionData {
                writer.write(into: &frame) { buffer in
                    buffer.writeKafkaInteger(partition.index)
                    let length = partition.records?.readableBytes
                    if compact {
                        buffer.writeKafkaUnsignedVarint(length.map { UInt32(truncatingIfNeeded: $0 + 1) } ?? 0)
                    } else {
                        buffer.writeKafkaInteger(length.map { Int32(truncatingIfNeeded: $0) } ?? -1)
                    }
                }
                if let records = partition.records {
                    if records.readableBytes >= Self.inlineLimit {
                        writer.appendSegment(records)
                    } else {
                        writer.write(into: &frame) { $0.writeImmutableBuffer(records) }
                    }
                }
                if compact {
                    writer.write(into: &frame) { $0.writeKafkaTaggedFields(partition.unknownTaggedFields) }
                }
            }
            if compact {
                writer.write(into: &frame) { $0.writeKafkaTaggedFields(topic.unknownTaggedFields) }
            }
        }
        if compact {
            writer.write(into: &frame) { $0.writeKafkaTaggedFields(request.unknownTaggedFields) }
        }
        return writer.finish()
    }

    /// Writes into the frame until the first segment, then into small buffers between segments.
    private struct SegmentWriter {
        var segments: [ByteBuffer] = []
        var current: ByteBuffer?

        mutating func write(into frame: inout ByteBuffer, _ body: (inout ByteBuffer) -> Void) {
            if self.current == nil {
                body(&frame)
            } else {
                body(&self.current!)
            }
        }

        mutating func appendSegment(_ segment: ByteBuffer) {
            if let current, current.readableBytes > 0 { self.segments.append(current) }
            self.segments.append(segment)
            self.current = ByteBuffer()
        }

        func finish() -> [ByteBuffer] {
            guard let current, current.readableBytes > 0 else { return self.segments }
            return self.segments + [current]
        }
    }
}
