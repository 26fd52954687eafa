/// What a connector can ask of the runtime (Kafka's `ConnectorContext`). The runtime implements it.
public protocol ConnectorContext: Sendable {
    /// Asks the runtime to call ``Connector/taskConfigs(maxTasks:)`` again, for example because the
    /// set of tables or files to copy changed.
    func requestTaskReconfiguration()

    /// Reports an unrecoverable error from a background thread of the connector; the connector goes to
    /// `FAILED`.
    func raiseError(_ error: any Error)
}
