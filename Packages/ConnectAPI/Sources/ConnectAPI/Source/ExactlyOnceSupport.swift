/// Whether a source connector supports exactly-once delivery (Kafka's `ExactlyOnceSupport`).
public enum ExactlyOnceSupport: String, Sendable, Hashable, CaseIterable {
    /// `SUPPORTED`
    case supported = "SUPPORTED"
    /// `UNSUPPORTED`
    case unsupported = "UNSUPPORTED"
}
