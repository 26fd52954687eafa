import ConnectAPI

/// Registers the plugin's connectors: called by the plugin's `connect_plugin_register` entry point,
/// or directly by a compiled-in worker build.
public func register(into registrar: ConnectPluginRegistrar) {
    registrar.register(sink: HTTPSinkConnector.self, className: HTTPSinkConnector.className)
}
