/// A task: the unit of work that copies data (Kafka's `Task`). Implement ``SourceTask`` or ``SinkTask``.
///
/// (Named `ConnectorTask` so as not to shadow Swift's `Task`.) The runtime creates a task with
/// ``init()``, calls `initialize(context:)`, ``start(configs:)`` with one of the configurations the
/// connector's `taskConfigs(maxTasks:)` returned (plus `task.class`), then drives it, and finally
/// calls ``stop()``. Like connectors, tasks are `Sendable` with non-mutating methods: use an `actor` or
/// a lock for state.
public protocol ConnectorTask: Sendable {
    /// Creates an unstarted task.
    init()

    /// The task's version; usually the connector's.
    static var version: String { get }

    /// Starts the task with its resolved configuration.
    /// - Throws: Any error; the task goes to `FAILED`.
    func start(configs: [String: String]) async throws

    /// Stops the task. For source tasks this may be called while ``SourceTask/poll()`` is running and
    /// must make it return promptly; the runtime also cancels the Swift task running `poll()`, so
    /// cancellation-aware waits (`Task.sleep`, `withTaskCancellationHandler`) end by themselves.
    func stop() async
}
