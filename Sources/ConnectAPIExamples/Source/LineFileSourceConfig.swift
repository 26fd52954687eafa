import ConnectAPI

/// The configuration of ``LineFileSourceConnector`` and ``LineFileSourceTask``, parsed and validated.
///
/// Connector and task parse the same keys, so both go through this one type: the connector in
/// `start(configs:)` (to fail fast with a clear message), the task in its own `start(configs:)`.
public struct LineFileSourceConfig: Sendable, Hashable {
    // snippet.source-config-def
    /// The keys the connector understands. The runtime adds its own (`name`, `connector.class`,
    /// `tasks.max`, `transforms`, …) when it validates a configuration, and ignores keys nobody defines.
    public static let definition = ConfigDef([
        ConfigKey(
            "file",
            type: .string,
            validator: .nonEmptyString,
            importance: .high,
            documentation: "The file to read, one record per line."
        ),
        ConfigKey(
            "topic",
            type: .string,
            validator: .topicName,
            importance: .high,
            documentation: "The topic to write the lines to."
        ),
        ConfigKey(
            "batch.size",
            type: .int,
            default: 2000,
            validator: .atLeast(1),
            importance: .low,
            documentation: "The maximum number of records one poll returns."
        ),
        ConfigKey(
            "poll.interval.ms",
            type: .long,
            default: 1000,
            validator: .atLeast(0),
            importance: .low,
            documentation: "How long a poll waits when the file has no new complete line."
        ),
    ])
    // snippet.end

    /// The file to read (`file`).
    public var file: String
    /// The topic to write to (`topic`).
    public var topic: String
    /// The maximum number of records per poll (`batch.size`). Default: `2000`.
    public var batchSize: Int
    /// How long a poll waits for new data (`poll.interval.ms`). Default: `1000` ms.
    public var pollInterval: Duration

    // snippet.source-config-parse
    /// Parses and validates a configuration.
    /// - Throws: ``ConfigError`` naming the first key that is missing, does not parse or is invalid,
    ///   e.g. `Invalid value 0 for configuration batch.size: Value must be at least 1`.
    public init(_ props: [String: String]) throws(ConfigError) {
        let config = try ParsedConfig(definition: Self.definition, originals: props)
        // `file` and `topic` are required, so a successful parse guarantees they are set.
        file = try config.string("file") ?? ""
        topic = try config.string("topic") ?? ""
        batchSize = Int(try config.int("batch.size"))
        pollInterval = .milliseconds(try config.long("poll.interval.ms"))
    }
    // snippet.end
}
