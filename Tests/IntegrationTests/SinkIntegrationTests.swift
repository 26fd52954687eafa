import ConnectAPI
import ConnectFile
import ConnectRuntime
import Foundation
import KafkaNIO
import KafkaProtocol
import NIOCore
import Testing

/// Sink tasks end to end against the real broker: FileStreamSource → topic → FileStreamSink through
/// one standalone worker, and the dead letter queue / error tolerance with malformed JSON.
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct SinkIntegrationTests {
    static var plugins: PluginRegistry {
        var registry = PluginRegistry.kafkaBuiltIns
        registry.register(source: FileStreamSourceConnector.self, className: FileStreamSourceConnector.className)
        registry.register(sink: FileStreamSinkConnector.self, className: FileStreamSinkConnector.className)
        return registry
    }

    /// A herder whose consumers use short group sessions (the test broker holds each JoinGroup for
    /// about session.timeout.ms / 2).
    static func startHerder(directory: URL) async throws -> StandaloneHerder {
        let offsetFile = directory.appendingPathComponent("connect.offsets").path
        let config = try WorkerConfig(standalone: [
            "bootstrap.servers": try TestEnvironment.requireBootstrap(),
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.storage.StringConverter",
            "offset.storage.file.filename": offsetFile,
            "offset.flush.interval.ms": "200",
            "consumer.session.timeout.ms": "2000",
            "consumer.heartbeat.interval.ms": "500",
            "consumer.fetch.max.wait.ms": "100",
        ])
        let worker = try Worker(config: config, plugins: plugins, offsetStore: FileOffsetBackingStore(path: offsetFile))
        let herder = StandaloneHerder(worker: worker)
        try await herder.start()
        return herder
    }

    static func makeDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func waitUntil(
        _ what: String,
        timeout: Duration = .seconds(30),
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while !(try await condition()) {
            guard ContinuousClock.now < deadline else { throw TestFailure("timed out waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func lines(_ path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    static func withHerder(_ herder: StandaloneHerder, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            await herder.stop()
            throw error
        }
        await herder.stop()
    }

    @Test func fileSourceToTopicToFileSinkKeepsEveryLineInOrder() async throws {
        let topic = TestEnvironment.uniqueTopic("pipeline")
        let directory = try Self.makeDirectory()
        let input = directory.appendingPathComponent("input.txt").path
        let output = directory.appendingPathComponent("output.txt").path
        let lines = (0..<100_000).map { "line \($0) \(String(repeating: "y", count: $0 % 13))" }
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: input))

        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 1, replicationFactor: 1)
            ])
            let herder = try await Self.startHerder(directory: directory)
            try await Self.withHerder(herder) {
                try await herder.putConnectorConfig(
                    name: "source",
                    config: ["connector.class": "FileStreamSource", "file": input, "topic": topic],
                    allowReplace: false
                )
                try await herder.putConnectorConfig(
                    name: "copy-sink",  // a connector name no other test uses: its group is connect-<name>
                    config: ["connector.class": "FileStreamSink", "file": output, "topics": topic],
                    allowReplace: false
                )
                try await Self.waitUntil("every line is in the sink file", timeout: .seconds(60)) {
                    Self.lines(output).count >= lines.count
                }
                #expect(Self.lines(output) == lines)
                let status = try await herder.connectorStatus("copy-sink")
                #expect(status.type == .sink)
                #expect(status.tasks.map(\.status.state) == [.running])

                let appended = (0..<50).map { "appended \($0)" }
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: input))
                try handle.seekToEnd()
                try handle.write(contentsOf: Data(appended.map { $0 + "\n" }.joined().utf8))
                try handle.close()
                try await Self.waitUntil("the appended lines arrive") {
                    Self.lines(output).count >= lines.count + appended.count
                }
                #expect(Self.lines(output) == lines + appended)
            }
            try await KafkaAdminClient(cluster: cluster).deleteTopics([topic])
        }
    }

    static func produceRaw(_ values: [String], topic: String, cluster: KafkaCluster) async throws {
        let producer = KafkaProducer(
            configuration: KafkaProducerConfiguration(client: cluster.configuration),
            cluster: cluster
        )
        let results = await producer.send(
            contentsOf: values.map {
                KafkaProducerRecord(
                    topic: topic,
                    partition: 0,
                    value: ByteBuffer(string: $0),
                    headers: [KafkaRecordHeader(key: "origin", value: ByteBuffer(string: "test"))]
                )
            }
        )
        await producer.close()
        for result in results { _ = try result.get() }
    }

    static func readRecords(cluster: KafkaCluster, topic: String, count: Int) async throws -> [KafkaConsumerRecord] {
        var configuration = KafkaConsumerConfiguration(client: cluster.configuration)
        configuration.fetchMaxWaitMs = 50
        let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
        let partition = KafkaNIO.TopicPartition(topic, 0)
        consumer.assign([partition])
        try await consumer.seek(partition, to: .offset(0))
        var records: [KafkaConsumerRecord] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while records.count < count, ContinuousClock.now < deadline {
            records += try await consumer.poll(timeout: .milliseconds(300))
        }
        await consumer.close()
        return records
    }

    @Test func malformedJsonGoesToTheDeadLetterQueueWithContextHeadersAndTheSinkKeepsGoing() async throws {
        let topic = TestEnvironment.uniqueTopic("json-in")
        let dlq = TestEnvironment.uniqueTopic("dlq")
        let directory = try Self.makeDirectory()
        let output = directory.appendingPathComponent("output.txt").path
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 1, replicationFactor: 1)
            ])
            try await Self.produceRaw(
                ["\"good 1\"", "{not json", "\"good 2\"", "[1,", "\"good 3\""],
                topic: topic,
                cluster: cluster
            )
            let herder = try await Self.startHerder(directory: directory)
            try await Self.withHerder(herder) {
                try await herder.putConnectorConfig(
                    name: "json-sink",
                    config: [
                        "connector.class": "FileStreamSink", "file": output, "topics": topic,
                        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                        "value.converter.schemas.enable": "false",
                        "errors.tolerance": "all",
                        "errors.log.enable": "true",
                        "errors.deadletterqueue.topic.name": dlq,
                        "errors.deadletterqueue.topic.replication.factor": "1",
                        "errors.deadletterqueue.context.headers.enable": "true",
                    ],
                    allowReplace: false
                )
                try await Self.waitUntil("the good records are in the sink file") { Self.lines(output).count >= 3 }
                #expect(Self.lines(output) == ["good 1", "good 2", "good 3"])

                let dead = try await Self.readRecords(cluster: cluster, topic: dlq, count: 2)
                #expect(dead.map { $0.value.map { String(buffer: $0) } } == ["{not json", "[1,"])
                for (record, offset) in zip(dead, ["1", "3"]) {
                    var headers: [String: String?] = [:]
                    for header in record.headers { headers[header.key] = header.value.map { String(buffer: $0) } }
                    #expect(headers["origin"] == "test")
                    #expect(headers["__connect.errors.topic"] == topic)
                    #expect(headers["__connect.errors.partition"] == "0")
                    #expect(headers["__connect.errors.offset"] == offset)
                    #expect(headers["__connect.errors.connector.name"] == "json-sink")
                    #expect(headers["__connect.errors.task.id"] == "0")
                    #expect(headers["__connect.errors.stage"] == "VALUE_CONVERTER")
                    #expect(headers["__connect.errors.class.name"] == "org.apache.kafka.connect.json.JsonConverter")
                    #expect(headers["__connect.errors.exception.class.name"] == "ConnectAPI.DataError")
                    #expect((headers["__connect.errors.exception.message"] ?? nil)?.isEmpty == false)
                    #expect(headers["__connect.errors.exception.stacktrace"] != nil)
                }
                // The task keeps going.
                try await Self.produceRaw(["\"good 4\"", "nope"], topic: topic, cluster: cluster)
                try await Self.waitUntil("a later good record arrives") { Self.lines(output).count >= 4 }
                #expect(Self.lines(output).last == "good 4")
                #expect(try await herder.connectorStatus("json-sink").tasks.map(\.status.state) == [.running])
            }
            try await KafkaAdminClient(cluster: cluster).deleteTopics([topic, dlq])
        }
    }

    @Test func malformedJsonFailsTheTaskWithToleranceNoneAndAutomaticRestartsAreCounted() async throws {
        let topic = TestEnvironment.uniqueTopic("json-none")
        let directory = try Self.makeDirectory()
        let output = directory.appendingPathComponent("output.txt").path
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 1, replicationFactor: 1)
            ])
            try await Self.produceRaw(["\"fine\"", "{broken"], topic: topic, cluster: cluster)
            let herder = try await Self.startHerder(directory: directory)
            try await Self.withHerder(herder) {
                try await herder.putConnectorConfig(
                    name: "strict-sink",
                    config: [
                        "connector.class": "FileStreamSink", "file": output, "topics": topic,
                        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                        "value.converter.schemas.enable": "false",
                        // The bad record fails every attempt: one automatic restart, then FAILED for good.
                        "errors.task.restart.enable": "true",
                        "errors.task.restart.max.attempts": "1",
                        "errors.task.restart.backoff.initial.ms": "100",
                    ],
                    allowReplace: false
                )
                try await Self.waitUntil("the task failed after its restart") {
                    let status = try await herder.connectorStatus("strict-sink").tasks.first?.status
                    return status?.state == .failed && status?.restarts == 1
                }
                let status = try #require(try await herder.connectorStatus("strict-sink").tasks.first?.status)
                #expect(status.trace?.contains("Tolerance exceeded in error handler") == true)
                #expect(status.trace?.contains("Converting byte[] to Kafka Connect data failed") == true)
                #expect(status.lastRestartTrace?.contains("Tolerance exceeded") == true)
                // Nothing but good records reaches the file (the batch with the bad record is never put).
                #expect(Self.lines(output).allSatisfy { $0 == "fine" })
            }
            try await KafkaAdminClient(cluster: cluster).deleteTopics([topic])
        }
    }
}
