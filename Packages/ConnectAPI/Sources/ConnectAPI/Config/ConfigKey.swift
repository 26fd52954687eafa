/// The definition of one configuration key (Kafka's `ConfigDef.ConfigKey`): name, type, default,
/// validator, importance, documentation, and the presentation attributes used by the REST API and
/// generated documentation.
///
/// ```swift
/// ConfigKey("topic", type: .string, validator: .nonEmptyString, importance: .high,
///           documentation: "The topic to publish data to.")            // required: no default
/// ConfigKey("batch.size", type: .int, default: 2000, validator: .atLeast(1), importance: .low,
///           documentation: "Maximum number of records read per poll.")
/// ```
///
/// The default is converted to the key's type when the key is created (a string default is parsed as
/// Kafka does) and checked with the validator. A default that does not convert or validate is a
/// programming error and stops the program with a message naming the key, as Kafka throws from
/// `define`.
public struct ConfigKey: Sendable {
    /// How important a key is to set (Kafka's `ConfigDef.Importance`).
    public enum Importance: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// `HIGH`
        case high = "HIGH"
        /// `MEDIUM`
        case medium = "MEDIUM"
        /// `LOW`
        case low = "LOW"

        /// The uppercase name shown by the REST API.
        public var description: String { rawValue }
    }

    /// The width of the key's value in a UI (Kafka's `ConfigDef.Width`).
    public enum Width: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// `NONE`
        case none = "NONE"
        /// `SHORT`
        case short = "SHORT"
        /// `MEDIUM`
        case medium = "MEDIUM"
        /// `LONG`
        case long = "LONG"

        /// The uppercase name shown by the REST API.
        public var description: String { rawValue }
    }

    /// The key's name, e.g. `batch.size`.
    public var name: String
    /// How the value is parsed.
    public var type: ConfigType
    /// The default, already converted to ``type``; ``ConfigDefault/required`` when the key must be set.
    public private(set) var defaultValue: ConfigDefault
    /// Checks the parsed value, if set.
    public var validator: ConfigValidator?
    /// How important the key is.
    public var importance: Importance
    /// What the key means.
    public var documentation: String?
    /// The group the key is shown in, if any.
    public var group: String?
    /// The key's position within its group (-1 if unset).
    public var orderInGroup: Int
    /// The display width.
    public var width: Width
    /// The human-readable name (Kafka uses the key's name when none is given).
    public var displayName: String?
    /// Keys whose validity or recommendations depend on this key's value.
    public var dependents: [String]
    /// Recommends values and visibility, if set.
    public var recommender: (any ConfigRecommender)?
    /// Whether the key is internal (not documented).
    public var isInternal: Bool

    /// Defines a key.
    /// - Parameters:
    ///   - name: The key's name.
    ///   - type: How the value is parsed.
    ///   - default: The default; ``ConfigDefault/required`` (the default) makes the key required.
    ///   - validator: Checks the parsed value (and the default).
    ///   - importance: How important the key is.
    ///   - documentation: What the key means.
    ///   - group: The group it is shown in.
    ///   - orderInGroup: Its position in the group; -1 if none.
    ///   - width: The display width.
    ///   - displayName: The human-readable name; defaults to `name`.
    ///   - dependents: Keys that depend on this one.
    ///   - recommender: Recommends values and visibility.
    ///   - isInternal: Whether the key is internal.
    public init(
        _ name: String,
        type: ConfigType,
        default defaultValue: ConfigDefault = .required,
        validator: ConfigValidator? = nil,
        importance: Importance,
        documentation: String?,
        group: String? = nil,
        orderInGroup: Int = -1,
        width: Width = .none,
        displayName: String? = nil,
        dependents: [String] = [],
        recommender: (any ConfigRecommender)? = nil,
        isInternal: Bool = false
    ) {
        self.name = name
        self.type = type
        self.validator = validator
        self.importance = importance
        self.documentation = documentation
        self.group = group
        self.orderInGroup = orderInGroup
        self.width = width
        self.displayName = displayName ?? name
        self.dependents = dependents
        self.recommender = recommender
        self.isInternal = isInternal
        do {
            self.defaultValue = try Self.normalize(defaultValue, name: name, type: type, validator: validator)
        } catch {
            preconditionFailure("Invalid default for configuration \(name): \(error.message)")
        }
    }

    /// Whether the key has a default (possibly `null`), i.e. is not required.
    public var hasDefault: Bool { defaultValue.hasDefault }

    /// Replaces the default, converting it to the key's type and validating it like the initializer.
    /// - Throws: ``ConfigError`` if the default does not convert or validate.
    public mutating func setDefault(_ newDefault: ConfigDefault) throws(ConfigError) {
        defaultValue = try Self.normalize(newDefault, name: name, type: type, validator: validator)
    }

    private static func normalize(
        _ defaultValue: ConfigDefault,
        name: String,
        type: ConfigType,
        validator: ConfigValidator?
    ) throws(ConfigError) -> ConfigDefault {
        let parsed: ParsedConfigValue?
        switch defaultValue {
        case .required: return .required
        case .null: parsed = nil
        case .value(let value): parsed = try ConfigDef.coerce(name: name, value: value, to: type)
        }
        try validator?.ensureValid(name: name, value: parsed)
        return parsed.map(ConfigDefault.value) ?? .null
    }
}
