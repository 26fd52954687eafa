import ConnectAPI

// snippet.source-connector
/// Streams the lines of a file into a Kafka topic: the source half of Kafka's classic FileStream
/// example, written against `ConnectAPI` only. Configuration: ``LineFileSourceConfig``.
///
/// A file cannot be split between readers, so the connector always asks for one task.
public actor LineFileSourceConnector: SourceConnector {
    public typealias TaskType = LineFileSourceTask

    public static let version = "1.0.0"
    public static var configDef: ConfigDef { LineFileSourceConfig.definition }

    private var configs: [String: String] = [:]

    public init() {}

    /// Checks the configuration and keeps it for the task. A ``ConfigError`` thrown here puts the
    /// connector in `FAILED` with the error's message.
    public func start(configs: [String: String]) async throws {
        _ = try LineFileSourceConfig(configs)
        self.configs = configs
    }

    /// One task, whatever `tasks.max` allows; it gets the connector's own configuration.
    public func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        [configs]
    }

    public func stop() async {}
    // snippet.end

    /// Exactly-once delivery works: the task's offsets identify each line exactly, so the runtime can
    /// commit them in the same transaction as the records (KIP-618).
    public func exactlyOnceSupport(configs: [String: String]) async -> ExactlyOnceSupport? {
        .supported
    }

    // snippet.source-alter-offsets
    /// Accepts offsets written through the REST API (`PATCH /connectors/<name>/offsets`) only if the
    /// task could resume from them: the partition names a `filename`, the offset a `position` ≥ 0.
    /// A `nil` offset resets the partition, so the file is read again from the start.
    /// - Returns: `true`: the connector keeps no offsets outside the runtime's store.
    public func alterOffsets(
        configs: [String: String],
        offsets: [[String: ConnectValue]: [String: ConnectValue]?]
    ) async throws -> Bool {
        for (partition, offset) in offsets {
            guard case .string? = partition[LineFileSourceTask.filenameKey] else {
                throw ConnectError("Source partition \(partition) has no '\(LineFileSourceTask.filenameKey)'")
            }
            guard let offset else { continue }
            guard case .int64(let position)? = offset[LineFileSourceTask.positionKey], position >= 0 else {
                throw ConnectError("Offset \(offset) needs a '\(LineFileSourceTask.positionKey)' of at least 0")
            }
        }
        return true
    }
    // snippet.end
}
