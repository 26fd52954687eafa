import ConnectAPI
import ConnectRuntime
import Foundation
import KafkaNIO
import NIOCore
import Synchronization
import Testing

/// A source connector whose task runs a script registered under its `script` task config: poll `n`
/// calls the script with the task's context and `n`. Scripts may call the TransactionContext.
final class ScriptedEOSSourceConnector: SourceConnector {
    typealias TaskType = ScriptedEOSSourceTask
    typealias Script = @Sendable (_ context: any SourceTaskContext, _ poll: Int) -> [SourceRecord]?

    static var configDef: ConfigDef { ConfigDef() }
    static let version = "1.0"
    static let scripts = Mutex<[String: Script]>([:])
    private let configs = Mutex<[String: String]>([:])

    init() {}

    func start(configs: [String: String]) async throws { self.configs.withLock { $0 = configs } }

    func taskConfigs(maxTasks: Int) async throws -> [[String: String]] { [configs.withLock { $0 }] }

    func stop() async {}

    func exactlyOnceSupport(configs: [String: String]) async -> ExactlyOnceSupport? { .supported }

    func canDefineTransactionBoundaries(configs: [String: String]) async -> ConnectorTransactionBoundaries {
        .supported
    }
}

final class ScriptedEOSSourceTask: SourceTask {
    static let version = "1.0"
    private struct State {
        var context: (any SourceTaskContext)?
        var script: ScriptedEOSSourceConnector.Script?
        var polls = 0
    }
    private let state = Mutex(State())

    init() {}

    func initialize(context: any SourceTaskContext) async { state.withLock { $0.context = context } }

    func start(configs: [String: String]) async throws {
        let script = ScriptedEOSSourceConnector.scripts.withLock { $0[configs["script"] ?? ""] }
        state.withLock { $0.script = script }
    }

    func poll() async throws -> [SourceRecord]? {
        let (context, script, poll) = state.withLock { state in
            defer { state.polls += 1 }
            return (state.context, state.script, state.polls)
        }
        guard let context, let script, let records = script(context, poll) else {
            try await Task.sleep(for: .milliseconds(20))
            return nil
        }
        return records
    }

    func stop() async {}
}

/// Exactly-once source tasks (KIP-618) against the real broker: a `Worker` with
/// `exactly.once.source.support=enabled` settings runs the scripted task with a transactional producer
/// and the Kafka-backed offset store. The test broker shows aborted records to read_committed
/// consumers, so what an abort hides is not asserted here (docs/distributed.md).
@Suite(
    .serialized,
    .enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)")
)
struct ExactlyOnceSourceIntegrationTests {
    struct Setup {
        let id = UInt32.random(in: 0...UInt32.max)
        var groupID: String { "eos-\(id)" }
        var topic: String { "eos-\(id)-data" }
        var offsetsTopic: String { "eos-\(id)-offsets" }
        var connector: String { "eos-source-\(id)" }
        var taskID: ConnectorTaskID { ConnectorTaskID(connector: connector, task: 0) }

        func distributedConfig(_ extra: [String: String] = [:]) throws -> DistributedConfig {
            try DistributedConfig(
                [
                    "bootstrap.servers": try TestEnvironment.requireBootstrap(),
                    "key.converter": "org.apache.kafka.connect.storage.StringConverter",
                    "value.converter": "org.apache.kafka.connect.storage.StringConverter",
                    "group.id": groupID,
                    "config.storage.topic": "eos-\(id)-configs",
                    "offset.storage.topic": offsetsTopic,
                    "status.storage.topic": "eos-\(id)-status",
                    "config.storage.replication.factor": "1",
                    "offset.storage.replication.factor": "1",
                    "status.storage.replication.factor": "1",
                    "offset.storage.partitions": "2",
                    "exactly.once.source.support": "enabled",
                    "offset.flush.interval.ms": "60000",
                    "session.timeout.ms": "2000",
                    "heartbeat.interval.ms": "500",
                ].merging(extra) { _, new in new }
            )
        }

        func makeWorker(_ config: DistributedConfig? = nil) throws -> Worker {
            let config = try config ?? distributedConfig()
            var plugins = PluginRegistry.kafkaBuiltIns
            plugins.register(source: ScriptedEOSSourceConnector.self, className: "ScriptedEOSSource")
            return try Worker(
                config: config.worker,
                plugins: plugins,
                offsetStore: try KafkaOffsetBackingStore(config: config),
                workerID: "eos-test",
                exactlyOnceSource: ExactlyOnceSourceWorkerSettings(config)
            )
        }

