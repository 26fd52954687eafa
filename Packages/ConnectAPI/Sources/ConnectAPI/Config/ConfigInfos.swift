/// The body of the REST validate endpoint, `PUT /connector-plugins/{plugin}/config/validate`
/// (Kafka's `ConfigInfos`, spec §3.9):
///
/// ```json
/// {"name": "<connector.class>", "error_count": 1, "groups": ["Common"],
///  "configs": [{"definition": {…}, "value": {…}}]}
/// ```
///
/// `Codable` with Kafka's JSON field names; absent optionals encode as JSON `null`, as Kafka's Jackson
/// output does. Build it from a definition and validation results with
/// ``init(name:configDef:values:groups:)`` (Kafka's `AbstractHerder.generateResult`), concatenate parts
/// with ``merge(name:_:)`` and convert prefixed converter/override results with ``prefixed(configDef:values:prefix:)``.
public struct ConfigInfos: Sendable, Hashable, Codable {
    /// The connector class exactly as supplied in `connector.class`.
    public var name: String
    /// The number of errors (see the initializers for how each part counts).
    public var errorCount: Int
    /// Distinct group names in definition order.
    public var groups: [String]
    /// One entry per key.
    public var configs: [ConfigInfo]

    private enum CodingKeys: String, CodingKey {
        case name
        case errorCount = "error_count"
        case groups
        case configs
    }

    /// Creates a result from its parts.
    public init(name: String, errorCount: Int, groups: [String], configs: [ConfigInfo]) {
        self.name = name
        self.errorCount = errorCount
        self.groups = groups
        self.configs = configs
    }

    /// Combines a definition with validation results, as Kafka's `AbstractHerder.generateResult`:
    /// first an entry with a `null` definition for every value whose key the definition lacks (such as
    /// results of a connector's own `validate`), then one entry per defined key in definition order,
    /// whose `value` is `null` if `values` has none for it. `error_count` is the total number of error
    /// messages.
    /// - Parameters:
    ///   - name: The connector class as supplied.
    ///   - configDef: The (enriched) definition.
    ///   - values: Validation results, e.g. from ``ConfigDef/validate(_:)``.
    ///   - groups: The groups to report; defaults to the definition's groups.
    public init(name: String, configDef: ConfigDef, values: [ConfigValue], groups: [String]? = nil) {
        var errorCount = 0
        var configs: [ConfigInfo] = []
        var valuesByName: [String: ConfigValue] = [:]
        for value in values {
            valuesByName[value.name] = value
            if configDef[value.name] == nil {
                configs.append(ConfigInfo(definition: nil, value: ConfigValueInfo(value)))
                errorCount += value.errorMessages.count
            }
        }
        for key in configDef.configKeys {
            var valueInfo: ConfigValueInfo?
            if let value = valuesByName[key.name] {
                valueInfo = ConfigValueInfo(value)
                errorCount += value.errorMessages.count
            }
            configs.append(ConfigInfo(definition: ConfigKeyInfo(key), value: valueInfo))
        }
        self.init(name: name, errorCount: errorCount, groups: groups ?? configDef.groups, configs: configs)
    }

    /// Results for a prefixed part of the configuration — a connector-level converter's keys or client
    /// overrides — as Kafka's `AbstractHerder.prefixedConfigInfos`: one entry per value, in order, with
    /// the key's definition (if any) and both names prefixed. Here `error_count` counts the values with
    /// at least one error, and `name` is empty.
    public static func prefixed(configDef: ConfigDef, values: [ConfigValue], prefix: String) -> ConfigInfos {
        var errorCount = 0
        var groups: [String] = []
        var configs: [ConfigInfo] = []
        for value in values {
            let key = configDef[value.name]
            if let group = key?.group, !groups.contains(group) { groups.append(group) }
            var prefixedValue = value
            prefixedValue.name = prefix + value.name
            prefixedValue.visible = true
            if !value.errorMessages.isEmpty { errorCount += 1 }
            configs.append(
                ConfigInfo(
                    definition: key.map { ConfigKeyInfo($0, prefix: prefix) },
                    value: ConfigValueInfo(prefixedValue)
                )
            )
        }
        return ConfigInfos(name: "", errorCount: errorCount, groups: groups, configs: configs)
    }

    /// Concatenates results (Kafka's `AbstractHerder.mergeConfigInfos`): error counts add up, groups
    /// are de-duplicated in order, configs are appended in order.
    public static func merge(name: String, _ parts: [ConfigInfos]) -> ConfigInfos {
        var groups: [String] = []
        for part in parts { for group in part.groups where !groups.contains(group) { groups.append(group) } }
        return ConfigInfos(
            name: name,
            errorCount: parts.reduce(0) { $0 + $1.errorCount },
            groups: groups,
            configs: parts.flatMap(\.configs)
        )
    }
}
