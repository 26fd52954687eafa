/// The schema of a configuration (Kafka's `ConfigDef`): an ordered set of ``ConfigKey``s that drives
/// parsing (``parse(_:)``, ``ParsedConfig``), validation (``validate(_:)``), the REST validate endpoint
/// (``ConfigInfos``) and documentation.
///
/// ```swift
/// static let configDef = ConfigDef([
///     ConfigKey("file", type: .string, default: nil, importance: .high,
///               documentation: "Source filename. Standard input when not set."),
///     ConfigKey("topic", type: .string, validator: .nonEmptyString, importance: .high,
///               documentation: "The topic to publish data to."),
///     ConfigKey("batch.size", type: .int, default: 2000, importance: .low,
///               documentation: "Maximum number of records read per poll."),
/// ])
/// ```
///
/// Parsing follows Kafka: values are trimmed; booleans are `true`/`false` in any case; numbers must be
/// decimal and in range for their type; lists are split on commas with each item trimmed and an empty
/// string is the empty list; passwords are wrapped in ``Password``. Errors read
/// `Invalid value <value> for configuration <name>: <reason>`.
public struct ConfigDef: Sendable {
    /// The keys in definition order.
    public private(set) var configKeys: [ConfigKey]
    /// The distinct groups of the keys, in order of first appearance.
    public private(set) var groups: [String]
    private var positions: [String: Int]

    /// An empty definition.
    public init() {
        configKeys = []
        groups = []
        positions = [:]
    }

    /// A definition with the given keys, in order. Defining a name twice is a programming error and
    /// stops the program (use ``define(_:)`` to handle it).
    public init(_ keys: [ConfigKey]) {
        self.init()
        for key in keys {
            do {
                try define(key)
            } catch {
                preconditionFailure(error.message)
            }
        }
    }

    /// Adds a key.
    /// - Throws: ``ConfigError`` `Configuration <name> is defined twice.`
    public mutating func define(_ key: ConfigKey) throws(ConfigError) {
        if positions[key.name] != nil {
            throw ConfigError("Configuration \(key.name) is defined twice.", name: key.name)
        }
        if let group = key.group, !groups.contains(group) { groups.append(group) }
        positions[key.name] = configKeys.count
        configKeys.append(key)
    }

    /// A copy with the given key added.
    /// - Throws: ``ConfigError`` if the name is already defined.
    public func defining(_ key: ConfigKey) throws(ConfigError) -> ConfigDef {
        var copy = self
        try copy.define(key)
        return copy
    }

    /// A copy with every key of `other` added after this definition's keys.
    /// - Throws: ``ConfigError`` if a name is defined in both.
    public func merging(_ other: ConfigDef) throws(ConfigError) -> ConfigDef {
        var copy = self
        for key in other.configKeys { try copy.define(key) }
        return copy
    }

    /// The key with the given name, if defined.
    public subscript(name: String) -> ConfigKey? {
        positions[name].map { configKeys[$0] }
    }

    /// The names of the keys, in definition order.
    public var names: [String] { configKeys.map(\.name) }

    /// The non-null defaults by key name.
    public var defaultValues: [String: ParsedConfigValue] {
        var values: [String: ParsedConfigValue] = [:]
        for key in configKeys {
            if let value = key.defaultValue.value { values[key.name] = value }
        }
        return values
    }

    // MARK: Parsing

    /// Parses the defined keys from `props` (Kafka's `ConfigDef.parse`): each key takes its supplied
    /// value or its default, and is validated. Keys not defined here are ignored.
    /// - Returns: The parsed values by name; keys whose value is `null` are absent.
    /// - Throws: ``ConfigError`` for the first key (in definition order) that is missing, does not parse
    ///   or fails its validator, or if a key lists an undefined dependent.
    public func parse(_ props: [String: String]) throws(ConfigError) -> [String: ParsedConfigValue] {
        let undefined = undefinedDependents
        if !undefined.isEmpty {
            throw ConfigError(
                "Some configurations in are referred in the dependents, but not defined: "
                    + undefined.joined(separator: ",")
            )
        }
        var values: [String: ParsedConfigValue] = [:]
        for key in configKeys {
            let value: ParsedConfigValue?
            if let raw = props[key.name] {
                value = try Self.parseType(name: key.name, value: raw, type: key.type)
            } else {
                switch key.defaultValue {
                case .required: throw ConfigError.missingRequired(key.name)
                case .null: value = nil
                case .value(let defaultValue): value = defaultValue
                }
            }
            try key.validator?.ensureValid(name: key.name, value: value)
            if let value { values[key.name] = value }
        }
        return values
    }

