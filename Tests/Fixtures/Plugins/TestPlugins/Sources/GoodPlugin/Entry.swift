import ConnectAPI
import TestConnectors

@c public func connect_plugin_abi_version() -> UInt32 { ConnectABI.version }
@c public func connect_plugin_compiler_version() -> UInt32 { ConnectABI.compilerVersion }
@c public func connect_plugin_register() -> UnsafeMutableRawPointer {
    let registrar = ConnectPluginRegistrar(pluginName: "test-plugins", version: TestConnectors.version)
    TestConnectors.register(into: registrar)
    return registrar.export()
}
