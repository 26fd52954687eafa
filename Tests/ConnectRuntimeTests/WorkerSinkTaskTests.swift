import ConnectAPI
import ConnectTransforms
import KafkaNIO
import KafkaProtocol
import Logging
import NIOCore
import Synchronization
import Testing

@testable import ConnectRuntime

/// A consumer whose polls return scripted batches (records of paused partitions are held back) and
/// that records what the task loop did.
final class FakeSinkConsumer: SinkTaskConsumer {
    struct State: Sendable {
        var pending: [KafkaConsumerRecord] = []
        var paused: Set<KafkaNIO.TopicPartition> = []
        var positions: [KafkaNIO.TopicPartition: Int64] = [:]
        var commits: [[KafkaNIO.TopicPartition: Int64]] = []
        var seeks: [(KafkaNIO.TopicPartition, Int64)] = []
        var events: [String] = []
        var listener: (any ConsumerRebalanceListener)?
        var closed = false
    }

    let state = Mutex(State())
    let initialAssignment: [KafkaNIO.TopicPartition]

    init(assignment: [KafkaNIO.TopicPartition]) {
        initialAssignment = assignment
        state.withLock { state in
            for partition in assignment { state.positions[partition] = 0 }
        }
    }

    func add(_ records: [KafkaConsumerRecord]) {
        state.withLock { $0.pending += records }
    }

    func subscribe(topics: [String], rebalanceListener: any ConsumerRebalanceListener) async throws {
        state.withLock {
            $0.listener = rebalanceListener
            $0.events.append("subscribe \(topics)")
        }
        await rebalanceListener.partitionsAssigned(initialAssignment)
    }

    func subscribe(pattern: String, rebalanceListener: any ConsumerRebalanceListener) async throws {
        state.withLock { $0.listener = rebalanceListener }
        await rebalanceListener.partitionsAssigned(initialAssignment)
    }

    func poll(timeout: Duration) async throws -> [KafkaConsumerRecord] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let records = state.withLock { state -> [KafkaConsumerRecord] in
                let ready = state.pending.filter {
                    !state.paused.contains(KafkaNIO.TopicPartition($0.topic, $0.partition))
                }
                state.pending.removeAll { !state.paused.contains(KafkaNIO.TopicPartition($0.topic, $0.partition)) }
                for record in ready {
                    state.positions[KafkaNIO.TopicPartition(record.topic, record.partition)] = record.offset + 1
                }
                return ready
            }
            if !records.isEmpty { return records }
            if ContinuousClock.now >= deadline { return [] }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    func pause(_ partitions: [KafkaNIO.TopicPartition]) {
        guard !partitions.isEmpty else { return }
        state.withLock {
            $0.paused.formUnion(partitions)
            $0.events.append("pause \(partitions.map(\.description).sorted())")
        }
    }

    func resume(_ partitions: [KafkaNIO.TopicPartition]) {
        guard !partitions.isEmpty else { return }
        state.withLock {
            $0.paused.subtract(partitions)
            $0.events.append("resume \(partitions.map(\.description).sorted())")
        }
    }

    func seek(_ partition: KafkaNIO.TopicPartition, toOffset offset: Int64) async throws {
        state.withLock {
            $0.seeks.append((partition, offset))
            $0.positions[partition] = offset
            $0.events.append("seek \(partition) \(offset)")
        }
    }

    func position(_ partition: KafkaNIO.TopicPartition) -> Int64? {
        state.withLock { $0.positions[partition] }
    }

    func commit(_ offsets: [KafkaNIO.TopicPartition: Int64]) async throws {
        state.withLock {
            $0.commits.append(offsets)
            $0.events.append("commit \(offsets.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })")
        }
    }

    func close() async {
        state.withLock { $0.closed = true }
    }

    var listener: (any ConsumerRebalanceListener)? { state.withLock { $0.listener } }
    var commits: [[KafkaNIO.TopicPartition: Int64]] { state.withLock { $0.commits } }
    var events: [String] { state.withLock { $0.events } }
}

