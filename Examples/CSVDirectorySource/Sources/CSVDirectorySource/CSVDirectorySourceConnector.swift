import ConnectAPI

/// Reads CSV files dropped into a directory (like the spool-dir connectors of the JVM world): each
/// data row becomes one record, named by the header row; offsets per file remember how far a file
/// was read, so a restarted task resumes after the last row written to Kafka; optionally, finished
/// files are moved to `finished.path`. With several tasks each file belongs to one task, by a hash
/// of its name.
///
/// ```json
/// {"connector.class": "CSVDirectorySource", "input.path": "/data/in", "finished.path": "/data/done",
///  "topic": "rows", "tasks.max": "2"}
/// ```
public actor CSVDirectorySourceConnector: SourceConnector {
    public typealias TaskType = CSVDirectorySourceTask

    /// The class name the plugin registers (aliases `CSVDirectorySourceConnector`, `CSVDirectorySource`).
    public static let className = "com.example.csv.CSVDirectorySourceConnector"
    public static let version = "0.1.0"
    public static var configDef: ConfigDef { CSVDirectorySourceConfig.definition }

    private var configs: [String: String] = [:]

    public init() {}

    /// Fails fast on a bad configuration (missing directory, `finished.path` equal to `input.path`).
    public func start(configs: [String: String]) async throws {
        _ = try CSVDirectorySourceConfig(configs)
        self.configs = configs
    }

    /// `maxTasks` tasks: files appear over time, so every task gets a share of the (future) files.
    public func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        (0..<max(maxTasks, 1)).map { index in
            var config = configs
            config[CSVDirectorySourceConfig.taskIndexConfig] = String(index)
            config[CSVDirectorySourceConfig.taskCountConfig] = String(max(maxTasks, 1))
            return config
        }
    }

    public func stop() async {}

    /// The keys' own checks, plus one across keys: `finished.path` must not be `input.path`.
    public func validate(configs: [String: String]) async -> Config {
        var values = Self.configDef.validate(configs)
        let input = configs[CSVDirectorySourceConfig.inputPathConfig] ?? ""
        let finished = configs[CSVDirectorySourceConfig.finishedPathConfig] ?? ""
        if !input.isEmpty, !finished.isEmpty, CSVDirectorySourceConfig.samePath(input, finished),
            let index = values.firstIndex(where: { $0.name == CSVDirectorySourceConfig.finishedPathConfig })
        {
            values[index].addErrorMessage("finished.path must not be the input directory")
        }
        return Config(configValues: values)
    }
}
