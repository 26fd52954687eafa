import ConnectAPI

/// Which source offsets may be committed (Kafka's `SubmittedRecords`), as a value.
///
/// Every record a task polled is submitted in poll order, with its source partition and offset, and
/// later acknowledged: when the producer confirmed it, or immediately when a transform dropped it. Acks
/// arrive in any order (different topic partitions, retries), but an offset is committable only when
/// the record **and every earlier record of the same source partition** were acknowledged, so a
/// committed offset never skips an unwritten record. A slow record holds back later offsets of its
/// own source partition only.
public struct SubmittedRecords: Sendable {
    /// A submitted record, to be acknowledged with ``ack(_:)``.
    public struct Ticket: Sendable, Hashable {
        fileprivate let queue: Int
        fileprivate let sequence: UInt64
    }

    private struct Entry: Sendable {
        let sequence: UInt64
        let offset: [String: ConnectValue]?
        var isAcked = false
    }

    /// The records of one source partition not yet acknowledged or behind an unacknowledged one, in
    /// submission order (`entries[head...]` are live), and what their acknowledged prefix made
    /// committable since the last ``committableOffsets()``.
    ///
    /// The prefix is dropped as soon as it is acknowledged, not at the next offset flush (as Kafka's
    /// deque): between flushes (`offset.flush.interval.ms`, 60 s by default) a fast source would
    /// otherwise keep every record's offset, about 130 MB per million records.
    private struct Queue: Sendable {
        let partition: [String: ConnectValue]?
        var entries: [Entry] = []
        var head = 0
        /// Records dropped from the acknowledged prefix since the last ``popAcked()``.
        var readyCount = 0
        /// The last non-nil offset among them.
        var readyOffset: [String: ConnectValue]?

        var count: Int { entries.count - head }

        /// Marks a record acknowledged; ``dropAckedPrefix()`` then moves past what became committable.
        mutating func mark(_ sequence: UInt64) -> Bool {
            guard let index = position(of: sequence), !entries[index].isAcked else { return false }
            entries[index].isAcked = true
            return true
        }

        private func position(of sequence: UInt64) -> Int? {
            // Records of one partition usually have consecutive sequences: try the direct position.
            if head < entries.count, sequence >= entries[head].sequence {
                let guess = head + Int(sequence - entries[head].sequence)
                if guess < entries.count, entries[guess].sequence == sequence { return guess }
            }
            // Sequences increase along the queue: binary search.
            var low = head
            var high = entries.count
            while low < high {
                let middle = (low + high) / 2
                if entries[middle].sequence < sequence { low = middle + 1 } else { high = middle }
            }
            return low < entries.count && entries[low].sequence == sequence ? low : nil
        }

        mutating func dropAckedPrefix() {
            var end = head
            while end < entries.count, entries[end].isAcked { end += 1 }
            guard end > head else { return }
            // Only the last offset of the prefix matters: copy that one alone (a copy is a retain,
            // and acknowledgements come batch by batch).
            var last = end - 1
            while last >= head, entries[last].offset == nil { last -= 1 }
            if last >= head { readyOffset = entries[last].offset }
            readyCount += end - head
            head = end
            // Compact once the dead prefix dominates, keeping removals amortised O(1).
            if head > 64 && head * 2 > entries.count {
                entries.removeFirst(head)
                head = 0
            }
        }

        /// How many records became committable since the last call and the last non-nil offset.
        mutating func popAcked() -> (count: Int, offset: [String: ConnectValue]?) {
            defer {
                readyCount = 0
                readyOffset = nil
            }
            return (readyCount, readyOffset)
        }
    }

    // Queues by a number, so that acknowledging hashes an integer rather than the partition map; the
    // partition of the previous submission is remembered, since tasks mostly poll runs of records of
    // one partition (a map sharing its storage with the previous one compares equal in O(1)).
    private var queues: [Int: Queue] = [:]
    private var queueIDs: [[String: ConnectValue]?: Int] = [:]
    private var lastSubmitted: (partition: [String: ConnectValue]?, queue: Int)?
    private var nextQueueID = 0
    private var nextSequence: UInt64 = 0
    /// Records submitted and not yet acknowledged.
    public private(set) var unackedCount = 0

