import ConnectAPI
import ConnectDataGen
import ConnectFile
import ConnectRuntime
import Synchronization

extension PluginRegistry {
    /// Every plugin compiled into `swift-connect`: Kafka's converters, transforms and predicates, the
    /// FileStream and data generator connectors, and, in a worker built by `plugin build-worker`, the
    /// connector packages compiled into it. The only place that lists the built-in connectors.
    static var builtIn: PluginRegistry {
        CompiledInPlugins.registry.withLock { $0 } ?? standardBuiltIns
    }

    /// The built-ins plus compiled-in connector packages, each registered as a plugin from
    /// `plugin.path` is.
    static func builtIn(compiledIn registrars: [ConnectPluginRegistrar]) -> PluginRegistry {
        var registry = standardBuiltIns
        for registrar in registrars { registry.register(registrar) }
        return registry
    }

    private static var standardBuiltIns: PluginRegistry {
        var registry = PluginRegistry.kafkaBuiltIns
        registry.register(source: FileStreamSourceConnector.self, className: FileStreamSourceConnector.className)
        registry.register(sink: FileStreamSinkConnector.self, className: FileStreamSinkConnector.className)
        registry.register(source: DataGenSourceConnector.self, className: DataGenSourceConnector.className)
        return registry
    }
}

/// The registry of a binary with compiled-in connector packages, set once by
/// ``SwiftConnectCLI/main(compiledIn:)`` before any command runs.
enum CompiledInPlugins {
    static let registry = Mutex<PluginRegistry?>(nil)
}
