/// Where a source task's transactions end under exactly-once source support (Kafka's
/// `SourceTask.TransactionBoundary`, the connector key `transaction.boundary`).
public enum TransactionBoundary: String, Sendable, Hashable, CaseIterable {
    /// A transaction per non-empty batch returned by `poll()` (the default).
    case poll
    /// A transaction per `transaction.boundary.interval.ms` (default: the worker's
    /// `offset.flush.interval.ms`).
    case interval
    /// Transactions end where the task asks through its ``TransactionContext``.
    case connector

    /// The boundary a `transaction.boundary` value names (case-insensitive), or `nil`.
    public init?(property: String) {
        self.init(rawValue: property.lowercased())
    }
}
