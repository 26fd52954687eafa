import ConnectAPI
import ConnectFile
import ConnectRuntime
import Foundation
import KafkaNIO
import NIOCore
import Testing

/// The Connect runtime end to end against the real broker: a FileStreamSource connector run by a
/// standalone worker.
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct StandaloneWorkerIntegrationTests {
    static var plugins: PluginRegistry {
        var registry = PluginRegistry.kafkaBuiltIns
        registry.register(source: FileStreamSourceConnector.self, className: FileStreamSourceConnector.className)
        return registry
    }

    static func startHerder(offsetFile: String, flushIntervalMs: Int = 200) async throws -> StandaloneHerder {
        let config = try WorkerConfig(standalone: [
            "bootstrap.servers": try TestEnvironment.requireBootstrap(),
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.storage.StringConverter",
            "offset.storage.file.filename": offsetFile,
            "offset.flush.interval.ms": String(flushIntervalMs),
        ])
        let worker = try Worker(
            config: config,
            plugins: plugins,
            offsetStore: FileOffsetBackingStore(path: offsetFile)
        )
        let herder = StandaloneHerder(worker: worker)
        try await herder.start()
        return herder
    }

    /// Reads `count` values of partition 0 starting at `offset`.
    static func readValues(
        cluster: KafkaCluster,
        topic: String,
        from offset: Int64,
        count: Int
    ) async throws -> [String] {
        try await readValuesAndEnd(cluster: cluster, topic: topic, from: offset, count: count).values
    }

    /// Reads `count` values of partition 0 starting at `offset`, and the partition's high watermark then.
    static func readValuesAndEnd(
        cluster: KafkaCluster,
        topic: String,
        from offset: Int64,
        count: Int
    ) async throws -> (values: [String], highWatermark: Int64?) {
        var configuration = KafkaConsumerConfiguration(client: cluster.configuration)
        configuration.fetchMaxWaitMs = 50
        let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
        let partition = KafkaNIO.TopicPartition(topic, 0)
        consumer.assign([partition])
        try await consumer.seek(partition, to: .offset(offset))
        var values: [String] = []
        values.reserveCapacity(count)
        let deadline = ContinuousClock.now + .seconds(30)
        while values.count < count {
            guard ContinuousClock.now < deadline else { break }
            for record in try await consumer.poll(timeout: .milliseconds(500)) {
                values.append(record.value.map { String(buffer: $0) } ?? "<null>")
            }
        }
        let highWatermark = consumer.highWatermark(partition)
        await consumer.close()
        return (values, highWatermark)
    }

    /// The committed position of `file` in the offset file, read through a fresh store.
    static func committedPosition(offsetFile: String, connector: String, file: String) async throws -> Int64? {
        let store = FileOffsetBackingStore(path: offsetFile)
        try await store.start()
        let key = OffsetKey(namespace: connector, partition: ["filename": .string(file)])
        guard case .int64(let position)? = try await store.get([key])[key]?["position"] else { return nil }
        return position
    }

    static func waitUntil(
        _ what: String,
        timeout: Duration = .seconds(20),
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while !(try await condition()) {
            guard ContinuousClock.now < deadline else { throw TestFailure("timed out waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func fileSize(_ path: String) throws -> Int64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? -1
    }

    static func append(_ lines: [String], to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(lines.map { $0 + "\n" }.joined().utf8))
        try handle.close()
    }

    @Test func fileStreamSourceCopiesAFileInOrderAndResumesAfterARestart() async throws {
        let topic = TestEnvironment.uniqueTopic("filestream")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("worker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let input = directory.appendingPathComponent("input.txt").path
        let offsetFile = directory.appendingPathComponent("connect.offsets").path
        let lines = (0..<100_000).map { "line \($0) \(String(repeating: "x", count: $0 % 17))" }
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: input))
        let connectorConfig = [
            "connector.class": "FileStreamSource",
            "tasks.max": "1",
            "file": input,
            "topic": topic,
        ]

        try await TestEnvironment.withCluster { cluster in
            // One partition: FileStreamSource records have no key, and the broker would auto-create 4.
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 1, replicationFactor: 1)
            ])

            let herder = try await Self.startHerder(offsetFile: offsetFile)
            do {
                let info = try await herder.putConnectorConfig(
                    name: "file-source",
                    config: connectorConfig,
                    allowReplace: false
                )
                #expect(info.tasks == [ConnectorTaskID(connector: "file-source", task: 0)])
                #expect(try await herder.connectorStatus("file-source").connector.state == .running)
                try await Self.waitUntil("the task runs") {
                    try await herder.connectorStatus("file-source").tasks.map(\.status.state) == [.running]
                }

                let copied = try await Self.readValues(cluster: cluster, topic: topic, from: 0, count: lines.count)
                #expect(copied.count == lines.count)
                #expect(copied == lines)

                // Lines appended later arrive too.
                let appended = (0..<100).map { "appended \($0)" }
                try Self.append(appended, to: input)
                let more = try await Self.readValues(
                    cluster: cluster,
                    topic: topic,
                    from: Int64(lines.count),
                    count: 100
                )
                #expect(more == appended)

                // The periodic flush commits the position after the last line.
                let size = try Self.fileSize(input)
                try await Self.waitUntil("the offset of the last line is committed") {
                    try await Self.committedPosition(offsetFile: offsetFile, connector: "file-source", file: input)
                        == size
                }
            } catch {
                await herder.stop()
                throw error
            }
            await herder.stop()

            // A new worker resumes from the committed offset: only new lines are produced.
            try Self.append(["after restart 1", "after restart 2"], to: input)
            let restarted = try await Self.startHerder(offsetFile: offsetFile)
            do {
                try await restarted.putConnectorConfig(
                    name: "file-source",
                    config: connectorConfig,
                    allowReplace: false
                )
                let resumed = try await Self.readValues(cluster: cluster, topic: topic, from: 100_100, count: 2)
                #expect(resumed == ["after restart 1", "after restart 2"])
                let size = try Self.fileSize(input)
                try await Self.waitUntil("the restarted task commits its offset") {
                    try await Self.committedPosition(offsetFile: offsetFile, connector: "file-source", file: input)
                        == size
                }
            } catch {
                await restarted.stop()
                throw error
            }
            await restarted.stop()
            // Nothing was produced twice: the partition holds exactly the lines of the file.
            let all = try await Self.readValuesAndEnd(cluster: cluster, topic: topic, from: 0, count: 100_102)
            #expect(all.values.count == 100_102)
            #expect(all.highWatermark == 100_102)
            try await KafkaAdminClient(cluster: cluster).deleteTopics([topic])
        }
    }

    @Test func pauseStopsPollingAndResumeContinues() async throws {
        let topic = TestEnvironment.uniqueTopic("filestream-pause")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("worker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let input = directory.appendingPathComponent("input.txt").path
        try Data("first\n".utf8).write(to: URL(fileURLWithPath: input))
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 1, replicationFactor: 1)
            ])
            let herder = try await Self.startHerder(offsetFile: directory.appendingPathComponent("offsets").path)
            do {
                try await herder.putConnectorConfig(
                    name: "pausable",
                    config: ["connector.class": "FileStreamSourceConnector", "file": input, "topic": topic],
                    allowReplace: false
                )
                #expect(try await Self.readValues(cluster: cluster, topic: topic, from: 0, count: 1) == ["first"])
                try await Self.waitUntil("the task runs") {
                    try await herder.connectorStatus("pausable").tasks.map(\.status.state) == [.running]
                }
                try await herder.pauseConnector("pausable")
                let paused = try await herder.connectorStatus("pausable")
                #expect(paused.connector.state == .paused)
                #expect(paused.tasks.map(\.status.state) == [.paused])
                try await herder.resumeConnector("pausable")
                try Self.append(["second"], to: input)
                #expect(try await Self.readValues(cluster: cluster, topic: topic, from: 1, count: 1) == ["second"])
                #expect(try await herder.connectorStatus("pausable").tasks.map(\.status.state) == [.running])

                // An invalid configuration is rejected naming the key.
                await #expect {
                    try await herder.putConnectorConfig(
                        name: "bad",
                        config: ["connector.class": "FileStreamSource", "file": input],
                        allowReplace: false
                    )
                } throws: { ($0 as? ConfigError)?.name == "topic" }
            } catch {
                await herder.stop()
                throw error
            }
            await herder.stop()
            try await KafkaAdminClient(cluster: cluster).deleteTopics([topic])
        }
    }
}
