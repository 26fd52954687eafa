/// Checks a parsed configuration value (Kafka's `ConfigDef.Validator`).
///
/// A validator receives the key's name and its parsed value (`nil` for a `null` value) and throws a
/// ``ConfigError`` naming the key and the reason. Its ``description`` is Kafka's `toString()`, shown as
/// "Valid Values" in generated documentation.
///
/// ```swift
/// ConfigKey("batch.size", type: .int, default: 2000, validator: .atLeast(1), importance: .low,
///           documentation: "Records per poll.")
/// ConfigKey("mode", type: .string, default: "bulk", validator: .validString(in: ["bulk", "incremental"]),
///           importance: .high, documentation: "How to read.")
/// ```
public struct ConfigValidator: Sendable, CustomStringConvertible {
    /// The check: throws if the value is invalid.
    public typealias Check = @Sendable (_ name: String, _ value: ParsedConfigValue?) throws(ConfigError) -> Void

    /// A description of the valid values, e.g. `[1,...]` or `[bulk, incremental]`.
    public let description: String
    private let check: Check

    /// A custom validator (Kafka's `LambdaValidator.with`).
    /// - Parameters:
    ///   - description: A description of the valid values.
    ///   - check: Throws a ``ConfigError`` (usually `ConfigError(name:parsedValue:reason:)`) for an invalid
    ///     value.
    public init(description: String, _ check: @escaping Check) {
        self.description = description
        self.check = check
    }

    /// Checks a value.
    /// - Throws: ``ConfigError`` if the value is invalid.
    public func ensureValid(name: String, value: ParsedConfigValue?) throws(ConfigError) {
        try check(name, value)
    }

    // MARK: Kafka's validators

    /// A number of at least `min` (`Range.atLeast`). Fails for `null`: `Value must be non-null`.
    public static func atLeast(_ min: Int) -> ConfigValidator { range(min: .integer(Int64(min)), max: nil) }

    /// A number of at least `min` (`Range.atLeast` with a `Double` bound).
    public static func atLeast(_ min: Double) -> ConfigValidator { range(min: .floating(min), max: nil) }

    /// A number between `min` and `max` inclusive (`Range.between`).
    public static func between(_ min: Int, _ max: Int) -> ConfigValidator {
        range(min: .integer(Int64(min)), max: .integer(Int64(max)))
    }

    /// A number between `min` and `max` inclusive (`Range.between` with `Double` bounds).
    public static func between(_ min: Double, _ max: Double) -> ConfigValidator {
        range(min: .floating(min), max: .floating(max))
    }

    /// One of the given strings, case-sensitive (`ValidString.in`):
    /// `String must be one of: a, b`.
    public static func validString(in validStrings: [String]) -> ConfigValidator {
        ConfigValidator(description: "[" + validStrings.joined(separator: ", ") + "]") {
            name,
            value throws(ConfigError) in
            let string = value?.description
            guard let string, validStrings.contains(string) else {
                throw ConfigError(
                    name: name,
                    value: string,
                    reason: "String must be one of: " + validStrings.joined(separator: ", ")
                )
            }
        }
    }

    /// A list whose every element is one of the given strings (`ValidList.in`); the error names the
    /// first offending element. A `null` list is accepted.
    public static func validList(in validStrings: [String]) -> ConfigValidator {
        let element = validString(in: validStrings)
        return ConfigValidator(description: element.description) { name, value throws(ConfigError) in
            guard case .list(let values) = value else {
                if value == nil { return }
                throw ConfigError(name: name, parsedValue: value, reason: "Expected a comma separated list.")
            }
            for string in values { try element.ensureValid(name: name, value: .string(string)) }
        }
    }

    /// One of the given strings, ignoring case (`CaseInsensitiveValidString.in`):
    /// `String must be one of (case insensitive): A, B`.
    public static func caseInsensitiveValidString(in validStrings: [String]) -> ConfigValidator {
        let upper = validStrings.map { $0.uppercased() }
        let joined = upper.joined(separator: ", ")
        return ConfigValidator(description: "(case insensitive) [\(joined)]") { name, value throws(ConfigError) in
            let string = value?.description
            guard let string, upper.contains(string.uppercased()) else {
                throw ConfigError(
                    name: name,
                    value: string,
                    reason: "String must be one of (case insensitive): \(joined)"
                )
            }
        }
    }

