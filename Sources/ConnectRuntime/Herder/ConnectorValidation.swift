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
        var validation = await ConnectorConfig.validate(
            resolved,
            plugin: plugin,
            plugins: plugins,
            overridePolicy: self.config.overridePolicy
        )
        if plugin.type == .source, let connector = plugin.makeConnector() as? any SourceConnector {
            await validateExactlyOnce(resolved, connector: connector, into: &validation)
        }
        return validation
    }

    /// Kafka's `DistributedHerder.validateSourceConnectorExactlyOnceSupport` and
    /// `validateSourceConnectorTransactionBoundary`: `exactly.once.support=required` needs a worker
    /// with `exactly.once.source.support=enabled` (never standalone) and a connector that answers
    /// SUPPORTED; with exactly-once enabled, `transaction.boundary=connector` needs a connector that
    /// can define boundaries.
    private func validateExactlyOnce(
        _ config: [String: String],
        connector: any SourceConnector,
        into validation: inout ConfigValidation
    ) async {
        // As Kafka, only a value that passed the key's own validation is checked further.
        func isClean(_ key: String) -> Bool {
            validation.values.first { $0.name == key }?.errorMessages.isEmpty ?? false
        }
        func addError(_ key: String, _ message: String) {
            guard let index = validation.values.firstIndex(where: { $0.name == key }) else { return }
            validation.values[index].errorMessages.append(message)
        }
        if isClean("exactly.once.support"), config["exactly.once.support"]?.lowercased() == "required" {
            if exactlyOnceSource == nil {
                addError("exactly.once.support", "This worker does not have exactly-once source support enabled.")
            }
            switch await connector.exactlyOnceSupport(configs: config) {
            case .supported?:
                break
            case .unsupported?:
                addError(
                    "exactly.once.support",
                    "The connector does not support exactly-once semantics with the provided configuration."
                )
            case nil:
                addError(
                    "exactly.once.support",
                    "The connector does not implement the API required for preflight validation of exactly-once "
                        + "source support. Please consult the documentation for the connector to determine whether it "
                        + "supports exactly-once semantics, and then consider reconfiguring the connector to use the "
                        + "value \"requested\" for this property (which will disable this preflight check and allow "
                        + "the connector to be created)."
                )
            }
        }
        if exactlyOnceSource != nil, isClean("transaction.boundary"),
            config["transaction.boundary"]?.lowercased() == "connector",
            await connector.canDefineTransactionBoundaries(configs: config) != .supported
        {
            addError(
                "transaction.boundary",
                "The connector does not support connector-defined transaction boundaries with the given "
                    + "configuration. Please reconfigure it to use a different transaction boundary definition."
            )
        }
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
