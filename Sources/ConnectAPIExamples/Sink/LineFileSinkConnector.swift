import ConnectAPI

// snippet.sink-connector
/// Appends the values of the records of some topics to a file, one line per record: the sink half of
/// Kafka's classic FileStream example, written against `ConnectAPI` only. Configuration:
/// ``LineFileSinkConfig``, plus the runtime's `topics` or `topics.regex`.
public actor LineFileSinkConnector: SinkConnector {
    public typealias TaskType = LineFileSinkTask

    public static let version = "1.0.0"
    public static var configDef: ConfigDef { LineFileSinkConfig.definition }

    private var configs: [String: String] = [:]

    public init() {}

    public func start(configs: [String: String]) async throws {
        _ = try LineFileSinkConfig(configs)
        self.configs = configs
    }

    /// `maxTasks` identical configurations: the runtime's consumer group spreads the topics' partitions
    /// over the tasks, and every task appends to the same file.
    public func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        Array(repeating: configs, count: maxTasks)
    }

    public func stop() async {}

    /// Offsets live only in the runtime's consumer group, so altering or resetting them needs nothing
    /// from the connector.
    /// - Returns: `true`: the connector keeps no offsets of its own.
    public func alterOffsets(configs: [String: String], offsets: [TopicPartition: Int64?]) async throws -> Bool {
        true
    }
}
// snippet.end
