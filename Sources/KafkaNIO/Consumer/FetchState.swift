import KafkaProtocol
import NIOCore

/// Records fetched for one partition, decoded, waiting to be returned by `poll`.
struct CompletedFetch: Sendable {
    var topicPartition: TopicPartition
    /// The partition's epoch when the fetch was sent: a seek in between makes the data stale.
    var epoch: Int
    var records: [KafkaConsumerRecord]
    /// Where consumption continues after these records (past skipped control batches too).
    var nextOffset: Int64
    var highWatermark: Int64
    /// The last stable offset (read_committed: the end of what may be read); -1 if not known.
    var lastStableOffset: Int64 = -1
}

/// What a consumer knows about its assigned partitions; value type, no I/O.
///
/// `position` is the offset of the next record `poll` returns; `fetchOffset` the next offset to
/// fetch, ahead of `position` by whatever sits in `completed`. Every seek bumps the partition's
/// `epoch`, so fetches that were in flight at the time are recognised and dropped.
struct FetchState: Sendable {
    struct PartitionState: Sendable {
        var position: Int64?
        var fetchOffset: Int64?
        var highWatermark: Int64?
        /// The last stable offset from the last fetch: below it every transaction is decided.
        var lastStableOffset: Int64?
        /// Whether the consumer reads committed data only (isolation.level=read_committed).
        var readCommitted = false
        var isPaused = false
        var isFetchInFlight = false
        var epoch = 0
        /// Set when the position must be looked up (assign without seek, or OFFSET_OUT_OF_RANGE).
        var pendingReset: SeekTarget?
        var retryAt: ContinuousClock.Instant?
        var lastFetchStartedAt: ContinuousClock.Instant?

        /// The end of what this consumer may read: the last stable offset under read_committed
        /// (as Kafka's consumer), else the high watermark.
        var visibleEnd: Int64? {
            if self.readCommitted, let lastStableOffset, lastStableOffset >= 0 { return lastStableOffset }
            return self.highWatermark
        }

        /// The last fetch showed readable data beyond the fetch offset.
        var hasBacklog: Bool {
            guard let end = self.visibleEnd, let fetchOffset else { return false }
            return end > fetchOffset
        }

        /// The last fetch read up to the end of readable data.
        var isCaughtUp: Bool {
            guard let end = self.visibleEnd, let fetchOffset else { return false }
            return fetchOffset >= end
        }

        /// How far the position trails the readable end (the last stable offset under
        /// read_committed), as Kafka's `currentLag`.
        var lag: Int64? {
            guard let end = self.visibleEnd, let position else { return nil }
            return max(0, end - position)
        }
    }

    enum SeekTarget: Hashable, Sendable {
        case earliest
        case latest
        case timestamp(Int64)
    }

    private(set) var partitions: [TopicPartition: PartitionState] = [:]
    private(set) var completed: [CompletedFetch] = []
    private(set) var bufferedRecords = 0
    var error: KafkaError?
    /// isolation.level=read_committed: lag and end of data use the last stable offset.
    let readCommitted: Bool

    init(readCommitted: Bool = false) {
        self.readCommitted = readCommitted
    }

    var assignment: [TopicPartition] { self.partitions.keys.sorted() }

    /// Replaces the assignment; partitions kept keep their positions.
    mutating func assign(_ topicPartitions: [TopicPartition], defaultReset: SeekTarget?) {
        var next: [TopicPartition: PartitionState] = [:]
        for topicPartition in topicPartitions {
            if let existing = self.partitions[topicPartition] {
                next[topicPartition] = existing
            } else {
                next[topicPartition] = PartitionState(readCommitted: self.readCommitted, pendingReset: defaultReset)
            }
        }
        self.partitions = next
        self.dropCompleted { next[$0.topicPartition] == nil }
    }

    mutating func seek(_ topicPartition: TopicPartition, to offset: Int64) {
        guard var state = self.partitions[topicPartition] else { return }
        state.position = offset
        state.fetchOffset = offset
        state.pendingReset = nil
        state.epoch += 1
        state.isFetchInFlight = false
        state.retryAt = nil
        self.partitions[topicPartition] = state
        self.dropCompleted { $0.topicPartition == topicPartition }
    }

    mutating func requestReset(_ topicPartition: TopicPartition, to target: SeekTarget) {
        guard var state = self.partitions[topicPartition] else { return }
        state.pendingReset = target
        state.position = nil
        state.fetchOffset = nil
        state.epoch += 1
        state.isFetchInFlight = false
        self.partitions[topicPartition] = state
        self.dropCompleted { $0.topicPartition == topicPartition }
    }

