import ConnectAPI
import ConnectTransforms
import KafkaNIO
import Logging
import NIOCore
import Synchronization
import Testing

@testable import ConnectRuntime

/// A source task that returns scripted poll results and records what the runtime called.
final class ScriptedSourceTask: SourceTask, Sendable {
    enum Step: Sendable {
        case records([SourceRecord])
        case error(any Error)
    }

    struct Calls: Sendable {
        var polls = 0
        var committedRecords: [(record: SourceRecord, hadMetadata: Bool)] = []
        var commits = 0
        var stopped = false
    }

    static let version = "1.0"
    private let script: Mutex<[Step]>
    let calls = Mutex(Calls())

    init() { script = Mutex([]) }

    init(_ steps: [Step]) { script = Mutex(steps) }

    func start(configs: [String: String]) async throws {}

    func poll() async throws -> [SourceRecord]? {
        let step = script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        calls.withLock { $0.polls += 1 }
        switch step {
        case .records(let records): return records
        case .error(let error): throw error
        case nil:
            try? await Task.sleep(for: .milliseconds(5))
            return nil
        }
    }

    func commit() async throws { calls.withLock { $0.commits += 1 } }

    func commitRecord(_ record: SourceRecord, metadata: ConnectAPI.RecordMetadata?) async throws {
        calls.withLock { $0.committedRecords.append((record, metadata != nil)) }
    }

    func stop() async { calls.withLock { $0.stopped = true } }
}

@Suite struct WorkerSourceTaskTests {
    static func record(_ line: Int) -> SourceRecord {
        SourceRecord(
            sourcePartition: ["filename": .string("in")],
            sourceOffset: ["position": .int64(Int64(line))],
            topic: "dropped",
            valueSchema: .string,
            value: .string("line \(line)")
        )
    }

    /// A runner whose transforms drop every record (so nothing reaches the producer, which points at a
    /// broker that does not exist).
    static func makeRunner(
        _ task: any SourceTask,
        store: MemoryOffsetBackingStore,
        connectorProps: [String: String] = [:],
        errorHandler: RetryWithToleranceOperator? = nil
    ) throws -> WorkerSourceTask {
        let worker = try WorkerConfig(standalone: [
            "bootstrap.servers": "127.0.0.1:1",
            "key.converter": "StringConverter",
            "value.converter": "StringConverter",
            "offset.storage.file.filename": "/unused",
            "offset.flush.interval.ms": "60000",
        ])
        var props = ["name": "scripted", "connector.class": "Scripted", "transforms": "drop"]
        props["transforms.drop.type"] = "org.apache.kafka.connect.transforms.Filter"
        props.merge(connectorProps) { _, new in new }
        let connectorConfig = try ConnectorConfig(props)
        return WorkerSourceTask(
            id: ConnectorTaskID(connector: "scripted", task: 0),
            task: task,
            taskConfig: [:],
            connectorConfig: connectorConfig,
            converters: try TaskConverters(worker: worker, connector: [:], registry: ConverterRegistry.builtIn),
            transformations: try TransformationRegistry.kafkaBuiltIns.makeChain(connectorConfig: props),
            producer: KafkaProducer(configuration: KafkaProducerConfiguration(client: .init(bootstrapServers: []))),
            offsetStore: store,
            workerConfig: worker,
            workerID: "test:8083",
            targetState: .started,
            logger: Logger(label: "test"),
            errorHandler: errorHandler
        )
    }

