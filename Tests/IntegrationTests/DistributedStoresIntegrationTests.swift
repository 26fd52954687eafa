import ConnectAPI
import ConnectRuntime
import Foundation
import KafkaNIO
import NIOCore
import Testing

/// The distributed worker's internal topic stores against the real broker: topic creation and the
/// checks Kafka makes, one store instance reading what another wrote (as two workers do), and
/// records written by a Java worker's format through the reference client.
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct DistributedStoresIntegrationTests {
    /// A distributed worker configuration with fresh topic names and small partition counts.
    static func config(_ overrides: [String: String] = [:]) throws -> DistributedConfig {
        let id = UInt32.random(in: 0...UInt32.max)
        var props = [
            "bootstrap.servers": try TestEnvironment.requireBootstrap(),
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "group.id": "stores-\(id)",
            "config.storage.topic": "connect-configs-\(id)",
            "offset.storage.topic": "connect-offsets-\(id)",
            "status.storage.topic": "connect-status-\(id)",
            "config.storage.replication.factor": "1",
            "offset.storage.replication.factor": "1",
            "status.storage.replication.factor": "1",
            "offset.storage.partitions": "3",
            "status.storage.partitions": "2",
            "request.timeout.ms": "15000",
        ]
        props.merge(overrides) { $1 }
        return try DistributedConfig(props)
    }

    /// Runs `body` with `store` started, stopping it after (also on failure).
    static func withStarted<T>(_ store: some StartableStore, _ body: () async throws -> T) async throws -> T {
        try await store.start()
        do {
            let result = try await body()
            await store.stop()
            return result
        } catch {
            await store.stop()
            throw error
        }
    }

    @Test func internalTopicsAreCreatedCompactedWithTheirPartitionCounts() async throws {
        let config = try Self.config()
        let configs = try KafkaConfigBackingStore(config: config)
        let offsets = try KafkaOffsetBackingStore(config: config)
        let statuses = try KafkaStatusBackingStore(config: config)
        try await configs.start()
        try await offsets.start()
        try await statuses.start()
        await configs.stop()
        await offsets.stop()
        await statuses.stop()
        try await TestEnvironment.withCluster { cluster in
            let admin = KafkaAdminClient(cluster: cluster)
            for (topic, partitions) in [
                (config.configTopic.name, 1), (config.offsetTopic.name, 3), (config.statusTopic.name, 2),
            ] {
                let described = try await admin.describeTopics([topic])
                #expect(described.first?.partitions.count == partitions, "\(topic)")
                let policy = try await admin.describeConfigs(topic: topic).first { $0.name == "cleanup.policy" }
                #expect(policy?.value == "compact", "\(topic)")
            }
            try await admin.deleteTopics([config.configTopic.name, config.offsetTopic.name, config.statusTopic.name])
        }
    }

    @Test func offsetsWrittenByOneWorkerAreReadByAnother() async throws {
        let config = try Self.config()
        let first = try KafkaOffsetBackingStore(config: config)
        let second = try KafkaOffsetBackingStore(config: config)
        let file = OffsetKey(namespace: "source", partition: ["filename": .string("/tmp/a.txt")])
        let other = OffsetKey(namespace: "source", partition: ["filename": .string("/tmp/b.txt")])
        let elsewhere = OffsetKey(namespace: "another", partition: ["shard": .int32(1)])
        try await first.start()
        try await first.set([
            file: ["position": .int64(10)], other: ["position": .int64(3)], elsewhere: ["n": .int32(1)],
        ])
        try await first.set([file: ["position": .int64(20)], other: nil])
        try await Self.withStarted(second) {
            // The second store read the topic at start: last value per key wins, the tombstone removes.
            #expect(try await second.get([file, other]) == [file: ["position": .int64(20)]])
            #expect(try await second.partitions(namespace: "source") == [["filename": .string("/tmp/a.txt")]])
            // get reads to the end first, so a write acknowledged before it is seen at once.
            try await first.set([other: ["position": .int64(99)]])
            #expect(try await second.get([other]) == [other: ["position": .int64(99)]])
        }
        await first.stop()
    }

    @Test func statusesWrittenByOneWorkerAreReadByAnother() async throws {
        let config = try Self.config()
        let first = try KafkaStatusBackingStore(config: config)
        let second = try KafkaStatusBackingStore(config: config)
        let task = ConnectorTaskID(connector: "source", task: 0)
        let running = StatusRecordValue(state: .running, workerID: "worker-a:8083", generation: 2)
        try await first.start()
        try await first.put(.connector("source", running))
        try await first.put(.task(task, running))
        let topic = TopicStatusValue(
            topic: "orders",
            connector: "source",
            task: 0,
            discoverTimestamp: 1_700_000_000_000
        )
        try await first.put(.topic(topic: "orders", connector: "source", topic))
        try await Self.withStarted(second) {
            #expect(second.connector("source") == running)
            #expect(second.tasks(of: "source") == [task: running])
            #expect(second.topics(of: "source") == [topic])
            // A worker of an older generation may not overwrite another's newer status safely...
            try await second.putSafe(
                .task(task, StatusRecordValue(state: .unassigned, workerID: "worker-b:8083", generation: 1))
            )
            // ...but may write its own FAILED normally; the first worker reads it.
            let failed = StatusRecordValue(state: .failed, trace: "boom", workerID: "worker-b:8083", generation: 3)
            try await second.put(.connector("source", failed))
            try await first.readToEnd()
            #expect(first.connector("source") == failed)
            #expect(first.task(task) == running)
            // Deleting writes tombstones.
            try await second.put(.task(task, nil))
            try await first.readToEnd()
            #expect(first.task(task) == nil)
        }
        await first.stop()
    }

    @Test func configsWrittenByTheLeaderAreReadByAnotherWorkerTaskConfigsOnlyOnCommit() async throws {
        let config = try Self.config()
        let leader = try KafkaConfigBackingStore(config: config)
        let follower = try KafkaConfigBackingStore(config: config)
        let connector = ["connector.class": "FileStreamSource", "name": "source", "tasks.max": "2"]
        try await leader.start()
        try await leader.putConnectorConfig("source", config: connector, targetState: .paused)
        try await leader.putTaskConfigs("source", [["task": "0"], ["task": "1"]])
        try await Self.withStarted(follower) {
            let snapshot = follower.snapshot()
            #expect(snapshot.connectorConfigs == ["source": connector])
            #expect(snapshot.targetState("source") == .paused)
            #expect(snapshot.tasks(of: "source").map(\.task) == [0, 1])
            #expect(snapshot.taskConfig(ConnectorTaskID(connector: "source", task: 1)) == ["task": "1"])

            // Task configs written without their commit (a leader that died mid-batch) are not applied.
            let producer = KafkaProducer(
                configuration: KafkaProducerConfiguration(client: try TestEnvironment.clientConfiguration())
            )
            for index in 0..<3 {
                let record = try ConfigRecordCodec.encode(
                    .taskConfig(ConnectorTaskID(connector: "source", task: index), ["task": "new-\(index)"])
                )
                try await producer.send(
                    KafkaProducerRecord(
                        topic: config.configTopic.name,
                        key: ByteBuffer(string: record.key),
                        value: record.value.map { ByteBuffer(bytes: $0) }
                    )
                )
            }
            await producer.close()
            try await follower.refresh()
            #expect(follower.snapshot().tasks(of: "source").map(\.task) == [0, 1])
            #expect(follower.snapshot().taskConfig(ConnectorTaskID(connector: "source", task: 0)) == ["task": "0"])

            // After start-up, changes arrive as events; the commit applies the batch.
            var events = follower.events.makeAsyncIterator()
            try await leader.putTaskConfigs("source", [["task": "a"], ["task": "b"], ["task": "c"]])
            try await leader.putTargetState("source", .started)
            try await follower.refresh()
            let tasks = (0..<3).map { ConnectorTaskID(connector: "source", task: $0) }
            #expect(await events.next() == .taskConfigsUpdated(connector: "source", tasks: tasks, consistent: true))
            #expect(await events.next() == .targetStateChanged("source"))
            #expect(follower.snapshot().taskConfig(tasks[2]) == ["task": "c"])

            try await leader.removeConnectorConfig("source")
            try await follower.refresh()
            #expect(await events.next() == .connectorConfigRemoved("source"))
            #expect(!follower.snapshot().contains("source"))
        }
        await leader.stop()
    }

    @Test func aConfigTopicWithMoreThanOnePartitionIsRefused() async throws {
        let config = try Self.config()
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(
                    name: config.configTopic.name,
                    partitions: 2,
                    replicationFactor: 1,
                    configs: ["cleanup.policy": "compact"]
                )
            ])
        }
        let store = try KafkaConfigBackingStore(config: config)
        let error = await #expect(throws: ConfigError.self) { try await store.start() }
        #expect(error?.message.contains("required to have a single partition") == true)
        #expect(error?.message.contains("but found 2 partitions") == true)
        await store.stop()
    }

    @Test func anInternalTopicThatIsNotCompactedIsRefused() async throws {
        let config = try Self.config()
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(
                    name: config.statusTopic.name,
                    partitions: 2,
                    replicationFactor: 1,
                    configs: ["cleanup.policy": "delete"]
                )
            ])
        }
        let store = try KafkaStatusBackingStore(config: config)
        let error = await #expect(throws: ConfigError.self) { try await store.start() }
        #expect(error?.message.contains("'cleanup.policy=delete'") == true)
        await store.stop()
    }

    @Test func recordsInAJavaWorkersFormatAreRead() async throws {
        let config = try Self.config()
        let configs = try KafkaConfigBackingStore(config: config)
        let offsets = try KafkaOffsetBackingStore(config: config)
        let statuses = try KafkaStatusBackingStore(config: config)
        try await configs.start()
        try await offsets.start()
        try await statuses.start()
        do {
            let output = try ReferenceClient.run(
                [
                    "--bootstrap", try TestEnvironment.requireBootstrap(),
                    "--config-topic", config.configTopic.name,
                    "--offset-topic", config.offsetTopic.name,
                    "--status-topic", config.statusTopic.name,
                ],
                input: "",
                script: "scripts/interop/connect_internal_topics.py"
            )
            #expect(output.split(separator: "\n").count == 3)
            try await configs.refresh()
            try await statuses.readToEnd()

            let snapshot = configs.snapshot()
            #expect(
                snapshot.connectorConfigs["java-source"] == [
                    "connector.class": "FileStreamSource", "tasks.max": "2", "name": "java-source",
                    "file": "/tmp/in.txt", "topic": "orders",
                ]
            )
            #expect(snapshot.targetState("java-source") == .stopped)
            #expect(snapshot.targetState("old-sink") == .paused)
            // task-java-source-2 came after the commit: not applied.
            #expect(snapshot.tasks(of: "java-source").map(\.task) == [0, 1])
            #expect(
                snapshot.taskConfig(ConnectorTaskID(connector: "java-source", task: 1)) == [
                    "task.class": "FileStreamSourceTask", "file": "/tmp/in-2.txt",
                ]
            )

            let file = OffsetKey(namespace: "java-source", partition: ["filename": .string("/tmp/in.txt")])
            // Looked up with members in another order than the Java writer's.
            let shard = OffsetKey(namespace: "java-source", partition: ["partition": .int64(3), "topic": .string("t")])
            let gone = OffsetKey(namespace: "java-source", partition: ["filename": .string("/tmp/gone.txt")])
            let found = try await offsets.get([file, shard, gone])
            #expect(found.count == 2)
            #expect(found[file]?["position"].map(Self.integer) == 42)
            #expect(found[shard]?["offset"].map(Self.integer) == 7)

            #expect(
                statuses.connector("java-source")
                    == StatusRecordValue(state: .running, workerID: "10.0.0.7:8083", generation: 3)
            )
            let task = statuses.task(ConnectorTaskID(connector: "java-source", task: 0))
            #expect(task?.state == .failed)
            #expect(task?.trace == "java.lang.RuntimeException: boom\n\tat X.y(X.java:1)")
            #expect(
                statuses.topics(of: "java-source")
                    == [
                        TopicStatusValue(
                            topic: "orders",
                            connector: "java-source",
                            task: 0,
                            discoverTimestamp: 1_700_000_000_000
                        )
                    ]
            )
        } catch {
            await configs.stop()
            await offsets.stop()
            await statuses.stop()
            throw error
        }
        await configs.stop()
        await offsets.stop()
        await statuses.stop()
    }

    /// JSON integers read back as whichever integer width fits.
    static func integer(_ value: ConnectValue) -> Int64? {
        switch value {
        case .int8(let v): Int64(v)
        case .int16(let v): Int64(v)
        case .int32(let v): Int64(v)
        case .int64(let v): v
        default: nil
        }
    }
}

/// What the stores have in common, for ``DistributedStoresIntegrationTests/withStarted(_:_:)``.
protocol StartableStore: Sendable {
    func start() async throws
    func stop() async
}

extension KafkaConfigBackingStore: StartableStore {}
extension KafkaOffsetBackingStore: StartableStore {}
extension KafkaStatusBackingStore: StartableStore {}
