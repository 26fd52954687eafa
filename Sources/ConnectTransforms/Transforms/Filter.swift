import ConnectAPI

/// Drops every record (Kafka's `org.apache.kafka.connect.transforms.Filter`); meant to be used with
/// a predicate, e.g. `predicate=isTombstone`, to drop only the records that match (or, with
/// `negate=true`, those that do not).
public struct Filter: Transformation {
    /// No configuration keys.
    public static let configDef = ConfigDef()

    /// Creates the transform; every configuration is accepted and ignored.
    public init(configs: [String: String] = [:]) {}

    /// `nil`: the record is dropped.
    @_specialize(where R == SinkRecord)
    @_specialize(where R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) -> R? { nil }
}
