import ConnectAPI
import ConnectTransforms
import Foundation
import PluginTestSupport
import Testing

@testable import ConnectRuntime

/// `plugin.json` parsing.
@Suite struct PluginManifestTests {
    static let valid = """
        { "name": "my-plugin", "version": "0.1.0", "library": "libMyPlugin.so",
          "connectAPIABIVersion": 1, "compilerVersion": "6.3.1",
          "connectors": [{"class": "com.example.MySourceConnector", "type": "source"},
                         {"class": "com.example.MySinkConnector", "type": "sink"}],
          "converters": [{"class": "com.example.MyConverter"}], "headerConverters": ["com.example.MyConverter"],
          "transformations": [], "predicates": [{"class": "com.example.MyPredicate"}] }
        """

    private static func parse(_ json: String) -> Result<PluginManifest, PluginManifest.ManifestError> {
        PluginManifest.parse(Array(json.utf8))
    }

    @Test func readsEveryKey() throws {
        let manifest = try Self.parse(Self.valid).get()
        #expect(manifest.name == "my-plugin")
        #expect(manifest.version == "0.1.0")
        #expect(manifest.library == "libMyPlugin.so")
        #expect(manifest.connectAPIABIVersion == 1)
        #expect(manifest.compilerVersion == "6.3.1")
        #expect(
            manifest.classes.connectors == [
                .init(className: "com.example.MySourceConnector", type: .source),
                .init(className: "com.example.MySinkConnector", type: .sink),
            ]
        )
        #expect(manifest.classes.converters == ["com.example.MyConverter"])
        #expect(manifest.classes.headerConverters == ["com.example.MyConverter"])
        #expect(manifest.classes.transformations.isEmpty)
        #expect(manifest.classes.predicates == ["com.example.MyPredicate"])
    }

    @Test func writesWhatItReads() throws {
        let manifest = try Self.parse(Self.valid).get()
        #expect(try Self.parse(manifest.json()).get() == manifest)
        #expect(manifest.json().contains(#""connectors" : [{"#) || manifest.json().contains(#""class" : "#))
    }

    @Test func namesWhatIsWrong() {
        func error(_ json: String) -> String? {
            if case .failure(let error) = Self.parse(json) { return error.description }
            return nil
        }
        #expect(error("{") == "it is not valid JSON")
        #expect(
            error(#"{"name": "x", "version": "1", "connectAPIABIVersion": 1, "compilerVersion": "6.3.1"}"#)
                == #""library" is missing"#
        )
        #expect(
            error(
                #"{"name": "x", "version": "1", "library": "l.so", "connectAPIABIVersion": "1", "compilerVersion": "6.3.1"}"#
            )
                == #""connectAPIABIVersion" has the wrong type"#
        )
        #expect(
            error(
                #"{"name": "x", "version": "1", "library": "l.so", "connectAPIABIVersion": 1, "compilerVersion": "6.3.1", "connectors": [{"class": "a.B", "type": "both"}]}"#
            ) == #""connectors.[0].type" is invalid"#
        )
        #expect(
            error(
                #"{"name": " ", "version": "1", "library": "l.so", "connectAPIABIVersion": 1, "compilerVersion": "6.3.1"}"#
            )
                == #""name" is empty"#
        )
        #expect(
            error(
                #"{"name": "x", "version": "1", "library": "../l.so", "connectAPIABIVersion": 1, "compilerVersion": "6.3.1"}"#
            ) == #""library" must be a file name in the plugin folder, not the path ../l.so"#
        )
    }
}

/// The loading decisions, without files or libraries.
@Suite struct PluginAdmissionTests {
    static let worker = PluginCompatibility(abiVersion: 1, compilerVersion: "6.3.1")

    static func manifest(
        name: String = "my-plugin",
        abi: UInt32 = 1,
        compiler: String = "6.3.1",
        connectors: [String] = ["com.example.MySourceConnector"],
        converters: [String] = []
    ) -> PluginManifest {
        PluginManifest(
            name: name,
            version: "0.1.0",
            library: "libMyPlugin.so",
            connectAPIABIVersion: abi,
            compilerVersion: compiler,
            classes: .init(connectors: connectors.map { .init(className: $0, type: .source) }, converters: converters)
        )
    }

    static func refusal(_ reason: PluginRefusal.Reason?) -> String {
        reason.map { PluginRefusal(location: "/plugins/my", pluginName: "my-plugin", reason: $0).description } ?? ""
    }

