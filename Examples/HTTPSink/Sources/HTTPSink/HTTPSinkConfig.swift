import ConnectAPI

/// The configuration of ``HTTPSinkConnector`` and its tasks.
public struct HTTPSinkConfig: Sendable {
    /// What each POST body holds.
    public enum BodyFormat: String, Sendable, Hashable {
        /// A JSON array of the record values.
        case values
        /// A JSON array of objects `{"topic", "partition", "offset", "key", "value"}`.
        case records
    }

    public static let urlConfig = "http.url"
    public static let headersConfig = "http.headers"
    public static let batchSizeConfig = "batch.size"
    public static let timeoutConfig = "http.timeout.ms"
    public static let retryBackoffConfig = "retry.backoff.ms"
    public static let bodyFormatConfig = "http.body.format"

    /// The keys the connector understands (the worker adds `topics`, `tasks.max`, …).
    public static let definition = ConfigDef([
        ConfigKey(
            urlConfig,
            type: .string,
            validator: .httpURL,
            importance: .high,
            documentation: "The URL records are POSTed to, as JSON."
        ),
        ConfigKey(
            headersConfig,
            type: .password,
            default: "",
            importance: .medium,
            documentation: "Extra request headers, `Name: value` pairs separated by `|` (e.g. "
                + "`Authorization: Bearer …|X-Env: test`). A password: the REST API shows it as [hidden]."
        ),
        ConfigKey(
            batchSizeConfig,
            type: .int,
            default: 100,
            validator: .atLeast(1),
            importance: .medium,
            documentation: "The maximum number of records per request."
        ),
        ConfigKey(
            timeoutConfig,
            type: .long,
            default: 30000,
            validator: .atLeast(1),
            importance: .low,
            documentation: "How long a request may take, in milliseconds."
        ),
        ConfigKey(
            retryBackoffConfig,
            type: .long,
            default: 1000,
            validator: .atLeast(0),
            importance: .low,
            documentation: "How long the worker waits before delivering a batch again after a retriable failure "
                + "(5xx, 408, 429, connection errors), in milliseconds."
        ),
        ConfigKey(
            bodyFormatConfig,
            type: .string,
            default: "values",
            validator: .validString(in: ["values", "records"]),
            importance: .medium,
            documentation: "values: a JSON array of the record values; records: an array of objects with topic, "
                + "partition, offset, key and value."
        ),
    ])

    public var url: String
    /// Header name and value pairs; the values may be credentials: never log them.
    public var headers: [(name: String, value: String)]
    public var batchSize: Int
    public var timeout: Duration
    public var retryBackoffMs: Int64
    public var bodyFormat: BodyFormat

    /// Parses a configuration.
    /// - Throws: ``ConfigError`` naming the key and the reason.
    public init(_ props: [String: String]) throws(ConfigError) {
        let config = try ParsedConfig(definition: Self.definition, originals: props)
        url = try config.string(Self.urlConfig) ?? ""
        batchSize = Int(try config.int(Self.batchSizeConfig))
        timeout = .milliseconds(try config.long(Self.timeoutConfig))
        retryBackoffMs = try config.long(Self.retryBackoffConfig)
        bodyFormat = BodyFormat(rawValue: try config.string(Self.bodyFormatConfig) ?? "") ?? .values
        headers = []
        for pair in (try config.password(Self.headersConfig)?.value ?? "").split(separator: "|") {
            guard let colon = pair.firstIndex(of: ":") else {
                // The value is a secret: name the problem, not the text.
                throw ConfigError(
                    name: Self.headersConfig,
                    value: Password.hidden,
                    reason: "every header must be `Name: value`"
                )
            }
            let name = pair[..<colon].trimmingCharacters(in: " \t")
            let value = pair[pair.index(after: colon)...].trimmingCharacters(in: " \t")
            guard !name.isEmpty else {
                throw ConfigError(name: Self.headersConfig, value: Password.hidden, reason: "a header has no name")
            }
            headers.append((name, value))
        }
    }
}

extension ConfigValidator {
    /// An `http://` or `https://` URL with a host (a `null` value passes: required keys report their
    /// absence themselves).
    static let httpURL = ConfigValidator(description: "an http:// or https:// URL") { name, value throws(ConfigError) in
        guard let value else { return }
        let text = value.description
        let lowered = text.lowercased()
        let rest: Substring
        if lowered.hasPrefix("http://") {
            rest = text.dropFirst("http://".count)
        } else if lowered.hasPrefix("https://") {
            rest = text.dropFirst("https://".count)
        } else {
            throw ConfigError(name: name, value: text, reason: "The URL must start with http:// or https://")
        }
        guard let host = rest.split(separator: "/", omittingEmptySubsequences: false).first, !host.isEmpty else {
            throw ConfigError(name: name, value: text, reason: "The URL has no host")
        }
    }
}

extension StringProtocol {
    func trimmingCharacters(in characters: String) -> String {
        var view = Substring(self)
        while let first = view.first, characters.contains(first) { view.removeFirst() }
        while let last = view.last, characters.contains(last) { view.removeLast() }
        return String(view)
    }
}
