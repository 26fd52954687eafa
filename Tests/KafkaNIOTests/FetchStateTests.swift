import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaNIO

@Suite struct FetchStateTests {
    static let tp0 = TopicPartition("t", 0)
    static let tp1 = TopicPartition("t", 1)

    static func records(_ topicPartition: TopicPartition, _ offsets: ClosedRange<Int64>) -> [KafkaConsumerRecord] {
        offsets.map { offset in
            KafkaConsumerRecord(
                topic: topicPartition.topic,
                partition: topicPartition.partition,
                offset: offset,
                timestamp: 1_000 + offset,
                timestampType: .createTime,
                key: nil,
                value: ByteBuffer(string: "v\(offset)"),
                headers: []
            )
        }
    }

    static func completed(
        _ topicPartition: TopicPartition,
        epoch: Int,
        _ offsets: ClosedRange<Int64>,
        highWatermark: Int64? = nil
    ) -> CompletedFetch {
        CompletedFetch(
            topicPartition: topicPartition,
            epoch: epoch,
            records: Self.records(topicPartition, offsets),
            nextOffset: offsets.upperBound + 1,
            highWatermark: highWatermark ?? offsets.upperBound + 1
        )
    }

    static func started(
        _ state: inout FetchState,
        now: ContinuousClock.Instant = .now
    ) -> [TopicPartition: (offset: Int64, epoch: Int)] {
        var result: [TopicPartition: (offset: Int64, epoch: Int)] = [:]
        for entry in state.startFetch(now: now, maxBufferedRecords: 10_000) {
            result[entry.0] = (entry.offset, entry.epoch)
        }
        return result
    }

    @Test func assignWithoutSeekWaitsForAReset() throws {
        var state = FetchState()
        state.assign([Self.tp0, Self.tp1], defaultReset: .earliest)
        #expect(state.assignment == [Self.tp0, Self.tp1])
        #expect(Self.started(&state).isEmpty, "no position yet")
        let resets = state.pendingResets().sorted { $0.0 < $1.0 }
        #expect(resets.map(\.0) == [Self.tp0, Self.tp1])
        #expect(resets.allSatisfy { $0.1 == .earliest })

        state.resetCompleted(Self.tp0, offset: 42, epoch: resets[0].2)
        #expect(state.partitions[Self.tp0]?.position == 42)
        let fetches = Self.started(&state)
        #expect(fetches.count == 1)
        #expect(fetches[Self.tp0]?.offset == 42)
    }

    @Test func assignWithoutResetPolicyNeedsASeek() {
        var state = FetchState()
        state.assign([Self.tp0], defaultReset: nil)
        #expect(state.pendingResets().isEmpty)
        #expect(Self.started(&state).isEmpty)
        state.seek(Self.tp0, to: 7)
        #expect(Self.started(&state)[Self.tp0]?.offset == 7)
    }

    @Test func aResetAnswerAfterASeekIsIgnored() {
        var state = FetchState()
        state.assign([Self.tp0], defaultReset: .latest)
        let epoch = state.pendingResets()[0].2
        state.seek(Self.tp0, to: 5)
        state.resetCompleted(Self.tp0, offset: 999, epoch: epoch)
        #expect(state.partitions[Self.tp0]?.position == 5)
    }

    @Test func aFetchStartedBeforeASeekIsDropped() {
        var state = FetchState()
        state.assign([Self.tp0], defaultReset: nil)
        state.seek(Self.tp0, to: 0)
        let stale = Self.started(&state)[Self.tp0]!
        #expect(Self.started(&state).isEmpty, "one fetch in flight per partition")

        state.seek(Self.tp0, to: 100)
        state.fetchCompleted(Self.completed(Self.tp0, epoch: stale.epoch, 0...9))
        #expect(state.bufferedRecords == 0)
        #expect(state.takeRecords(maxRecords: 100).isEmpty)
        #expect(state.partitions[Self.tp0]?.position == 100)

        // The seek allows a new fetch at once, from the new offset.
        let fresh = Self.started(&state)[Self.tp0]!
        #expect(fresh.offset == 100)
        #expect(fresh.epoch != stale.epoch)
        state.fetchCompleted(Self.completed(Self.tp0, epoch: fresh.epoch, 100...102))
        #expect(state.takeRecords(maxRecords: 100).map(\.offset) == [100, 101, 102])
        #expect(state.partitions[Self.tp0]?.position == 103)
    }

