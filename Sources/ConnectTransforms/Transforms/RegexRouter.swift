import ConnectAPI

/// Renames the topic with a regular expression (Kafka's
/// `org.apache.kafka.connect.transforms.RegexRouter`).
///
/// If `regex` matches the **whole** topic, the topic becomes `replaceFirst(regex, replacement)` with
/// Java's replacement syntax (`$1`, `${name}`, `\$` for a literal dollar sign); otherwise the record
/// is unchanged. The partition is kept.
///
/// Deviation from Kafka: a replacement that refers to a group the regex does not have (`$2` with one
/// group) or ends in a lone `\` or `$` is rejected when the transform is configured; Kafka accepts it
/// and fails every matching record.
public struct RegexRouter: Transformation {
    static let regexName = "regex"
    static let replacementName = "replacement"

    /// The configuration keys: `regex` (valid regex), `replacement` (both STRING, required).
    public static let configDef = ConfigDef([
        ConfigKey(
            regexName,
            type: .string,
            validator: .validRegex,
            importance: .high,
            documentation: "Regular expression to use for matching."
        ),
        ConfigKey(replacementName, type: .string, importance: .high, documentation: "Replacement string."),
    ])

    /// The regular expression.
    public var regex: String { pattern.pattern }
    private let pattern: JavaPattern
    private let replacement: JavaReplacement
    private let routes = TopicMemo<String>()

    /// Configures the transform.
    /// - Throws: ``ConfigError`` if a key is missing, the regex does not compile
    ///   (`Invalid value [ for configuration regex: Invalid regex: …`), or the replacement refers to a
    ///   group the regex does not have.
    public init(configs: [String: String]) throws(ConfigError) {
        let config = try CommonConfig.parse(Self.configDef, configs)
        let regex = try config.requiredString(Self.regexName)
        do throws(JavaPattern.SyntaxError) {
            pattern = try JavaPattern(regex)
        } catch {
            throw ConfigError(name: Self.regexName, value: regex, reason: "Invalid regex: \(error.reason)")
        }
        let replacement = try config.requiredString(Self.replacementName)
        do throws(JavaReplacement.SyntaxError) {
            self.replacement = try JavaReplacement(
                replacement,
                groupCount: pattern.groupCount,
                groupNames: pattern.groupNames
            )
        } catch {
            throw ConfigError(
                name: Self.replacementName,
                value: replacement,
                reason: "Invalid replacement for regex \(regex): \(error.reason)"
            )
        }
    }

    /// The record with its topic rewritten if the regex matches the whole topic.
    @_specialize(where R == SinkRecord)
    @_specialize(where R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) -> R? {
        let topic = routes.value(for: record.topic) { topic in
            pattern.matches(topic) ? pattern.replaceFirst(in: topic, with: replacement) : topic
        }
        if topic == record.topic { return record }
        var copy = record
        copy.topic = topic
        return copy
    }
}
