import ConnectAPI

/// The worker key `exactly.once.source.support` (KIP-618, Kafka's `DistributedConfig`).
public enum ExactlyOnceSourceSupport: String, Sendable, Hashable, CaseIterable {
    /// Source tasks run without transactions (the default).
    case disabled
    /// A step of a rolling upgrade: tasks still run without transactions, but the worker is ready
    /// for a cluster where others have it enabled.
    case preparing
    /// Source tasks write their records and offsets in transactions, and the leader fences the
    /// previous generation of a connector's tasks before the new one starts.
    case enabled
}

/// What a worker with `exactly.once.source.support=enabled` gives its source tasks: the ids of their
/// transactional producers and the offsets topic their offsets are written to.
public struct ExactlyOnceSourceWorkerSettings: Sendable, Hashable {
    /// The worker's `group.id`, the prefix of every task's `transactional.id`.
    public var groupID: String
    /// The worker's `offset.storage.topic`.
    public var offsetsTopic: String

    /// Settings for a cluster's tasks.
    public init(groupID: String, offsetsTopic: String) {
        self.groupID = groupID
        self.offsetsTopic = offsetsTopic
    }

    /// The settings of a distributed worker, `nil` unless `exactly.once.source.support=enabled`.
    public init?(_ config: DistributedConfig) {
        guard config.exactlyOnceSourceSupport == .enabled else { return nil }
        self.init(groupID: config.groupID, offsetsTopic: config.offsetTopic.name)
    }

    /// A source task's `transactional.id`: `<group.id>-<connector>-<task>` (Kafka's
    /// `Worker.taskTransactionalId`).
    public static func transactionalID(groupID: String, connector: String, task: Int) -> String {
        "\(groupID)-\(connector)-\(task)"
    }

    /// This cluster's `transactional.id` of a task.
    public func transactionalID(_ id: ConnectorTaskID) -> String {
        Self.transactionalID(groupID: groupID, connector: id.connector, task: id.task)
    }
}

/// A source connector's exactly-once keys (Kafka's `SourceConnectorConfig`).
struct SourceTransactionConfig: Sendable, Hashable {
    var boundary: TransactionBoundary
    /// `transaction.boundary.interval.ms`, else the worker's `offset.flush.interval.ms`.
    var intervalMs: Int64

    init(connectorProps: [String: String], workerFlushInterval: Duration) throws(ConfigError) {
        let raw = connectorProps["transaction.boundary"] ?? "poll"
        guard let boundary = TransactionBoundary(property: raw.trimmingWhitespace()) else {
            throw ConfigError(
                name: "transaction.boundary",
                value: raw,
                reason: "String must be one of: poll, interval, connector"
            )
        }
        self.boundary = boundary
        if let text = connectorProps["transaction.boundary.interval.ms"], !text.trimmingWhitespace().isEmpty {
            guard let value = Int64(text.trimmingWhitespace()), value >= 0 else {
                throw ConfigError(
                    name: "transaction.boundary.interval.ms",
                    value: text,
                    reason: "Value must be a non-negative number of milliseconds"
                )
            }
            intervalMs = value
        } else {
            let (seconds, attoseconds) = workerFlushInterval.components
            intervalMs = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        }
    }

    init(boundary: TransactionBoundary, intervalMs: Int64) {
        self.boundary = boundary
        self.intervalMs = intervalMs
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