        /// Starts the task with `script` and the connector keys `props`.
        func start(
            _ worker: Worker,
            _ props: [String: String],
            script: @escaping ScriptedEOSSourceConnector.Script
        ) async {
            let key = "\(connector)-\(UInt32.random(in: 0...UInt32.max))"
            ScriptedEOSSourceConnector.scripts.withLock { $0[key] = script }
            var connectorConfig = ["name": connector, "connector.class": "ScriptedEOSSource", "tasks.max": "1"]
            connectorConfig.merge(props) { _, new in new }
            await worker.startTask(
                id: taskID,
                connectorConfig: connectorConfig,
                taskConfig: ["script": key],
                targetState: .started
            )
        }

        func record(_ n: Int) -> SourceRecord {
            SourceRecord(
                sourcePartition: ["source": .string("s")],
                sourceOffset: ["n": .int64(Int64(n))],
                topic: topic,
                kafkaPartition: 0,
                valueSchema: .string,
                value: .string("r\(n)")
            )
        }

        /// Records `first..<end` as one poll's batch.
        func batch(_ range: Range<Int>) -> [SourceRecord] { range.map(record) }

        var offsetKey: OffsetKey { OffsetKey(namespace: connector, partition: ["source": .string("s")]) }
    }

    /// Values of `topic`'s partitions read up to their end: the last stable offset under
    /// read_committed, the high watermark otherwise.
    static func values(_ topic: String, partitions: [Int32] = [0], committed: Bool) async throws -> [String] {
        try await TestEnvironment.withCluster { cluster in
            var configuration = KafkaConsumerConfiguration(client: cluster.configuration)
            configuration.fetchMaxWaitMs = 50
            configuration.isolationLevel = committed ? .readCommitted : .readUncommitted
            let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
            let assignment = partitions.map { KafkaNIO.TopicPartition(topic, $0) }
            consumer.assign(assignment)
            var values: [String] = []
            do {
                for partition in assignment { try await consumer.seek(partition, to: .earliest) }
                let deadline = ContinuousClock.now + .seconds(15)
                while true {
                    let atEnd = assignment.allSatisfy { partition in
                        let end = committed ? consumer.lastStableOffset(partition) : consumer.highWatermark(partition)
                        guard let end, let position = consumer.position(partition) else { return false }
                        return position >= end
                    }
                    if atEnd { break }
                    guard ContinuousClock.now < deadline else { throw ConnectError("\(topic) not read to its end") }
                    for record in try await consumer.poll(timeout: .milliseconds(200)) {
                        values.append(record.value.map { String(buffer: $0) } ?? "null")
                    }
                }
            } catch {
                await consumer.close()
                throw error
            }
            await consumer.close()
            return values
        }
    }