    mutating func setPaused(_ topicPartitions: [TopicPartition], _ paused: Bool) {
        for topicPartition in topicPartitions {
            self.partitions[topicPartition]?.isPaused = paused
        }
    }

    /// Partitions whose position must be looked up first, with the epoch to check the answer against.
    func pendingResets() -> [(TopicPartition, SeekTarget, Int)] {
        self.partitions.compactMap { entry in
            entry.value.pendingReset.map { (entry.key, $0, entry.value.epoch) }
        }
    }

    /// The answer to a reset lookup; ignored if the partition was seeked meanwhile.
    mutating func resetCompleted(_ topicPartition: TopicPartition, offset: Int64, epoch: Int) {
        guard let state = self.partitions[topicPartition], state.epoch == epoch, state.pendingReset != nil else {
            return
        }
        self.seek(topicPartition, to: offset)
    }

    /// Partitions to fetch now, with their offsets and epochs: assigned, positioned, not paused, no
    /// fetch in flight, not waiting out a retry backoff, and not already holding buffered data
    /// beyond `maxBufferedRecords`. Marks them in flight.
    ///
    /// While some partition is known to have data beyond its fetch offset, partitions already read
    /// to their high watermark are fetched only every `caughtUpInterval` (fetch.max.wait.ms): a
    /// broker may hold a fetch for its empty partitions (Tansu holds it for the whole wait even
    /// when other partitions have data), and new data for them waits at most that long anyway.
    mutating func startFetch(
        now: ContinuousClock.Instant,
        maxBufferedRecords: Int,
        caughtUpInterval: Duration = .zero
    ) -> [(TopicPartition, offset: Int64, epoch: Int)] {
        guard self.bufferedRecords < maxBufferedRecords else { return [] }
        let someHaveBacklog = self.partitions.values.contains { $0.hasBacklog && !$0.isPaused }
        var chosen: [(TopicPartition, offset: Int64, epoch: Int)] = []
        for (topicPartition, state) in self.partitions {
            guard !state.isPaused, !state.isFetchInFlight, state.pendingReset == nil,
                let offset = state.fetchOffset
            else { continue }
            if let retryAt = state.retryAt, retryAt > now { continue }
            if someHaveBacklog, state.isCaughtUp, let last = state.lastFetchStartedAt, last + caughtUpInterval > now {
                continue
            }
            chosen.append((topicPartition, offset, state.epoch))
            self.partitions[topicPartition]?.isFetchInFlight = true
            self.partitions[topicPartition]?.lastFetchStartedAt = now
        }
        return chosen
    }

    /// A fetch for a partition finished with data (possibly none).
    mutating func fetchCompleted(_ fetch: CompletedFetch) {
        guard var state = self.partitions[fetch.topicPartition], state.epoch == fetch.epoch else { return }
        state.isFetchInFlight = false
        state.fetchOffset = fetch.nextOffset
        state.highWatermark = fetch.highWatermark
        if fetch.lastStableOffset >= 0 { state.lastStableOffset = fetch.lastStableOffset }
        state.retryAt = nil
        if fetch.records.isEmpty {
            // Nothing to hand out (e.g. only control batches): consumption moves on at once.
            if state.position == nil || (state.position ?? 0) < fetch.nextOffset,
                !self.completed.contains(where: { $0.topicPartition == fetch.topicPartition })
            {
                state.position = fetch.nextOffset
            }
            self.partitions[fetch.topicPartition] = state
            return
        }
        self.partitions[fetch.topicPartition] = state
        self.completed.append(fetch)
        self.bufferedRecords += fetch.records.count
    }

    /// A fetch for a partition failed; it is retried after `retryAt`.
    mutating func fetchFailed(_ topicPartition: TopicPartition, epoch: Int, retryAt: ContinuousClock.Instant) {
        guard var state = self.partitions[topicPartition], state.epoch == epoch else { return }
        state.isFetchInFlight = false
        state.retryAt = retryAt
        self.partitions[topicPartition] = state
    }

    /// Takes up to `maxRecords` buffered records of partitions that are not paused, advancing positions.
    mutating func takeRecords(maxRecords: Int) -> [KafkaConsumerRecord] {
        var taken: [KafkaConsumerRecord] = []
        var index = 0
        while index < self.completed.count, taken.count < maxRecords {
            let fetch = self.completed[index]
            guard let state = self.partitions[fetch.topicPartition], state.epoch == fetch.epoch else {
                self.bufferedRecords -= fetch.records.count
                self.completed.remove(at: index)
                continue
            }
            if state.isPaused {
                index += 1
                continue
            }
            let room = maxRecords - taken.count
            if fetch.records.count <= room {
                taken.append(contentsOf: fetch.records)
                self.bufferedRecords -= fetch.records.count
                self.completed.remove(at: index)
                // Fetches that returned nothing (control batches only) while these records waited
                // moved the fetch offset on; with nothing else buffered, consumption is there too.
                var position = fetch.nextOffset
                if !self.completed.contains(where: { $0.topicPartition == fetch.topicPartition }),
                    let fetchOffset = state.fetchOffset
                {
                    position = max(position, fetchOffset)
                }
                self.partitions[fetch.topicPartition]?.position = position
            } else {
                taken.append(contentsOf: fetch.records[0..<room])
                self.completed[index].records.removeFirst(room)
                self.bufferedRecords -= room
                if let next = self.completed[index].records.first?.offset {
                    self.partitions[fetch.topicPartition]?.position = next
                }
            }
        }
        return taken
    }

