import ConnectAPI
import ConnectEmbedded
import ConnectFile
import ConnectRuntime
import Foundation
import Testing

/// ConnectEmbedded's worker against the real broker, as a connector author's integration test uses
/// it: FileStreamSource and FileStreamSink registered compiled-in, connectors created over REST,
/// data checked in the topic and in the file.
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct EmbeddedWorkerIntegrationTests {
    private static var plugins: PluginRegistry {
        var plugins = PluginRegistry.kafkaBuiltIns
        plugins.register(source: FileStreamSourceConnector.self, className: FileStreamSourceConnector.className)
        plugins.register(sink: FileStreamSinkConnector.self, className: FileStreamSinkConnector.className)
        return plugins
    }

    // snippet.testing-embedded-worker
    @Test func aFileStreamSourceMovesLinesIntoATopicAndASinkWritesThemBack() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("embedded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.txt").path
        let output = directory.appendingPathComponent("out.txt").path
        try Data("one\ntwo\nthree\n".utf8).write(to: URL(fileURLWithPath: input))

        let worker = try await EmbeddedConnectWorker.start(
            bootstrapServers: try TestEnvironment.requireBootstrap(),
            // Short sessions: the test broker holds every group join for about half the session timeout.
            workerProperties: ["consumer.session.timeout.ms": "3000", "consumer.heartbeat.interval.ms": "500"],
            plugins: Self.plugins
        )
        do {
            let lines = TestEnvironment.uniqueTopic("embedded-lines")
            try await worker.createTopic(lines)
            try await worker.createConnector(
                "source",
                config: ["connector.class": "FileStreamSource", "file": input, "topic": lines]
            )
            try await worker.awaitConnectorAndTasksRunning("source", tasks: 1)
            let records = try await worker.consume(topic: lines, count: 3)
            #expect(records.map(\.value) == ["one", "two", "three"])
            #expect(records.map(\.offset) == [0, 1, 2])

            // The produce helper feeds a sink; its output file shows what it consumed.
            let produced = TestEnvironment.uniqueTopic("embedded-produced")
            try await worker.createTopic(produced)
            try await worker.produce(topic: produced, values: ["x", "y"], keys: ["k1", nil])
            try await worker.createConnector(
                "embedded-sink",
                config: ["connector.class": "FileStreamSink", "file": output, "topics": produced]
            )
            try await worker.awaitConnectorAndTasksRunning("embedded-sink", tasks: 1)
            try await worker.awaitCondition("the sink to write both values") {
                (try? String(contentsOfFile: output, encoding: .utf8)) == "x\ny\n"
            }

            try await worker.deleteConnector("source")
            try await worker.awaitConnectorDeleted("source")
            #expect(try await worker.connectorStatus("source") == nil)
            let listed = try await worker.rest("GET", "/connectors")
            #expect(listed.json == ["embedded-sink"])
        } catch {
            await worker.stop()
            throw error
        }
        await worker.stop()
    }
    // snippet.end

    @Test func refusedConfigurationsAndTimeoutsSayWhy() async throws {
        let worker = try await EmbeddedConnectWorker.start(
            bootstrapServers: try TestEnvironment.requireBootstrap(),
            plugins: Self.plugins
        )
        let refused = await #expect(throws: EmbeddedConnectError.self) {
            try await worker.createConnector("nope", config: ["connector.class": "NoSuchConnector"])
        }
        // The worker's status and Kafka's message reach the test.
        #expect(refused?.status == 500)
        #expect(refused?.message.contains("Failed to find any class that implements Connector") == true)

        // A sink without topics is refused by validation, with the key named.
        let invalid = await #expect(throws: EmbeddedConnectError.self) {
            try await worker.createConnector("embedded-sink", config: ["connector.class": "FileStreamSink"])
        }
        #expect(invalid?.message.contains("topics") == true)

        // A wait that cannot succeed reports the last status.
        let timeout = await #expect(throws: EmbeddedConnectError.self) {
            try await worker.awaitConnectorAndTasksRunning("missing", timeout: .milliseconds(300))
        }
        #expect(timeout?.message.contains("the connector does not exist") == true)
        await worker.stop()
    }
}