    /// No records.
    public init() {}

    /// Entries held in memory, acknowledged ones not yet compacted away included (tests).
    var retainedEntryCount: Int { queues.values.reduce(0) { $0 + $1.entries.count } }

    /// Records one polled record, in poll order.
    /// - Returns: The ticket to acknowledge it with.
    public mutating func submit(partition: [String: ConnectValue]?, offset: [String: ConnectValue]?) -> Ticket {
        let sequence = nextSequence
        nextSequence += 1
        let queueID = self.queueID(for: partition)
        queues[queueID, default: Queue(partition: partition)].entries.append(Entry(sequence: sequence, offset: offset))
        unackedCount += 1
        return Ticket(queue: queueID, sequence: sequence)
    }

    private mutating func queueID(for partition: [String: ConnectValue]?) -> Int {
        if let lastSubmitted, lastSubmitted.partition == partition { return lastSubmitted.queue }
        let id: Int
        if let existing = queueIDs[partition] {
            id = existing
        } else {
            id = nextQueueID
            nextQueueID += 1
            queueIDs[partition] = id
        }
        lastSubmitted = (partition, id)
        return id
    }

    /// Marks a record as written (or dropped). Acknowledging twice, or a ticket whose record was already
    /// committed, does nothing.
    public mutating func ack(_ ticket: Ticket) {
        ack(CollectionOfOne(ticket))
    }

    /// Acknowledges many records at once (a producer batch): the same as acknowledging each, with
    /// one pass over each touched queue's acknowledged prefix.
    public mutating func ack(_ tickets: some Sequence<Ticket>) {
        // Tickets come in runs of one queue (a task polls runs of one source partition): each run
        // takes its queue out of the dictionary once. Going through `queues[id]?` per ticket was an
        // eighth of a source task's reference counting.
        var queueID: Int?
        var queue: Queue?
        for ticket in tickets {
            if ticket.queue != queueID {
                if let queueID, var done = queue.take() {
                    done.dropAckedPrefix()
                    queues[queueID] = done
                }
                queueID = ticket.queue
                queue = queues.removeValue(forKey: ticket.queue)
            }
            if queue?.mark(ticket.sequence) == true { unackedCount -= 1 }
        }
        if let queueID, var done = queue.take() {
            done.dropAckedPrefix()
            queues[queueID] = done
        }
    }

    /// The offsets that became committable since the last call, and forgets their records: per source
    /// partition, the offset of the last record of its acknowledged prefix. Records with no source
    /// partition or offset are never committed (but still hold back nothing but themselves).
    public mutating func committableOffsets() -> CommittableOffsets {
        var result = CommittableOffsets()
        for queueID in Array(queues.keys) {
            guard var queue = queues[queueID] else { continue }
            let (removed, offset) = queue.popAcked()
            result.committableCount += removed
            result.uncommittableCount += queue.count
            if queue.count == 0 {
                queues[queueID] = nil
                queueIDs[queue.partition] = nil
                if lastSubmitted?.queue == queueID { lastSubmitted = nil }
            } else {
                queues[queueID] = queue
            }
            if removed > 0, let partition = queue.partition, let offset { result.offsets[partition] = offset }
        }
        return result
    }
}

/// What ``SubmittedRecords/committableOffsets()`` found committable.
public struct CommittableOffsets: Sendable, Hashable {
    /// The offset to commit per source partition.
    public var offsets: [[String: ConnectValue]: [String: ConnectValue]] = [:]
    /// Records whose offsets became committable.
    public var committableCount = 0
    /// Records still waiting for themselves or an earlier record of their partition.
    public var uncommittableCount = 0

    /// Whether nothing became committable.
    public var isEmpty: Bool { offsets.isEmpty }
}
