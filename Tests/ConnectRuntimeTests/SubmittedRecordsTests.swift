import ConnectAPI
import Testing

@testable import ConnectRuntime

@Suite struct SubmittedRecordsTests {
    let fileA: [String: ConnectValue] = ["filename": .string("a")]
    let fileB: [String: ConnectValue] = ["filename": .string("b")]

    func offset(_ position: Int64) -> [String: ConnectValue] { ["position": .int64(position)] }

    @Test func commitsOnlyTheContiguousAcknowledgedPrefixPerPartition() {
        var records = SubmittedRecords()
        let tickets = (1...5).map { records.submit(partition: fileA, offset: offset($0)) }
        #expect(records.committableOffsets().isEmpty)
        // Out of order: 2, 3 and 5 acknowledged; 1 still outstanding holds everything back.
        records.ack(tickets[1])
        records.ack(tickets[2])
        records.ack(tickets[4])
        var committable = records.committableOffsets()
        #expect(committable.isEmpty)
        #expect(committable.uncommittableCount == 5)
        records.ack(tickets[0])
        committable = records.committableOffsets()
        #expect(committable.offsets == [fileA: offset(3)])
        #expect(committable.committableCount == 3)
        #expect(committable.uncommittableCount == 2)
        records.ack(tickets[3])
        #expect(records.committableOffsets().offsets == [fileA: offset(5)])
        #expect(records.committableOffsets().isEmpty)
        #expect(records.unackedCount == 0)
    }

    /// Acknowledging a producer batch at once gives what acknowledging each record gives, across
    /// partitions, with gaps, duplicates, and records without an offset (the last offset wins).
    @Test func batchAcknowledgementEqualsOneByOne() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var single = SubmittedRecords()
            var batched = SubmittedRecords()
            var tickets: [(SubmittedRecords.Ticket, SubmittedRecords.Ticket)] = []
            for index in 0..<40 {
                let partition = Bool.random(using: &generator) ? fileA : fileB
                let recordOffset = index % 7 == 3 ? nil : offset(Int64(index))
                tickets.append(
                    (
                        single.submit(partition: partition, offset: recordOffset),
                        batched.submit(partition: partition, offset: recordOffset)
                    )
                )
            }
            for _ in 0..<3 {
                let batch = tickets.indices.filter { _ in Int.random(in: 0..<3, using: &generator) == 0 }
                for index in batch + batch.prefix(2) { single.ack(tickets[index].0) }
                batched.ack((batch + batch.prefix(2)).map { tickets[$0].1 })
                #expect(single.unackedCount == batched.unackedCount)
                let (expected, actual) = (single.committableOffsets(), batched.committableOffsets())
                #expect(actual.offsets == expected.offsets)
                #expect(actual.committableCount == expected.committableCount)
                #expect(actual.uncommittableCount == expected.uncommittableCount)
            }
        }
    }

    @Test func partitionsDoNotHoldEachOtherBack() {
        var records = SubmittedRecords()
        let a1 = records.submit(partition: fileA, offset: offset(1))
        let b1 = records.submit(partition: fileB, offset: offset(10))
        let a2 = records.submit(partition: fileA, offset: offset(2))
        records.ack(b1)
        records.ack(a2)
        #expect(records.committableOffsets().offsets == [fileB: offset(10)])
        records.ack(a1)
        #expect(records.committableOffsets().offsets == [fileA: offset(2)])
    }

    @Test func recordsWithoutPartitionOrOffsetAreTrackedButNeverCommitted() {
        var records = SubmittedRecords()
        let stdin = records.submit(partition: nil, offset: nil)
        let a1 = records.submit(partition: fileA, offset: offset(1))
        let a2 = records.submit(partition: fileA, offset: nil)
        records.ack(a1)
        records.ack(a2)
        records.ack(stdin)
        // a2 has no offset: a1's is the last one to commit.
        #expect(records.committableOffsets().offsets == [fileA: offset(1)])
        #expect(records.unackedCount == 0)
    }

    @Test func duplicateAndStaleAcksAreIgnored() {
        var records = SubmittedRecords()
        let a1 = records.submit(partition: fileA, offset: offset(1))
        records.ack(a1)
        records.ack(a1)
        #expect(records.unackedCount == 0)
        #expect(records.committableOffsets().offsets == [fileA: offset(1)])
        records.ack(a1)
        #expect(records.unackedCount == 0)
    }

    @Test func manyRecordsStayCorrectAcrossCompaction() {
        var records = SubmittedRecords()
        var tickets = (0..<1000).map { records.submit(partition: fileA, offset: offset(Int64($0))) }
        for ticket in tickets[..<600] { records.ack(ticket) }
        #expect(records.committableOffsets().offsets == [fileA: offset(599)])
        tickets.append(records.submit(partition: fileA, offset: offset(1000)))
        for ticket in tickets[600...].reversed() { records.ack(ticket) }
        #expect(records.committableOffsets().offsets == [fileA: offset(1000)])
    }

    @Test func aPartitionSubmittedAgainAfterItsRecordsWereCommittedIsTrackedAfresh() {
        var records = SubmittedRecords()
        let first = records.submit(partition: fileA, offset: offset(1))
        records.ack(first)
        #expect(records.committableOffsets().offsets == [fileA: offset(1)])
        // Equal maps with separate storage (the previous-partition shortcut compares by value too),
        // interleaved with another partition.
        let again = records.submit(partition: ["filename": .string("a")], offset: offset(2))
        let other = records.submit(partition: fileB, offset: offset(7))
        let third = records.submit(partition: fileA, offset: offset(3))
        records.ack(first)  // stale: its record was committed already
        #expect(records.unackedCount == 3)
        records.ack(third)
        records.ack(other)
        #expect(records.committableOffsets().offsets == [fileB: offset(7)])
        records.ack(again)
        #expect(records.committableOffsets().offsets == [fileA: offset(3)])
        #expect(records.unackedCount == 0)
    }

    @Test func acknowledgedRecordsAreReleasedBeforeTheNextFlush() {
        var records = SubmittedRecords()
        let tickets = (1...10_000).map { records.submit(partition: fileA, offset: offset(Int64($0))) }
        #expect(records.retainedEntryCount == 10_000)
        for ticket in tickets.dropLast() { records.ack(ticket) }
        // Only the unacknowledged record and a compaction slack stay; the committable offset is kept.
        #expect(records.retainedEntryCount <= 2 * 64)
        var committable = records.committableOffsets()
        #expect(committable.offsets == [fileA: offset(9_999)])
        #expect(committable.committableCount == 9_999)
        #expect(committable.uncommittableCount == 1)
        records.ack(tickets[tickets.count - 1])
        committable = records.committableOffsets()
        #expect(committable.offsets == [fileA: offset(10_000)])
        #expect(records.retainedEntryCount == 0)
    }
}
