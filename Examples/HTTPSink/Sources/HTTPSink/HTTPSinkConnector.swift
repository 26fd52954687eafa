import ConnectAPI

/// Posts the records of its topics to an HTTP endpoint as JSON arrays, in batches of `batch.size`.
///
/// ```json
/// {"connector.class": "HTTPSink", "topics": "orders", "http.url": "https://example.com/ingest",
///  "http.headers": "Authorization: Bearer ${file:/secrets.properties:token}", "batch.size": "50"}
/// ```
///
/// Server errors (5xx), 408, 429 and connection failures are retried: the task throws
/// `RetriableError` and the worker delivers the same batch again after `retry.backoff.ms`. Records
/// already accepted by the endpoint are not posted twice. Other 4xx answers go to the errant record
/// reporter (dead letter queue) when the connector configures one, and otherwise fail the task.
public actor HTTPSinkConnector: SinkConnector {
    public typealias TaskType = HTTPSinkTask

    /// The class name the plugin registers (aliases `HTTPSinkConnector`, `HTTPSink`).
    public static let className = "com.example.http.HTTPSinkConnector"
    public static let version = "0.1.0"
    public static var configDef: ConfigDef { HTTPSinkConfig.definition }

    private var configs: [String: String] = [:]

    public init() {}

    public func start(configs: [String: String]) async throws {
        _ = try HTTPSinkConfig(configs)
        self.configs = configs
    }

    /// Every task posts to the same endpoint; the worker shares the topics' partitions among them.
    public func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        Array(repeating: configs, count: max(maxTasks, 1))
    }

    public func stop() async {}
}
