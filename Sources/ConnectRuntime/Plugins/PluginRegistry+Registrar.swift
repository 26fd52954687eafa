import ConnectAPI
import ConnectTransforms

extension PluginRegistry {
    /// Adds everything a plugin's registrar provides (from a library in `plugin.path`, or called
    /// directly by a compiled-in build): connectors, converters, header converters, transformations and
    /// predicates, each usable by class name and alias like a built-in. Converters, transformations and
    /// predicates report the registrar's version in `GET /connector-plugins`; connectors their own.
    public mutating func register(_ registrar: ConnectPluginRegistrar) {
        for entry in registrar.sourceConnectors { register(source: entry.type, className: entry.className) }
        for entry in registrar.sinkConnectors { register(sink: entry.type, className: entry.className) }
        for entry in registrar.converters {
            converters.register(converter: entry.type, className: entry.className)
            setPluginVersion(registrar.version, forClass: entry.className)
        }
        for entry in registrar.headerConverters {
            converters.register(headerConverter: entry.type, className: entry.className)
            setPluginVersion(registrar.version, forClass: entry.className)
        }
        for entry in registrar.transformations {
            transformations.register(entry.type, className: entry.className)
            setPluginVersion(registrar.version, forClass: entry.className)
        }
        for entry in registrar.predicates {
            transformations.register(predicate: entry.type, className: entry.className)
            setPluginVersion(registrar.version, forClass: entry.className)
        }
    }
}

extension ConnectPluginRegistrar {
    /// The registered classes, as a manifest lists them.
    public var classes: PluginManifest.Classes {
        PluginManifest.Classes(
            connectors: sourceConnectors.map { PluginManifest.Connector(className: $0.className, type: .source) }
                + sinkConnectors.map { PluginManifest.Connector(className: $0.className, type: .sink) },
            converters: converters.map(\.className),
            headerConverters: headerConverters.map(\.className),
            transformations: transformations.map(\.className),
            predicates: predicates.map(\.className)
        )
    }
}
