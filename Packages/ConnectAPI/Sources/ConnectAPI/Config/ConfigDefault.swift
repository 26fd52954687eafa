/// The default of a configuration key: none (the key is required), `null`, or a value.
///
/// Literals select the value: `default: 2000`, `default: "a,b"`, `default: nil` (``null``), while
/// ``required`` (the initializer's default) means the key must be supplied.
public enum ConfigDefault: Sendable, Hashable, ExpressibleByNilLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral
{
    /// No default: the key is required (Kafka's `NO_DEFAULT_VALUE`).
    case required
    /// A `null` default.
    case null
    /// A default value.
    case value(ParsedConfigValue)

    /// `nil` → ``null``.
    public init(nilLiteral: ()) { self = .null }
    /// A boolean default.
    public init(booleanLiteral value: Bool) { self = .value(.boolean(value)) }
    /// An integer default, narrowed to the key's type.
    public init(integerLiteral value: Int64) { self = .value(.long(value)) }
    /// A floating-point default.
    public init(floatLiteral value: Double) { self = .value(.double(value)) }
    /// A string default, parsed by the key's type.
    public init(stringLiteral value: String) { self = .value(.string(value)) }
    /// A list default.
    public init(arrayLiteral elements: String...) { self = .value(.list(elements)) }

    /// Whether the key has a default (``null`` counts as a default).
    public var hasDefault: Bool {
        if case .required = self { return false }
        return true
    }

    /// The default value; `nil` for ``required`` and ``null``.
    public var value: ParsedConfigValue? {
        if case .value(let value) = self { return value }
        return nil
    }
}
