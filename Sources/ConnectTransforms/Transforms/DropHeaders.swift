import ConnectAPI

/// Removes every header whose key is one of `headers` (Kafka's
/// `org.apache.kafka.connect.transforms.DropHeaders`).
public struct DropHeaders: Transformation {
    /// `headers`
    static let headersName = "headers"

    /// The configuration keys: `headers` (LIST, required, non-empty).
    public static let configDef = ConfigDef([
        ConfigKey(
            headersName,
            type: .list,
            validator: .nonEmptyList,
            importance: .high,
            documentation: "The name of the headers to be removed."
        )
    ])

    /// The header keys removed.
    public let headers: Set<String>

    /// Configures the transform.
    /// - Throws: ``ConfigError`` if `headers` is missing or empty.
    public init(configs: [String: String]) throws(ConfigError) {
        let config = try CommonConfig.parse(Self.configDef, configs)
        headers = Set(try config.list(Self.headersName))
    }

    /// The record without the configured headers.
    @_specialize(where R == SinkRecord)
    @_specialize(where R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) -> R? {
        guard record.headers.contains(where: { headers.contains($0.key) }) else { return record }
        var copy = record
        copy.headers.apply { headers.contains($0.key) ? nil : $0 }
        return copy
    }
}
