import ConnectAPI

/// Writes record values to a file (or standard output), one line each: Kafka's
/// `org.apache.kafka.connect.file.FileStreamSinkConnector`.
public actor FileStreamSinkConnector: SinkConnector {
    public typealias TaskType = FileStreamSinkTask

    /// Kafka's class name; the aliases `FileStreamSinkConnector` and `FileStreamSink` follow.
    public static let className = "org.apache.kafka.connect.file.FileStreamSinkConnector"
    public static let version = FileStreamConfig.version
    public static var configDef: ConfigDef { FileStreamSinkConfig.definition }

    private var configs: [String: String] = [:]

    public init() {}

    public func start(configs: [String: String]) async throws {
        _ = try FileStreamSinkConfig(configs)
        self.configs = configs
    }

    /// `maxTasks` identical configurations, as Kafka: every task appends to the same file.
    public func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        Array(repeating: configs, count: max(maxTasks, 0))
    }

    public func stop() async {}

    /// Offsets are the runtime's consumer offsets only, so any change is fine.
    public func alterOffsets(configs: [String: String], offsets: [TopicPartition: Int64?]) async throws -> Bool {
        true
    }
}
