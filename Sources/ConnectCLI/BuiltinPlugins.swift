import ConnectDataGen
import ConnectFile
import ConnectRuntime

extension PluginRegistry {
    /// Every plugin compiled into `swift-connect`: Kafka's converters, transforms and predicates, and
    /// the FileStream and data generator connectors. The only place that lists the built-in connectors.
    static var builtIn: PluginRegistry {
        var registry = PluginRegistry.kafkaBuiltIns
        registry.register(source: FileStreamSourceConnector.self, className: FileStreamSourceConnector.className)
        registry.register(sink: FileStreamSinkConnector.self, className: FileStreamSinkConnector.className)
        registry.register(source: DataGenSourceConnector.self, className: DataGenSourceConnector.className)
        return registry
    }
}
