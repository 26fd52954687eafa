import ConnectAPI
import DepBConnectors

@c public func connect_plugin_abi_version() -> UInt32 { ConnectABI.version }
@c public func connect_plugin_compiler_version() -> UInt32 { ConnectABI.compilerVersion }
@c public func connect_plugin_register() -> UnsafeMutableRawPointer {
    let registrar = ConnectPluginRegistrar(pluginName: "dep-plugin-b", version: "0.2.0")
    DepBConnectors.register(into: registrar)
    return registrar.export()
}
