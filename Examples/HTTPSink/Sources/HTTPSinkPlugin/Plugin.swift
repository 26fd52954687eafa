import ConnectAPI
import HTTPSink

// The plugin's entry points, looked up by the worker with dlsym after `plugin.json` was checked.
// The versions are compiled into this library (ConnectABI's properties are inlined), so the worker
// compares what the plugin was built with against what it runs.

@c public func connect_plugin_abi_version() -> UInt32 { ConnectABI.version }

@c public func connect_plugin_compiler_version() -> UInt32 { ConnectABI.compilerVersion }

@c public func connect_plugin_register() -> UnsafeMutableRawPointer {
    let registrar = ConnectPluginRegistrar(pluginName: "http-sink", version: "0.1.0")
    HTTPSink.register(into: registrar)
    return registrar.export()
}
