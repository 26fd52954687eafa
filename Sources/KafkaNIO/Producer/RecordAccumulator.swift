import KafkaProtocol
import NIOCore

/// Holds a batch's builder by reference. Copies of a ``ProducerBatch`` value share it, so the
/// sender can take the builder out with its buffer uniquely referenced and build the batch
/// without copying it.
final class BatchBuilderBox: @unchecked Sendable {
    // Mutated only under the producer's lock (appends while the batch is open) and then once by
    // the sender that drained the batch (take); never concurrently.
    var builder: RecordBatchBuilder

    init(_ builder: RecordBatchBuilder) {
        self.builder = builder
    }

    /// Moves the builder out, leaving an empty one.
    func take() -> RecordBatchBuilder {
        var builder = RecordBatchBuilder(initialCapacity: 0)
        swap(&builder, &self.builder)
        return builder
    }
}

/// A batch of records for one partition, on its way to the broker.
struct ProducerBatch: Sendable {
    struct Delivery: Sendable {
        var group: DeliveryGroup
        var indices: [Int]
    }

    var topicPartition: TopicPartition
    let builderBox: BatchBuilderBox
    var timestamps: [Int64] = []
    var deliveries: [Delivery] = []
    var createdAt: ContinuousClock.Instant
    var attempts = 0
    var retryAt: ContinuousClock.Instant?
    /// The producer sequence number of the first record (idempotence), fixed at the first send.
    var baseSequence: Int32?
    /// The encoded batch, kept so that a retry sends the very same bytes.
    var encoded: ByteBuffer?

    var recordCount: Int { self.timestamps.count }

    /// The batch's builder (read-only view; the sender takes it with ``BatchBuilderBox/take()``).
    var builder: RecordBatchBuilder { self.builderBox.builder }

    init(topicPartition: TopicPartition, builder: RecordBatchBuilder, createdAt: ContinuousClock.Instant) {
        self.topicPartition = topicPartition
        self.builderBox = BatchBuilderBox(builder)
        self.createdAt = createdAt
    }

    mutating func add(group: DeliveryGroup, index: Int) {
        if let last = self.deliveries.indices.last, self.deliveries[last].group === group {
            self.deliveries[last].indices.append(index)
        } else {
            self.deliveries.append(Delivery(group: group, indices: [index]))
        }
    }

    /// Completes every record of the batch: success with offsets from `baseOffset`, or failure.
    func complete(baseOffset: Int64, logAppendTime: Int64) {
        var position = 0
        for delivery in self.deliveries {
            let start = position
            delivery.group.deliver(
                delivery.indices,
                topic: self.topicPartition.topic,
                partition: self.topicPartition.partition
            ) { offsetInDelivery in
                let recordPosition = start + offsetInDelivery
                return (
                    baseOffset < 0 ? -1 : baseOffset + Int64(recordPosition),
                    logAppendTime >= 0 ? logAppendTime : self.timestamps[recordPosition]
                )
            }
            position += delivery.indices.count
        }
    }

    func fail(_ error: KafkaError) {
        for delivery in self.deliveries {
            delivery.group.fail(delivery.indices, with: error)
        }
    }
}

/// Per-partition queues of batches: where `send` appends and the sender drains.
///
/// How many batches of one partition may be in flight is what keeps records in order:
/// - without idempotence the limit is one. A partition with a batch in flight is muted until that
///   batch succeeds or fails for good, so a retried batch can never be overtaken by a later one.
/// - with idempotence, up to `max.in.flight.requests.per.connection` batches of a partition may be in
///   flight, each with its producer sequence number. The broker accepts sequences only in order, so
///   a batch behind a failed one is rejected (OUT_OF_ORDER_SEQUENCE_NUMBER) rather than written
///   first; both come back here and are resent in sequence order, the retried one alone first.
struct RecordAccumulator: Sendable {
    struct PartitionQueue: Sendable {
        var open: ProducerBatch?
        var ready: [ProducerBatch] = []
        var inFlight = 0

        var isMuted: Bool { self.inFlight > 0 }
    }

    let batchSize: Int
    let linger: Duration
    let compression: KafkaCompression
    /// Batches of one partition in flight at once (1 without idempotence).
    let maxInFlightPerPartition: Int
    /// Whether batches get producer sequence numbers (the idempotent producer).
    let assignsSequences: Bool
    /// Whether batches are marked transactional (a transactional producer's batches).
    let transactional: Bool
    private(set) var queues: [TopicPartition: PartitionQueue] = [:]
    /// The partition that records without key or partition go to, per topic (sticky partitioning).
    private var sticky: [String: Int32] = [:]
    /// The last sticky partition looked up, so that a run of records to one topic hashes its name
    /// once (cleared whenever `sticky` changes).
    private var lastSticky: (topic: String, partition: Int32)?
    /// The next producer sequence number per partition (idempotence).
    private(set) var nextSequence: [TopicPartition: Int32] = [:]
    /// Buffers of batches already sent, reused for new batches (see ``recycle(_:)``).
    private var bufferPool: [ByteBuffer] = []
    static let bufferPoolLimit = 8

