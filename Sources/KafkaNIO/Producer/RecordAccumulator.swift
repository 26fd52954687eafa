import KafkaProtocol
import NIOCore

/// A batch of records for one partition, on its way to the broker.
struct ProducerBatch: Sendable {
    struct Delivery: Sendable {
        var group: DeliveryGroup
        var indices: [Int]
    }

    var topicPartition: TopicPartition
    var builder: RecordBatchBuilder
    var timestamps: [Int64] = []
    var deliveries: [Delivery] = []
    var createdAt: ContinuousClock.Instant
    var attempts = 0
    var retryAt: ContinuousClock.Instant?
    /// The encoded batch, kept so that a retry sends the very same bytes.
    var encoded: ByteBuffer?

    var recordCount: Int { self.timestamps.count }

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
            delivery.group.complete(delivery.indices) { offsetInDelivery, _ in
                let recordPosition = start + offsetInDelivery
                return .success(
                    RecordMetadata(
                        topic: self.topicPartition.topic,
                        partition: self.topicPartition.partition,
                        offset: baseOffset < 0 ? -1 : baseOffset + Int64(recordPosition),
                        timestamp: logAppendTime >= 0 ? logAppendTime : self.timestamps[recordPosition]
                    )
                )
            }
            position += delivery.indices.count
        }
    }

    func fail(_ error: KafkaError) {
        for delivery in self.deliveries {
            delivery.group.complete(delivery.indices) { _, _ in .failure(error) }
        }
    }
}

/// Per-partition queues of batches: where `send` appends and the sender drains.
///
/// A partition with a batch in flight is muted: nothing more is sent for it until that batch
/// succeeds or fails for good, so a retried batch can never be overtaken by a later one and the
/// records of a partition keep their order.
struct RecordAccumulator: Sendable {
    struct PartitionQueue: Sendable {
        var open: ProducerBatch?
        var ready: [ProducerBatch] = []
        var isMuted = false
    }

    let batchSize: Int
    let linger: Duration
    let compression: KafkaCompression
    private(set) var queues: [TopicPartition: PartitionQueue] = [:]
    /// The partition that records without key or partition go to, per topic (sticky partitioning).
    private var sticky: [String: Int32] = [:]

    init(batchSize: Int, linger: Duration, compression: KafkaCompression) {
        self.batchSize = batchSize
        self.linger = linger
        self.compression = compression
    }

    var isEmpty: Bool {
        self.queues.values.allSatisfy { $0.open == nil && $0.ready.isEmpty && !$0.isMuted }
    }

    /// The partition for a record without explicit partition, given the topic's partition count.
    mutating func partition(for record: KafkaProducerRecord, partitionCount: Int) -> Int32 {
        if let partition = record.partition { return partition }
        if let key = record.key { return Murmur2Partitioner.partition(forKey: key, partitionCount: partitionCount) }
        if let current = self.sticky[record.topic], current < partitionCount { return current }
        let chosen = Int32.random(in: 0..<Int32(partitionCount))
        self.sticky[record.topic] = chosen
        return chosen
    }

    /// Appends a record; returns true when this closed a batch (the sender has work).
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
        to queue: inout PartitionQueue,
        topicPartition: TopicPartition
    ) -> Bool {
        var closedOne = false
        if let size = queue.open?.builder.estimatedSizeInBytes, (queue.open?.recordCount ?? 0) > 0,
            size + record.estimatedSize > batchSize, let open = queue.open
        {
            queue.open = nil
            queue.ready.append(open)
            closedOne = true
        }
        if queue.open == nil {
            queue.open = ProducerBatch(
                topicPartition: topicPartition,
                builder: RecordBatchBuilder(
                    compression: compression,
                    initialCapacity: min(max(batchSize, 1024), 1 << 20) + 128
                ),
                createdAt: now
            )
        }
        queue.open?.builder.append(timestamp: timestamp, key: record.key, value: record.value, headers: record.headers)
        queue.open?.timestamps.append(timestamp)
        queue.open?.add(group: group, index: index)
        if let size = queue.open?.builder.estimatedSizeInBytes, size >= batchSize, let open = queue.open {
            queue.open = nil
            queue.ready.append(open)
            closedOne = true
        }
        return closedOne
    }

    private mutating func moveStickyPartition(away topicPartition: TopicPartition, ifKeyless: Bool) {
        guard ifKeyless, self.sticky[topicPartition.topic] == topicPartition.partition else { return }
        self.sticky[topicPartition.topic] = nil
    }

    /// Takes at most one batch from every unmuted partition whose batch is due (full, lingered
    /// long enough, or `flushing`) and whose leader `canSend`; mutes those partitions. Also returns
    /// the earliest time a not-yet-due batch becomes due.
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
        for (topicPartition, var queue) in self.queues where !queue.isMuted {
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
            guard canSend(topicPartition) else {
                self.queues[topicPartition] = queue
                continue
            }
            drained.append(queue.ready.removeFirst())
            queue.isMuted = true
            self.queues[topicPartition] = queue
        }
        return (drained, nextDue)
    }

    /// A sent batch finished (for good or not): unmute its partition.
    mutating func unmute(_ topicPartition: TopicPartition) {
        self.queues[topicPartition]?.isMuted = false
        if let queue = self.queues[topicPartition], queue.open == nil, queue.ready.isEmpty {
            self.queues[topicPartition] = nil
        }
    }

    /// Puts a batch that failed retriably back at the front of its partition's queue and unmutes it.
    mutating func requeue(_ batch: ProducerBatch) {
        var queue = self.queues[batch.topicPartition] ?? PartitionQueue()
        queue.ready.insert(batch, at: 0)
        queue.isMuted = false
        self.queues[batch.topicPartition] = queue
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
