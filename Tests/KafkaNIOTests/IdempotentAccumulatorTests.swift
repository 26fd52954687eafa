import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaNIO

/// The accumulator with idempotence: sequence numbers, several batches of a partition in flight,
/// and retries that go first and alone, in sequence order.
@Suite struct IdempotentAccumulatorTests {
    static let tp0 = TopicPartition("t", 0)

    static func accumulator() -> RecordAccumulator {
        RecordAccumulator(
            batchSize: 1,
            linger: .zero,
            compression: .none,
            maxInFlightPerPartition: 3,
            assignsSequences: true
        )
    }

    /// Appends records to tp0; with batch size 1 every record closes into a batch of its own, so
    /// sequence numbers advance by one per batch.
    static func appendBatches(_ counts: [Int], to accumulator: inout RecordAccumulator, now: ContinuousClock.Instant) {
        for (batch, count) in counts.enumerated() {
            let group = DeliveryGroup(count: count)
            for index in 0..<count {
                _ = accumulator.append(
                    RecordAccumulatorTests.record("b\(batch)-\(index)"),
                    to: Self.tp0,
                    timestamp: 1,
                    group: group,
                    index: index,
                    now: now
                )
            }
        }
    }

    @Test func sequencesAreAssignedAtFirstSendAndAdvanceByRecordCount() {
        var accumulator = RecordAccumulator(
            batchSize: 10_000,
            linger: .zero,
            compression: .none,
            maxInFlightPerPartition: 5,
            assignsSequences: true
        )
        let now = ContinuousClock.now
        let group = DeliveryGroup(count: 3)
        for index in 0..<3 {
            _ = accumulator.append(
                RecordAccumulatorTests.record("v\(index)"),
                to: Self.tp0,
                timestamp: 1,
                group: group,
                index: index,
                now: now
            )
        }
        let first = accumulator.drain(now: now, flushing: true) { _ in true }
        #expect(first.batches.map(\.baseSequence) == [0])
        #expect(accumulator.nextSequence[Self.tp0] == 3)
        _ = accumulator.append(
            RecordAccumulatorTests.record("v3"),
            to: Self.tp0,
            timestamp: 1,
            group: group,
            index: 0,
            now: now
        )
        let second = accumulator.drain(now: now, flushing: true) { _ in true }
        #expect(
            second.batches.map(\.baseSequence) == [3],
            "a second batch of the partition goes while the first is in flight"
        )
    }

    @Test func upToTheLimitOfBatchesOfAPartitionAreInFlight() {
        var accumulator = Self.accumulator()
        let now = ContinuousClock.now
        Self.appendBatches([1, 1, 1, 1, 1], to: &accumulator, now: now)
        var sent: [Int32?] = []
        for _ in 0..<5 {
            sent += accumulator.drain(now: now, flushing: true) { _ in true }.batches.map(\.baseSequence)
        }
        #expect(sent == [0, 1, 2], "three in flight at most")
        accumulator.unmute(Self.tp0)
        #expect(accumulator.drain(now: now, flushing: true) { _ in true }.batches.map(\.baseSequence) == [3])
    }

    @Test func retriedBatchesGoFirstAloneAndInSequenceOrder() {
        var accumulator = Self.accumulator()
        let now = ContinuousClock.now
        Self.appendBatches([1, 1, 1, 1], to: &accumulator, now: now)
        var inFlight: [ProducerBatch] = []
        for _ in 0..<3 {
            inFlight += accumulator.drain(now: now, flushing: true) { _ in true }.batches
        }
        #expect(inFlight.map(\.baseSequence) == [0, 1, 2])

        // Sequence 1 fails retriably, then 2 comes back OUT_OF_ORDER (behind it), 0 succeeds.
        var failed1 = inFlight[1]
        failed1.attempts = 1
        var failed2 = inFlight[2]
        failed2.attempts = 1
        accumulator.requeue(failed2)
        accumulator.requeue(failed1)
        #expect(accumulator.hasEarlierPendingRetry(Self.tp0, before: 2))
        #expect(!accumulator.hasEarlierPendingRetry(Self.tp0, before: 1))

        // Sequence 0 is still in flight: the retry must wait for it.
        #expect(accumulator.drain(now: now, flushing: true) { _ in true }.batches.isEmpty)
        accumulator.unmute(Self.tp0)

        let retry = accumulator.drain(now: now, flushing: true) { _ in true }.batches
        #expect(retry.map(\.baseSequence) == [1], "the lowest sequence is resent first")
        #expect(accumulator.drain(now: now, flushing: true) { _ in true }.batches.isEmpty, "and alone")
        accumulator.unmute(Self.tp0)
        #expect(accumulator.drain(now: now, flushing: true) { _ in true }.batches.map(\.baseSequence) == [2])
        accumulator.unmute(Self.tp0)
        #expect(
            accumulator.drain(now: now, flushing: true) { _ in true }.batches.map(\.baseSequence) == [3],
            "the batch never sent keeps the sequence after the retried ones"
        )
    }

    @Test func withoutIdempotenceOneBatchPerPartitionIsInFlightAndNoSequences() {
        var accumulator = RecordAccumulator(batchSize: 1, linger: .zero, compression: .none)
        let now = ContinuousClock.now
        Self.appendBatches([1, 1], to: &accumulator, now: now)
        let first = accumulator.drain(now: now, flushing: true) { _ in true }.batches
        #expect(first.map(\.baseSequence) == [nil])
        #expect(accumulator.drain(now: now, flushing: true) { _ in true }.batches.isEmpty)
    }
}
