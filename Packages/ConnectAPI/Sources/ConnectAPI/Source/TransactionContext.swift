/// Lets a source task define transaction boundaries (Kafka's `TransactionContext`, KIP-618). Record-level
/// requests win over batch-level ones for the last record of a batch.
public protocol TransactionContext: Sendable {
    /// Commits the transaction after the current batch.
    func commitTransaction()
    /// Commits the transaction after the given record.
    func commitTransaction(after record: SourceRecord)
    /// Aborts the transaction after the current batch; the records are discarded but their offsets
    /// still committed.
    func abortTransaction()
    /// Aborts the transaction after the given record.
    func abortTransaction(after record: SourceRecord)
}
