import ConnectAPI

/// The configuration of ``LineFileSinkConnector`` and ``LineFileSinkTask``, parsed and validated.
///
/// The topics to read are not defined here: `topics` and `topics.regex` are the runtime's keys, which
/// it copies into every task configuration.
public struct LineFileSinkConfig: Sendable, Hashable {
    // snippet.sink-config-def
    /// The keys the connector understands.
    public static let definition = ConfigDef([
        ConfigKey(
            "file",
            type: .string,
            validator: .nonEmptyString,
            importance: .high,
            documentation: "The file to append the records' values to, one per line; created if absent."
        ),
        ConfigKey(
            "retry.backoff.ms",
            type: .long,
            default: 1000,
            validator: .atLeast(0),
            importance: .low,
            documentation: "How long to wait before a batch is delivered again after the file could not be written."
        ),
    ])
    // snippet.end

    /// The file to append to (`file`).
    public var file: String
    /// How long the runtime waits before redelivering a batch that could not be written
    /// (`retry.backoff.ms`). Default: `1000`.
    public var retryBackoffMillis: Int64

    /// Parses and validates a configuration.
    /// - Throws: ``ConfigError`` naming the first key that is missing, does not parse or is invalid.
    public init(_ props: [String: String]) throws(ConfigError) {
        let config = try ParsedConfig(definition: Self.definition, originals: props)
        file = try config.string("file") ?? ""
        retryBackoffMillis = try config.long("retry.backoff.ms")
    }
}
