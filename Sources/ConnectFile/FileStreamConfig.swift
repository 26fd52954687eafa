import ConnectAPI

/// Shared constants of the FileStream connectors.
public enum FileStreamConfig {
    /// The connectors' version, shown by `GET /connector-plugins`.
    public static let version = "1.0.0"
}

/// The configuration of ``FileStreamSourceConnector`` and ``FileStreamSourceTask`` (Kafka's keys and
/// defaults).
public struct FileStreamSourceConfig: Sendable, Hashable {
    /// `file`
    public static let fileConfig = "file"
    /// `topic`
    public static let topicConfig = "topic"
    /// `batch.size`
    public static let batchSizeConfig = "batch.size"
    /// Kafka's default `batch.size`.
    public static let defaultBatchSize: Int32 = 2000

    /// Kafka's `FileStreamSourceConnector.CONFIG_DEF`.
    public static let definition = ConfigDef([
        ConfigKey(
            fileConfig,
            type: .string,
            default: nil,
            importance: .high,
            documentation: "Source filename. If not specified, the standard input will be used"
        ),
        ConfigKey(
            topicConfig,
            type: .string,
            validator: .nonEmptyString,
            importance: .high,
            documentation: "The topic to publish data to"
        ),
        ConfigKey(
            batchSizeConfig,
            type: .int,
            default: .value(.int(defaultBatchSize)),
            importance: .low,
            documentation: "The maximum number of records the source task can read from the file each time it is polled"
        ),
    ])

    /// The file to read; `nil` (unset or empty) reads standard input.
    public var file: String?
    /// The topic to write to.
    public var topic: String
    /// The maximum number of records per poll.
    public var batchSize: Int

    /// Parses a configuration.
    /// - Throws: ``ConfigError`` naming the key and the reason.
    public init(_ props: [String: String]) throws(ConfigError) {
        let config = try ParsedConfig(definition: Self.definition, originals: props)
        let file = try config.string(Self.fileConfig)
        self.file = (file?.isEmpty ?? true) ? nil : file
        self.topic = try config.string(Self.topicConfig) ?? ""
        self.batchSize = Int(try config.int(Self.batchSizeConfig))
    }
}

/// The configuration of ``FileStreamSinkConnector`` and ``FileStreamSinkTask`` (Kafka's keys).
public struct FileStreamSinkConfig: Sendable, Hashable {
    /// `file`
    public static let fileConfig = "file"

    /// Kafka's `FileStreamSinkConnector.CONFIG_DEF` (the runtime adds `topics`/`topics.regex`).
    public static let definition = ConfigDef([
        ConfigKey(
            fileConfig,
            type: .string,
            default: nil,
            importance: .high,
            documentation: "Destination filename. If not specified, the standard output will be used"
        )
    ])

    /// The file to append to; `nil` (unset or empty) writes standard output.
    public var file: String?

    /// Parses a configuration.
    /// - Throws: ``ConfigError`` naming the key and the reason.
    public init(_ props: [String: String]) throws(ConfigError) {
        let config = try ParsedConfig(definition: Self.definition, originals: props)
        let file = try config.string(Self.fileConfig)
        self.file = (file?.isEmpty ?? true) ? nil : file
    }
}
