import ConnectAPI
import ConnectTransforms

/// The version this runtime reports for itself (`GET /`) and for its built-in converters, transforms
/// and predicates: the Kafka Connect release whose behaviour it implements.
public enum ConnectVersion {
    /// Kafka's version whose Connect feature set and REST API this runtime follows.
    public static let version = "3.9.0"
    /// Stands in for Kafka's build commit.
    public static let commit = "swift-connect"
}

/// A plugin as `GET /connector-plugins` lists it (Kafka's `PluginInfo`).
public struct PluginDescription: Sendable, Hashable {
    /// Kafka's lowercase plugin types.
    public enum Kind: String, Sendable, Hashable {
        /// A sink connector.
        case sink
        /// A source connector.
        case source
        /// A transformation.
        case transformation
        /// A predicate.
        case predicate
        /// A converter.
        case converter
        /// A header converter.
        case headerConverter = "header_converter"
    }

    /// The class name.
    public var className: String
    /// The kind.
    public var kind: Kind
    /// The version (`nil` when the plugin has none).
    public var version: String?
}

extension PluginRegistry {
    /// The plugins for `GET /connector-plugins`: sink connectors, source connectors, and unless
    /// `connectorsOnly`, transformations, predicates, converters and header converters, in Kafka's
    /// order (a class that is both a converter and a header converter appears twice).
    public func pluginDescriptions(connectorsOnly: Bool) -> [PluginDescription] {
        let connectors = connectorPlugins.sorted { $0.className < $1.className }
        var result = connectors.filter { $0.type == .sink }.map {
            PluginDescription(className: $0.className, kind: .sink, version: $0.version)
        }
        result += connectors.filter { $0.type == .source }.map {
            PluginDescription(className: $0.className, kind: .source, version: $0.version)
        }
        guard !connectorsOnly else { return result }
        result += transformations.transformationClassNames.sorted().map {
            PluginDescription(className: $0, kind: .transformation, version: version(ofClass: $0))
        }
        result += transformations.predicateClassNames.sorted().map {
            PluginDescription(className: $0, kind: .predicate, version: version(ofClass: $0))
        }
        result += converters.converterClassNames.sorted().map {
            PluginDescription(className: $0, kind: .converter, version: version(ofClass: $0))
        }
        result += converters.headerConverterClassNames.sorted().map {
            PluginDescription(className: $0, kind: .headerConverter, version: version(ofClass: $0))
        }
        return result
    }

    /// A plugin's configuration keys (`GET /connector-plugins/<plugin>/config`): for a connector its
    /// own keys, then the framework's source or sink keys it does not define; for the other kinds
    /// their own keys.
    /// - Returns: `nil` when no plugin has this class name or alias.
    public func pluginConfigKeys(named name: String) -> [ConfigKeyInfo]? {
        if let plugin = connectorPlugin(named: name) {
            var keys = plugin.configDef.configKeys.map { ConfigKeyInfo($0) }
            let own = Set(keys.map(\.name))
            let framework = plugin.type == .source ? ConnectorConfig.sourceDefinition : ConnectorConfig.sinkDefinition
            keys += framework.configKeys.filter { !own.contains($0.name) }.map { ConfigKeyInfo($0) }
            return keys
        }
        if let transformation = transformations.transformation(named: name) {
            return transformation.configDef.configKeys.map { ConfigKeyInfo($0) }
        }
        if let predicate = transformations.predicate(named: name) {
            return predicate.configDef.configKeys.map { ConfigKeyInfo($0) }
        }
        if let converter = converters.converterType(named: name) {
            return converter.configDef.configKeys.map { ConfigKeyInfo($0) }
        }
        if let headerConverter = converters.headerConverterType(named: name) {
            return headerConverter.configDef.configKeys.map { ConfigKeyInfo($0) }
        }
        return nil
    }
}