    static func waitUntil(_ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !(await condition()) {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func filteredRecordsGetCommitRecordWithoutMetadataAndTheirOffsetsAreCommitted() async throws {
        let task = ScriptedSourceTask([.records([Self.record(1), Self.record(2)]), .records([Self.record(3)])])
        let store = MemoryOffsetBackingStore()
        let runner = try Self.makeRunner(task, store: store)
        let run = Task { await runner.run() }
        try await Self.waitUntil { task.calls.withLock { $0.committedRecords.count == 3 } }
        await runner.stop()
        await run.value
        let calls = task.calls.withLock { $0 }
        #expect(calls.committedRecords.map(\.record) == [Self.record(1), Self.record(2), Self.record(3)])
        #expect(calls.committedRecords.allSatisfy { !$0.hadMetadata })
        #expect(calls.stopped)
        #expect(calls.commits == 1)  // the final flush on stop
        let key = OffsetKey(namespace: "scripted", partition: ["filename": .string("in")])
        #expect(try await store.get([key]) == [key: ["position": .int64(3)]])
        #expect(await runner.status.state == .unassigned)
    }

    @Test func aRetriableErrorFromPollIsRetried() async throws {
        let task = ScriptedSourceTask([.error(RetriableError("not yet")), .records([Self.record(1)])])
        let runner = try Self.makeRunner(task, store: MemoryOffsetBackingStore())
        let run = Task { await runner.run() }
        try await Self.waitUntil { task.calls.withLock { $0.committedRecords.count == 1 } }
        #expect(await runner.status.state == .running)
        await runner.stop()
        await run.value
    }

    @Test func anyOtherErrorFailsTheTaskWithATraceAfterAFinalFlush() async throws {
        let task = ScriptedSourceTask([.records([Self.record(7)]), .error(ConnectError("disk on fire"))])
        let store = MemoryOffsetBackingStore()
        let runner = try Self.makeRunner(task, store: store)
        await runner.run()  // returns by itself: the task failed
        let status = await runner.status
        #expect(status.state == .failed)
        #expect(status.trace?.contains("disk on fire") == true)
        #expect(status.workerID == "test:8083")
        #expect(task.calls.withLock { $0.stopped })
        let key = OffsetKey(namespace: "scripted", partition: ["filename": .string("in")])
        #expect(try await store.get([key]) == [key: ["position": .int64(7)]])
    }

    @Test func pauseStopsPollingUntilResumed() async throws {
        let task = ScriptedSourceTask()
        let runner = try Self.makeRunner(task, store: MemoryOffsetBackingStore())
        let run = Task { await runner.run() }
        try await Self.waitUntil { task.calls.withLock { $0.polls > 0 } }
        await runner.transition(to: .paused)
        #expect(await runner.status.state == .paused)
        // At most the poll in progress when pausing completes.
        let pollsWhenPaused = task.calls.withLock { $0.polls }
        try await Task.sleep(for: .milliseconds(50))
        #expect(task.calls.withLock { $0.polls } <= pollsWhenPaused + 1)
        await runner.transition(to: .started)
        #expect(await runner.status.state == .running)
        let pollsAfterResume = task.calls.withLock { $0.polls }
        try await Self.waitUntil { task.calls.withLock { $0.polls > pollsAfterResume + 1 } }
        await runner.stop()
        await run.value
    }

    @Test func aTransformErrorFailsTheTaskUnlessToleranceIsAll() async throws {
        let badCast = [
            "transforms": "cast", "transforms.cast.type": "org.apache.kafka.connect.transforms.Cast$Value",
            "transforms.cast.spec": "int32",
        ]
        let failing = ScriptedSourceTask([.records([Self.record(1)])])
        let strict = try Self.makeRunner(failing, store: MemoryOffsetBackingStore(), connectorProps: badCast)
        await strict.run()
        #expect(await strict.status.state == .failed)

        var tolerant = badCast
        tolerant["errors.tolerance"] = "all"
        let skipped = ScriptedSourceTask([.records([Self.record(1)])])
        let store = MemoryOffsetBackingStore()
        let lenient = try Self.makeRunner(skipped, store: store, connectorProps: tolerant)
        let run = Task { await lenient.run() }
        try await Self.waitUntil { skipped.calls.withLock { $0.committedRecords.count == 1 } }
        await lenient.stop()
        await run.value
        #expect(await lenient.status.state == .unassigned)
        let key = OffsetKey(namespace: "scripted", partition: ["filename": .string("in")])
        #expect(try await store.get([key]) == [key: ["position": .int64(1)]])
    }

    @Test func sourceFailuresReachTheReportersWithTheRecordAsPolledConverted() async throws {
        let badCast = [
            "transforms": "cast", "transforms.cast.type": "org.apache.kafka.connect.transforms.Cast$Value",
            "transforms.cast.spec": "int32",
        ]
        var config = ErrorHandlingConfig()
        config.tolerance = .all
        let reporter = CollectingReporter()
        let task = ScriptedSourceTask([.records([Self.record(1)])])
        let runner = try Self.makeRunner(
            task,
            store: MemoryOffsetBackingStore(),
            connectorProps: badCast,
            errorHandler: RetryWithToleranceOperator(config: config, reporters: [reporter])
        )
        let run = Task { await runner.run() }
        try await Self.waitUntil { task.calls.withLock { $0.committedRecords.count == 1 } }
        await runner.stop()
        await run.value
        let reported = try #require(reporter.reported.first)
        #expect(reporter.reported.count == 1)
        #expect(reported.stage == .transformation)
        #expect(reported.className == "org.apache.kafka.connect.transforms.Cast$Value")
        #expect(reported.sourceRecord?.value == .string("line 1"))
        // What a source dead letter queue would get: the polled record through the converters.
        #expect(reported.producerRecord?.value.map { String(buffer: $0) } == "line 1")
        let dlq = DeadLetterQueueReporter(
            topic: "dlq",
            contextHeaders: true,
            logger: Logger(label: "t"),
            send: { _ in .success(()) }
        )
        let headers = dlq.record(for: reported)?.headers.map(\.key) ?? []
        #expect(headers.contains("__connect.errors.stage"))
        #expect(headers.contains("__connect.errors.topic"))
        #expect(!headers.contains("__connect.errors.offset"))
    }
}

@Suite struct ProducerRecordPackingTests {
    /// Keys and values share one buffer; each record still reads exactly its own bytes, and a
    /// missing key or value stays missing.
    @Test func eachRecordReadsItsOwnKeyAndValue() {
        let record = SourceRecord(sourcePartition: nil, sourceOffset: nil, topic: "t", valueSchema: nil, value: .null)
        let converted = [
            ConvertedSourceRecord(record: record, key: Array("k1".utf8), value: Array("value one".utf8), headers: []),
            ConvertedSourceRecord(record: record, key: nil, value: Array("v2".utf8), headers: []),
            ConvertedSourceRecord(record: record, key: Array("k3".utf8), value: nil, headers: []),
            ConvertedSourceRecord(record: record, key: [], value: [], headers: []),
        ]
        let records = WorkerSourceTask.producerRecords(converted)
        func text(_ buffer: ByteBuffer?) -> String? { buffer.map { String(buffer: $0) } }
        #expect(records.map { text($0.key) } == ["k1", nil, "k3", ""])
        #expect(records.map { text($0.value) } == ["value one", "v2", nil, ""])
        #expect(records.allSatisfy { $0.topic == "t" })
    }
}
