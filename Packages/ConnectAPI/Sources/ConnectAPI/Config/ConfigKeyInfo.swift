/// A key's definition as the REST API shows it (Kafka's `ConfigKeyInfo`); also the element type of
/// `GET /connector-plugins/{plugin}/config`.
public struct ConfigKeyInfo: Sendable, Hashable, Codable {
    /// The key's name (with any prefix).
    public var name: String
    /// The type's name: `BOOLEAN`, `STRING`, `INT`, `SHORT`, `LONG`, `DOUBLE`, `LIST`, `CLASS`, `PASSWORD`.
    public var type: String
    /// Whether the key has no default.
    public var required: Bool
    /// The default rendered as a string (`[hidden]` for passwords); `null` if required or `null`.
    public var defaultValue: String?
    /// `HIGH`, `MEDIUM` or `LOW`.
    public var importance: String
    /// The documentation.
    public var documentation: String?
    /// The group.
    public var group: String?
    /// The order in the group (-1 if unset); JSON field `order`.
    public var orderInGroup: Int
    /// `NONE`, `SHORT`, `MEDIUM` or `LONG`.
    public var width: String
    /// The display name.
    public var displayName: String?
    /// The dependent keys.
    public var dependents: [String]

    private enum CodingKeys: String, CodingKey {
        case name
        case type
        case required
        case defaultValue = "default_value"
        case importance
        case documentation
        case group
        case orderInGroup = "order"
        case orderInGroupAlternative = "order_in_group"
        case width
        case displayName = "display_name"
        case dependents
    }

    /// Creates an entry from its fields.
    public init(
        name: String,
        type: String,
        required: Bool,
        defaultValue: String?,
        importance: String,
        documentation: String?,
        group: String?,
        orderInGroup: Int,
        width: String,
        displayName: String?,
        dependents: [String]
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.defaultValue = defaultValue
        self.importance = importance
        self.documentation = documentation
        self.group = group
        self.orderInGroup = orderInGroup
        self.width = width
        self.displayName = displayName
        self.dependents = dependents
    }

    /// Describes a key (Kafka's `AbstractHerder.convertConfigKey`), optionally prefixing its name.
    public init(_ key: ConfigKey, prefix: String = "") {
        self.init(
            name: prefix + key.name,
            type: key.type.name,
            required: !key.hasDefault,
            defaultValue: key.defaultValue.value?.description,
            importance: key.importance.rawValue,
            documentation: key.documentation,
            group: key.group,
            orderInGroup: key.orderInGroup,
            width: key.width.rawValue,
            displayName: key.displayName,
            dependents: key.dependents
        )
    }

    /// Decodes Kafka's JSON; the order may be given as `order` (what Kafka writes) or `order_in_group`
    /// (what Kafka's constructor reads).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        type = try container.decode(String.self, forKey: .type)
        required = try container.decode(Bool.self, forKey: .required)
        defaultValue = try container.decodeIfPresent(String.self, forKey: .defaultValue)
        importance = try container.decode(String.self, forKey: .importance)
        documentation = try container.decodeIfPresent(String.self, forKey: .documentation)
        group = try container.decodeIfPresent(String.self, forKey: .group)
        orderInGroup =
            try container.decodeIfPresent(Int.self, forKey: .orderInGroup)
            ?? container.decodeIfPresent(Int.self, forKey: .orderInGroupAlternative) ?? -1
        width = try container.decode(String.self, forKey: .width)
        displayName = try container.decodeIfPresent(String.self, forKey: .displayName)
        dependents = try container.decodeIfPresent([String].self, forKey: .dependents) ?? []
    }

    /// Encodes every field as Kafka does, writing `null` for missing optionals.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(type, forKey: .type)
        try container.encode(required, forKey: .required)
        try container.encode(defaultValue, forKey: .defaultValue)
        try container.encode(importance, forKey: .importance)
        try container.encode(documentation, forKey: .documentation)
        try container.encode(group, forKey: .group)
        try container.encode(orderInGroup, forKey: .orderInGroup)
        try container.encode(width, forKey: .width)
        try container.encode(displayName, forKey: .displayName)
        try container.encode(dependents, forKey: .dependents)
    }
}