/// A sink task that records calls into a shared log and can be told how to behave.
final class RecordingSinkTask: SinkTask {
    struct Behaviour: Sendable {
        /// Throw a RetriableError from this many non-empty puts, asking for this context timeout.
        var retriablePuts = 0
        var retryTimeoutMs: Int64 = 10
        /// What preCommit returns instead of the offsets passed in.
        var preCommitResult: [ConnectAPI.TopicPartition: OffsetAndMetadata]?
        /// Offsets to request through the context on the first non-empty put.
        var resetOnFirstPut: [ConnectAPI.TopicPartition: Int64] = [:]
        /// Report every record whose value is this string as errant.
        var errantValue: String?
    }

    static let version = "1"
    let log: Mutex<[String]> = Mutex([])
    let puts: Mutex<[[SinkRecord]]> = Mutex([])
    let behaviour: Mutex<Behaviour>
    let contextBox: Mutex<(any SinkTaskContext)?> = Mutex(nil)

    init() { behaviour = Mutex(Behaviour()) }
    init(_ behaviour: Behaviour) { self.behaviour = Mutex(behaviour) }

    func initialize(context: any SinkTaskContext) async { contextBox.withLock { $0 = context } }
    func start(configs: [String: String]) async throws { log.withLock { $0.append("start") } }

    func open(partitions: [ConnectAPI.TopicPartition]) async throws {
        log.withLock { $0.append("open \(partitions.map(\.description).sorted())") }
    }

    func put(_ records: [SinkRecord]) async throws {
        guard !records.isEmpty else { return }
        log.withLock { $0.append("put \(records.map(\.kafkaOffset))") }
        puts.withLock { $0.append(records) }
        let context = contextBox.withLock { $0 }
        let reset = behaviour.withLock { behaviour -> [ConnectAPI.TopicPartition: Int64] in
            defer { behaviour.resetOnFirstPut = [:] }
            return behaviour.resetOnFirstPut
        }
        if !reset.isEmpty { context?.offset(reset) }
        if let errant = behaviour.withLock({ $0.errantValue }) {
            for record in records where record.value == .string(errant) {
                try await context?.errantRecordReporter?.report(record, error: ConnectError("cannot write \(errant)"))
            }
        }
        let retry = behaviour.withLock { behaviour -> Int64? in
            guard behaviour.retriablePuts > 0 else { return nil }
            behaviour.retriablePuts -= 1
            return behaviour.retryTimeoutMs
        }
        if let retry {
            context?.timeout(retry)
            throw RetriableError("the external system is busy")
        }
    }

    func preCommit(
        currentOffsets: [ConnectAPI.TopicPartition: OffsetAndMetadata]
    ) async throws -> [ConnectAPI.TopicPartition: OffsetAndMetadata] {
        log.withLock {
            $0.append("preCommit \(currentOffsets.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.offset)" })")
        }
        return behaviour.withLock { $0.preCommitResult } ?? currentOffsets
    }

    func close(partitions: [ConnectAPI.TopicPartition]) async throws {
        log.withLock { $0.append("close \(partitions.map(\.description).sorted())") }
    }

    func stop() async { log.withLock { $0.append("stop") } }

    var calls: [String] { log.withLock { $0 } }
}

@Suite struct WorkerSinkTaskTests {
    static let p0 = KafkaNIO.TopicPartition("in", 0)
    static let p1 = KafkaNIO.TopicPartition("in", 1)

    static func record(_ partition: KafkaNIO.TopicPartition, _ offset: Int64, _ value: String) -> KafkaConsumerRecord {
        KafkaConsumerRecord(
            topic: partition.topic,
            partition: partition.partition,
            offset: offset,
            timestamp: 1000 + offset,
            timestampType: .createTime,
            key: nil,
            value: ByteBuffer(string: value),
            headers: []
        )
    }

    static func makeRunner(
        task: RecordingSinkTask,
        consumer: FakeSinkConsumer,
        errorConfig: ErrorHandlingConfig = ErrorHandlingConfig(),
        reporters: [any ErrorReporter] = [],
        valueConverter: String = "org.apache.kafka.connect.storage.StringConverter",
        flushInterval: Duration = .milliseconds(50),
        metrics: TaskMetrics = TaskMetrics()
    ) throws -> WorkerSinkTask {
        let worker = try WorkerConfig(standalone: [
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": valueConverter,
            "value.converter.schemas.enable": "false",
            "offset.storage.file.filename": "/tmp/unused",
        ])
        return WorkerSinkTask(
            id: ConnectorTaskID(connector: "sink", task: 0),
            task: task,
            taskClassName: "RecordingSinkTask",
            taskConfig: ["topics": "in"],
            converters: try TaskConverters(
                worker: worker,
                connector: [:],
                registry: PluginRegistry.kafkaBuiltIns.converters
            ),
            transformations: TransformationChain(),
            consumer: consumer,
            errorHandler: RetryWithToleranceOperator(config: errorConfig, reporters: reporters),
            flushInterval: flushInterval,
            workerID: "test:8083",
            targetState: .started,
            logger: Logger(label: "test"),
            metrics: metrics
        )
    }

