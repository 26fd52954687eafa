import ConnectAPI
import ConnectDataGen
import ConnectFile
import ConnectRuntime

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

    /// Adds a compiled-in package's connectors.
    mutating func addCompiledIn(_ registrar: ConnectPluginRegistrar) {
        func addSource<C: SourceConnector>(_ type: C.Type, _ className: String) {
            register(source: type, className: className)
        }
        func addSink<C: SinkConnector>(_ type: C.Type, _ className: String) {
            register(sink: type, className: className)
        }
        for entry in registrar.sourceConnectors { addSource(entry.type, entry.className) }
        for entry in registrar.sinkConnectors { addSink(entry.type, entry.className) }
    }
}
