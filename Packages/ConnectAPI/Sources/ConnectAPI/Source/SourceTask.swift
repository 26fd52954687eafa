/// A task that reads from an external system and returns records for Kafka (Kafka's `SourceTask`).
///
/// The runtime calls ``poll()`` in a loop on the task's own Swift task, converts, transforms and
/// produces the records, and commits their ``SourceRecord/sourceOffset``s periodically.
public protocol SourceTask: ConnectorTask {
    /// Gives the task its context before ``ConnectorTask/start(configs:)``; keep it to read committed
    /// offsets (to resume where a previous task stopped). The default ignores it.
    func initialize(context: any SourceTaskContext) async

    /// Returns the next records, or `nil`/empty when there are none yet. Should wait briefly for data
    /// rather than spin, but return regularly so the runtime can pause or stop the task.
    ///
    /// The runtime runs each source task on a thread of its own (as Kafka does). Waiting by
    /// suspending (`await`) leaves that thread free for the task's `stop()`; blocking it (a
    /// synchronous read, say) delays `stop()` and pausing until `poll()` returns.
    /// - Throws: ``RetriableError`` to have the batch discarded and `poll()` called again; any other
    ///   error fails the task.
    func poll() async throws -> [SourceRecord]?

    /// Called after the offsets of previously returned records were committed (not with exactly-once
    /// delivery). Errors are logged only. The default does nothing.
    func commit() async throws

    /// Called once per record: after Kafka acknowledged it (`metadata` non-nil), or with `nil` metadata
    /// when a transform filtered it out or error tolerance dropped it. Errors are logged only. The
    /// default does nothing. `nonisolated(nonsending)`: the runtime calls it once per record, and the
    /// default must not cost two executor hops each time (an actor's own implementation still runs
    /// isolated to the actor).
    nonisolated(nonsending) func commitRecord(_ record: SourceRecord, metadata: RecordMetadata?) async throws
}

extension SourceTask {
    /// Ignores the context.
    public func initialize(context: any SourceTaskContext) async {}

    /// Does nothing.
    public func commit() async throws {}

    /// Does nothing.
    nonisolated(nonsending) public func commitRecord(_ record: SourceRecord, metadata: RecordMetadata?) async throws {}
}