    @Test func refusesAnotherABIOrCompilerBeforeOpening() {
        let admission = PluginAdmission(worker: Self.worker, registry: PluginRegistry())
        #expect(admission.checkManifest(Self.manifest(), libraryExists: true) == nil)
        let abi = admission.checkManifest(Self.manifest(abi: 2, compiler: "6.2.0"), libraryExists: true)
        #expect(
            Self.refusal(abi)
                == "plugin 'my-plugin' (/plugins/my) was built for ConnectAPI ABI 2 with Swift 6.2.0; this worker has "
                + "ABI 1 and Swift 6.3.1: rebuild it with 'swift-connect plugin package' with the worker's toolchain"
        )
        let compiler = admission.checkManifest(Self.manifest(compiler: "6.3.2"), libraryExists: true)
        #expect(compiler == .incompatible(plugin: .init(abiVersion: 1, compilerVersion: "6.3.2"), worker: Self.worker))
        // Compatibility is judged first: a missing library does not hide it.
        #expect(
            admission.checkManifest(Self.manifest(abi: 2), libraryExists: false)
                != .libraryMissing(library: "libMyPlugin.so")
        )
        #expect(
            admission.checkManifest(Self.manifest(), libraryExists: false) == .libraryMissing(library: "libMyPlugin.so")
        )
    }

    @Test func checksTheHandshakeAgainstWorkerAndManifest() {
        let admission = PluginAdmission(worker: Self.worker, registry: PluginRegistry())
        #expect(admission.checkHandshake(Self.manifest(), abiVersion: 1, compilerVersion: 60301) == nil)
        let lying = admission.checkHandshake(Self.manifest(), abiVersion: 2, compilerVersion: 60301)
        #expect(
            lying
                == .handshakeMismatch(
                    library: .init(abiVersion: 2, compilerVersion: "6.3.1"),
                    manifest: .init(abiVersion: 1, compilerVersion: "6.3.1"),
                    worker: Self.worker
                )
        )
        #expect(Self.refusal(lying).contains("its library reports ConnectAPI ABI 2 with Swift 6.3.1"))
        #expect(admission.checkHandshake(Self.manifest(), abiVersion: 1, compilerVersion: 60200) != nil)
    }

    @Test func requiresEveryManifestClassRegistered() {
        let admission = PluginAdmission(worker: Self.worker, registry: PluginRegistry())
        let manifest = Self.manifest(connectors: ["a.One", "a.Two"], converters: ["a.Conv"])
        let provided = PluginManifest.Classes(connectors: [.init(className: "a.One", type: .source)])
        let reason = admission.checkRegistered(manifest, provided: provided)
        #expect(reason == .classesMissing(["source a.Two", "converter a.Conv"]))
        #expect(Self.refusal(reason).contains("plugin.json lists classes its library does not register: source a.Two"))
        // A class of the right name but the wrong kind is missing too.
        let sink = PluginManifest.Classes(
            connectors: [.init(className: "a.One", type: .source), .init(className: "a.Two", type: .sink)],
            converters: ["a.Conv"]
        )
        #expect(admission.checkRegistered(manifest, provided: sink) == .classesMissing(["source a.Two"]))
        #expect(admission.checkRegistered(manifest, provided: manifest.classes) == nil)
    }

    @Test func keepsPluginAndClassNamesUnique() {
        var admission = PluginAdmission(worker: Self.worker, registry: .kafkaBuiltIns)
        let builtIn = Self.manifest(converters: ["org.apache.kafka.connect.storage.StringConverter"])
        #expect(
            admission.checkManifest(builtIn, libraryExists: true)
                == .classConflict(
                    className: "org.apache.kafka.connect.storage.StringConverter",
                    providedBy: "a built-in plugin"
                )
        )
        let first = Self.manifest()
        admission.admit(first, folder: "/plugins/first", provided: first.classes)
        #expect(admission.checkManifest(first, libraryExists: true) == .duplicatePlugin(firstFolder: "/plugins/first"))
        // A sink with a source's class name is a conflict: connector.class finds both.
        let other = PluginManifest(
            name: "other",
            version: "1",
            library: "libOther.so",
            connectAPIABIVersion: 1,
            compilerVersion: "6.3.1",
            classes: .init(connectors: [.init(className: "com.example.MySourceConnector", type: .sink)])
        )
        #expect(
            admission.checkManifest(other, libraryExists: true)
                == .classConflict(className: "com.example.MySourceConnector", providedBy: "plugin 'my-plugin'")
        )
    }
}

