import ConnectDataGen
import ConnectFile
import ConnectRuntime
import Synchronization

extension PluginRegistry {
    /// Every plugin compiled into `swift-connect`: Kafka's converters, transforms and predicates, the
    /// FileStream and data generator connectors, and the connector packages of a compiled-in build
    /// (`plugin build-worker`). The only place that lists the built-in connectors.
    static var builtIn: PluginRegistry {
        if let compiledIn = CompiledInPlugins.registry.withLock({ $0 }) { return compiledIn }
        var registry = PluginRegistry.kafkaBuiltIns
        registry.register(source: FileStreamSourceConnector.self, className: FileStreamSourceConnector.className)
        registry.register(sink: FileStreamSinkConnector.self, className: FileStreamSinkConnector.className)
        registry.register(source: DataGenSourceConnector.self, className: DataGenSourceConnector.className)
        return registry
    }
}
