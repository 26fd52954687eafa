/// A configuration parsed against a ``ConfigDef``, with typed accessors (Kafka's `AbstractConfig`).
///
/// ```swift
/// let config = try ParsedConfig(definition: Self.configDef, originals: props)
/// let batchSize = try config.int("batch.size")     // Int32
/// let topics = try config.list("topics")            // [String]
/// let secret = try config.password("db.password")  // Password?
/// ```
///
/// Accessors for value types (`bool`, `int`, `short`, `long`, `double`, `list`) throw when the key's
/// value is `null`; those for reference-like values (`string`, `password`, `className`) return an
/// optional. Every accessor throws `Unknown configuration '<name>'` for a key the definition does not
/// have, and a ``ConfigError`` when the key is of another type.
public struct ParsedConfig: Sendable {
    /// The definition the values were parsed with.
    public let definition: ConfigDef
    /// The configuration as supplied, including keys the definition does not know.
    public let originals: [String: String]
    /// The parsed values of the defined keys; keys whose value is `null` are absent.
    public let values: [String: ParsedConfigValue]

    /// Parses `originals` with `definition`.
    /// - Throws: ``ConfigError`` for the first missing, unparsable or invalid key.
    public init(definition: ConfigDef, originals: [String: String]) throws(ConfigError) {
        self.definition = definition
        self.originals = originals
        self.values = try definition.parse(originals)
    }

    /// The parsed value of a defined key; `nil` if its value is `null`.
    /// - Throws: ``ConfigError`` `Unknown configuration '<name>'` if the key is not defined.
    public func value(_ name: String) throws(ConfigError) -> ParsedConfigValue? {
        guard definition[name] != nil else { throw ConfigError("Unknown configuration '\(name)'", name: name) }
        return values[name]
    }

    /// A `BOOLEAN` value.
    public func bool(_ name: String) throws(ConfigError) -> Bool {
        guard case .boolean(let value) = try required(name, .boolean) else { throw wrongType(name, .boolean) }
        return value
    }

    /// An `INT` value.
    public func int(_ name: String) throws(ConfigError) -> Int32 {
        guard case .int(let value) = try required(name, .int) else { throw wrongType(name, .int) }
        return value
    }

    /// A `SHORT` value.
    public func short(_ name: String) throws(ConfigError) -> Int16 {
        guard case .short(let value) = try required(name, .short) else { throw wrongType(name, .short) }
        return value
    }

    /// A `LONG` value.
    public func long(_ name: String) throws(ConfigError) -> Int64 {
        guard case .long(let value) = try required(name, .long) else { throw wrongType(name, .long) }
        return value
    }

    /// A `DOUBLE` value.
    public func double(_ name: String) throws(ConfigError) -> Double {
        guard case .double(let value) = try required(name, .double) else { throw wrongType(name, .double) }
        return value
    }

    /// A `LIST` value.
    public func list(_ name: String) throws(ConfigError) -> [String] {
        guard case .list(let value) = try required(name, .list) else { throw wrongType(name, .list) }
        return value
    }

    /// A `STRING` value, or `nil` if `null`.
    public func string(_ name: String) throws(ConfigError) -> String? {
        switch try optional(name, .string) {
        case nil: return nil
        case .string(let value): return value
        default: throw wrongType(name, .string)
        }
    }

    /// A `PASSWORD` value, or `nil` if `null`.
    public func password(_ name: String) throws(ConfigError) -> Password? {
        switch try optional(name, .password) {
        case nil: return nil
        case .password(let value): return value
        default: throw wrongType(name, .password)
        }
    }

    /// A `CLASS` value (the class or plugin name), or `nil` if `null`.
    public func className(_ name: String) throws(ConfigError) -> String? {
        switch try optional(name, .class) {
        case nil: return nil
        case .class(let value): return value
        default: throw wrongType(name, .class)
        }
    }

    /// The original values of the keys starting with `prefix` (Kafka's `originalsWithPrefix`).
    /// - Parameter strip: Whether to remove the prefix from the returned keys (default true).
    public func originalsWithPrefix(_ prefix: String, strip: Bool = true) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in originals where key.hasPrefix(prefix) {
            result[strip ? String(key.dropFirst(prefix.count)) : key] = value
        }
        return result
    }

    /// The parsed values rendered back to strings (passwords as `[hidden]`), `null` values omitted.
    public var valuesAsStrings: [String: String] {
        values.mapValues(\.description)
    }

    private func optional(_ name: String, _ type: ConfigType) throws(ConfigError) -> ParsedConfigValue? {
        guard let key = definition[name] else { throw ConfigError("Unknown configuration '\(name)'", name: name) }
        guard key.type == type else { throw wrongType(name, type) }
        return values[name]
    }

    private func required(_ name: String, _ type: ConfigType) throws(ConfigError) -> ParsedConfigValue {
        guard let value = try optional(name, type) else {
            throw ConfigError("Configuration '\(name)' has a null value; expected \(type)", name: name)
        }
        return value
    }

    private func wrongType(_ name: String, _ type: ConfigType) -> ConfigError {
        let actual = definition[name].map { $0.type.name } ?? "undefined"
        return ConfigError("Configuration '\(name)' is of type \(actual), not \(type)", name: name)
    }
}
