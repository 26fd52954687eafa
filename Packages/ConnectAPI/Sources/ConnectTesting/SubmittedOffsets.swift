import ConnectAPI

/// Which source offsets the worker may commit: per source partition, the offset of the last record of
/// the acknowledged prefix (the worker's `SubmittedRecords` rule; an offset never skips a record of its
/// partition that Kafka has not acknowledged yet).
struct SubmittedOffsets: Sendable {
    private struct Entry: Sendable {
        let id: UInt64
        let offset: [String: ConnectValue]?
        var isAcked = false
    }

    private var queues: [[String: ConnectValue]?: [Entry]] = [:]
    private var nextID: UInt64 = 0

    /// Records submitted and not acknowledged yet.
    private(set) var unacknowledgedCount = 0

    /// Records one polled record, in poll order; returns its id.
    mutating func submit(_ record: SourceRecord) -> UInt64 {
        defer { nextID += 1 }
        queues[record.sourcePartition, default: []].append(Entry(id: nextID, offset: record.sourceOffset))
        unacknowledgedCount += 1
        return nextID
    }

    /// Marks a submitted record acknowledged (written by Kafka, or dropped).
    mutating func acknowledge(_ id: UInt64, partition: [String: ConnectValue]?) {
        guard var queue = queues[partition], let index = queue.firstIndex(where: { $0.id == id }),
            !queue[index].isAcked
        else { return }
        queue[index].isAcked = true
        queues[partition] = queue
        unacknowledgedCount -= 1
    }

    /// The offsets that became committable (and forgets their records).
    mutating func takeCommittable() -> [[String: ConnectValue]: [String: ConnectValue]] {
        var result: [[String: ConnectValue]: [String: ConnectValue]] = [:]
        for (partition, queue) in queues {
            let prefix = queue.prefix { $0.isAcked }
            guard !prefix.isEmpty else { continue }
            if let partition, let offset = prefix.last(where: { $0.offset != nil })?.offset {
                result[partition] = offset
            }
            let rest = Array(queue.dropFirst(prefix.count))
            queues[partition] = rest.isEmpty ? nil : rest
        }
        return result
    }

    /// The offsets ``takeCommittable()`` would return, without forgetting anything.
    func committable() -> [[String: ConnectValue]: [String: ConnectValue]] {
        var copy = self
        return copy.takeCommittable()
    }
}