    @Test func aSeekDropsRecordsAlreadyBuffered() {
        var state = FetchState()
        state.assign([Self.tp0], defaultReset: nil)
        state.seek(Self.tp0, to: 0)
        let fetch = Self.started(&state)[Self.tp0]!
        state.fetchCompleted(Self.completed(Self.tp0, epoch: fetch.epoch, 0...4))
        #expect(state.bufferedRecords == 5)
        state.seek(Self.tp0, to: 2)
        #expect(state.bufferedRecords == 0)
        #expect(!state.hasDeliverableRecords)
        #expect(Self.started(&state)[Self.tp0]?.offset == 2)
    }

    @Test func takeRecordsHonoursMaxRecordsAndAdvancesPositions() {
        var state = FetchState()
        state.assign([Self.tp0, Self.tp1], defaultReset: nil)
        state.seek(Self.tp0, to: 0)
        state.seek(Self.tp1, to: 50)
        let fetches = Self.started(&state)
        state.fetchCompleted(Self.completed(Self.tp0, epoch: fetches[Self.tp0]!.epoch, 0...4, highWatermark: 10))
        state.fetchCompleted(Self.completed(Self.tp1, epoch: fetches[Self.tp1]!.epoch, 50...52))
        #expect(state.bufferedRecords == 8)
        #expect(state.partitions[Self.tp0]?.fetchOffset == 5, "the next fetch starts after the buffered data")

        let first = state.takeRecords(maxRecords: 3)
        #expect(first.map(\.offset) == [0, 1, 2])
        #expect(state.partitions[Self.tp0]?.position == 3)
        #expect(state.bufferedRecords == 5)

        let second = state.takeRecords(maxRecords: 3)
        #expect(second.map(\.offset) == [3, 4, 50])
        #expect(state.partitions[Self.tp0]?.position == 5)
        #expect(state.partitions[Self.tp1]?.position == 51)

        let third = state.takeRecords(maxRecords: 10)
        #expect(third.map(\.offset) == [51, 52])
        #expect(state.partitions[Self.tp1]?.position == 53)
        #expect(state.bufferedRecords == 0)
        #expect(state.takeRecords(maxRecords: 10).isEmpty)

        // Lag as the consumer computes it: high watermark minus position.
        let tp0 = state.partitions[Self.tp0]!
        #expect(tp0.highWatermark == 10)
        #expect(tp0.highWatermark! - tp0.position! == 5)
    }

    @Test func pausedPartitionsAreNeitherFetchedNorReturned() {
        var state = FetchState()
        state.assign([Self.tp0, Self.tp1], defaultReset: nil)
        state.seek(Self.tp0, to: 0)
        state.seek(Self.tp1, to: 0)
        let fetches = Self.started(&state)
        state.fetchCompleted(Self.completed(Self.tp0, epoch: fetches[Self.tp0]!.epoch, 0...1))
        state.fetchCompleted(Self.completed(Self.tp1, epoch: fetches[Self.tp1]!.epoch, 0...1))

        state.setPaused([Self.tp0], true)
        let records = state.takeRecords(maxRecords: 100)
        #expect(records.allSatisfy { $0.partition == 1 })
        #expect(records.count == 2)
        #expect(!state.hasDeliverableRecords, "only the paused partition holds data")
        #expect(state.bufferedRecords == 2)
        #expect(Self.started(&state).keys.sorted() == [Self.tp1], "a paused partition is not fetched")

        state.setPaused([Self.tp0], false)
        #expect(state.hasDeliverableRecords)
        #expect(state.takeRecords(maxRecords: 100).map(\.offset) == [0, 1])
        #expect(state.partitions[Self.tp0]?.position == 2)
        #expect(Self.started(&state).keys.sorted() == [Self.tp0])
    }

    @Test func anEmptyFetchMovesThePositionPastControlBatches() {
        var state = FetchState()
        state.assign([Self.tp0], defaultReset: nil)
        state.seek(Self.tp0, to: 10)
        let fetch = Self.started(&state)[Self.tp0]!
        // Only a control batch (offset 10) came back: nothing to return, consumption moves on.
        state.fetchCompleted(
            CompletedFetch(topicPartition: Self.tp0, epoch: fetch.epoch, records: [], nextOffset: 11, highWatermark: 11)
        )
        #expect(state.partitions[Self.tp0]?.position == 11)
        #expect(state.partitions[Self.tp0]?.fetchOffset == 11)
        #expect(!state.hasDeliverableRecords)
        #expect(Self.started(&state)[Self.tp0]?.offset == 11)
    }