    var hasDeliverableRecords: Bool {
        self.completed.contains { fetch in
            guard let state = self.partitions[fetch.topicPartition] else { return true }
            return !state.isPaused || state.epoch != fetch.epoch
        }
    }

    private mutating func dropCompleted(where predicate: (CompletedFetch) -> Bool) {
        var kept: [CompletedFetch] = []
        for fetch in self.completed {
            if predicate(fetch) {
                self.bufferedRecords -= fetch.records.count
            } else {
                kept.append(fetch)
            }
        }
        self.completed = kept
    }
}

// MARK: - read_committed

/// Drops the batches of aborted transactions from a fetched partition's data, as Kafka's consumer
/// does under read_committed; value type, no I/O.
///
/// The fetch response lists the aborted transactions overlapping the fetched range as (producer
/// id, first offset). A producer id is "aborted" from its first offset until that producer's ABORT
/// marker: its transactional batches in between are skipped. Batches of the same producer before
/// the first offset (an earlier, committed transaction) and after the marker are kept. The list
/// holds for this one response only.
struct AbortedTransactionFilter: Sendable {
    /// Aborted transactions not reached yet, by first offset (latest first, so the next is last).
    private var upcoming: [(producerID: Int64, firstOffset: Int64)]
    /// Producers whose current transaction is aborted.
    private(set) var abortedProducers: Set<Int64> = []

    init(_ abortedTransactions: [(producerID: Int64, firstOffset: Int64)]) {
        self.upcoming = abortedTransactions.sorted { $0.firstOffset > $1.firstOffset }
    }

    /// Whether `batch` is to be skipped: a transactional batch of an aborted transaction. Control
    /// batches are never returned to the application anyway; an ABORT marker ends its producer's
    /// aborted span.
    mutating func skips(_ batch: RecordBatch) -> Bool {
        guard batch.producerId >= 0 else { return false }
        // Transactions that started at or before this batch's last offset are now in force.
        while let next = self.upcoming.last, next.firstOffset <= batch.lastOffset {
            self.abortedProducers.insert(next.producerID)
            self.upcoming.removeLast()
        }
        if batch.isControl {
            if batch.controlType == .abort { self.abortedProducers.remove(batch.producerId) }
            return true
        }
        return batch.isTransactional && self.abortedProducers.contains(batch.producerId)
    }
}

extension FetchState {
    /// Decodes a partition's fetched bytes: records at or after `fetchOffset`, control batches
    /// skipped, batches of aborted transactions skipped when `abortedTransactions` is given
    /// (read_committed), and the offset to fetch next (past everything skipped).
    static func decodeFetchedRecords(
        _ bytes: ByteBuffer?,
        topicPartition: TopicPartition,
        fetchOffset: Int64,
        verifyCRC: Bool,
        abortedTransactions: [(producerID: Int64, firstOffset: Int64)]?
    ) throws -> (records: [KafkaConsumerRecord], nextOffset: Int64) {
        guard let bytes, bytes.readableBytes > 0 else { return ([], fetchOffset) }
        var reader = RecordBatchReader(bytes, verifyCRC: verifyCRC)
        var filter = abortedTransactions.map { AbortedTransactionFilter($0) }
        var records: [KafkaConsumerRecord] = []
        var nextOffset = fetchOffset
        while let batch = try reader.next() {
            nextOffset = max(nextOffset, batch.lastOffset + 1)
            if filter?.skips(batch) == true || batch.isControl { continue }
            records.reserveCapacity(records.count + batch.records.count)
            for record in batch.records where record.offset >= fetchOffset {
                records.append(
                    KafkaConsumerRecord(
                        topic: topicPartition.topic,
                        partition: topicPartition.partition,
                        offset: record.offset,
                        timestamp: batch.timestampType == .logAppendTime ? batch.maxTimestamp : record.timestamp,
                        timestampType: batch.timestampType,
                        key: record.key,
                        value: record.value,
                        headers: record.headers
                    )
                )
            }
        }
        return (records, nextOffset)
    }
}
