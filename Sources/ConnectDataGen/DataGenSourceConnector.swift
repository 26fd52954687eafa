import ConnectAPI

/// Generates records with a configurable schema at a configurable rate, for demos and benchmarks
/// (in the spirit of Confluent's kafka-connect-datagen; Kafka ships no such connector).
///
/// Work is split between `tasks.max` tasks: each generates every `tasks.max`-th record number, at
/// its share of `records.per.second`, and keeps its own offset (source partition
/// `{"datagen.task": i}`, offset `{"sequence": next record number}`), so a restart continues the
/// numbering instead of repeating it.
public actor DataGenSourceConnector: SourceConnector {
    public typealias TaskType = DataGenSourceTask

    /// Our class name; the aliases `DataGenSourceConnector` and `DataGenSource` follow.
    public static let className = "io.swiftconnect.datagen.DataGenSourceConnector"
    public static let version = "1.0.0"
    public static var configDef: ConfigDef { DataGenConfig.definition }

    private var configs: [String: String] = [:]

    public init() {}

    /// Parses the configuration, so that a bad one fails the connector at once.
    public func start(configs: [String: String]) async throws {
        _ = try DataGenConfig(configs)
        self.configs = configs
    }

    /// `maxTasks` tasks, each told its index and the task count.
    public func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        let count = max(1, maxTasks)
        return (0..<count).map { index in
            var config = configs
            config[DataGenConfig.taskIndexConfig] = String(index)
            config[DataGenConfig.taskCountConfig] = String(count)
            return config
        }
    }

    public func stop() async {}
}
