/// The context of a source task (Kafka's `SourceTaskContext`). The runtime implements it.
public protocol SourceTaskContext: Sendable {
    /// The task's current configuration.
    var configs: [String: String] { get }

    /// Reads the offsets committed for this connector.
    var offsetStorageReader: any OffsetStorageReader { get }

    /// Transaction control; non-nil only with exactly-once delivery and
    /// `transaction.boundary=connector`.
    var transactionContext: (any TransactionContext)? { get }
}