/// Real plugin libraries built from `Tests/Fixtures/Plugins` and loaded with `dlopen`.
@Suite struct PluginLoaderTests {
    static let counterClasses = PluginManifest.Classes(
        connectors: [.init(className: "fixture.plugins.CounterSourceConnector", type: .source)],
        converters: ["fixture.plugins.PrefixConverter"],
        headerConverters: ["fixture.plugins.PrefixConverter"],
        transformations: ["fixture.plugins.UppercaseTopic"],
        predicates: ["fixture.plugins.TopicIsCounter"]
    )

    /// Polls until `count` records arrived (the fixture tasks return one record per poll).
    static func poll(_ task: any SourceTask, count: Int) async throws -> [String] {
        var values: [String] = []
        for _ in 0..<(count * 5) where values.count < count {
            for record in try await task.poll() ?? [] {
                if case .string(let value) = record.value { values.append(value) }
            }
        }
        return values
    }

    @Test func aGoodPluginIsUsableLikeABuiltIn() async throws {
        let bin = try await PluginFixtures.build(package: "TestPlugins")
        let pluginPath = try PluginFixtures.temporaryDirectory()
        try PluginFixtures.install(
            library: bin + "/libGoodPlugin.so",
            into: pluginPath,
            folder: "good",
            manifest: PluginFixtures.manifest(
                name: "test-plugins",
                library: "libGoodPlugin.so",
                classes: Self.counterClasses
            )
        )
        var registry = PluginRegistry.kafkaBuiltIns
        let report = PluginLoader().load(pluginPath: [pluginPath], into: &registry)
        #expect(report.refused.map(\.description) == [])
        #expect(report.loaded.map(\.name) == ["test-plugins"])
        #expect(report.loaded.first?.classes == Self.counterClasses)

        // The connector, by alias, runs with a task from the same plugin.
        let plugin = try #require(registry.connectorPlugin(named: "CounterSource"))
        #expect(plugin.className == "fixture.plugins.CounterSourceConnector")
        #expect(plugin.type == .source)
        #expect(plugin.version == "1.2.3")
        #expect(plugin.configDef.configKeys.map(\.name) == ["topic", "count"])
        let connector = plugin.makeConnector()
        try await connector.start(configs: ["topic": "counter-topic", "count": "3"])
        let taskConfigs = try await connector.taskConfigs(maxTasks: 1)
        let task = try #require(plugin.makeSourceTask?())
        try await task.start(configs: try #require(taskConfigs.first))
        #expect(try await Self.poll(task, count: 3) == ["record-0", "record-1", "record-2"])
        await task.stop()
        await connector.stop()

        // Converter, header converter, transformation and predicate by alias.
        let converter = try registry.converters.makeConverter(className: "Prefix")
        try converter.configure(configs: ["prefix": "p/"], isKey: false)
        let bytes = try converter.fromConnectData(topic: "t", headers: Headers(), schema: .string, value: .string("x"))
        #expect(bytes == Array("p/x".utf8))
        #expect(registry.converters.headerConverterType(named: "PrefixConverter") != nil)
        let record = SourceRecord(
            sourcePartition: nil,
            sourceOffset: nil,
            topic: "counter",
            valueSchema: nil,
            value: .null
        )
        let transformation = try registry.transformations.makeTransformation("UppercaseTopic", configs: [:])
        #expect(try transformation.apply(record)?.topic == "COUNTER")
        let predicate = try registry.transformations.makePredicate("TopicIsCounter", configs: [:])
        #expect(try predicate.test(record))

        // GET /connector-plugins reports the plugin's version for its classes.
        let listed = registry.pluginDescriptions(connectorsOnly: false)
        #expect(
            listed.contains(.init(className: "fixture.plugins.CounterSourceConnector", kind: .source, version: "1.2.3"))
        )
        #expect(
            listed.contains(.init(className: "fixture.plugins.PrefixConverter", kind: .converter, version: "1.2.3"))
        )
        #expect(
            listed.contains(.init(className: "fixture.plugins.UppercaseTopic", kind: .transformation, version: "1.2.3"))
        )
        #expect(
            listed.contains(
                .init(
                    className: "org.apache.kafka.connect.storage.StringConverter",
                    kind: .converter,
                    version: ConnectVersion.version
                )
            )
        )
    }

    @Test func refusedPluginsAreReportedAndTheOthersStillLoad() async throws {
        let bin = try await PluginFixtures.build(package: "TestPlugins")
        let pluginPath = try PluginFixtures.temporaryDirectory()
        let garbage = (pluginPath as NSString).appendingPathComponent("garbage.bin")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }).write(
            to: URL(fileURLWithPath: garbage)
        )
        func install(_ folder: String, library: String?, as fileName: String, _ manifest: PluginManifest) throws {
            try PluginFixtures.install(
                library: library,
                as: fileName,
                into: pluginPath,
                folder: folder,
                manifest: manifest
            )
        }
        let good = bin + "/libGoodPlugin.so"
        // A real, loadable library whose manifest claims the next ABI: refused before dlopen.
        try install(
            "a-wrong-abi",
            library: good,
            as: "libWrongABI.so",
            PluginFixtures.manifest(
                name: "wrong-abi",
                library: "libWrongABI.so",
                classes: Self.counterClasses,
                abiVersion: ConnectABI.runtimeVersion + 1,
                compilerVersion: "6.2.0"
            )
        )
        try install(
            "b-corrupt",
            library: garbage,
            as: "libCorrupt.so",
            PluginFixtures.manifest(name: "corrupt", library: "libCorrupt.so", classes: Self.counterClasses)
        )
        var withMissingClass = Self.counterClasses
        withMissingClass.connectors.append(.init(className: "fixture.plugins.AbsentSinkConnector", type: .sink))
        try install(
            "c-missing-class",
            library: good,
            as: "libMissingClass.so",
            PluginFixtures.manifest(name: "missing-class", library: "libMissingClass.so", classes: withMissingClass)
        )
        try install(
            "d-lying",
            library: bin + "/libLyingPlugin.so",
            as: "libLyingPlugin.so",
            PluginFixtures.manifest(name: "lying", library: "libLyingPlugin.so", classes: Self.counterClasses)
        )
        try install(
            "e-no-entry",
            library: bin + "/libNoEntryPlugin.so",
            as: "libNoEntryPlugin.so",
            PluginFixtures.manifest(name: "no-entry", library: "libNoEntryPlugin.so", classes: .init())
        )
        try install(
            "f-no-library",
            library: nil,
            as: "",
            PluginFixtures.manifest(name: "no-library", library: "libAbsent.so", classes: .init())
        )
        try FileManager.default.createDirectory(
            atPath: (pluginPath as NSString).appendingPathComponent("g-malformed"),
            withIntermediateDirectories: true
        )
        try Data("{\"name\": ".utf8).write(to: URL(fileURLWithPath: pluginPath + "/g-malformed/plugin.json"))
        try install(
            "h-built-in-class",
            library: garbage,
            as: "libClash.so",
            PluginFixtures.manifest(
                name: "clash",
                library: "libClash.so",
                classes: .init(converters: ["org.apache.kafka.connect.storage.StringConverter"])
            )
        )
        try FileManager.default.createDirectory(
            atPath: (pluginPath as NSString).appendingPathComponent("i-not-a-plugin"),
            withIntermediateDirectories: true
        )
        try install(
            "z-good",
            library: good,
            as: "libGoodPlugin.so",
            PluginFixtures.manifest(name: "test-plugins", library: "libGoodPlugin.so", classes: Self.counterClasses)
        )

        var registry = PluginRegistry.kafkaBuiltIns
        let missingEntry = pluginPath + "/does-not-exist"
        let report = PluginLoader().load(pluginPath: [missingEntry, pluginPath], into: &registry)

        #expect(report.loaded.map(\.name) == ["test-plugins"])
        #expect(registry.connectorPlugin(named: "fixture.plugins.CounterSourceConnector")?.version == "1.2.3")
        let messages = report.refused.map(\.description)
        try #require(messages.count == 9, "\(messages)")
        #expect(
            messages[0]
                == "plugin.path entry \(missingEntry): no such directory: fix plugin.path in the worker configuration"
        )
        let worker = PluginCompatibility.worker
        #expect(
            messages[1]
                == "plugin 'wrong-abi' (\(pluginPath)/a-wrong-abi) was built for ConnectAPI ABI "
                + "\(worker.abiVersion + 1) with Swift 6.2.0; this worker has ABI \(worker.abiVersion) and Swift "
                + "\(worker.compilerVersion): rebuild it with 'swift-connect plugin package' with the worker's toolchain"
        )
        #expect(!PluginFixtures.isMapped(pluginPath + "/a-wrong-abi/libWrongABI.so"))
        #expect(report.refused[2].reason.isLibraryNotLoadable)
        #expect(messages[2].hasPrefix("plugin 'corrupt' (\(pluginPath)/b-corrupt): cannot load libCorrupt.so: "))
        #expect(
            messages[2].hasSuffix(
                "the file is damaged or not a plugin library for this platform; rebuild it with 'swift-connect plugin package'"
            )
        )
        #expect(
            messages[3]
                == "plugin 'missing-class' (\(pluginPath)/c-missing-class): plugin.json lists classes its library does "
                + "not register: sink fixture.plugins.AbsentSinkConnector: register them in the plugin's "
                + "register(into:), or rebuild it with 'swift-connect plugin package'"
        )
        #expect(
            messages[4].contains(
                "plugin 'lying' (\(pluginPath)/d-lying): its library reports ConnectAPI ABI \(worker.abiVersion + 1)"
            )
        )
        #expect(
            messages[5]
                == "plugin 'no-entry' (\(pluginPath)/e-no-entry): libNoEntryPlugin.so has no entry point "
                + "connect_plugin_abi_version: it is not a SwiftConnect plugin library (the entry points are public "
                + "@c functions in the plugin's entry-point target); rebuild it with 'swift-connect plugin package'"
        )
        #expect(messages[6].hasPrefix("plugin 'no-library' (\(pluginPath)/f-no-library): the library libAbsent.so"))
        #expect(messages[7].hasPrefix("\(pluginPath)/g-malformed: plugin.json is malformed: "))
        #expect(
            messages[8]
                == "plugin 'clash' (\(pluginPath)/h-built-in-class): class "
                + "org.apache.kafka.connect.storage.StringConverter is already provided by a built-in plugin: class "
                + "names must be unique in a worker; rename the class or remove one of the plugins"
        )
    }

    @Test func inspectsALibraryWithoutAManifest() async throws {
        let bin = try await PluginFixtures.build(package: "TestPlugins")
        let loader = PluginLoader()
        let good = try loader.inspect(library: bin + "/libGoodPlugin.so").get()
        #expect(good.name == "test-plugins")
        #expect(good.version == "1.2.3")
        #expect(good.compatibility == .worker)
        #expect(good.classes == Self.counterClasses)
        guard case .failure(let lying) = loader.inspect(library: bin + "/libLyingPlugin.so") else {
            Issue.record("the lying plugin passed the handshake")
            return
        }
        #expect(lying.description.contains("its library reports ConnectAPI ABI \(ConnectABI.runtimeVersion + 1)"))
        guard case .failure(let absent) = loader.inspect(library: bin + "/libAbsent.so") else {
            Issue.record("a missing library was inspected")
            return
        }
        #expect(absent.reason == .libraryMissing(library: "libAbsent.so"))
    }

    @Test func pluginsWithDifferentVersionsOfOneDependencyBothWork() async throws {
        async let binA = PluginFixtures.build(package: "DepPluginA")
        async let binB = PluginFixtures.build(package: "DepPluginB")
        let (a, b) = try await (binA, binB)
        let pluginPath = try PluginFixtures.temporaryDirectory()
        for (name, bin, library, className) in [
            ("dep-plugin-a", a, "libDepAPlugin.so", "fixture.depa.DescribeSourceConnector"),
            ("dep-plugin-b", b, "libDepBPlugin.so", "fixture.depb.DescribeSourceConnector"),
        ] {
            try PluginFixtures.install(
                library: bin + "/" + library,
                into: pluginPath,
                folder: name,
                manifest: PluginFixtures.manifest(
                    name: name,
                    library: library,
                    classes: .init(connectors: [.init(className: className, type: .source)])
                )
            )
        }
        var registry = PluginRegistry.kafkaBuiltIns
        let report = PluginLoader().load(pluginPath: [pluginPath], into: &registry)
        #expect(report.refused.map(\.description) == [])
        #expect(report.loaded.map(\.name) == ["dep-plugin-a", "dep-plugin-b"])

        let taskA = try #require(
            registry.connectorPlugin(named: "fixture.depa.DescribeSourceConnector")?.makeSourceTask?()
        )
        let taskB = try #require(
            registry.connectorPlugin(named: "fixture.depb.DescribeSourceConnector")?.makeSourceTask?()
        )
        try await taskA.start(configs: [:])
        try await taskB.start(configs: [:])
        // Interleaved calls: each plugin runs its own copy of Dep, with its own code, layout and state.
        #expect(try await Self.poll(taskA, count: 1) == ["dep-1.0.0 #1"])
        #expect(try await Self.poll(taskB, count: 1) == ["dep-2.0.0 #101 (v2)"])
        #expect(try await Self.poll(taskA, count: 1) == ["dep-1.0.0 #2"])
        #expect(try await Self.poll(taskB, count: 1) == ["dep-2.0.0 #102 (v2)"])
    }
}

extension PluginRefusal.Reason {
    fileprivate var isLibraryNotLoadable: Bool {
        if case .libraryNotLoadable = self { return true }
        return false
    }
}
