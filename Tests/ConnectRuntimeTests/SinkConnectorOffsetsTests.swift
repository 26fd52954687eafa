import ConnectAPI
import KafkaNIO
import Testing

@testable import ConnectRuntime

@Suite struct SinkConnectorOffsetsTests {
    @Test func parsesNumbersNumericStringsAndNullOffsets() throws {
        let parsed = try SinkConnectorOffsets.parse([
            (["kafka_topic": .string("t"), "kafka_partition": .int64(0)], ["kafka_offset": .int64(5)]),
            (["kafka_topic": .string("t"), "kafka_partition": .string("1")], ["kafka_offset": .string("7")]),
            (["kafka_topic": .string("u"), "kafka_partition": .int32(2)], nil),
        ])
        #expect(parsed[ConnectAPI.TopicPartition("t", 0)] == .some(5))
        #expect(parsed[ConnectAPI.TopicPartition("t", 1)] == .some(7))
        #expect(parsed[ConnectAPI.TopicPartition("u", 2)] == .some(nil))
        #expect(parsed.count == 3)
    }

    @Test func rejectsIncompleteOrInvalidEntriesAsBadRequests() {
        let invalid: [([String: ConnectValue], [String: ConnectValue]?)] = [
            (["kafka_partition": .int64(0)], ["kafka_offset": .int64(1)]),
            (["kafka_topic": .string("t")], ["kafka_offset": .int64(1)]),
            (["kafka_topic": .string("t"), "kafka_partition": .string("x")], ["kafka_offset": .int64(1)]),
            (["kafka_topic": .string("t"), "kafka_partition": .int64(-1)], ["kafka_offset": .int64(1)]),
            (["kafka_topic": .string("t"), "kafka_partition": .int64(0)], ["position": .int64(1)]),
            (["kafka_topic": .string("t"), "kafka_partition": .int64(0)], ["kafka_offset": .int64(-2)]),
        ]
        for (partition, offset) in invalid {
            #expect(throws: HerderRequestError.self) { try SinkConnectorOffsets.parse([(partition, offset)]) }
        }
    }

    @Test func entriesAreSortedAndShapedLikeKafka() {
        let entries = SinkConnectorOffsets.entries([
            KafkaNIO.TopicPartition("b", 0): 3, KafkaNIO.TopicPartition("a", 1): 2, KafkaNIO.TopicPartition("a", 0): 1,
        ])
        #expect(entries.map { $0.offset["kafka_offset"] } == [.int64(1), .int64(2), .int64(3)])
        #expect(entries[0].partition["kafka_topic"] == .string("a"))
        #expect(entries[0].partition["kafka_partition"] == .int32(0))
    }
}
