/// A source of configuration values referenced from configs as `${<provider>:<path>:<key>}` (Kafka's
/// `ConfigProvider`, spec §3.10): a worker declares providers under `config.providers`, and
/// ``ConfigTransformer`` replaces the placeholders with what the providers return.
///
/// The runtime creates each provider with ``init(configs:)``, passing the worker's
/// `config.providers.<alias>.param.*` keys with that prefix removed.
public protocol ConfigProvider: Sendable {
    /// Creates and configures the provider (Kafka's no-arg constructor followed by `configure`).
    /// - Throws: ``ConfigError`` if the parameters are invalid.
    init(configs: [String: String]) throws

    /// Every key-value pair at `path`.
    /// - Throws: ``ConfigError`` if the data at `path` cannot be read.
    func get(path: String) async throws -> ConfigData

    /// The values of `keys` at `path`; keys that do not exist are absent from the result (and their
    /// placeholders are left as they are).
    /// - Throws: ``ConfigError`` if the data at `path` cannot be read.
    func get(path: String, keys: Set<String>) async throws -> ConfigData

    /// Releases resources; called when the worker stops. The default does nothing.
    func close() async
}

extension ConfigProvider {
    /// Does nothing.
    public func close() async {}
}