    /// Parses one string value as the given type (Kafka's `ConfigDef.parseType`).
    /// - Throws: ``ConfigError`` naming the key, the raw value and the reason, e.g.
    ///   `Invalid value abc for configuration batch.size: Not a number of type INT`.
    public static func parseType(name: String, value: String, type: ConfigType) throws(ConfigError) -> ParsedConfigValue
    {
        let trimmed = javaTrim(value)
        switch type {
        case .boolean:
            switch trimmed.lowercased() {
            case "true": return .boolean(true)
            case "false": return .boolean(false)
            default: throw ConfigError(name: name, value: value, reason: "Expected value to be either true or false")
            }
        case .password:
            return .password(Password(trimmed))
        case .string:
            return .string(trimmed)
        case .int:
            guard let number = Int32(trimmed) else { throw notANumber(name, value, type) }
            return .int(number)
        case .short:
            guard let number = Int16(trimmed) else { throw notANumber(name, value, type) }
            return .short(number)
        case .long:
            guard let number = Int64(trimmed) else { throw notANumber(name, value, type) }
            return .long(number)
        case .double:
            guard let number = javaParseDouble(trimmed) else { throw notANumber(name, value, type) }
            return .double(number)
        case .list:
            if trimmed.isEmpty { return .list([]) }
            return .list(trimmed.split(separator: ",", omittingEmptySubsequences: false).map(regexTrim))
        case .class:
            guard !trimmed.isEmpty else {
                throw ConfigError(name: name, value: value, reason: "Class \(value) could not be found.")
            }
            return .class(trimmed)
        }
    }

    /// Renders a parsed value back to a string (Kafka's `ConfigDef.convertToString`): `nil` for `null`,
    /// lists joined by `,`, passwords as `[hidden]`.
    public static func convertToString(_ value: ParsedConfigValue?) -> String? {
        value?.description
    }

    /// Converts a default (or any typed value) to `type`, accepting what Kafka's `parseType` accepts for
    /// non-string objects: the same type, an integer for `LONG`/`DOUBLE`, an integer literal for
    /// `INT`/`SHORT` if in range, any number for `DOUBLE`; strings are parsed.
    static func coerce(
        name: String,
        value: ParsedConfigValue,
        to type: ConfigType
    ) throws(ConfigError) -> ParsedConfigValue {
        if case .string(let text) = value { return try parseType(name: name, value: text, type: type) }
        if value.type == type { return value }
        switch (type, value) {
        case (.int, .long(let number)):
            guard let narrowed = Int32(exactly: number) else { break }
            return .int(narrowed)
        case (.short, .long(let number)):
            guard let narrowed = Int16(exactly: number) else { break }
            return .short(narrowed)
        case (.long, .int(let number)): return .long(Int64(number))
        case (.double, _):
            if let number = value.numericValue { return .double(number) }
        default: break
        }
        let expectation: String =
            switch type {
            case .boolean: "Expected value to be either true or false"
            case .string, .password: "Expected value to be a string, but it was a \(value.type)"
            case .int: "Expected value to be a 32-bit integer, but it was a \(value.type)"
            case .short: "Expected value to be a 16-bit integer (short), but it was a \(value.type)"
            case .long: "Expected value to be a 64-bit integer (long), but it was a \(value.type)"
            case .double: "Expected value to be a double, but it was a \(value.type)"
            case .list: "Expected a comma separated list."
            case .class: "Expected a Class instance or class name."
            }
        throw ConfigError(name: name, parsedValue: value, reason: expectation)
    }

    private static func notANumber(_ name: String, _ value: String, _ type: ConfigType) -> ConfigError {
        ConfigError(name: name, value: value, reason: "Not a number of type \(type)")
    }

    // MARK: Validation

    /// Validates `props` against every key (Kafka's `ConfigDef.validate`), collecting all problems
    /// instead of stopping at the first.
    ///
    /// Each key is parsed (or takes its default) and checked by its validator; a missing required key
    /// gets `Missing required configuration "<name>" which has no default value.` Then each key's
    /// recommender supplies recommended values and visibility, seeing the parsed values of all keys.
    /// Keys are visited from the keys nobody depends on, down through their ``ConfigKey/dependents``
    /// (as Kafka does: a key that is a dependent of two keys is visited twice, and a key reachable only
    /// through a dependency cycle is not visited). A dependent that is not defined gets the error
    /// `<name> is referred in the dependents, but not defined.` and is invisible.
    /// - Returns: One ``ConfigValue`` per defined key, in definition order, followed by any undefined
    ///   dependents.
    public func validate(_ props: [String: String]) -> [ConfigValue] {
        let all = validateAll(props)
        var results: [ConfigValue] = configKeys.compactMap { all[$0.name] }
        for name in undefinedDependents { if let value = all[name] { results.append(value) } }
        return results
    }

