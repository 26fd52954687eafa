import ConnectRuntime
import Foundation
import KafkaNIO
import PluginTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `swift-connect standalone` with a `plugin.path`: a plugin built from `Tests/Fixtures/Plugins` is
/// loaded beside a refused one, its connector is created over REST and moves records into Kafka.
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct PluginIntegrationTests {
    @Test func workerLoadsAPluginFromPluginPathAndRunsItsConnector() async throws {
        let binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/swift-connect").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestFailure("\(binary) is missing: run swift build first")
        }
        let bin = try await PluginFixtures.build(package: "TestPlugins")
        let directory = try PluginFixtures.temporaryDirectory("plugin-worker")
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        let pluginPath = path("plugins")
        try PluginFixtures.install(
            library: bin + "/libGoodPlugin.so",
            into: pluginPath,
            folder: "counter",
            manifest: PluginFixtures.manifest(
                name: "test-plugins",
                library: "libGoodPlugin.so",
                classes: .init(connectors: [.init(className: "fixture.plugins.CounterSourceConnector", type: .source)])
            )
        )
        try Data("not a shared library".utf8).write(to: URL(fileURLWithPath: path("broken.so")))
        try PluginFixtures.install(
            library: path("broken.so"),
            into: pluginPath,
            folder: "broken",
            manifest: PluginFixtures.manifest(name: "broken", library: "libBroken.so", classes: .init())
        )
        let topic = TestEnvironment.uniqueTopic("plugin-counter")
        try Data(
            """
            bootstrap.servers=\(try TestEnvironment.requireBootstrap())
            key.converter=org.apache.kafka.connect.storage.StringConverter
            value.converter=org.apache.kafka.connect.storage.StringConverter
            offset.storage.file.filename=\(path("connect.offsets"))
            listeners=http://127.0.0.1:0
            plugin.path=\(path("missing")), \(pluginPath)
            """.utf8
        ).write(to: URL(fileURLWithPath: path("worker.properties")))

        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 1, replicationFactor: 1)
            ])
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["standalone", path("worker.properties")]
            process.standardOutput = FileHandle.nullDevice
            _ = FileManager.default.createFile(atPath: path("stderr.txt"), contents: nil)
            process.standardError = FileHandle(forWritingAtPath: path("stderr.txt"))
            try process.run()
            defer {
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                }
            }
            let prefix = "REST API listening on "
            var url = ""
            try await StandaloneWorkerIntegrationTests.waitUntil("the REST API listens") {
                let logged = try String(contentsOfFile: path("stderr.txt"), encoding: .utf8)
                url =
                    logged.split(separator: "\n").first { $0.hasPrefix(prefix) }.map {
                        String($0.dropFirst(prefix.count))
                    } ?? ""
                return !url.isEmpty || !process.isRunning
            }
            let logged = try String(contentsOfFile: path("stderr.txt"), encoding: .utf8)
            try #require(!url.isEmpty, "\(logged)")
            // Start-up logged the loaded plugin and both refusals, and carried on.
            #expect(logged.contains("Loaded plugin 'test-plugins' 1.2.3 from \(pluginPath)/counter"))
            #expect(logged.contains("Refused plugin 'broken' (\(pluginPath)/broken): cannot load libBroken.so"))
            #expect(logged.contains("Refused plugin.path entry \(path("missing")): no such directory"))

            var request = URLRequest(url: URL(string: url + "connectors")!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(
                #"{"name": "counter", "config": {"connector.class": "CounterSource", "topic": "\#(topic)", "count": "5"}}"#
                    .utf8
            )
            let (created, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 201, "\(String(decoding: created, as: UTF8.self))")

            let values = try await StandaloneWorkerIntegrationTests.readValues(
                cluster: cluster,
                topic: topic,
                from: 0,
                count: 5
            )
            #expect(values == (0..<5).map { "record-\($0)" })

            let (listing, _) = try await URLSession.shared.data(from: URL(string: url + "connector-plugins")!)
            let plugins = try #require(try JSONSerialization.jsonObject(with: listing) as? [[String: String]])
            #expect(
                plugins.contains([
                    "class": "fixture.plugins.CounterSourceConnector", "type": "source", "version": "1.2.3",
                ])
            )

            kill(process.processIdentifier, SIGINT)
            try await StandaloneWorkerIntegrationTests.waitUntil("swift-connect exits after SIGINT") {
                !process.isRunning
            }
            #expect(process.terminationStatus == 0)
            try await KafkaAdminClient(cluster: cluster).deleteTopics([topic])
        }
    }
}

/// `swift-connect plugin list` as a user runs it (no broker needed).
@Suite struct PluginListCommandTests {
    @Test func listsLoadedPluginsAndRefusalsAndFailsOnARefusal() async throws {
        let binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/swift-connect").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestFailure("\(binary) is missing: run swift build first")
        }
        let bin = try await PluginFixtures.build(package: "TestPlugins")
        let pluginPath = try PluginFixtures.temporaryDirectory("plugin-list")
        let good = try PluginFixtures.install(
            library: bin + "/libGoodPlugin.so",
            into: pluginPath,
            folder: "counter",
            manifest: PluginFixtures.manifest(
                name: "test-plugins",
                library: "libGoodPlugin.so",
                classes: .init(
                    connectors: [.init(className: "fixture.plugins.CounterSourceConnector", type: .source)],
                    converters: ["fixture.plugins.PrefixConverter"]
                )
            )
        )
        func list(_ path: String) throws -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["plugin", "list", path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }

        let clean = try list(pluginPath)
        #expect(clean.status == 0)
        #expect(
            clean.output == """
                loaded  test-plugins 1.2.3  \(good)
                        source           fixture.plugins.CounterSourceConnector
                        converter        fixture.plugins.PrefixConverter
                        header_converter fixture.plugins.PrefixConverter
                        transformation   fixture.plugins.UppercaseTopic
                        predicate        fixture.plugins.TopicIsCounter
                1 plugin(s) loaded, 0 refused

                """
        )

        try PluginFixtures.install(
            library: nil,
            into: pluginPath,
            folder: "old",
            manifest: PluginFixtures.manifest(name: "old", library: "libOld.so", classes: .init(), abiVersion: 0)
        )
        let refused = try list(pluginPath)
        #expect(refused.status == 1)
        #expect(refused.output.contains("loaded  test-plugins 1.2.3"))
        #expect(refused.output.contains("refused plugin 'old' (\(pluginPath)/old) was built for ConnectAPI ABI 0"))
        #expect(refused.output.hasSuffix("1 plugin(s) loaded, 1 refused\n"))
    }
}
