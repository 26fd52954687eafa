import ConnectAPI
import ConnectTransforms

extension Worker {
    /// Validates a configuration (`PUT /connector-plugins/<class>/config/validate`).
    /// - Throws: ``ConfigError`` on `connector.class` when it names no known connector.
    public func validateConnectorConfig(_ config: [String: String]) async throws -> ConfigValidation {
        let className = config[ConnectorConfig.connectorClassConfig] ?? ""
        guard !className.isEmpty else { throw ConfigError.missingRequired(ConnectorConfig.connectorClassConfig) }
        let plugin = try plugins.requireConnectorPlugin(named: className)
        let resolved = try await resolve(config)
        return await ConnectorConfig.validate(
            resolved,
            plugin: plugin,
            plugins: plugins,
            overridePolicy: self.config.overridePolicy
        )
    }

    /// Validates a configuration and renders the result as Kafka's `ConfigInfos` (the body of
    /// `PUT /connector-plugins/<class>/config/validate`): framework, connector and transform keys with
    /// their definitions; converter sub-keys and client overrides with a `null` definition.
    /// - Throws: ``ConfigError`` on `connector.class` when it names no known connector.
    public func validateConnectorConfigInfos(_ config: [String: String]) async throws -> ConfigInfos {
        let className = config[ConnectorConfig.connectorClassConfig] ?? ""
        let validation = try await validateConnectorConfig(config)
        let plugin = try plugins.requireConnectorPlugin(named: className)
        var definition = plugin.type == .source ? ConnectorConfig.sourceDefinition : ConnectorConfig.sinkDefinition
        let resolved = try await resolve(config)
        for key in plugin.configDef.configKeys
            + plugins.transformations.configDef(forConnectorConfig: resolved)
            .configKeys
        where definition[key.name] == nil {
            try? definition.define(key)
        }
        return ConfigInfos(name: className, configDef: definition, values: validation.values)
    }

    /// Validates a connector configuration for create or update.
    /// - Throws: The first invalid key's ``ConfigError`` with Kafka's message listing every error.
    func requireValidConnectorConfig(_ config: [String: String]) async throws {
        let validation = try await validateConnectorConfig(config)
        if var error = validation.firstError, let message = validation.errorMessage {
            error.message = message
            throw error
        }
    }
}
