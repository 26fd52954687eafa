/// The type of a configuration key (Kafka's `ConfigDef.Type`): how its string value is parsed and
/// rendered.
///
/// | Type | Accepts (after trimming) | Parsed as | Rendered as |
/// |---|---|---|---|
/// | `BOOLEAN` | `true`/`false`, any case | ``ParsedConfigValue/boolean(_:)`` | `true`/`false` |
/// | `STRING` | anything | ``ParsedConfigValue/string(_:)`` | as is |
/// | `INT`, `SHORT`, `LONG` | a decimal integer in range | ``ParsedConfigValue/int(_:)``, … | decimal |
/// | `DOUBLE` | a decimal number | ``ParsedConfigValue/double(_:)`` | Java's `Double.toString` |
/// | `LIST` | comma-separated, items trimmed; empty → empty list | ``ParsedConfigValue/list(_:)`` | items joined by `,` |
/// | `CLASS` | a class (plugin) name | ``ParsedConfigValue/class(_:)`` | the name |
/// | `PASSWORD` | anything | ``ParsedConfigValue/password(_:)`` | `[hidden]` |
public enum ConfigType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `BOOLEAN`
    case boolean = "BOOLEAN"
    /// `STRING`
    case string = "STRING"
    /// `INT` (32-bit)
    case int = "INT"
    /// `SHORT` (16-bit)
    case short = "SHORT"
    /// `LONG` (64-bit)
    case long = "LONG"
    /// `DOUBLE`
    case double = "DOUBLE"
    /// `LIST` of strings
    case list = "LIST"
    /// `CLASS`: a plugin class name. Swift has no class loading: the name is kept as a string and the
    /// runtime's plugin registry resolves it.
    case `class` = "CLASS"
    /// `PASSWORD`: a secret, wrapped in ``Password`` so it never prints.
    case password = "PASSWORD"

    /// The uppercase name shown by the REST API (`"INT"`, `"PASSWORD"`).
    public var name: String { rawValue }

    /// The uppercase name.
    public var description: String { rawValue }

    /// Whether values of this type are secret (only `PASSWORD`).
    public var isSensitive: Bool { self == .password }
}
