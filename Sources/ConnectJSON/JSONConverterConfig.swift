import ConnectAPI

/// The settings of ``JSONConverter`` (Kafka's `JsonConverterConfig`, spec §4.4).
///
/// | Key | Type | Default |
/// |---|---|---|
/// | `converter.type` | STRING | set by the runtime: `key`, `value` or `header` |
/// | `schemas.enable` | BOOLEAN | `true` |
/// | `schemas.cache.size` | INT | `1000` |
/// | `decimal.format` | STRING | `BASE64` (or `NUMERIC`, any case) |
/// | `replace.null.with.default` | BOOLEAN | `true` |
public struct JSONConverterConfig: Sendable, Hashable {
    /// How `Decimal` values are written (Kafka's `DecimalFormat`).
    public enum DecimalFormat: String, Sendable, Hashable, CaseIterable {
        /// A JSON string holding the Base64 of the unscaled value's two's complement bytes: `10.2345`
        /// (scale 4) is `"AY/h"`.
        case base64 = "BASE64"
        /// A JSON number with the decimal's digits, as Java's `BigDecimal.toString()`: `10.2345`.
        case numeric = "NUMERIC"
    }

    /// `schemas.enable`: wrap values in the `{"schema":…,"payload":…}` envelope. Default: `true`.
    public static let schemasEnableConfig = "schemas.enable"
    /// `schemas.cache.size`: how many schemas each cache direction keeps. Default: `1000`.
    public static let schemasCacheSizeConfig = "schemas.cache.size"
    /// `decimal.format`: `BASE64` or `NUMERIC`. Default: `BASE64`.
    public static let decimalFormatConfig = "decimal.format"
    /// `replace.null.with.default`: write and read a null field as its schema's default. Default: `true`.
    public static let replaceNullWithDefaultConfig = "replace.null.with.default"

    /// The role the converter plays, if known.
    public var type: ConverterType?
    /// Whether values are wrapped in the schema envelope.
    public var schemasEnabled: Bool
    /// The capacity of each schema cache.
    public var schemaCacheSize: Int
    /// How decimals are written.
    public var decimalFormat: DecimalFormat
    /// Whether nulls are replaced with the schema's default when writing and reading.
    public var replaceNullWithDefault: Bool

    /// Settings given directly (the defaults are Kafka's).
    public init(
        schemasEnabled: Bool = true,
        schemaCacheSize: Int = 1000,
        decimalFormat: DecimalFormat = .base64,
        replaceNullWithDefault: Bool = true,
        type: ConverterType? = nil
    ) {
        self.schemasEnabled = schemasEnabled
        self.schemaCacheSize = schemaCacheSize
        self.decimalFormat = decimalFormat
        self.replaceNullWithDefault = replaceNullWithDefault
        self.type = type
    }

    /// Parses converter settings (prefix removed). A missing `converter.type` means `header`, as for
    /// header converters; key and value converters get it from `configure(configs:isKey:)`.
    /// - Throws: ``ConfigError`` for a value that does not parse or is not allowed.
    public init(configs: [String: String]) throws(ConfigError) {
        let parsed = try ConverterConfig.parse(configs, definition: Self.configDef, isKey: nil)
        self.type = ConverterConfig.type(of: parsed)
        self.schemasEnabled = try parsed.bool(Self.schemasEnableConfig)
        self.schemaCacheSize = Int(try parsed.int(Self.schemasCacheSizeConfig))
        let format = try parsed.string(Self.decimalFormatConfig) ?? "BASE64"
        guard let decimalFormat = DecimalFormat(rawValue: format.uppercased()) else {
            throw ConfigError(
                name: Self.decimalFormatConfig,
                value: format,
                reason: "String must be one of (case insensitive): BASE64, NUMERIC"
            )
        }
        self.decimalFormat = decimalFormat
        self.replaceNullWithDefault = try parsed.bool(Self.replaceNullWithDefaultConfig)
    }

    /// `converter.type` plus the four JSON settings, with Kafka's groups, documentation and display names.
    public static var configDef: ConfigDef {
        ConfigDef(
            ConverterConfig.newConfigDef().configKeys + [
                ConfigKey(
                    schemasEnableConfig,
                    type: .boolean,
                    default: true,
                    importance: .high,
                    documentation: "Include schemas within each of the serialized values and keys.",
                    group: "Schemas",
                    orderInGroup: 0,
                    width: .medium,
                    displayName: "Enable Schemas"
                ),
                ConfigKey(
                    schemasCacheSizeConfig,
                    type: .int,
                    default: 1000,
                    importance: .high,
                    documentation: "The maximum number of schemas that can be cached in this converter instance.",
                    group: "Schemas",
                    orderInGroup: 1,
                    width: .medium,
                    displayName: "Schema Cache Size"
                ),
                ConfigKey(
                    decimalFormatConfig,
                    type: .string,
                    default: "BASE64",
                    validator: .caseInsensitiveValidString(in: DecimalFormat.allCases.map(\.rawValue)),
                    importance: .low,
                    documentation:
                        "Controls which format this converter will serialize decimals in. This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
                    group: "Serialization",
                    orderInGroup: 0,
                    width: .medium,
                    displayName: "Decimal Format"
                ),
                ConfigKey(
                    replaceNullWithDefaultConfig,
                    type: .boolean,
                    default: true,
                    importance: .low,
                    documentation:
                        "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.",
                    group: "Serialization",
                    orderInGroup: 1,
                    width: .medium,
                    displayName: "Replace null with default"
                ),
            ]
        )
    }

    var codingOptions: JSONCodingOptions {
        JSONCodingOptions(
            schemasEnabled: schemasEnabled,
            decimalFormat: decimalFormat,
            replaceNullWithDefault: replaceNullWithDefault
        )
    }
}