    /// Keeps the buffer of a finished batch for a future batch, if it is of a useful size.
    mutating func recycle(_ buffer: ByteBuffer) {
        guard self.bufferPool.count < Self.bufferPoolLimit, buffer.capacity >= self.batchSize,
            buffer.capacity <= 2 * self.batchSize + 4096
        else { return }
        self.bufferPool.append(buffer)
    }

    init(
        batchSize: Int,
        linger: Duration,
        compression: KafkaCompression,
        maxInFlightPerPartition: Int = 1,
        assignsSequences: Bool = false,
        transactional: Bool = false
    ) {
        self.transactional = transactional
        self.batchSize = batchSize
        self.linger = linger
        self.compression = compression
        self.maxInFlightPerPartition = max(1, maxInFlightPerPartition)
        self.assignsSequences = assignsSequences
    }

    var isEmpty: Bool {
        self.queues.values.allSatisfy { $0.open == nil && $0.ready.isEmpty && $0.inFlight == 0 }
    }

    /// The partition for a record without explicit partition, given the topic's partition count.
    mutating func partition(for record: KafkaProducerRecord, partitionCount: Int) -> Int32 {
        if let partition = record.partition { return partition }
        if let key = record.key { return Murmur2Partitioner.partition(forKey: key, partitionCount: partitionCount) }
        if let lastSticky, lastSticky.topic == record.topic, lastSticky.partition < partitionCount {
            return lastSticky.partition
        }
        if let current = self.sticky[record.topic], current < partitionCount {
            self.lastSticky = (record.topic, current)
            return current
        }
        let chosen = Int32.random(in: 0..<Int32(partitionCount))
        self.sticky[record.topic] = chosen
        self.lastSticky = (record.topic, chosen)
        return chosen
    }

    /// Appends a record; returns true when this closed a batch (the sender has work).
    @discardableResult
    mutating func append(
        _ record: KafkaProducerRecord,
        to topicPartition: TopicPartition,
        timestamp: Int64,
        group: DeliveryGroup,
        index: Int,
        now: ContinuousClock.Instant
    ) -> Bool {
        // Mutate the queue in place through the dictionary's modify accessor: a copy of the queue
        // would make the batch's buffer shared and every append would copy the whole batch.
        let closed = Self.append(
            record,
            timestamp: timestamp,
            group: group,
            index: index,
            now: now,
            batchSize: self.batchSize,
            compression: self.compression,
            transactional: self.transactional,
            bufferPool: &self.bufferPool,
            to: &self.queues[topicPartition, default: PartitionQueue()],
            topicPartition: topicPartition
        )
        if closed {
            self.moveStickyPartition(away: topicPartition, ifKeyless: record.key == nil && record.partition == nil)
        }
        return closed
    }

    private static func append(
        _ record: KafkaProducerRecord,
        timestamp: Int64,
        group: DeliveryGroup,
        index: Int,
        now: ContinuousClock.Instant,
        batchSize: Int,
        compression: KafkaCompression,
        transactional: Bool,
        bufferPool: inout [ByteBuffer],
        to queue: inout PartitionQueue,
        topicPartition: TopicPartition
    ) -> Bool {
        // The open batch is moved out of the queue and back: reading it through `queue.open?` several
        // times per record copied its fields each time (a profile showed the copies).
        func newBatch() -> ProducerBatch {
            ProducerBatch(
                topicPartition: topicPartition,
                builder: RecordBatchBuilder(
                    compression: compression,
                    isTransactional: transactional,
                    initialCapacity: min(max(batchSize, 1024), 16 << 20) + 128,
                    reusing: bufferPool.popLast()
                ),
                createdAt: now
            )
        }
        var closedOne = false
        var batch = queue.open.take() ?? newBatch()
        if batch.recordCount > 0, batch.builderBox.builder.estimatedSizeInBytes + record.estimatedSize > batchSize {
            queue.ready.append(batch)
            batch = newBatch()
            closedOne = true
        }
        batch.builderBox.builder.append(
            timestamp: timestamp,
            key: record.key,
            value: record.value,
            headers: record.headers
        )
        batch.timestamps.append(timestamp)
        batch.add(group: group, index: index)
        if batch.builderBox.builder.estimatedSizeInBytes >= batchSize {
            queue.ready.append(batch)
            closedOne = true
        } else {
            queue.open = batch
        }
        return closedOne
    }

    private mutating func moveStickyPartition(away topicPartition: TopicPartition, ifKeyless: Bool) {
        guard ifKeyless, self.sticky[topicPartition.topic] == topicPartition.partition else { return }
        self.sticky[topicPartition.topic] = nil
        self.lastSticky = nil
    }

