import ConnectAPI

/// True for records whose topic matches `pattern` entirely (Kafka's
/// `org.apache.kafka.connect.transforms.predicates.TopicNameMatches`).
public struct TopicNameMatches: RecordPredicate {
    static let patternName = "pattern"

    /// The configuration keys: `pattern` (STRING, required, non-empty, valid regex).
    public static let configDef = ConfigDef([
        ConfigKey(
            patternName,
            type: .string,
            validator: .composite([.nonEmptyString, .validRegex]),
            importance: .medium,
            documentation: "A Java regular expression for matching against the name of a record's topic."
        )
    ])

    /// The regular expression.
    public var pattern: String { compiled.pattern }
    private let compiled: JavaPattern
    private let results = TopicMemo<Bool>()

    /// Configures the predicate.
    /// - Throws: ``ConfigError`` if `pattern` is missing, empty or not a valid regex.
    public init(configs: [String: String]) throws(ConfigError) {
        let config = try CommonConfig.parse(Self.configDef, configs)
        let pattern = try config.requiredString(Self.patternName)
        do throws(JavaPattern.SyntaxError) {
            compiled = try JavaPattern(pattern)
        } catch {
            throw ConfigError(
                name: Self.patternName,
                value: pattern,
                reason: "entry must be a Java-compatible regular expression: \(error.reason)"
            )
        }
    }

    /// Whether the whole topic matches.
    public func test<R: ConnectRecord>(_ record: R) -> Bool {
        results.value(for: record.topic) { compiled.matches($0) }
    }
}

/// True for records with at least one header with key `name` (Kafka's
/// `org.apache.kafka.connect.transforms.predicates.HasHeaderKey`).
public struct HasHeaderKey: RecordPredicate {
    static let nameName = "name"

    /// The configuration keys: `name` (STRING, required, non-empty).
    public static let configDef = ConfigDef([
        ConfigKey(
            nameName,
            type: .string,
            validator: .nonEmptyString,
            importance: .medium,
            documentation: "The header name."
        )
    ])

    /// The header key looked for.
    public let name: String

    /// Configures the predicate.
    /// - Throws: ``ConfigError`` if `name` is missing or empty.
    public init(configs: [String: String]) throws(ConfigError) {
        let config = try CommonConfig.parse(Self.configDef, configs)
        name = try config.requiredString(Self.nameName)
    }

    /// Whether a header with the key exists.
    public func test<R: ConnectRecord>(_ record: R) -> Bool {
        record.headers.contains { $0.key == name }
    }
}

/// True for tombstones: records whose value is null (Kafka's
/// `org.apache.kafka.connect.transforms.predicates.RecordIsTombstone`).
public struct RecordIsTombstone: RecordPredicate {
    /// No configuration keys.
    public static let configDef = ConfigDef()

    /// Creates the predicate; every configuration is accepted and ignored.
    public init(configs: [String: String] = [:]) {}

    /// Whether the value is null.
    public func test<R: ConnectRecord>(_ record: R) -> Bool {
        record.value.isNull
    }
}
