/// A task that writes records from Kafka to an external system (Kafka's `SinkTask`).
///
/// The runtime consumes the connector's topics, converts and transforms the records and hands them to
/// ``put(_:)`` in batches. Before committing consumer offsets it calls ``preCommit(currentOffsets:)``
/// (which by default calls ``flush(currentOffsets:)``). Offsets always refer to the records as
/// consumed (their ``SinkRecord/originalTopic``, partition and offset), whatever transforms did.
public protocol SinkTask: ConnectorTask {
    /// Gives the task its context before ``ConnectorTask/start(configs:)``; keep it to seek, pause,
    /// request commits or report bad records. The default ignores it.
    func initialize(context: any SinkTaskContext) async

    /// Called after partitions are assigned (with cooperative rebalancing, only the newly added ones),
    /// before their records are delivered. The default does nothing.
    /// - Throws: Any error fails the task.
    func open(partitions: [TopicPartition]) async throws

    /// Delivers a batch of records (possibly empty).
    /// - Throws: ``RetriableError`` to have the runtime pause the partitions and deliver the same batch
    ///   again (after ``SinkTaskContext/timeout(_:)`` if set); any other error fails the task.
    func put(_ records: [SinkRecord]) async throws

    /// Flushes everything delivered so far; called by the default ``preCommit(currentOffsets:)``. The
    /// default does nothing.
    func flush(currentOffsets: [TopicPartition: OffsetAndMetadata]) async throws

    /// Called before the runtime commits consumer offsets, with the offsets of the partitions being
    /// committed (the next offset to consume: last delivered + 1).
    /// - Returns: The offsets safe to commit; an empty map opts out of framework commits. Offsets for
    ///   partitions not passed in, not assigned, or beyond the current position are ignored. The
    ///   default flushes and returns `currentOffsets`.
    /// - Throws: Any error skips the commit and rewinds the consumer to the last committed offsets.
    func preCommit(
        currentOffsets: [TopicPartition: OffsetAndMetadata]
    ) async throws -> [TopicPartition: OffsetAndMetadata]

    /// Called before partitions are revoked or lost (after a final commit attempt) and at shutdown.
    /// The default does nothing.
    func close(partitions: [TopicPartition]) async throws
}

extension SinkTask {
    /// Ignores the context.
    public func initialize(context: any SinkTaskContext) async {}

    /// Does nothing.
    public func open(partitions: [TopicPartition]) async throws {}

    /// Does nothing.
    public func flush(currentOffsets: [TopicPartition: OffsetAndMetadata]) async throws {}

    /// Flushes, then returns `currentOffsets`.
    public func preCommit(
        currentOffsets: [TopicPartition: OffsetAndMetadata]
    ) async throws -> [TopicPartition: OffsetAndMetadata] {
        try await flush(currentOffsets: currentOffsets)
        return currentOffsets
    }

    /// Does nothing.
    public func close(partitions: [TopicPartition]) async throws {}
}
