import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaNIO

/// The segmented Produce encoder writes exactly the generated encoder's bytes.
@Suite struct ProduceRequestSegmentsTests {
    static func request() throws -> ProduceRequest {
        var big = RecordBatchBuilder()
        for index in 0..<40 {
            big.append(timestamp: 1, key: nil, value: ByteBuffer(repeating: UInt8(index), count: 1000))
        }
        var small = RecordBatchBuilder()
        small.append(timestamp: 2, key: ByteBuffer(string: "k"), value: ByteBuffer(string: "v"))
        return ProduceRequest(
            transactionalId: "txn",
            acks: -1,
            timeoutMs: 30_000,
            topicData: [
                .init(
                    name: "a",
                    partitionData: [
                        .init(index: 0, records: try big.build()), .init(index: 1, records: try small.build()),
                        .init(index: 2, records: nil),
                    ]
                ),
                .init(name: "b", partitionData: [.init(index: 7, records: try big.build())]),
            ]
        )
    }

    @Test(arguments: ProduceRequest.validVersions)
    func segmentsConcatenateToTheGeneratedEncoding(version: Int16) throws {
        let request = try Self.request()
        var expected = ByteBuffer(string: "prefix")
        try request.write(into: &expected, version: version)

        var frame = ByteBuffer(string: "prefix")
        let segments = try ProduceRequestSegments.encode(request, version: version, into: &frame)
        #expect(segments.count >= 2, "the large batches travel as segments of their own")
        var actual = frame
        for segment in segments { actual.writeImmutableBuffer(segment) }
        #expect(actual == expected)
    }

    @Test func unsupportedVersionIsRejected() throws {
        var frame = ByteBuffer()
        #expect(throws: KafkaProtocolError.self) {
            _ = try ProduceRequestSegments.encode(try Self.request(), version: 99, into: &frame)
        }
    }
}
