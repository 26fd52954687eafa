/// A connector that imports data from an external system into Kafka (Kafka's `SourceConnector`).
public protocol SourceConnector: Connector where TaskType: SourceTask {
    /// Gives the connector its context before ``Connector/start(configs:)``; keep it to request task
    /// reconfiguration, raise errors or read committed offsets. The default ignores it.
    func initialize(context: any SourceConnectorContext) async

    /// Whether the connector supports exactly-once delivery with the given configuration (KIP-618);
    /// `nil` (the default) is treated as unsupported, and with `exactly.once.support=required`
    /// validation fails.
    func exactlyOnceSupport(configs: [String: String]) async -> ExactlyOnceSupport?

    /// Whether the connector can define transaction boundaries (`transaction.boundary=connector`);
    /// defaults to ``ConnectorTransactionBoundaries/unsupported``.
    func canDefineTransactionBoundaries(configs: [String: String]) async -> ConnectorTransactionBoundaries

    /// Called before offsets are altered or reset through the REST API (KIP-875). Keys are source
    /// partitions; a `nil` offset resets that partition.
    /// - Returns: Whether the connector handled the change itself (default false).
    /// - Throws: To reject the change.
    func alterOffsets(
        configs: [String: String],
        offsets: [[String: ConnectValue]: [String: ConnectValue]?]
    ) async throws -> Bool
}

extension SourceConnector {
    /// Ignores the context.
    public func initialize(context: any SourceConnectorContext) async {}

    /// `nil`: exactly-once support unknown, treated as unsupported.
    public func exactlyOnceSupport(configs: [String: String]) async -> ExactlyOnceSupport? { nil }

    /// ``ConnectorTransactionBoundaries/unsupported``.
    public func canDefineTransactionBoundaries(configs: [String: String]) async -> ConnectorTransactionBoundaries {
        .unsupported
    }

    /// Returns false.
    public func alterOffsets(
        configs: [String: String],
        offsets: [[String: ConnectValue]: [String: ConnectValue]?]
    ) async throws -> Bool { false }
}
