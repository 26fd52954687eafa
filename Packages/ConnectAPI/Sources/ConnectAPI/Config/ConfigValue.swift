/// The validation result for one configuration key (Kafka's `ConfigValue`): its parsed value, the
/// recommended values, the error messages and whether it is visible.
public struct ConfigValue: Sendable, Hashable, CustomStringConvertible {
    /// The key's name.
    public var name: String
    /// The parsed value (or the default); `nil` when missing, unparsable or `null`.
    public var value: ParsedConfigValue?
    /// Values recommended by the key's recommender.
    public var recommendedValues: [ParsedConfigValue]
    /// Problems found with the value; empty when valid.
    public var errorMessages: [String]
    /// Whether the key is relevant given the other values (default true).
    public var visible: Bool

    /// Creates a result.
    public init(
        name: String,
        value: ParsedConfigValue? = nil,
        recommendedValues: [ParsedConfigValue] = [],
        errorMessages: [String] = [],
        visible: Bool = true
    ) {
        self.name = name
        self.value = value
        self.recommendedValues = recommendedValues
        self.errorMessages = errorMessages
        self.visible = visible
    }

    /// Appends an error message.
    public mutating func addErrorMessage(_ message: String) {
        errorMessages.append(message)
    }

    /// `[name,value,[recommended],[errors],visible]`, as Kafka's `ConfigValue.toString()`
    /// (passwords stay hidden).
    public var description: String {
        let recommended = "[" + recommendedValues.map(\.javaDescription).joined(separator: ", ") + "]"
        let errors = "[" + errorMessages.joined(separator: ", ") + "]"
        return "[\(name),\(value?.javaDescription ?? "null"),\(recommended),\(errors),\(visible)]"
    }
}
