import ConnectAPI

/// Renames the topic from the original topic and the record timestamp (Kafka's
/// `org.apache.kafka.connect.transforms.TimestampRouter`), e.g. `orders` → `orders-20240131`.
///
/// `topic.format` (default `${topic}-${timestamp}`) has `${topic}` and then `${timestamp}` replaced;
/// the timestamp is formatted in UTC with `timestamp.format` (Java `SimpleDateFormat` syntax, default
/// `yyyyMMdd`). A record without a timestamp is a ``DataError``.
///
/// Deviation from Kafka: an invalid `timestamp.format` is rejected when the transform is configured;
/// Kafka fails every record instead.
public struct TimestampRouter: Transformation {
    static let topicFormatName = "topic.format"
    static let timestampFormatName = "timestamp.format"

    /// The configuration keys: `topic.format`, `timestamp.format`.
    public static let configDef = ConfigDef([
        ConfigKey(
            topicFormatName,
            type: .string,
            default: "${topic}-${timestamp}",
            importance: .high,
            documentation: "Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as "
                + "placeholders for the topic and timestamp, respectively."
        ),
        ConfigKey(
            timestampFormatName,
            type: .string,
            default: "yyyyMMdd",
            importance: .high,
            documentation: "Format string for the timestamp that is compatible with "
                + "<code>java.text.SimpleDateFormat</code>."
        ),
    ])

    /// The topic format.
    public let topicFormat: String
    /// The timestamp pattern.
    public var timestampFormat: String { dateFormat.pattern }
    private let dateFormat: SimpleDateFormat

    /// Configures the transform.
    /// - Throws: ``ConfigError`` for an invalid `timestamp.format` pattern.
    public init(configs: [String: String]) throws(ConfigError) {
        let config = try CommonConfig.parse(Self.configDef, configs)
        topicFormat = try config.requiredString(Self.topicFormatName)
        let pattern = try config.requiredString(Self.timestampFormatName)
        do throws(SimpleDateFormat.PatternError) {
            dateFormat = try SimpleDateFormat(pattern)
        } catch {
            throw ConfigError(name: Self.timestampFormatName, value: pattern, reason: error.message)
        }
    }

    /// The record with its topic rewritten.
    /// - Throws: ``DataError`` `Timestamp missing on record: <record>` if the record has no timestamp.
    @_specialize(where R == SinkRecord)
    @_specialize(where R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) throws(DataError) -> R? {
        guard let timestamp = record.timestamp else {
            throw DataError("Timestamp missing on record: \(record)")
        }
        let formatted = dateFormat.format(epochMillis: timestamp)
        var copy = record
        copy.topic = topicFormat.replacing("${topic}", with: record.topic).replacing("${timestamp}", with: formatted)
        return copy
    }
}
