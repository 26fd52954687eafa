import Foundation
import KafkaNIO
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Issue 6's author path as one test, with the commands a user types: `plugin new Demo --source` ->
/// `plugin package` (a release build of the generated package against Packages/ConnectAPI) -> the
/// plugin folder copied into a plugin.path directory -> `swift-connect standalone` with that
/// plugin.path -> `POST /connectors` with the generated class -> its records read back from the topic.
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct PluginScaffoldIntegrationTests {
    @Test func aGeneratedSourcePluginIsPackagedDeployedAndWritesItsRecords() async throws {
        let binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/swift-connect").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestFailure("\(binary) is missing: run swift build first")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plugin-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let q = QuickstartTests.quoted

        // new -> package -> deploy, each a command with its output kept for the failure message.
        func sh(_ step: String, _ command: String) async throws {
            let log = path("\(step).log")
            let status = try await QuickstartTests.run("\(command) > \(q(log)) 2>&1")
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            guard status == 0 else { throw TestFailure("\(step) exited with \(status):\n\(output)") }
        }
        try await sh("new", "\(q(binary)) plugin new Demo --source --output \(q(path("Demo")))")
        try await sh("package", "\(q(binary)) plugin package \(q(path("Demo")))")
        let packaged = try String(contentsOfFile: path("package.log"), encoding: .utf8)
        #expect(packaged.contains("plugin.path="), "\(packaged)")
        try FileManager.default.createDirectory(atPath: path("plugins"), withIntermediateDirectories: true)
        try await sh("deploy", "cp -R \(q(path("Demo/.build/plugin/demo"))) \(q(path("plugins/")))")
        let deployed = try FileManager.default.contentsOfDirectory(atPath: path("plugins/demo")).sorted()
        #expect(deployed == ["libDemoPlugin.so", "plugin.json"])

        let topic = TestEnvironment.uniqueTopic("plugin-demo")
        try Data(
            """
            bootstrap.servers=\(try TestEnvironment.requireBootstrap())
            key.converter=org.apache.kafka.connect.storage.StringConverter
            value.converter=org.apache.kafka.connect.storage.StringConverter
            offset.storage.file.filename=\(path("connect.offsets"))
            offset.flush.interval.ms=1000
            listeners=http://127.0.0.1:0
            plugin.path=\(path("plugins"))
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
            FileManager.default.createFile(atPath: path("worker.log"), contents: nil)
            process.standardError = FileHandle(forWritingAtPath: path("worker.log"))
            try process.run()
            defer {
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                }
            }
            func workerLog() -> String { (try? String(contentsOfFile: path("worker.log"), encoding: .utf8)) ?? "" }
            var url = ""
            try await StandaloneWorkerIntegrationTests.waitUntil("the REST API listens") {
                guard process.isRunning else { throw TestFailure("the worker exited:\n\(workerLog())") }
                let line = workerLog().split(separator: "\n").first { $0.hasPrefix("REST API listening on ") }
                url = line.map { String($0.dropFirst("REST API listening on ".count)) } ?? ""
                return !url.isEmpty
            }

            // The plugin's connector is listed with its version, like a built-in.
            let (plugins, _) = try await URLSession.shared.data(
                from: try #require(URL(string: url + "connector-plugins"))
            )
            let listed = try #require(try JSONSerialization.jsonObject(with: plugins) as? [[String: Any]])
            let demo = try #require(
                listed.first { $0["class"] as? String == "com.example.demo.DemoSourceConnector" },
                "\(listed)\n\(workerLog())"
            )
            #expect(demo["type"] as? String == "source")
            #expect(demo["version"] as? String == "0.1.0")

            var request = URLRequest(url: try #require(URL(string: url + "connectors")))
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(
                #"""
                {"name": "demo", "config": {"connector.class": "com.example.demo.DemoSourceConnector",
                 "topic": "\#(topic)", "max.records": "50", "batch.size": "20", "poll.interval.ms": "0"}}
                """#.utf8
            )
            let (created, response) = try await URLSession.shared.data(for: request)
            #expect(
                (response as? HTTPURLResponse)?.statusCode == 201,
                "\(String(decoding: created, as: UTF8.self))\n\(workerLog())"
            )

            let values = try await StandaloneWorkerIntegrationTests.readValues(
                cluster: cluster,
                topic: topic,
                from: 0,
                count: 50
            )
            #expect(values == (0..<50).map { "Demo record \($0)" }, "\(workerLog())")
            try await KafkaAdminClient(cluster: cluster).deleteTopics([topic])
        }
    }
}
