import ConnectAPI
import ConnectRuntime
import Testing

@testable import ConnectCLICore

private actor CompiledInSourceConnector: SourceConnector {
    typealias TaskType = CompiledInSourceTask
    static let version = "9.9.9"
    static var configDef: ConfigDef { ConfigDef() }
    init() {}
    func start(configs: [String: String]) async throws {}
    func taskConfigs(maxTasks: Int) async throws -> [[String: String]] { [[:]] }
    func stop() async {}
}

private actor CompiledInSourceTask: SourceTask {
    static let version = "9.9.9"
    init() {}
    func start(configs: [String: String]) async throws {}
    func poll() async throws -> [SourceRecord]? { nil }
    func stop() async {}
}

/// What `SwiftConnectCLI.main(compiledIn:)` does with the registrars of a `plugin build-worker` binary.
@Suite struct CompiledInPluginsTests {
    @Test func compiledInConnectorsJoinTheBuiltInsByClassNameAndAlias() {
        let registrar = ConnectPluginRegistrar(pluginName: "Demo", version: "compiled-in")
        registrar.register(source: CompiledInSourceConnector.self, className: "com.example.CompiledInSourceConnector")
        let registry = PluginRegistry.builtIn(compiledIn: [registrar])
        let plugin = registry.connectorPlugin(named: "com.example.CompiledInSourceConnector")
        #expect(plugin?.version == "9.9.9")
        #expect(plugin?.type == .source)
        #expect(
            registry.connectorPlugin(named: "CompiledInSource")?.className == "com.example.CompiledInSourceConnector"
        )
        #expect(registry.connectorPlugin(named: "FileStreamSource") != nil)
        #expect(registry.connectorPlugins.count == PluginRegistry.builtIn.connectorPlugins.count + 1)
        // This test binary has nothing compiled in.
        #expect(PluginRegistry.builtIn.connectorPlugin(named: "CompiledInSource") == nil)
    }
}