    /// Not `null` (`NonNullValidator`): `entry must be non null`.
    public static let nonNull = ConfigValidator(description: "non-null string") { name, value throws(ConfigError) in
        if value == nil { throw ConfigError(name: name, value: "null", reason: "entry must be non null") }
    }

    /// Not the empty string (`NonEmptyString`); `null` is accepted: `String must be non-empty`.
    public static let nonEmptyString = ConfigValidator(description: "non-empty string") {
        name,
        value throws(ConfigError) in
        if let value, value.description.isEmpty {
            throw ConfigError(name: name, value: "", reason: "String must be non-empty")
        }
    }

    /// Not empty and without ISO control characters (`NonEmptyStringWithoutControlChars`); `null` is
    /// accepted. Used for connector names.
    public static let nonEmptyStringWithoutControlChars = ConfigValidator(
        description: "non-empty string without ISO control characters"
    ) { name, value throws(ConfigError) in
        guard let value else { return }
        let string = value.description
        if string.isEmpty { throw ConfigError(name: name, value: string, reason: "String may not be empty") }
        let controls = string.unicodeScalars.filter { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
        if !controls.isEmpty {
            throw ConfigError(
                name: name,
                value: string,
                reason: "String may not contain control sequences but had the following ASCII chars: "
                    + controls.map { String($0.value) }.joined(separator: ", ")
            )
        }
    }

    /// A list of at most `maxSize` elements (`ListSize.atMostOfSize`):
    /// `exceeds maximum list size of [<maxSize>].`
    public static func listSize(atMost maxSize: Int) -> ConfigValidator {
        ConfigValidator(description: "List containing maximum of \(maxSize) elements") {
            name,
            value throws(ConfigError) in
            if case .list(let values) = value, values.count > maxSize {
                throw ConfigError(name: name, parsedValue: value, reason: "exceeds maximum list size of [\(maxSize)].")
            }
        }
    }

    /// All of the given validators, in order (`CompositeValidator.of`).
    public static func composite(_ validators: [ConfigValidator]) -> ConfigValidator {
        ConfigValidator(description: validators.map(\.description).joined(separator: ", ")) {
            name,
            value throws(ConfigError) in
            for validator in validators { try validator.ensureValid(name: name, value: value) }
        }
    }

    // MARK: Range

    private enum Bound: Sendable {
        case integer(Int64)
        case floating(Double)

        var doubleValue: Double {
            switch self {
            case .integer(let value): Double(value)
            case .floating(let value): value
            }
        }

        /// Java's `Number.toString()` of the bound: `1` for integers, `1.0` for doubles.
        var text: String {
            switch self {
            case .integer(let value): String(value)
            case .floating(let value): JavaFormat.double(value)
            }
        }
    }

    private static func range(min: Bound?, max: Bound?) -> ConfigValidator {
        let description: String =
            switch (min, max) {
            case (nil, nil): "[...]"
            case (nil, let max?): "[...,\(max.text)]"
            case (let min?, nil): "[\(min.text),...]"
            case (let min?, let max?): "[\(min.text),...,\(max.text)]"
            }
        return ConfigValidator(description: description) { name, value throws(ConfigError) in
            guard let value else { throw ConfigError(name: name, value: nil, reason: "Value must be non-null") }
            guard let number = value.numericValue else {
                throw ConfigError(name: name, parsedValue: value, reason: "Value must be a number")
            }
            if let min, number < min.doubleValue {
                throw ConfigError(name: name, parsedValue: value, reason: "Value must be at least \(min.text)")
            }
            if let max, number > max.doubleValue {
                throw ConfigError(name: name, parsedValue: value, reason: "Value must be no more than \(max.text)")
            }
        }
    }
}
