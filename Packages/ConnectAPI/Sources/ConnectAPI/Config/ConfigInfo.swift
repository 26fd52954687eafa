/// One entry of ``ConfigInfos``: a key's definition (`null` for keys no definition has) and its
/// validated value (`null` if it was not validated).
public struct ConfigInfo: Sendable, Hashable, Codable {
    /// The key's definition.
    public var definition: ConfigKeyInfo?
    /// The key's validated value.
    public var value: ConfigValueInfo?

    private enum CodingKeys: String, CodingKey {
        case definition
        case value
    }

    /// Creates an entry.
    public init(definition: ConfigKeyInfo?, value: ConfigValueInfo?) {
        self.definition = definition
        self.value = value
    }

    /// Encodes both fields, writing `null` for a missing one.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(definition, forKey: .definition)
        try container.encode(value, forKey: .value)
    }
}
