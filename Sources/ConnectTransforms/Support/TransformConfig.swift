import ConnectAPI

/// Configuration pieces shared by the transforms.
enum CommonConfig {
    /// `replace.null.with.default`
    static let replaceNullWithDefaultName = "replace.null.with.default"

    /// `replace.null.with.default` (BOOLEAN, default true, MEDIUM).
    static let replaceNullWithDefault = ConfigKey(
        replaceNullWithDefaultName,
        type: .boolean,
        default: true,
        importance: .medium,
        documentation: "Whether to replace fields that have a default value and that are null to the default value. "
            + "When set to true, the default value is used, otherwise null is used."
    )

    /// Parses `configs` against `definition` (Kafka's `SimpleConfig`).
    static func parse(_ definition: ConfigDef, _ configs: [String: String]) throws(ConfigError) -> ParsedConfig {
        try ParsedConfig(definition: definition, originals: configs)
    }

    /// The doc sentence every `$Key`/`$Value` transform ends its overview with.
    static func variantsDoc(_ simpleName: String) -> String {
        "Use the concrete transformation type designed for the record key "
            + "(<code>org.apache.kafka.connect.transforms.\(simpleName)$Key</code>) or value "
            + "(<code>org.apache.kafka.connect.transforms.\(simpleName)$Value</code>)."
    }
}

extension ConfigValidator {
    /// A non-empty list (Kafka's `NonEmptyListValidator`): `Invalid value [] for configuration <name>: Empty list`.
    static let nonEmptyList = ConfigValidator(description: "non-empty list") { name, value throws(ConfigError) in
        guard case .list(let items) = value, !items.isEmpty else {
            throw ConfigError(name: name, parsedValue: value, reason: "Empty list")
        }
    }

    /// A string that compiles as a regular expression (Kafka's `RegexValidator`):
    /// `Invalid value [ for configuration regex: Invalid regex: <why>`.
    static let validRegex = ConfigValidator(description: "valid regex") { name, value throws(ConfigError) in
        guard let value else {
            throw ConfigError(name: name, value: nil, reason: "Invalid regex: the pattern is null")
        }
        do throws(JavaPattern.SyntaxError) {
            _ = try JavaPattern(value.description)
        } catch {
            throw ConfigError(name: name, value: value.description, reason: "Invalid regex: \(error.reason)")
        }
    }
}

extension ParsedConfig {
    /// A STRING value that the definition guarantees is set (required or with a non-null default).
    func requiredString(_ name: String) throws(ConfigError) -> String {
        guard let value = try string(name) else { throw ConfigError.missingRequired(name) }
        return value
    }
}
