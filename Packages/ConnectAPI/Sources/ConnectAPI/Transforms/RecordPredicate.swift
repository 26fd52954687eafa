/// A condition on records that decides whether a transform applies (Kafka's `Predicate`, spec §5.6;
/// named `RecordPredicate` because Foundation has a `Predicate`).
///
/// Bound to a transform with `transforms.<alias>.predicate=<predicate alias>` and optionally
/// `transforms.<alias>.negate=true`. The runtime creates it with ``init(configs:)``, passing the keys
/// under `predicates.<alias>.` with the prefix removed (minus `type`).
public protocol RecordPredicate: Sendable {
    /// Creates and configures the predicate.
    /// - Throws: ``ConfigError`` for an invalid configuration.
    init(configs: [String: String]) throws

    /// The predicate's configuration keys (Kafka's `config()`).
    static var configDef: ConfigDef { get }

    /// Whether the record satisfies the condition.
    func test<R: ConnectRecord>(_ record: R) throws -> Bool

    /// Releases resources when the task stops. The default does nothing.
    func close()
}

extension RecordPredicate {
    /// Does nothing.
    public func close() {}
}
