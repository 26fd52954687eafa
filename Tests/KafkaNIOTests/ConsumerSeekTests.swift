import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaNIO

/// Seeks that look offsets up with ListOffsets, against a fake broker (the test broker answers
/// `latest` and timestamp lookups wrongly, see docs/compatibility.md).
@Suite struct ConsumerSeekTests {
    static let partition = TopicPartition("t", 0)

    /// Answers ListOffsets: -2 → 5 (earliest), -1 → 42 (latest), 1_000 → 17, other times → none.
    static let script: FakeKafkaBroker.Script = { request in
        guard request.api == .listOffsets, let lookup = try? request.decode(ListOffsetsRequest.self) else {
            return .standard
        }
        return .response(
            ListOffsetsResponse(
                topics: lookup.topics.map { topic in
                    .init(
                        name: topic.name,
                        partitions: topic.partitions.map { partition in
                            let offset: Int64
                            switch partition.timestamp {
                            case -2: offset = 5
                            case -1: offset = 42
                            case 1_000: offset = 17
                            default: offset = -1
                            }
                            return .init(
                                partitionIndex: partition.partitionIndex,
                                errorCode: 0,
                                oldStyleOffsets: [offset],
                                timestamp: -1,
                                offset: offset
                            )
                        }
                    )
                }
            )
        )
    }

    static func position(after seek: KafkaSeekPosition) async throws -> (Int64?, [ListOffsetsRequest]) {
        try await withFakeBroker(topics: ["t": 1], script: Self.script) { broker in
            var configuration = KafkaConsumerConfiguration(client: clientConfiguration(broker))
            configuration.autoOffsetReset = .none
            let position = try await withConsumer(configuration) { consumer in
                consumer.assign([Self.partition])
                try await withTimeout { try await consumer.seek(Self.partition, to: seek) }
                return consumer.position(Self.partition)
            }
            let lookups = try broker.requests(.listOffsets).map { try $0.decode(ListOffsetsRequest.self) }
            return (position, lookups)
        }
    }

    @Test func latestAsksForTheEndOffset() async throws {
        let (position, lookups) = try await Self.position(after: .latest)
        #expect(position == 42)
        #expect(lookups.first?.topics.first?.partitions.first?.timestamp == -1)
        #expect(lookups.first?.replicaId == -1, "a consumer's ListOffsets names no replica")
    }

    @Test func earliestAsksForTheStartOffset() async throws {
        let (position, _) = try await Self.position(after: .earliest)
        #expect(position == 5)
    }

    @Test func timestampAsksForTheFirstOffsetAtOrAfterIt() async throws {
        let (position, lookups) = try await Self.position(after: .timestamp(1_000))
        #expect(position == 17)
        #expect(lookups.first?.topics.first?.partitions.first?.timestamp == 1_000)
    }

    @Test func timestampAfterEveryRecordMovesToTheEnd() async throws {
        let (position, lookups) = try await Self.position(after: .timestamp(9_999))
        #expect(position == 42, "as Kafka's consumer: no record at or after the time means the end")
        #expect(lookups.map { $0.topics.first?.partitions.first?.timestamp } == [9_999, -1])
    }
}
