/// Whether a source connector can define its own transaction boundaries (Kafka's
/// `ConnectorTransactionBoundaries`).
public enum ConnectorTransactionBoundaries: String, Sendable, Hashable, CaseIterable {
    /// `SUPPORTED`
    case supported = "SUPPORTED"
    /// `UNSUPPORTED`
    case unsupported = "UNSUPPORTED"
}