    static func waitUntil(_ what: String, _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !(await condition()) {
            guard ContinuousClock.now < deadline else { throw ConnectError("timed out waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func putThenPreCommitThenCommitOfTheNextOffsets() async throws {
        let consumer = FakeSinkConsumer(assignment: [Self.p0, Self.p1])
        let task = RecordingSinkTask()
        let runner = try Self.makeRunner(task: task, consumer: consumer)
        consumer.add([Self.record(Self.p0, 0, "a"), Self.record(Self.p0, 1, "b"), Self.record(Self.p1, 0, "c")])
        let run = Task { await runner.run() }
        try await Self.waitUntil("the offsets are committed") {
            consumer.commits.contains { $0[Self.p0] == 2 && $0[Self.p1] == 1 }
        }
        #expect(await runner.status.state == .running)
        await runner.stop()
        await run.value
        let calls = task.calls
        #expect(calls.first == "start")
        #expect(calls.dropFirst().first == "open [\"in-0\", \"in-1\"]")
        let put = try #require(calls.firstIndex { $0.hasPrefix("put") })
        let preCommit = try #require(calls.firstIndex { $0 == "preCommit [\"in-0=2\", \"in-1=1\"]" })
        #expect(put < preCommit)
        #expect(calls.suffix(2) == ["close [\"in-0\", \"in-1\"]", "stop"])
        // Positions at assignment (0) are the baseline: nothing was committed before the put.
        #expect(consumer.commits.first == [Self.p0: 2, Self.p1: 1])
        #expect(task.puts.withLock { $0.first?.map(\.timestampType) } == [.createTime, .createTime, .createTime])
        #expect(consumer.state.withLock { $0.closed })
    }

    @Test func metricsCountReadsSendsAndCommits() async throws {
        let consumer = FakeSinkConsumer(assignment: [Self.p0, Self.p1])
        let metrics = TaskMetrics()
        let runner = try Self.makeRunner(task: RecordingSinkTask(), consumer: consumer, metrics: metrics)
        consumer.add([Self.record(Self.p0, 0, "a"), Self.record(Self.p0, 1, "b"), Self.record(Self.p1, 0, "c")])
        let run = Task { await runner.run() }
        try await Self.waitUntil("the offsets are committed") { metrics.values.offsetCommitSuccessTotal >= 1 }
        consumer.add([Self.record(Self.p1, 1, "d")])
        try await Self.waitUntil("the second batch is put") { metrics.values.sinkRecordSendTotal == 4 }
        await runner.stop()
        await run.value
        let values = metrics.values
        #expect(values.sinkRecordReadTotal == 4)
        #expect(values.offsetCommitSuccessTotal == consumer.commits.count)
        #expect(values.offsetCommitFailureTotal == 0)
        #expect(values.offsetCommitMaxTimeMs >= values.offsetCommitAvgTimeMs)
        #expect(values.sourceRecordPollTotal == 0)
    }

    @Test func theTasksPreCommitOffsetsAreCommittedAsReturnedAndInvalidOnesIgnored() async throws {
        let consumer = FakeSinkConsumer(assignment: [Self.p0])
        var behaviour = RecordingSinkTask.Behaviour()
        behaviour.preCommitResult = [
            ConnectAPI.TopicPartition("in", 0): OffsetAndMetadata(1),
            ConnectAPI.TopicPartition("other", 0): OffsetAndMetadata(5),  // not assigned
        ]
        let task = RecordingSinkTask(behaviour)
        let runner = try Self.makeRunner(task: task, consumer: consumer)
        consumer.add([Self.record(Self.p0, 0, "a"), Self.record(Self.p0, 1, "b")])
        let run = Task { await runner.run() }
        try await Self.waitUntil("a commit") { !consumer.commits.isEmpty }
        #expect(consumer.commits.first == [Self.p0: 1])
        // An offset beyond the current one is ignored.
        task.behaviour.withLock { $0.preCommitResult = [ConnectAPI.TopicPartition("in", 0): OffsetAndMetadata(9)] }
        try await Task.sleep(for: .milliseconds(150))
        #expect(consumer.commits.allSatisfy { $0 == [Self.p0: 1] })
        await runner.stop()
        await run.value
    }

    @Test func aRetriablePutPausesThePartitionsAndRedeliversTheSameBatch() async throws {
        let consumer = FakeSinkConsumer(assignment: [Self.p0])
        var behaviour = RecordingSinkTask.Behaviour()
        behaviour.retriablePuts = 2
        let task = RecordingSinkTask(behaviour)
        let runner = try Self.makeRunner(task: task, consumer: consumer, flushInterval: .seconds(30))
        consumer.add([Self.record(Self.p0, 0, "a"), Self.record(Self.p0, 1, "b")])
        let run = Task { await runner.run() }
        try await Self.waitUntil("the batch is delivered a third time") { task.puts.withLock { $0.count } == 3 }
        // Records arriving while paused are held back until the batch went through.
        consumer.add([Self.record(Self.p0, 2, "c")])
        try await Self.waitUntil("the next record is delivered") { task.puts.withLock { $0.count } == 4 }
        let puts = task.puts.withLock { $0.map { $0.map(\.kafkaOffset) } }
        #expect(puts == [[0, 1], [0, 1], [0, 1], [2]])
        let events = consumer.events
        let pause = try #require(events.firstIndex(of: "pause [\"in-0\"]"))
        let resume = try #require(events.firstIndex(of: "resume [\"in-0\"]"))
        #expect(pause < resume)
        #expect(events.filter { $0.hasPrefix("pause") }.count == 1)
        #expect(await runner.status.state == .running)
        await runner.stop()
        await run.value
        #expect(consumer.commits.last == [Self.p0: 3])
    }

    @Test func contextOffsetResetSeeksAndBecomesTheCommitBaseline() async throws {
        let consumer = FakeSinkConsumer(assignment: [Self.p0])
        var behaviour = RecordingSinkTask.Behaviour()
        behaviour.resetOnFirstPut = [ConnectAPI.TopicPartition("in", 0): 42]
        let task = RecordingSinkTask(behaviour)
        let runner = try Self.makeRunner(task: task, consumer: consumer, flushInterval: .seconds(30))
        consumer.add([Self.record(Self.p0, 0, "a")])
        let run = Task { await runner.run() }
        try await Self.waitUntil("the seek") { consumer.state.withLock { $0.seeks.count } == 1 }
        #expect(consumer.state.withLock { $0.seeks.first?.1 } == 42)
        try await Self.waitUntil("the baseline moves") { await runner.committedOffsets[.init("in", 0)]?.offset == 42 }
        consumer.add([Self.record(Self.p0, 42, "x")])
        try await Self.waitUntil("the record at 42 is delivered") { task.puts.withLock { $0.count } == 2 }
        await runner.stop()
        await run.value
        #expect(consumer.commits.last == [Self.p0: 43])
    }

    @Test func revocationCommitsThenClosesAndLossClosesWithoutCommit() async throws {
        let consumer = FakeSinkConsumer(assignment: [Self.p0, Self.p1])
        let task = RecordingSinkTask()
        let runner = try Self.makeRunner(task: task, consumer: consumer, flushInterval: .seconds(30))
        consumer.add([Self.record(Self.p0, 0, "a"), Self.record(Self.p1, 0, "b")])
        let run = Task { await runner.run() }
        try await Self.waitUntil("the put") { task.puts.withLock { $0.count } == 1 }
        let listener = try #require(consumer.listener)
        await listener.partitionsRevoked([Self.p0])
        #expect(consumer.commits == [[Self.p0: 1]])
        let calls = task.calls
        #expect(calls.suffix(2) == ["preCommit [\"in-0=1\"]", "close [\"in-0\"]"])
        await listener.partitionsLost([Self.p1])
        #expect(task.calls.last == "close [\"in-1\"]")
        #expect(consumer.commits.count == 1)
        #expect(await runner.status.state == .running)
        await listener.partitionsAssigned([Self.p0])
        #expect(task.calls.last == "open [\"in-0\"]")
        await runner.stop()
        await run.value
    }

    @Test func badRecordsAreSkippedToTheReportersAndTheirOffsetsStillCommitted() async throws {
        let consumer = FakeSinkConsumer(assignment: [Self.p0])
        let task = RecordingSinkTask()
        let reporter = CollectingReporter()
        var config = ErrorHandlingConfig()
        config.tolerance = .all
        let runner = try Self.makeRunner(
            task: task,
            consumer: consumer,
            errorConfig: config,
            reporters: [reporter],
            valueConverter: "org.apache.kafka.connect.json.JsonConverter"
        )
        consumer.add([
            Self.record(Self.p0, 0, "{\"a\":1}"), Self.record(Self.p0, 1, "{oops"), Self.record(Self.p0, 2, "2"),
        ])
        let run = Task { await runner.run() }
        try await Self.waitUntil("the commit after the bad record") { consumer.commits.contains { $0[Self.p0] == 3 } }
        await runner.stop()
        await run.value
        #expect(task.puts.withLock { $0.flatMap { $0.map(\.kafkaOffset) } } == [0, 2])
        #expect(reporter.reported.map(\.stage) == [.valueConverter])
        #expect(reporter.reported.first?.consumedRecord?.offset == 1)
        #expect(reporter.reported.first?.className == "org.apache.kafka.connect.json.JsonConverter")
    }

    @Test func aBadRecordFailsTheTaskWithToleranceNone() async throws {
        let consumer = FakeSinkConsumer(assignment: [Self.p0])
        let task = RecordingSinkTask()
        let runner = try Self.makeRunner(
            task: task,
            consumer: consumer,
            valueConverter: "org.apache.kafka.connect.json.JsonConverter"
        )
        consumer.add([Self.record(Self.p0, 0, "{oops")])
        let run = Task { await runner.run() }
        await run.value
        let status = await runner.status
        #expect(status.state == .failed)
        #expect(status.trace?.contains("Tolerance exceeded in error handler") == true)
        #expect(task.calls.last == "stop")
    }

    @Test func errantRecordsGoToTheReportersAndToleranceNoneFailsAfterPut() async throws {
        let consumer = FakeSinkConsumer(assignment: [Self.p0])
        var behaviour = RecordingSinkTask.Behaviour()
        behaviour.errantValue = "bad"
        let task = RecordingSinkTask(behaviour)
        let reporter = CollectingReporter()
        var config = ErrorHandlingConfig()
        config.logEnable = true
        let runner = try Self.makeRunner(task: task, consumer: consumer, errorConfig: config, reporters: [reporter])
        consumer.add([Self.record(Self.p0, 0, "good"), Self.record(Self.p0, 1, "bad")])
        let run = Task { await runner.run() }
        await run.value
        #expect(reporter.reported.map(\.stage) == [.taskPut])
        #expect(reporter.reported.first?.consumedRecord?.value.map { String(buffer: $0) } == "bad")
        #expect(reporter.reported.first?.className == "RecordingSinkTask")
        let status = await runner.status
        #expect(status.state == .failed)
        #expect(status.trace?.contains("Tolerance exceeded") == true)
        #expect(consumer.commits.isEmpty)
    }

    @Test func pausedTargetStatePausesPartitionsAndResumeResumesThem() async throws {
        let consumer = FakeSinkConsumer(assignment: [Self.p0])
        let task = RecordingSinkTask()
        let runner = try Self.makeRunner(task: task, consumer: consumer, flushInterval: .seconds(30))
        let run = Task { await runner.run() }
        try await Self.waitUntil("running") { await runner.status.state == .running }
        try await Self.waitUntil("assigned") { task.calls.contains { $0.hasPrefix("open") } }
        await runner.transition(to: .paused)
        #expect(await runner.status.state == .paused)
        consumer.add([Self.record(Self.p0, 0, "a")])
        try await Task.sleep(for: .milliseconds(50))
        #expect(task.puts.withLock { $0.isEmpty })
        await runner.transition(to: .started)
        try await Self.waitUntil("delivered after resume") { task.puts.withLock { $0.count } == 1 }
        await runner.stop()
        await run.value
    }
}
