/// Told about partitions moving in and out of a group consumer; the consumer awaits each call
/// before it completes the rebalance (a sink commits its work in ``partitionsRevoked(_:)``
/// before another member may start on those partitions). Heartbeats continue meanwhile, but the
/// whole rebalance must finish within `max.poll.interval.ms`.
public protocol ConsumerRebalanceListener: Sendable {
    /// The consumer gives these partitions up: every partition under the eager protocol, only the
    /// moved ones under the cooperative one. Offsets can still be committed here.
    func partitionsRevoked(_ partitions: [TopicPartition]) async
    /// The consumer now reads these partitions (the new ones only, under the cooperative protocol).
    func partitionsAssigned(_ partitions: [TopicPartition]) async
    /// The member lost its membership (fenced, or its session expired): these partitions may
    /// already belong to another member, so committing them would fail. Default: calls
    /// ``partitionsRevoked(_:)``, as Kafka's consumer does.
    func partitionsLost(_ partitions: [TopicPartition]) async
}

extension ConsumerRebalanceListener {
    public func partitionsRevoked(_ partitions: [TopicPartition]) async {}
    public func partitionsAssigned(_ partitions: [TopicPartition]) async {}
    public func partitionsLost(_ partitions: [TopicPartition]) async { await self.partitionsRevoked(partitions) }
}

/// A listener that does nothing.
struct NoRebalanceListener: ConsumerRebalanceListener {}
