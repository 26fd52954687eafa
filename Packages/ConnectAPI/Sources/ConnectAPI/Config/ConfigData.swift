/// What a ``ConfigProvider`` returns for a path (Kafka's `ConfigData`): values by key and an optional
/// time-to-live after which they should be fetched again.
public struct ConfigData: Sendable, Hashable {
    /// The values by key.
    public var data: [String: String]
    /// Milliseconds until the values expire, if they do.
    public var ttl: Int64?

    /// Creates a result.
    public init(data: [String: String], ttl: Int64? = nil) {
        self.data = data
        self.ttl = ttl
    }
}