    /// Like ``validate(_:)``, keyed by name (Kafka's `validateAll`).
    public func validateAll(_ props: [String: String]) -> [String: ConfigValue] {
        var configValues: [String: ConfigValue] = [:]
        for key in configKeys { configValues[key.name] = ConfigValue(name: key.name) }
        for name in undefinedDependents {
            var value = ConfigValue(name: name, visible: false)
            value.addErrorMessage("\(name) is referred in the dependents, but not defined.")
            configValues[name] = value
        }
        var parsed: [String: ParsedConfigValue] = [:]
        let roots = rootNames
        var path: Set<String> = []
        for name in roots { parseForValidate(name, props, &parsed, &configValues, &path) }
        for name in roots { recommendForValidate(name, parsed, &configValues, &path) }
        return configValues
    }

    private func parseForValidate(
        _ name: String,
        _ props: [String: String],
        _ parsed: inout [String: ParsedConfigValue],
        _ configValues: inout [String: ConfigValue],
        _ path: inout Set<String>
    ) {
        guard let key = self[name], !path.contains(name) else { return }
        var value: ParsedConfigValue?
        if let raw = props[name] {
            do {
                value = try Self.parseType(name: name, value: raw, type: key.type)
            } catch {
                configValues[name]?.addErrorMessage(error.message)
            }
        } else {
            switch key.defaultValue {
            case .required: configValues[name]?.addErrorMessage(ConfigError.missingRequired(name).message)
            case .null: value = nil
            case .value(let defaultValue): value = defaultValue
            }
        }
        if let validator = key.validator {
            do {
                try validator.ensureValid(name: name, value: value)
            } catch {
                configValues[name]?.addErrorMessage(error.message)
            }
        }
        configValues[name]?.value = value
        parsed[name] = value
        path.insert(name)
        for dependent in key.dependents { parseForValidate(dependent, props, &parsed, &configValues, &path) }
        path.remove(name)
    }

    private func recommendForValidate(
        _ name: String,
        _ parsed: [String: ParsedConfigValue],
        _ configValues: inout [String: ConfigValue],
        _ path: inout Set<String>
    ) {
        guard let key = self[name], !path.contains(name) else { return }
        if let recommender = key.recommender {
            do {
                var recommended = try recommender.validValues(name: name, parsedConfig: parsed)
                if let original = configValues[name]?.recommendedValues, !original.isEmpty {
                    recommended.removeAll { !original.contains($0) }
                }
                configValues[name]?.recommendedValues = recommended
                configValues[name]?.visible = try recommender.visible(name: name, parsedConfig: parsed)
            } catch {
                configValues[name]?.addErrorMessage(error.message)
            }
        }
        path.insert(name)
        for dependent in key.dependents { recommendForValidate(dependent, parsed, &configValues, &path) }
        path.remove(name)
    }

    /// Dependents that are not defined, sorted.
    private var undefinedDependents: [String] {
        var undefined: Set<String> = []
        for key in configKeys {
            for dependent in key.dependents where positions[dependent] == nil { undefined.insert(dependent) }
        }
        return undefined.sorted()
    }

    /// Keys that are nobody's dependent, in definition order.
    private var rootNames: [String] {
        var withParent: Set<String> = []
        for key in configKeys { withParent.formUnion(key.dependents) }
        return configKeys.map(\.name).filter { !withParent.contains($0) }
    }
}

// MARK: - Java string and number rules

/// Java's `String.trim()`: removes every character up to U+0020 from both ends.
func javaTrim(_ value: String) -> String {
    let scalars = value.unicodeScalars
    guard let first = scalars.firstIndex(where: { $0.value > 0x20 }) else { return "" }
    let last = scalars.lastIndex(where: { $0.value > 0x20 })!
    return String(scalars[first...last])
}

/// Trims the whitespace matched by Java's regex `\s` (space, tab, newline, vertical tab, form feed,
/// carriage return), as splitting on `\s*,\s*` does.
private func regexTrim(_ value: Substring) -> String {
    let isSpace: (Unicode.Scalar) -> Bool = { [" ", "\t", "\n", "\u{0B}", "\u{0C}", "\r"].contains($0) }
    let scalars = value.unicodeScalars
    guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
    let last = scalars.lastIndex(where: { !isSpace($0) })!
    return String(scalars[first...last])
}

/// Java's `Double.parseDouble` on a trimmed string: decimal or hexadecimal notation, an optional
/// `f`/`F`/`d`/`D` suffix, and the words `NaN` and `Infinity` (case-sensitive).
func javaParseDouble(_ text: String) -> Double? {
    var body = Substring(text)
    var sign = ""
    if let first = body.first, first == "+" || first == "-" {
        sign = first == "-" ? "-" : ""
        body = body.dropFirst()
    }
    if body == "NaN" { return .nan }
    if body == "Infinity" { return sign == "-" ? -.infinity : .infinity }
    if let last = body.last, "fFdD".contains(last), !body.lowercased().hasPrefix("0x") {
        body = body.dropLast()
    }
    guard let first = body.first, first.isASCII, first.isNumber || first == "." else { return nil }
    guard body.allSatisfy({ $0.isASCII && ($0.isHexDigit || ".xXpPeE+-".contains($0)) }) else { return nil }
    return Double(sign + body)
}
