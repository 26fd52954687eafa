/// The role a converter plays (Kafka's `ConverterType`), passed to converters as the `converter.type`
/// setting.
public enum ConverterType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Converts record keys (`key`).
    case key
    /// Converts record values (`value`).
    case value
    /// Converts record headers (`header`).
    case header

    /// The lowercase name used in configurations: `key`, `value` or `header`.
    public var name: String { rawValue }

    /// The type with the given name, ignoring case (Kafka's `ConverterType.withName`); `nil` if unknown.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// The lowercase name.
    public var description: String { rawValue }
}