    static func eventually(
        _ what: String,
        within limit: Duration = .seconds(30),
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + limit
        while true {
            if (try? await condition()) == true { return }
            guard ContinuousClock.now < deadline else { throw ConnectError("timed out: \(what)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func counts(_ worker: Worker, _ id: ConnectorTaskID) async -> (committed: Int, aborted: Int) {
        guard let task = await worker.sourceTask(id) else { return (-1, -1) }
        return await task.transactionCounts
    }

    @Test func pollBoundaryCommitsEachBatchWithItsOffsets() async throws {
        let setup = Setup()
        let worker = try setup.makeWorker()
        try await worker.start()
        await setup.start(worker, [:]) { _, poll in poll < 3 ? setup.batch(poll * 2..<poll * 2 + 2) : nil }
        try await Self.eventually("three transactions") { await Self.counts(worker, setup.taskID).committed == 3 }
        #expect(await Self.counts(worker, setup.taskID).aborted == 0)
        #expect(try await Self.values(setup.topic, committed: true) == (0..<6).map { "r\($0)" })
        // The offsets went to the offsets topic inside the transactions, read back by the store.
        let stored = try await worker.offsetStore.get([setup.offsetKey])
        #expect(stored[setup.offsetKey] == ["n": .int64(5)])
        #expect(await worker.taskStatus(setup.taskID)?.state == .running)
        await worker.stop()
    }

    @Test func anOpenTransactionsRecordsAndOffsetsAreInvisibleUntilItCommits() async throws {
        let setup = Setup()
        let worker = try setup.makeWorker()
        try await worker.start()
        await setup.start(worker, ["transaction.boundary": "interval", "transaction.boundary.interval.ms": "600000"]) {
            _,
            poll in poll == 0 ? setup.batch(0..<3) : nil
        }
        // Written (read_uncommitted sees them) but not committed.
        try await Self.eventually("records written") {
            try await Self.values(setup.topic, committed: false).count == 3
        }
        #expect(try await Self.values(setup.topic, committed: true).isEmpty)
        #expect(try await Self.values(setup.offsetsTopic, partitions: [0, 1], committed: true).isEmpty)
        #expect(await Self.counts(worker, setup.taskID).committed == 0)
        #expect(try await worker.offsetStore.get([setup.offsetKey]).isEmpty)
        // Stopping commits the final transaction (interval boundary).
        await worker.stopTasks([setup.taskID])
        #expect(try await Self.values(setup.topic, committed: true) == ["r0", "r1", "r2"])
        #expect(try await Self.values(setup.offsetsTopic, partitions: [0, 1], committed: true) == [#"{"n":2}"#])
        #expect(try await worker.offsetStore.get([setup.offsetKey])[setup.offsetKey] == ["n": .int64(2)])
        await worker.stop()
    }

    @Test func pausingCommitsTheOpenTransaction() async throws {
        let setup = Setup()
        let worker = try setup.makeWorker()
        try await worker.start()
        await setup.start(worker, ["transaction.boundary": "interval", "transaction.boundary.interval.ms": "600000"]) {
            _,
            poll in poll == 0 ? setup.batch(0..<2) : nil
        }
        try await Self.eventually("records written") {
            try await Self.values(setup.topic, committed: false).count == 2
        }
        #expect(try await Self.values(setup.topic, committed: true).isEmpty)
        // As Kafka: a paused task commits rather than leave its transaction hanging.
        await worker.setTargetState(setup.connector, .paused)
        try await Self.eventually("committed on pause") { await Self.counts(worker, setup.taskID).committed == 1 }
        #expect(try await Self.values(setup.topic, committed: true) == ["r0", "r1"])
        #expect(await worker.taskStatus(setup.taskID)?.state == .paused)
        await worker.stop()
    }

    @Test func intervalBoundaryCommitsAfterTheIntervalAlsoOnEmptyPolls() async throws {
        let setup = Setup()
        let worker = try setup.makeWorker()
        try await worker.start()
        await setup.start(worker, ["transaction.boundary": "interval", "transaction.boundary.interval.ms": "300"]) {
            _,
            poll in poll < 3 ? setup.batch(poll..<poll + 1) : nil
        }
        // Three quick batches, then only empty polls: the interval commits them without a stop, in
        // fewer transactions than batches.
        try await Self.eventually("records committed while running") {
            try await Self.values(setup.topic, committed: true).count == 3
        }
        let committed = await Self.counts(worker, setup.taskID).committed
        #expect(committed >= 1 && committed < 3)
        let stored = try await worker.offsetStore.get([setup.offsetKey])
        #expect(stored[setup.offsetKey] == ["n": .int64(2)])
        await worker.stop()
    }

    @Test func connectorBoundaryCommitsAndAbortsWhereTheTaskAsks() async throws {
        let setup = Setup()
        let worker = try setup.makeWorker()
        try await worker.start()
        await setup.start(worker, ["transaction.boundary": "connector"]) { context, poll in
            guard let transactions = context.transactionContext else { return nil }
            switch poll {
            case 0:
                // Commit after r1; r2 stays in the open transaction.
                transactions.commitTransaction(after: setup.record(1))
                return setup.batch(0..<3)
            case 1:
                // Abort r2..r4 (their offsets are still committed, in a transaction of their own).
                transactions.abortTransaction()
                return setup.batch(3..<5)
            case 2:
                transactions.commitTransaction()
                return setup.batch(5..<6)
            default:
                return nil
            }
        }
        try await Self.eventually("three commits") { await Self.counts(worker, setup.taskID).committed == 3 }
        #expect(await Self.counts(worker, setup.taskID).aborted == 1)
        let committed = try await Self.values(setup.topic, committed: true)
        // The test broker returns aborted records to read_committed consumers too; the committed ones
        // must be there in order.
        #expect(committed.filter { ["r0", "r1", "r5"].contains($0) } == ["r0", "r1", "r5"])
        let stored = try await worker.offsetStore.get([setup.offsetKey])
        #expect(stored[setup.offsetKey] == ["n": .int64(5)])
        // No transaction commits at stop: the task asked for none.
        await worker.stopTasks([setup.taskID])
        await worker.stop()
    }

    @Test func aFencedTaskFailsWithATraceAndDoesNotRetry() async throws {
        let setup = Setup()
        let worker = try setup.makeWorker()
        try await worker.start()
        // A long interval: the transaction stays open, so the fencing meets the task's sends (this
        // broker closes the connection on a fenced EndTxn instead of answering PRODUCER_FENCED).
        // Automatic restarts on: a fenced task must still not be restarted.
        let props = [
            "transaction.boundary": "interval", "transaction.boundary.interval.ms": "600000",
            "errors.task.restart.enable": "true", "errors.task.restart.backoff.initial.ms": "10",
        ]
        await setup.start(worker, props) { _, poll in setup.batch(poll..<poll + 1) }
        try await Self.eventually("records written") {
            try await Self.values(setup.topic, committed: false).count >= 2
        }
        // The leader's fencing (or a newer generation of the task) takes over the transactional id.
        let config = try setup.distributedConfig()
        try await ZombieFencing.fence(
            transactionalIDs: ["\(setup.groupID)-\(setup.connector)-0"],
            clientProperties: config.clientProperties(clientIDSuffix: "test-fencing")
        )
        try await Self.eventually("the task FAILED") { await worker.taskStatus(setup.taskID)?.state == .failed }
        let status = await worker.taskStatus(setup.taskID)
        #expect(status?.trace?.contains("was fenced out") == true)
        #expect(status?.trace?.contains("\(setup.groupID)-\(setup.connector)-0") == true)
        // Failed for good: nothing committed (the fenced transaction was not), no restart.
        let written = try await Self.values(setup.topic, committed: false).count
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await Self.values(setup.topic, committed: false).count == written)
        #expect(await Self.counts(worker, setup.taskID).committed == 0)
        let final = await worker.taskStatus(setup.taskID)
        #expect(final?.state == .failed)
        #expect(final?.restarts == 0)
        await worker.stop()
    }

    @Test func theLeadersTaskConfigWriteFencesThePreviousGeneration() async throws {
        let setup = Setup()
        let config = try setup.distributedConfig()
        var plugins = PluginRegistry.kafkaBuiltIns
        plugins.register(source: ScriptedEOSSourceConnector.self, className: "ScriptedEOSSource")
        let store = try KafkaConfigBackingStore(config: config)
        try await store.start()
        try await store.putConnectorConfig(
            setup.connector,
            config: ["name": setup.connector, "connector.class": "ScriptedEOSSource", "tasks.max": "2"]
        )
        try await ZombieFencing.putTaskConfigs(
            setup.connector,
            [["script": "a"], ["script": "b"]],
            store: store,
            config: config,
            plugins: plugins
        )
        #expect(store.snapshot().taskCountRecords[setup.connector] == 2)
        // A task of that generation, with an open transaction.
        try await TestEnvironment.withCluster { cluster in
            var producerConfiguration = KafkaProducerConfiguration(client: cluster.configuration)
            producerConfiguration.transactionalID = "\(setup.groupID)-\(setup.connector)-1"
            let zombie = KafkaProducer(configuration: producerConfiguration, cluster: cluster)
            try await zombie.initTransactions()
            try zombie.beginTransaction()
            _ = try await zombie.send(
                KafkaProducerRecord(topic: setup.topic, partition: 0, value: ByteBuffer(string: "zombie"))
            )
            // The next generation (one task) is written: the old generation's ids are fenced first.
            try await ZombieFencing.putTaskConfigs(
                setup.connector,
                [["script": "c"]],
                store: store,
                config: config,
                plugins: plugins
            )
            // The zombie's next send is refused as fenced (its EndTxn would be too on Kafka; this
            // broker closes the connection instead).
            let late = await zombie.send(
                contentsOf: [KafkaProducerRecord(topic: setup.topic, partition: 0, value: ByteBuffer(string: "late"))]
            )
            guard case .failure(let error)? = late.first else {
                Issue.record("the zombie's send succeeded")
                return
            }
            #expect("\(error)".contains("fenced"), "\(error)")
            await zombie.close()
        }
        let snapshot = store.snapshot()
        #expect(snapshot.taskCountRecords[setup.connector] == 1)
        #expect(snapshot.tasks(of: setup.connector).count == 1)
        await store.stop()
    }

    @Test func aDistributedHerderRunsTheConnectorExactlyOnceAndFencesOnReconfiguration() async throws {
        let setup = Setup()
        let port = 19_000 + Int.random(in: 0..<1_000)
        let config = try setup.distributedConfig(["listeners": "http://127.0.0.1:\(port)"])
        let herder = try DistributedHerder(
            worker: try setup.makeWorker(config),
            config: config,
            url: "http://127.0.0.1:\(port)/",
            sendTaskConfigs: { _, _, _, _, _ in throw ConnectError("a single worker never forwards") }
        )
        try await herder.start()
        let first = "\(setup.connector)-first"
        ScriptedEOSSourceConnector.scripts.withLock { $0[first] = { _, poll in poll < 3 ? [setup.record(poll)] : nil } }
        let connectorConfig = [
            "connector.class": "ScriptedEOSSource", "tasks.max": "1", "exactly.once.support": "required",
        ]
        do {
            _ = try await herder.putConnectorConfig(
                name: setup.connector,
                config: connectorConfig.merging(["script": first]) { _, new in new },
                allowReplace: false
            )
            try await Self.eventually("the first generation's records committed") {
                try await Self.values(setup.topic, committed: true) == ["r0", "r1", "r2"]
            }
            // A new generation of task configs: the leader fences task 0's transactional id, and
            // the old task, if still running, could no longer commit.
            let second = "\(setup.connector)-second"
            ScriptedEOSSourceConnector.scripts.withLock {
                $0[second] = { _, poll in poll < 2 ? [setup.record(10 + poll)] : nil }
            }
            _ = try await herder.putConnectorConfig(
                name: setup.connector,
                config: connectorConfig.merging(["script": second]) { _, new in new },
                allowReplace: true
            )
            try await Self.eventually("the second generation's records committed") {
                try await Self.values(setup.topic, committed: true) == ["r0", "r1", "r2", "r10", "r11"]
            }
            let store = try KafkaConfigBackingStore(config: config)
            try await store.start()
            #expect(store.snapshot().taskCountRecords[setup.connector] == 1)
            await store.stop()
            let offsets = try await herder.worker.offsetStore.get([setup.offsetKey])
            #expect(offsets[setup.offsetKey] == ["n": .int64(11)])
        } catch {
            await herder.stop()
            throw error
        }
        await herder.stop()
    }

    @Test func theOffsetStoreReadsOnlyCommittedOffsetsUnderExactlyOnce() async throws {
        let setup = Setup()
        let enabled = try KafkaOffsetBackingStore(config: try setup.distributedConfig())
        let disabled = try KafkaOffsetBackingStore(
            config: try setup.distributedConfig(["exactly.once.source.support": "disabled"])
        )
        try await enabled.start()
        try await disabled.start()
        let encoded = try OffsetRecordCodec.encode(setup.offsetKey, offset: ["n": .int64(7)])
        try await TestEnvironment.withCluster { cluster in
            var configuration = KafkaProducerConfiguration(client: cluster.configuration)
            configuration.transactionalID = "\(setup.groupID)-\(setup.connector)-0"
            let producer = KafkaProducer(configuration: configuration, cluster: cluster)
            try await producer.initTransactions()
            try producer.beginTransaction()
            _ = try await producer.send(
                KafkaProducerRecord(
                    topic: setup.offsetsTopic,
                    key: ByteBuffer(bytes: encoded.key),
                    value: encoded.value.map { ByteBuffer(bytes: $0) }
                )
            )
            // Open transaction: the read_uncommitted store sees the offset; the read_committed one
            // reads to the last stable offset (without waiting for the transaction) and does not.
            #expect(try await disabled.get([setup.offsetKey])[setup.offsetKey] == ["n": .int64(7)])
            #expect(try await enabled.get([setup.offsetKey]).isEmpty)
            try await producer.commitTransaction()
            await producer.close()
        }
        #expect(try await enabled.get([setup.offsetKey])[setup.offsetKey] == ["n": .int64(7)])
        await enabled.stop()
        await disabled.stop()
    }
}
