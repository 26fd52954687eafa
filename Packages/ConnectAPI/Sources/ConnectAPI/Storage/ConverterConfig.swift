/// The configuration every converter shares (Kafka's abstract `ConverterConfig`): the `converter.type`
/// key, which the runtime sets to `key`, `value` or `header`.
///
/// Converter implementations build their ``ConfigDef`` from ``newConfigDef()`` and parse their settings
/// with ``parse(_:definition:isKey:)``:
///
/// ```swift
/// static let configDef = ConfigDef(ConverterConfig.newConfigDef().configKeys + [ConfigKey("my.setting", …)])
/// func configure(configs: [String: String], isKey: Bool) throws {
///     let config = try ConverterConfig.parse(configs, definition: Self.configDef, isKey: isKey)
///     …
/// }
/// ```
public enum ConverterConfig {
    /// `converter.type`: how the converter is used (`key`, `value` or `header`).
    public static let typeConfig = "converter.type"

    /// A definition holding only `converter.type` (STRING, required, one of `key`, `value`, `header`;
    /// importance LOW), as Kafka's `ConverterConfig.newConfigDef()`.
    public static func newConfigDef() -> ConfigDef {
        ConfigDef([
            ConfigKey(
                typeConfig,
                type: .string,
                validator: .validString(in: ConverterType.allCases.map(\.name)),
                importance: .low,
                documentation: "How this converter will be used."
            )
        ])
    }

    /// `configs` with `converter.type` set for a key or value converter, as Kafka's
    /// `configure(Map, boolean)` does before delegating to `configure(Map)`.
    public static func settingType(_ configs: [String: String], isKey: Bool) -> [String: String] {
        var copy = configs
        copy[typeConfig] = isKey ? ConverterType.key.name : ConverterType.value.name
        return copy
    }

    /// Parses converter settings: sets `converter.type` from `isKey` (when given) and parses with
    /// `definition`.
    /// - Parameters:
    ///   - configs: The settings, prefix removed.
    ///   - definition: The converter's definition (built from ``newConfigDef()``).
    ///   - isKey: `true`/`false` for a key/value converter; `nil` to take `converter.type` from
    ///     `configs` (header converters), where a missing type means `header`.
    /// - Returns: The parsed configuration.
    /// - Throws: ``ConfigError`` for a missing or invalid setting.
    public static func parse(
        _ configs: [String: String],
        definition: ConfigDef,
        isKey: Bool?
    ) throws(ConfigError) -> ParsedConfig {
        var originals = configs
        if let isKey {
            originals = settingType(configs, isKey: isKey)
        } else if originals[typeConfig] == nil {
            originals[typeConfig] = ConverterType.header.name
        }
        return try ParsedConfig(definition: definition, originals: originals)
    }

    /// The ``ConverterType`` of a parsed configuration.
    public static func type(of config: ParsedConfig) -> ConverterType? {
        (try? config.string(typeConfig)).flatMap { $0 }.flatMap(ConverterType.init(name:))
    }
}
