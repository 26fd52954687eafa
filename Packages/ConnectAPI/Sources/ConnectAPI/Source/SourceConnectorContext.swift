/// The context of a source connector (Kafka's `SourceConnectorContext`).
public protocol SourceConnectorContext: ConnectorContext {
    /// Reads the offsets committed for this connector.
    var offsetStorageReader: any OffsetStorageReader { get }
}
