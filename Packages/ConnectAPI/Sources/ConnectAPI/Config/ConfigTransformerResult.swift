/// The result of ``ConfigTransformer/transform(_:)`` (Kafka's `ConfigTransformerResult`).
public struct ConfigTransformerResult: Sendable, Hashable {
    /// The configs with placeholders resolved.
    public var data: [String: String]
    /// Time-to-live in milliseconds reported by providers, by path.
    public var ttls: [String: Int64]

    /// Creates a result.
    public init(data: [String: String], ttls: [String: Int64]) {
        self.data = data
        self.ttls = ttls
    }
}
