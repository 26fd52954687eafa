import ConnectAPI
import ConnectEmbedded
import ConnectRuntime
import Foundation
import PluginTestSupport
import Testing

/// The example connector packages in `Examples/` built as plugins (release), deployed into a
/// `plugin.path` folder, loaded by an embedded worker, created over REST, and shown moving data: rows
/// of CSV files into a topic, and a topic's records to an HTTP endpoint.
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct ExamplePluginsIntegrationTests {
    /// Builds `Examples/<example>` and installs its plugin library into a new plugin.path directory.
    private static func deploy(
        example: String,
        library: String,
        name: String,
        connector: String,
        type: ConnectorPlugin.PluginType
    ) async throws -> String {
        let bin = try await PluginFixtures.build(
            package: PluginFixtures.repositoryRoot.appendingPathComponent("Examples/\(example)").path
        )
        let pluginPath = try PluginFixtures.temporaryDirectory("example-plugins")
        try PluginFixtures.install(
            library: bin + "/" + library,
            into: pluginPath,
            folder: name,
            manifest: PluginFixtures.manifest(
                name: name,
                version: "0.1.0",
                library: library,
                classes: .init(connectors: [.init(className: connector, type: type)])
            )
        )
        return pluginPath
    }

    private static func startWorker(pluginPath: String) async throws -> EmbeddedConnectWorker {
        try await EmbeddedConnectWorker.start(
            bootstrapServers: try TestEnvironment.requireBootstrap(),
            workerProperties: [
                "plugin.path": pluginPath,
                // Short sessions: the test broker holds every group join for about half the session timeout.
                "consumer.session.timeout.ms": "3000", "consumer.heartbeat.interval.ms": "500",
            ]
        )
    }

    @Test func theCSVSourcePluginMovesRowsIntoATopicAndFinishesTheFile() async throws {
        let pluginPath = try await Self.deploy(
            example: "CSVDirectorySource",
            library: "libCSVDirectorySourcePlugin.so",
            name: "csv-directory-source",
            connector: "com.example.csv.CSVDirectorySourceConnector",
            type: .source
        )
        defer { try? FileManager.default.removeItem(atPath: pluginPath) }
        let data = try PluginFixtures.temporaryDirectory("csv-data")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let input = data + "/in"
        let finished = data + "/done"
        for directory in [input, finished] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try Data("id,name\n1,alice\n2,bob\n".utf8).write(to: URL(fileURLWithPath: input + "/people.csv"))

        let worker = try await Self.startWorker(pluginPath: pluginPath)
        do {
            #expect(worker.pluginReport.loaded.map(\.name) == ["csv-directory-source"])
            #expect(worker.pluginReport.refused.isEmpty)
            let plugins = try await worker.rest("GET", "/connector-plugins")
            #expect(plugins.text.contains(#""class":"com.example.csv.CSVDirectorySourceConnector""#))

            let topic = TestEnvironment.uniqueTopic("csv-rows")
            try await worker.createTopic(topic)
            try await worker.createConnector(
                "csv",
                config: [
                    "connector.class": "CSVDirectorySource",
                    "input.path": input, "finished.path": finished, "topic": topic, "poll.interval.ms": "50",
                    "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                    "value.converter.schemas.enable": "false",
                ]
            )
            try await worker.awaitConnectorAndTasksRunning("csv", tasks: 1)
            let records = try await worker.consume(topic: topic, count: 2)
            #expect(records.map(\.value) == [#"{"id":"1","name":"alice"}"#, #"{"id":"2","name":"bob"}"#])
            #expect(records.first?.headers["csv.file"] == "people.csv")
            try await worker.awaitCondition("people.csv to move to finished.path") {
                FileManager.default.fileExists(atPath: finished + "/people.csv")
                    && !FileManager.default.fileExists(atPath: input + "/people.csv")
            }
        } catch {
            await worker.stop()
            throw error
        }
        await worker.stop()
    }

    @Test func theHTTPSinkPluginPostsATopicsRecords() async throws {
        let pluginPath = try await Self.deploy(
            example: "HTTPSink",
            library: "libHTTPSinkPlugin.so",
            name: "http-sink",
            connector: "com.example.http.HTTPSinkConnector",
            type: .sink
        )
        defer { try? FileManager.default.removeItem(atPath: pluginPath) }
        let receiver = try HTTPReceiver()
        defer { receiver.stop() }
        receiver.respond(with: [503])  // the first request fails: the worker delivers the batch again

        let worker = try await Self.startWorker(pluginPath: pluginPath)
        do {
            let topic = TestEnvironment.uniqueTopic("http-out")
            try await worker.createTopic(topic)
            try await worker.produce(topic: topic, values: [#"{"n":1}"#, #"{"n":2}"#, #"{"n":3}"#])
            try await worker.createConnector(
                "http",
                config: [
                    "connector.class": "HTTPSink", "topics": topic, "http.url": receiver.url,
                    "retry.backoff.ms": "100", "http.headers": "X-Test: yes",
                    "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                    "value.converter.schemas.enable": "false",
                ]
            )
            try await worker.awaitConnectorAndTasksRunning("http", tasks: 1)
            try await worker.awaitCondition("the endpoint to accept the three records") {
                receiver.requests.dropFirst().map(\.body).joined() == #"[{"n":1},{"n":2},{"n":3}]"#
            } describe: {
                "received \(receiver.requests.map(\.body))"
            }
            #expect(receiver.requests.count == 2)
            #expect(receiver.requests.allSatisfy { $0.headers["x-test"] == "yes" })
        } catch {
            await worker.stop()
            throw error
        }
        await worker.stop()
    }
}
