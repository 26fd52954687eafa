import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaNIO

@Suite struct RecordAccumulatorTests {
    static let tp0 = TopicPartition("t", 0)
    static let tp1 = TopicPartition("t", 1)

    static func record(
        _ value: String,
        key: String? = nil,
        partition: Int32? = nil,
        topic: String = "t"
    ) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: topic,
            partition: partition,
            key: key.map { ByteBuffer(string: $0) },
            value: ByteBuffer(string: value)
        )
    }

    /// Appends `values` to `topicPartition`, one delivery group for all; timestamps 1, 2, 3, ...
    @discardableResult
    static func append(
        _ values: [String],
        to topicPartition: TopicPartition,
        in accumulator: inout RecordAccumulator,
        now: ContinuousClock.Instant,
        firstTimestamp: Int64 = 1
    ) -> [Bool] {
        let group = DeliveryGroup(count: values.count)
        return values.enumerated().map { index, value in
            accumulator.append(
                Self.record(value),
                to: topicPartition,
                timestamp: firstTimestamp + Int64(index),
                group: group,
                index: index,
                now: now
            )
        }
    }

    static func values(of batch: ProducerBatch) throws -> [String] {
        try decodeRecords(try batch.builder.build()).map { $0.value.text ?? "<null>" }
    }

    @Test func batchesCloseWhenTheNextRecordWouldExceedBatchSize() throws {
        var accumulator = RecordAccumulator(batchSize: 200, linger: .seconds(60), compression: .none)
        let now = ContinuousClock.now
        let values = (0..<7).map { String(repeating: Character(String($0)), count: 50) }
        var readyCounts: [Int] = []
        var closedFlags: [Bool] = []
        for (index, value) in values.enumerated() {
            let closed = Self.append([value], to: Self.tp0, in: &accumulator, now: now, firstTimestamp: Int64(index))
                .first!
            closedFlags.append(closed)
            readyCounts.append(accumulator.queues[Self.tp0]?.ready.count ?? 0)
        }
        // A close is reported exactly when a batch moved to the ready list.
        for index in values.indices {
            let before = index == 0 ? 0 : readyCounts[index - 1]
            #expect(closedFlags[index] == (readyCounts[index] > before), "append \(index)")
        }
        let queue = try #require(accumulator.queues[Self.tp0])
        #expect(queue.ready.count >= 2)
        for batch in queue.ready {
            #expect(batch.recordCount >= 1)
            #expect(batch.builder.estimatedSizeInBytes <= 200)
        }
        // Every record is in exactly one batch, in order.
        var all = try queue.ready.flatMap { try Self.values(of: $0) }
        if let open = queue.open { all += try Self.values(of: open) }
        #expect(all == values)
    }

    @Test func aRecordLargerThanBatchSizeGetsABatchOfItsOwn() throws {
        var accumulator = RecordAccumulator(batchSize: 100, linger: .seconds(60), compression: .none)
        let now = ContinuousClock.now
        #expect(Self.append(["small"], to: Self.tp0, in: &accumulator, now: now) == [false])
        let big = String(repeating: "x", count: 500)
        #expect(Self.append([big], to: Self.tp0, in: &accumulator, now: now) == [true])
        let queue = try #require(accumulator.queues[Self.tp0])
        #expect(try queue.ready.map { try Self.values(of: $0) } == [["small"], [big]])
        #expect(queue.open == nil)
    }

    @Test func lingerDecidesWhenAnOpenBatchIsDue() {
        var accumulator = RecordAccumulator(batchSize: 16_384, linger: .milliseconds(100), compression: .none)
        let start = ContinuousClock.now
        Self.append(["a", "b"], to: Self.tp0, in: &accumulator, now: start)

        let early = accumulator.drain(now: start + .milliseconds(99), flushing: false) { _ in true }
        #expect(early.batches.isEmpty)
        #expect(early.nextDue == start + .milliseconds(100))

        let due = accumulator.drain(now: start + .milliseconds(100), flushing: false) { _ in true }
        #expect(due.batches.map(\.recordCount) == [2])
        #expect(due.nextDue == nil)
    }

    @Test func flushingIgnoresLinger() {
        var accumulator = RecordAccumulator(batchSize: 16_384, linger: .seconds(60), compression: .none)
        let now = ContinuousClock.now
        Self.append(["a"], to: Self.tp0, in: &accumulator, now: now)
        Self.append(["b"], to: Self.tp1, in: &accumulator, now: now)
        let drained = accumulator.drain(now: now, flushing: true) { _ in true }
        #expect(Set(drained.batches.map(\.topicPartition)) == [Self.tp0, Self.tp1])
    }

    @Test func aPartitionWithABatchInFlightIsMuted() throws {
        var accumulator = RecordAccumulator(batchSize: 1, linger: .zero, compression: .none)
        let now = ContinuousClock.now
        // batch.size 1: every record closes its own batch.
        #expect(Self.append(["a", "b", "c"], to: Self.tp0, in: &accumulator, now: now) == [true, true, true])
        Self.append(["x"], to: Self.tp1, in: &accumulator, now: now)

        let first = accumulator.drain(now: now, flushing: false) { _ in true }
        #expect(first.batches.count == 2, "one batch per partition")
        let firstTP0 = try #require(first.batches.first { $0.topicPartition == Self.tp0 })
        #expect(try Self.values(of: firstTP0) == ["a"])

        let whileInFlight = accumulator.drain(now: now, flushing: true) { _ in true }
        #expect(whileInFlight.batches.isEmpty, "tp0 is muted, tp1 is empty")
        #expect(!accumulator.isEmpty)

        accumulator.unmute(Self.tp0)
        let second = accumulator.drain(now: now, flushing: false) { _ in true }
        #expect(try second.batches.map { try Self.values(of: $0) } == [["b"]])
        accumulator.unmute(Self.tp0)
        accumulator.unmute(Self.tp1)
        let third = accumulator.drain(now: now, flushing: false) { _ in true }
        #expect(try third.batches.map { try Self.values(of: $0) } == [["c"]])
        accumulator.unmute(Self.tp0)
        #expect(accumulator.isEmpty)
    }

    @Test func partitionsWhoseLeaderCannotSendStayQueued() {
        var accumulator = RecordAccumulator(batchSize: 1, linger: .zero, compression: .none)
        let now = ContinuousClock.now
        Self.append(["a"], to: Self.tp0, in: &accumulator, now: now)
        let blocked = accumulator.drain(now: now, flushing: false) { _ in false }
        #expect(blocked.batches.isEmpty)
        #expect(accumulator.queues[Self.tp0]?.isMuted == false)
        let sent = accumulator.drain(now: now, flushing: false) { _ in true }
        #expect(sent.batches.count == 1)
    }

    @Test func requeueGoesToTheFrontAndKeepsOrder() throws {
        var accumulator = RecordAccumulator(batchSize: 1, linger: .zero, compression: .none)
        let now = ContinuousClock.now
        Self.append(["a", "b", "c"], to: Self.tp0, in: &accumulator, now: now)
        var inFlight = try #require(accumulator.drain(now: now, flushing: false) { _ in true }.batches.first)
        #expect(try Self.values(of: inFlight) == ["a"])

        // Failed retriably: back to the front, due again after its backoff.
        inFlight.attempts += 1
        inFlight.retryAt = now + .milliseconds(50)
        accumulator.requeue(inFlight)
        #expect(accumulator.queues[Self.tp0]?.isMuted == false)

        let backingOff = accumulator.drain(now: now, flushing: true) { _ in true }
        #expect(backingOff.batches.isEmpty, "b must not overtake a")
        #expect(backingOff.nextDue == now + .milliseconds(50))

        var order: [String] = []
        var clock = now + .milliseconds(50)
        while !accumulator.isEmpty {
            let drained = accumulator.drain(now: clock, flushing: false) { _ in true }
            #expect(drained.batches.count <= 1)
            for batch in drained.batches {
                order += try Self.values(of: batch)
                accumulator.unmute(batch.topicPartition)
            }
            clock += .milliseconds(1)
            if order.count > 3 { break }
        }
        #expect(order == ["a", "b", "c"])
    }

    @Test func removeAllPendingTakesEverythingNotInFlight() {
        var accumulator = RecordAccumulator(batchSize: 1, linger: .seconds(60), compression: .none)
        let now = ContinuousClock.now
        Self.append(["a", "b"], to: Self.tp0, in: &accumulator, now: now)
        _ = accumulator.drain(now: now, flushing: false) { _ in true }  // "a" in flight
        var bigger = RecordAccumulator(batchSize: 16_384, linger: .seconds(60), compression: .none)
        Self.append(["open"], to: Self.tp1, in: &bigger, now: now)

        #expect(accumulator.removeAllPending().map(\.recordCount) == [1])
        #expect(bigger.removeAllPending().map(\.recordCount) == [1])
        #expect(bigger.isEmpty)
    }

    @Test func keyedRecordsGoToTheirMurmur2Partition() {
        var accumulator = RecordAccumulator(batchSize: 16_384, linger: .zero, compression: .none)
        for (key, partition) in [("foobar", Int32(6)), ("21", 0), ("a-little-bit-longer-string", 11), ("abc", 3)] {
            #expect(accumulator.partition(for: Self.record("v", key: key), partitionCount: 12) == partition)
            let expected = Murmur2Partitioner.partition(forKey: ByteBuffer(string: key), partitionCount: 12)
            #expect(accumulator.partition(for: Self.record("v", key: key), partitionCount: 12) == expected)
        }
        // An explicit partition wins over the key.
        #expect(accumulator.partition(for: Self.record("v", key: "foobar", partition: 2), partitionCount: 12) == 2)
    }

    @Test func keylessRecordsStickToOnePartitionUntilItsBatchCloses() {
        var accumulator = RecordAccumulator(batchSize: 16_384, linger: .seconds(60), compression: .none)
        let now = ContinuousClock.now
        let sticky = accumulator.partition(for: Self.record("v"), partitionCount: 6)
        #expect((0..<6).contains(sticky))
        for _ in 0..<50 {
            #expect(accumulator.partition(for: Self.record("v"), partitionCount: 6) == sticky)
            Self.append(["v"], to: TopicPartition("t", sticky), in: &accumulator, now: now)
        }
        // Another topic has its own sticky partition; keyed records do not move it.
        _ = accumulator.partition(for: Self.record("v", topic: "other"), partitionCount: 6)
        _ = accumulator.partition(for: Self.record("v", key: "k"), partitionCount: 6)
        #expect(accumulator.partition(for: Self.record("v"), partitionCount: 6) == sticky)
    }

    @Test func theStickyPartitionChangesWhenItsBatchCloses() {
        // batch.size 1: every keyless append closes the batch, so the sticky choice is made anew
        // each time; over 40 closes a random choice among 6 partitions cannot always be the same
        // (probability 6^-39).
        var accumulator = RecordAccumulator(batchSize: 1, linger: .seconds(60), compression: .none)
        let now = ContinuousClock.now
        var chosen: Set<Int32> = []
        for _ in 0..<40 {
            let partition = accumulator.partition(for: Self.record("v"), partitionCount: 6)
            chosen.insert(partition)
            let group = DeliveryGroup(count: 1)
            let closed = accumulator.append(
                Self.record("v"),
                to: TopicPartition("t", partition),
                timestamp: 1,
                group: group,
                index: 0,
                now: now
            )
            #expect(closed)
        }
        #expect(chosen.count > 1)
        #expect(chosen.allSatisfy { (0..<6).contains($0) })
    }

    @Test func theStickyPartitionChangesWhenLingerClosesItsBatch() {
        var accumulator = RecordAccumulator(batchSize: 16_384, linger: .milliseconds(10), compression: .none)
        let start = ContinuousClock.now
        var chosen: Set<Int32> = []
        var now = start
        for _ in 0..<40 {
            let partition = accumulator.partition(for: Self.record("v"), partitionCount: 6)
            chosen.insert(partition)
            Self.append(["v"], to: TopicPartition("t", partition), in: &accumulator, now: now)
            now += .milliseconds(10)
            for batch in accumulator.drain(now: now, flushing: false, canSend: { _ in true }).batches {
                accumulator.unmute(batch.topicPartition)
            }
        }
        #expect(chosen.count > 1)
    }

    @Test func completingABatchHandsOutOffsetsPerDeliveryGroup() async {
        var accumulator = RecordAccumulator(batchSize: 16_384, linger: .zero, compression: .none)
        let now = ContinuousClock.now
        let first = DeliveryGroup(count: 2)
        let second = DeliveryGroup(count: 1)
        _ = accumulator.append(Self.record("a0"), to: Self.tp0, timestamp: 10, group: first, index: 0, now: now)
        _ = accumulator.append(Self.record("b0"), to: Self.tp0, timestamp: 20, group: second, index: 0, now: now)
        _ = accumulator.append(Self.record("a1"), to: Self.tp0, timestamp: 30, group: first, index: 1, now: now)
        let batch = accumulator.drain(now: now, flushing: true) { _ in true }.batches[0]
        batch.complete(baseOffset: 100, logAppendTime: -1)

        let firstResults = await first.wait().map { try? $0.get() }
        let secondResults = await second.wait().map { try? $0.get() }
        #expect(firstResults.map { $0?.offset } == [100, 102])
        #expect(firstResults.map { $0?.timestamp } == [10, 30])
        #expect(secondResults.map { $0?.offset } == [101])
        #expect(secondResults.first??.partition == 0)
    }

    @Test func failingABatchFailsEveryRecord() async {
        var accumulator = RecordAccumulator(batchSize: 16_384, linger: .zero, compression: .none)
        let now = ContinuousClock.now
        let group = DeliveryGroup(count: 2)
        _ = accumulator.append(Self.record("a"), to: Self.tp0, timestamp: 1, group: group, index: 0, now: now)
        _ = accumulator.append(Self.record("b"), to: Self.tp0, timestamp: 2, group: group, index: 1, now: now)
        accumulator.drain(now: now, flushing: true) { _ in true }.batches[0].fail(
            .broker(.messageTooLarge, message: nil)
        )
        let results = await group.wait()
        #expect(results.count == 2)
        for result in results {
            guard case .failure(.broker(let code, _)) = result else {
                Issue.record("expected a broker error, got \(result)")
                continue
            }
            #expect(code == .messageTooLarge)
        }
    }
}
