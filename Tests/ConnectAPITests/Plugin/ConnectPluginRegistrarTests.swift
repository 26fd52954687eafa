import ConnectAPI
import Testing

@Suite struct ConnectABITests {
    @Test func writesCompilerVersionsAsPeopleDo() {
        #expect(ConnectABI.versionString(60301) == "6.3.1")
        #expect(ConnectABI.versionString(60400) == "6.4.0")
        #expect(ConnectABI.versionString(0) == "0.0.0")
    }

    @Test func knowsThisCompiler() {
        // The ladder must have a rung for the compiler in use: 0 would make every plugin fail the handshake.
        #expect(ConnectABI.compilerVersion >= 60000)
        #if compiler(>=6.3.1) && !compiler(>=6.3.2)
        #expect(ConnectABI.compilerVersionString == "6.3.1")
        #endif
        // This test and libConnectAPI.so were built by the same compiler against the same ConnectAPI.
        #expect(ConnectABI.runtimeVersion == ConnectABI.version)
        #expect(ConnectABI.runtimeCompilerVersion == ConnectABI.compilerVersion)
        #expect(ConnectABI.runtimeCompilerVersionString == ConnectABI.compilerVersionString)
    }
}

@Suite struct ConnectPluginRegistrarTests {
    struct Source: SourceConnector {
        typealias TaskType = SourceTaskStub
        static let version = "2.0"
        static let configDef = ConfigDef()
        func start(configs: [String: String]) async throws {}
        func taskConfigs(maxTasks: Int) async throws -> [[String: String]] { [] }
        func stop() async {}
    }

    struct SourceTaskStub: SourceTask {
        static let version = "2.0"
        func start(configs: [String: String]) async throws {}
        func poll() async throws -> [SourceRecord]? { nil }
        func stop() async {}
    }

    struct Sink: SinkConnector {
        typealias TaskType = SinkTaskStub
        static let version = "2.0"
        static let configDef = ConfigDef()
        func start(configs: [String: String]) async throws {}
        func taskConfigs(maxTasks: Int) async throws -> [[String: String]] { [] }
        func stop() async {}
    }

    struct SinkTaskStub: SinkTask {
        static let version = "2.0"
        func start(configs: [String: String]) async throws {}
        func put(_ records: [SinkRecord]) async throws {}
        func stop() async {}
    }

    struct Identity: Transformation {
        static let configDef = ConfigDef()
        init(configs: [String: String]) throws {}
        func apply<R: ConnectRecord>(_ record: R) throws -> R? { record }
    }

    struct Always: RecordPredicate {
        static let configDef = ConfigDef()
        init(configs: [String: String]) throws {}
        func test<R: ConnectRecord>(_ record: R) throws -> Bool { true }
    }

    @Test func recordsEveryKindByClassNameInOrder() {
        let registrar = ConnectPluginRegistrar(pluginName: "p", version: "1.0")
        registrar.register(source: Source.self, className: "x.Source")
        registrar.register(sink: Sink.self, className: "x.Sink")
        registrar.register(converter: StringConverter.self, className: "x.Conv")
        registrar.register(headerConverter: SimpleHeaderConverter.self, className: "x.Header")
        registrar.register(transformation: Identity.self, className: "x.Identity")
        registrar.register(predicate: Always.self, className: "x.Always")
        #expect(registrar.pluginName == "p")
        #expect(registrar.version == "1.0")
        #expect(registrar.sourceConnectors.map(\.className) == ["x.Source"])
        #expect(registrar.sourceConnectors.first?.type == Source.self)
        #expect(registrar.sinkConnectors.map(\.className) == ["x.Sink"])
        #expect(registrar.converters.first?.type == StringConverter.self)
        #expect(registrar.headerConverters.map(\.className) == ["x.Header"])
        #expect(registrar.transformations.map(\.className) == ["x.Identity"])
        #expect(registrar.predicates.map(\.className) == ["x.Always"])
    }

    @Test func registeringAClassNameAgainReplacesIt() {
        let registrar = ConnectPluginRegistrar(pluginName: "p", version: "1.0")
        registrar.register(converter: StringConverter.self, className: "x.Conv")
        registrar.register(converter: ByteArrayConverter.self, className: "x.Other")
        registrar.register(converter: BooleanConverter.self, className: "x.Conv")
        #expect(registrar.converters.map(\.className) == ["x.Other", "x.Conv"])
        #expect(registrar.converters.last?.type == BooleanConverter.self)
    }

    @Test func exportHandsOverTheSameRegistrar() {
        let registrar = ConnectPluginRegistrar(pluginName: "p", version: "1.0")
        let pointer = registrar.export()
        let taken = ConnectPluginRegistrar.takeExported(pointer)
        #expect(taken === registrar)
    }
}
