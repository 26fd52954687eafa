/// Recommends values for a configuration key and decides whether it is visible, given the other
/// parsed values (Kafka's `ConfigDef.Recommender`). ``ConfigDef/validate(_:)`` reports both in each
/// ``ConfigValue``; the REST validate endpoint shows them as `recommended_values` and `visible`.
///
/// A key whose recommender depends on another key's value should be listed in that key's
/// ``ConfigKey/dependents``.
public protocol ConfigRecommender: Sendable {
    /// The valid values for `name` given the parsed values of the other keys (keys with a `null` value
    /// are absent from `parsedConfig`).
    /// - Throws: ``ConfigError`` to report an error on `name` instead.
    func validValues(name: String, parsedConfig: [String: ParsedConfigValue]) throws(ConfigError) -> [ParsedConfigValue]

    /// Whether `name` is relevant given the parsed values of the other keys.
    /// - Throws: ``ConfigError`` to report an error on `name` instead.
    func visible(name: String, parsedConfig: [String: ParsedConfigValue]) throws(ConfigError) -> Bool
}
