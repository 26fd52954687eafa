/// A connector that exports data from Kafka topics to an external system (Kafka's `SinkConnector`).
///
/// The runtime copies the connector's `topics` and `topics.regex` values into every task
/// configuration.
public protocol SinkConnector: Connector where TaskType: SinkTask {
    /// Gives the connector its context before ``Connector/start(configs:)``. The default ignores it.
    func initialize(context: any SinkConnectorContext) async

    /// Called before the consumer group offsets of the connector are altered or reset through the
    /// REST API (KIP-875); a `nil` offset resets that partition.
    /// - Returns: Whether the connector handled the change itself (default false).
    /// - Throws: To reject the change.
    func alterOffsets(configs: [String: String], offsets: [TopicPartition: Int64?]) async throws -> Bool
}

extension SinkConnector {
    /// Ignores the context.
    public func initialize(context: any SinkConnectorContext) async {}

    /// Returns false.
    public func alterOffsets(configs: [String: String], offsets: [TopicPartition: Int64?]) async throws -> Bool {
        false
    }
}

/// The context of a sink connector (Kafka's `SinkConnectorContext`).
public protocol SinkConnectorContext: ConnectorContext {}
