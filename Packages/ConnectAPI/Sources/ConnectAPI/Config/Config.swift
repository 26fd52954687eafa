/// The result of validating a connector's configuration (Kafka's `Config`): one ``ConfigValue`` per
/// key, as returned by ``Connector/validate(configs:)``.
public struct Config: Sendable, Hashable {
    /// The validated keys.
    public var configValues: [ConfigValue]

    /// Creates a result.
    public init(configValues: [ConfigValue]) {
        self.configValues = configValues
    }

    /// The result for a key, if present.
    public subscript(name: String) -> ConfigValue? {
        configValues.first { $0.name == name }
    }

    /// The total number of error messages.
    public var errorCount: Int {
        configValues.reduce(0) { $0 + $1.errorMessages.count }
    }
}
