/// A single message transform (Kafka's `Transformation`, spec §5.6, §6): changes, replaces or drops
/// one record at a time.
///
/// One transform type serves both source and sink records: ``apply(_:)`` is generic over the record
/// type (test for sink-only data with `record as? SinkRecord`). The runtime creates one instance per
/// task with ``init(configs:)``, passing the keys under `transforms.<alias>.` with the prefix removed
/// (minus `type`, `predicate` and `negate`).
///
/// Transforms must not mutate what the input shares; with value types that is automatic — copy the
/// record, change the copy, return it:
///
/// ```swift
/// func apply<R: ConnectRecord>(_ record: R) throws -> R? {
///     var copy = record
///     copy.topic = prefix + record.topic
///     return copy
/// }
/// ```
public protocol Transformation: Sendable {
    /// Creates and configures the transform.
    /// - Throws: ``ConfigError`` for an invalid configuration.
    init(configs: [String: String]) throws

    /// The transform's configuration keys (Kafka's `config()`).
    static var configDef: ConfigDef { get }

    /// Transforms a record.
    /// - Returns: The new record, the same record, or `nil` to drop it.
    /// - Throws: ``DataError`` for records it cannot handle (error tolerance applies), or
    ///   ``RetriableError``.
    func apply<R: ConnectRecord>(_ record: R) throws -> R?

    /// Releases resources when the task stops. The default does nothing.
    func close()
}

extension Transformation {
    /// Does nothing.
    public func close() {}
}
