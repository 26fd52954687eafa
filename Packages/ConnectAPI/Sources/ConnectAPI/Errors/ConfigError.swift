/// An invalid configuration (Kafka's `ConfigException`): a value that does not parse or fails its
/// validator, a missing required key, a key defined twice, a config provider that cannot be read.
///
/// When the error concerns one key, ``name`` is that key and ``reason`` says what is wrong; the
/// ``message`` then reads `Invalid value <value> for configuration <name>: <reason>` exactly as Kafka's.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration key concerned, when there is one.
    public var name: String?
    /// The offending value as Kafka renders it in the message (`null` for a missing value,
    /// `[hidden]` for a password), when the error concerns one key.
    public var value: String?
    /// What is wrong with the value, when known.
    public var reason: String?
    /// The full message, as Kafka's `ConfigException.getMessage()`.
    public var message: String

    /// Creates an error with a free-form message that concerns no single key's value.
    /// - Parameters:
    ///   - message: The full message.
    ///   - name: The key concerned, if any.
    public init(_ message: String, name: String? = nil) {
        self.message = message
        self.name = name
        self.value = nil
        self.reason = nil
    }

    /// Creates the error for an invalid value of one key:
    /// `Invalid value <value> for configuration <name>[: <reason>]`.
    /// - Parameters:
    ///   - name: The configuration key.
    ///   - value: The value as it should appear in the message; `nil` renders as `null`.
    ///   - reason: What is wrong with the value.
    public init(name: String, value: String?, reason: String?) {
        self.name = name
        self.value = value
        self.reason = reason
        var message = "Invalid value \(value ?? "null") for configuration \(name)"
        if let reason { message += ": \(reason)" }
        self.message = message
    }

    /// Creates the error for an invalid parsed value of one key; the value is rendered as Kafka's
    /// `Object.toString()` would (lists as `[a, b]`, passwords as `[hidden]`).
    /// - Parameters:
    ///   - name: The configuration key.
    ///   - value: The parsed value; `nil` renders as `null`.
    ///   - reason: What is wrong with the value.
    public init(name: String, parsedValue value: ParsedConfigValue?, reason: String?) {
        self.init(name: name, value: value?.javaDescription, reason: reason)
    }

    /// The error for a required key (no default) that is missing:
    /// `Missing required configuration "<name>" which has no default value.`
    public static func missingRequired(_ name: String) -> ConfigError {
        var error = ConfigError("Missing required configuration \"\(name)\" which has no default value.", name: name)
        error.reason = "missing"
        return error
    }

    /// The message.
    public var description: String { message }
}