    /// Records 0-1 are still buffered when the next fetch brings only a control batch (offset 2).
    /// Once the records are taken the position must be 3, past the control batch, as it is when
    /// the control batch arrives with nothing buffered (the Java consumer does the same); otherwise
    /// a caught-up consumer of a transactional topic reports lag 1 until new data arrives.
    @Test func aTrailingControlBatchIsSkippedOnceBufferedRecordsAreTaken() {
        var state = FetchState()
        state.assign([Self.tp0], defaultReset: nil)
        state.seek(Self.tp0, to: 0)
        let first = Self.started(&state)[Self.tp0]!
        state.fetchCompleted(Self.completed(Self.tp0, epoch: first.epoch, 0...1, highWatermark: 3))
        let second = Self.started(&state)[Self.tp0]!
        #expect(second.offset == 2)
        state.fetchCompleted(
            CompletedFetch(topicPartition: Self.tp0, epoch: second.epoch, records: [], nextOffset: 3, highWatermark: 3)
        )
        #expect(state.takeRecords(maxRecords: 10).map(\.offset) == [0, 1])
        #expect(state.partitions[Self.tp0]?.fetchOffset == 3)
        #expect(state.partitions[Self.tp0]?.position == 3)
    }

    @Test func aFailedFetchIsRetriedAfterItsBackoff() {
        var state = FetchState()
        state.assign([Self.tp0], defaultReset: nil)
        state.seek(Self.tp0, to: 3)
        let now = ContinuousClock.now
        let fetch = Self.started(&state, now: now)[Self.tp0]!
        state.fetchFailed(Self.tp0, epoch: fetch.epoch, retryAt: now + .milliseconds(100))
        #expect(Self.started(&state, now: now + .milliseconds(99)).isEmpty)
        #expect(Self.started(&state, now: now + .milliseconds(100))[Self.tp0]?.offset == 3)
    }

    @Test func bufferedRecordsLimitStopsFetching() {
        var state = FetchState()
        state.assign([Self.tp0, Self.tp1], defaultReset: nil)
        state.seek(Self.tp0, to: 0)
        let fetch = state.startFetch(now: .now, maxBufferedRecords: 5)
        #expect(fetch.count == 1)
        state.fetchCompleted(Self.completed(Self.tp0, epoch: fetch[0].epoch, 0...4))
        state.seek(Self.tp1, to: 0)
        #expect(state.startFetch(now: .now, maxBufferedRecords: 5).isEmpty)
        _ = state.takeRecords(maxRecords: 1)
        #expect(state.startFetch(now: .now, maxBufferedRecords: 5).count == 2)
    }

    @Test func offsetOutOfRangeResetClearsThePosition() {
        var state = FetchState()
        state.assign([Self.tp0], defaultReset: nil)
        state.seek(Self.tp0, to: 3)
        let fetch = Self.started(&state)[Self.tp0]!
        state.requestReset(Self.tp0, to: .earliest)
        #expect(state.partitions[Self.tp0]?.position == nil)
        state.fetchCompleted(Self.completed(Self.tp0, epoch: fetch.epoch, 3...4))
        #expect(state.bufferedRecords == 0, "the fetch in flight at the reset is stale")
        #expect(state.pendingResets().map(\.1) == [.earliest])
    }

    @Test func reassigningKeepsPositionsAndDropsRemovedPartitions() {
        var state = FetchState()
        state.assign([Self.tp0, Self.tp1], defaultReset: nil)
        state.seek(Self.tp0, to: 8)
        state.seek(Self.tp1, to: 0)
        let fetches = Self.started(&state)
        state.fetchCompleted(Self.completed(Self.tp1, epoch: fetches[Self.tp1]!.epoch, 0...2))
        state.assign([Self.tp0], defaultReset: .latest)
        #expect(state.assignment == [Self.tp0])
        #expect(state.partitions[Self.tp0]?.position == 8)
        #expect(state.bufferedRecords == 0)
        #expect(state.takeRecords(maxRecords: 10).isEmpty)
        #expect(state.pendingResets().isEmpty)
    }
}
