import ConnectAPI
import DepAConnectors

@c public func connect_plugin_abi_version() -> UInt32 { ConnectABI.version }
@c public func connect_plugin_compiler_version() -> UInt32 { ConnectABI.compilerVersion }
@c public func connect_plugin_register() -> UnsafeMutableRawPointer {
    let registrar = ConnectPluginRegistrar(pluginName: "dep-plugin-a", version: "0.1.0")
    DepAConnectors.register(into: registrar)
    return registrar.export()
}
