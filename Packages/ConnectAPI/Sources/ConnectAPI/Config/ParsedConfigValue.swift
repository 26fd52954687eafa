/// A parsed configuration value, one case per ``ConfigType``. A key whose value is `null` (a `null`
/// default) has no `ParsedConfigValue`: APIs use `nil`.
///
/// Literals make defaults short: `default: 2000`, `default: "a,b"`, `default: true`, `default: 0.5`,
/// `default: ["a", "b"]`. A literal is converted to the key's type when the ``ConfigKey`` is created
/// (a string literal is parsed by the key's type, as Kafka parses string defaults).
public enum ParsedConfigValue: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral
{
    /// A `BOOLEAN` value.
    case boolean(Bool)
    /// A `STRING` value.
    case string(String)
    /// An `INT` value.
    case int(Int32)
    /// A `SHORT` value.
    case short(Int16)
    /// A `LONG` value.
    case long(Int64)
    /// A `DOUBLE` value.
    case double(Double)
    /// A `LIST` value.
    case list([String])
    /// A `CLASS` value: the class (plugin) name.
    case `class`(String)
    /// A `PASSWORD` value.
    case password(Password)

    /// `true`/`false` literal → ``boolean(_:)``.
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    /// Integer literal → ``long(_:)`` (narrowed to the key's type when used as a default).
    public init(integerLiteral value: Int64) { self = .long(value) }
    /// Float literal → ``double(_:)``.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// String literal → ``string(_:)`` (parsed by the key's type when used as a default).
    public init(stringLiteral value: String) { self = .string(value) }
    /// Array literal → ``list(_:)``.
    public init(arrayLiteral elements: String...) { self = .list(elements) }

    /// The type this value belongs to.
    public var type: ConfigType {
        switch self {
        case .boolean: .boolean
        case .string: .string
        case .int: .int
        case .short: .short
        case .long: .long
        case .double: .double
        case .list: .list
        case .class: .class
        case .password: .password
        }
    }

    /// The value rendered back to a string as Kafka's `ConfigDef.convertToString` does: booleans and
    /// numbers as Java prints them, lists joined by `,` without spaces, class names as is, passwords as
    /// `[hidden]`.
    public var description: String {
        switch self {
        case .boolean(let value): value ? "true" : "false"
        case .string(let value): value
        case .int(let value): String(value)
        case .short(let value): String(value)
        case .long(let value): String(value)
        case .double(let value): JavaFormat.double(value)
        case .list(let values): values.joined(separator: ",")
        case .class(let name): name
        case .password(let password): password.description
        }
    }

    /// Same as ``description`` (passwords stay hidden).
    public var debugDescription: String { description }

    /// The value as Java's `Object.toString()` renders it inside Kafka's error messages: lists as
    /// `[a, b]`, classes as `class <name>`, passwords as `[hidden]`.
    var javaDescription: String {
        switch self {
        case .list(let values): "[" + values.joined(separator: ", ") + "]"
        case .class(let name): "class \(name)"
        default: description
        }
    }

    /// The payload as a `Double` for numeric cases (Kafka's `Number.doubleValue()`), else `nil`.
    var numericValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .short(let value): Double(value)
        case .long(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}
