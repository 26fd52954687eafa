/// A key's validated value as the REST API shows it (Kafka's `ConfigValueInfo`).
public struct ConfigValueInfo: Sendable, Hashable, Codable {
    /// The key's name (with any prefix).
    public var name: String
    /// The parsed value rendered as a string (`[hidden]` for passwords, lists joined by `,`); `null`
    /// when missing.
    public var value: String?
    /// The recommended values rendered as strings.
    public var recommendedValues: [String]
    /// The error messages.
    public var errors: [String]
    /// Whether the key is visible.
    public var visible: Bool

    private enum CodingKeys: String, CodingKey {
        case name
        case value
        case recommendedValues = "recommended_values"
        case errors
        case visible
    }

    /// Creates an entry from its fields.
    public init(name: String, value: String?, recommendedValues: [String], errors: [String], visible: Bool) {
        self.name = name
        self.value = value
        self.recommendedValues = recommendedValues
        self.errors = errors
        self.visible = visible
    }

    /// Describes a validation result (Kafka's `AbstractHerder.convertConfigValue`).
    public init(_ value: ConfigValue) {
        self.init(
            name: value.name,
            value: value.value?.description,
            recommendedValues: value.recommendedValues.map(\.description),
            errors: value.errorMessages,
            visible: value.visible
        )
    }

    /// Encodes every field as Kafka does, writing `null` for a missing value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(value, forKey: .value)
        try container.encode(recommendedValues, forKey: .recommendedValues)
        try container.encode(errors, forKey: .errors)
        try container.encode(visible, forKey: .visible)
    }
}
