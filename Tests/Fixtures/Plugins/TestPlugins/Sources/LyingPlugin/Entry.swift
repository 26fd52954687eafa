import ConnectAPI
import TestConnectors

// Claims the next ABI version: the worker must refuse it after reading these, before registering.
@c public func connect_plugin_abi_version() -> UInt32 { ConnectABI.version + 1 }
@c public func connect_plugin_compiler_version() -> UInt32 { ConnectABI.compilerVersion }
@c public func connect_plugin_register() -> UnsafeMutableRawPointer {
    let registrar = ConnectPluginRegistrar(pluginName: "lying-plugin", version: TestConnectors.version)
    TestConnectors.register(into: registrar)
    return registrar.export()
}