    /// Takes at most one batch from every partition below its in-flight limit whose batch is due
    /// (full, lingered long enough, or `flushing`) and whose leader `canSend`. A batch being retried
    /// goes only when nothing else of its partition is in flight. Assigns sequence numbers to
    /// batches sent for the first time (idempotence). Also returns the earliest time a not-yet-due
    /// batch becomes due.
    mutating func drain(
        now: ContinuousClock.Instant,
        flushing: Bool,
        canSend: (TopicPartition) -> Bool
    ) -> (batches: [ProducerBatch], nextDue: ContinuousClock.Instant?) {
        var drained: [ProducerBatch] = []
        var nextDue: ContinuousClock.Instant?
        func noteDue(_ instant: ContinuousClock.Instant) {
            if nextDue == nil || instant < nextDue! { nextDue = instant }
        }
        for (topicPartition, var queue) in self.queues where queue.inFlight < self.maxInFlightPerPartition {
            if queue.ready.isEmpty, let open = queue.open {
                let due = open.createdAt + self.linger
                if flushing || due <= now {
                    queue.ready.append(open)
                    queue.open = nil
                    self.moveStickyPartition(away: topicPartition, ifKeyless: true)
                } else {
                    noteDue(due)
                }
            }
            guard let first = queue.ready.first else {
                self.queues[topicPartition] = queue
                continue
            }
            if let retryAt = first.retryAt, retryAt > now {
                noteDue(retryAt)
                self.queues[topicPartition] = queue
                continue
            }
            guard first.attempts == 0 || queue.inFlight == 0, canSend(topicPartition) else {
                self.queues[topicPartition] = queue
                continue
            }
            var batch = queue.ready.removeFirst()
            if self.assignsSequences, batch.baseSequence == nil {
                let sequence = self.nextSequence[topicPartition] ?? 0
                batch.baseSequence = sequence
                // Sequences wrap at Int32.max as the broker expects.
                let next = Int64(sequence) + Int64(batch.recordCount)
                self.nextSequence[topicPartition] = Int32(
                    truncatingIfNeeded: next > Int64(Int32.max) ? next - Int64(Int32.max) - 1 : next
                )
            }
            drained.append(batch)
            queue.inFlight += 1
            self.queues[topicPartition] = queue
        }
        return (drained, nextDue)
    }

    /// A sent batch finished (for good or not): one fewer in flight for its partition.
    mutating func unmute(_ topicPartition: TopicPartition) {
        guard var queue = self.queues[topicPartition] else { return }
        queue.inFlight = max(0, queue.inFlight - 1)
        if queue.open == nil, queue.ready.isEmpty, queue.inFlight == 0 {
            self.queues[topicPartition] = nil
        } else {
            self.queues[topicPartition] = queue
        }
    }

    /// Puts a batch that failed retriably back in its partition's queue, ahead of every batch not
    /// sent yet and in sequence order among those waiting for a retry; one fewer in flight.
    mutating func requeue(_ batch: ProducerBatch) {
        var queue = self.queues[batch.topicPartition] ?? PartitionQueue()
        var index = 0
        while index < queue.ready.count, queue.ready[index].attempts > 0,
            let waiting = queue.ready[index].baseSequence, let sequence = batch.baseSequence, waiting < sequence
        {
            index += 1
        }
        queue.ready.insert(batch, at: index)
        queue.inFlight = max(0, queue.inFlight - 1)
        self.queues[batch.topicPartition] = queue
    }

    /// Whether a batch of the partition with a lower sequence than `sequence` is still unacknowledged
    /// (waiting for a retry): then OUT_OF_ORDER_SEQUENCE_NUMBER for `sequence` is expected and retriable.
    func hasEarlierPendingRetry(_ topicPartition: TopicPartition, before sequence: Int32) -> Bool {
        self.queues[topicPartition]?.ready.contains { batch in
            batch.attempts > 0 && (batch.baseSequence.map { $0 < sequence } ?? false)
        } ?? false
    }

    /// Starts sequence numbers again at 0 (a new producer id or epoch from InitProducerId).
    mutating func resetSequences() {
        self.nextSequence = [:]
    }

    /// After a new producer id or epoch: sequences start again at 0 and batches waiting to be
    /// (re)sent get new ones when drained (their encoded bytes are restamped then).
    mutating func restartSequences() {
        self.nextSequence = [:]
        for (topicPartition, var queue) in self.queues {
            for index in queue.ready.indices { queue.ready[index].baseSequence = nil }
            self.queues[topicPartition] = queue
        }
    }

    /// Removes every batch not in flight (the producer is closing without flushing).
    mutating func removeAllPending() -> [ProducerBatch] {
        var all: [ProducerBatch] = []
        for (topicPartition, var queue) in self.queues {
            all.append(contentsOf: queue.ready)
            if let open = queue.open { all.append(open) }
            queue.ready = []
            queue.open = nil
            self.queues[topicPartition] = queue
        }
        return all
    }
}
