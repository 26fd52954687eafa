/// What a sink task can ask of the runtime (Kafka's `SinkTaskContext`). The runtime implements it;
/// the methods may be called from any thread or task.
public protocol SinkTaskContext: Sendable {
    /// The task's current configuration.
    var configs: [String: String] { get }

    /// The partitions currently assigned to the task.
    var assignment: Set<TopicPartition> { get }

    /// Requests that consumption of the given partitions restart at the given offsets (applied before
    /// the next poll; also resets the baseline of committed offsets).
    func offset(_ offsets: [TopicPartition: Int64])

    /// Requests that consumption of one partition restart at an offset.
    func offset(_ partition: TopicPartition, _ offset: Int64)

    /// Sets how long to wait before delivering a batch again after ``SinkTask/put(_:)`` threw a
    /// ``RetriableError`` (used once).
    func timeout(_ milliseconds: Int64)

    /// Stops consuming the given partitions until ``resume(_:)``; survives the runtime's own
    /// pause/resume.
    /// - Throws: ``ConnectError`` with code ``ConnectError/Code/illegalWorkerState`` if a partition is
    ///   not assigned to the task.
    func pause(_ partitions: [TopicPartition]) throws

    /// Resumes consuming the given partitions.
    /// - Throws: ``ConnectError`` with code ``ConnectError/Code/illegalWorkerState`` if a partition is
    ///   not assigned to the task.
    func resume(_ partitions: [TopicPartition]) throws

    /// Asks for an offset commit at the next opportunity.
    func requestCommit()

    /// Reports bad records to the dead letter queue or error log (KIP-610); `nil` unless the connector
    /// configures `errors.deadletterqueue.topic.name` or `errors.log.enable=true`.
    var errantRecordReporter: (any ErrantRecordReporter)? { get }
}
