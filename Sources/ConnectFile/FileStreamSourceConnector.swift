import ConnectAPI

/// Reads lines from a file (or standard input) into a topic: Kafka's
/// `org.apache.kafka.connect.file.FileStreamSourceConnector`, with its configuration keys, its single
/// task and its offsets (source partition `{"filename": <file>}`, offset `{"position": <byte offset>}`).
public actor FileStreamSourceConnector: SourceConnector {
    public typealias TaskType = FileStreamSourceTask

    /// Kafka's class name; the aliases `FileStreamSourceConnector` and `FileStreamSource` follow.
    public static let className = "org.apache.kafka.connect.file.FileStreamSourceConnector"
    public static let version = FileStreamConfig.version
    public static var configDef: ConfigDef { FileStreamSourceConfig.definition }

    private var configs: [String: String] = [:]

    public init() {}

    /// Parses the configuration (fails fast on a bad `topic` or `batch.size`) and keeps it for the task.
    public func start(configs: [String: String]) async throws {
        _ = try FileStreamSourceConfig(configs)
        self.configs = configs
    }

    /// Always exactly one task: a file cannot be split between readers.
    public func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        [configs]
    }

    public func stop() async {}

    /// Supported when reading a file (its offsets identify each line), unsupported for standard input.
    public func exactlyOnceSupport(configs: [String: String]) async -> ExactlyOnceSupport? {
        let file = (try? FileStreamSourceConfig(configs))?.file
        return file == nil ? .unsupported : .supported
    }

    /// Kafka's rules: offsets cannot be changed when reading standard input; a reset (`nil` offset) is
    /// always allowed; any other offset needs a `position` that is a non-negative integer, and its
    /// partition a `filename`.
    /// - Returns: `true`: the task checks the position against the file when it starts.
    public func alterOffsets(
        configs: [String: String],
        offsets: [[String: ConnectValue]: [String: ConnectValue]?]
    ) async throws -> Bool {
        let config = try FileStreamSourceConfig(configs)
        guard config.file != nil else {
            throw ConnectError(
                "Offsets cannot be modified if the '\(FileStreamSourceConfig.fileConfig)' configuration is "
                    + "unspecified. This is because stdin is used for input and offsets are not tracked."
            )
        }
        let positionKey = FileStreamSourceTask.positionField
        for (partition, offset) in offsets {
            // Tombstones are allowed for anything, so garbage offsets can always be cleaned up.
            guard let offset else { continue }
            guard let position = offset[positionKey] else {
                throw ConnectError("Offset objects should either be null or contain the key '\(positionKey)'")
            }
            guard case .int64(let value) = position else {
                throw ConnectError(
                    "The value for the '\(positionKey)' key in the offset is expected to be a Long value"
                )
            }
            guard value >= 0 else {
                throw ConnectError(
                    "The value for the '\(positionKey)' key in the offset should be a non-negative value"
                )
            }
            guard partition[FileStreamSourceTask.filenameField] != nil else {
                throw ConnectError("Partition objects should contain the key '\(FileStreamSourceTask.filenameField)'")
            }
        }
        return true
    }
}
