import ConnectAPI
import ConnectTransforms
import KafkaNIO
import KafkaProtocol
import Logging
import NIOCore
import Synchronization

/// Runs one sink task (Kafka's `WorkerSinkTask`): a consumer in the group `connect-<connector>`
/// subscribed to `topics` or `topics.regex`; poll → header/key/value conversion → transforms →
/// `put(records)`; offsets committed every `offset.flush.interval.ms` (or when the task asks).
///
/// - Offsets: after a successful `put`, the next offset to read (last delivered + 1) of each
///   partition becomes its current offset — also for records a transform dropped or the error
///   handler skipped. A commit calls `preCommit(currentOffsets:)` and commits what the task returns,
///   keeping only assigned partitions that were passed in and offsets not beyond the current ones; an
///   unchanged set is not committed again. A throwing `preCommit` rewinds the consumer to the last
///   committed offsets.
/// - Rebalances: revoked partitions are committed (synchronously) then `close`d; lost partitions are
///   `close`d without a commit; assigned ones are `open`ed. Rebalance callbacks run between batches,
///   never during a `put` or a commit.
/// - A ``RetriableError`` from `put` pauses every assigned partition and delivers the same batch again
///   after `SinkTaskContext.timeout(_:)` (once) or the time to the next commit, resuming the
///   partitions once `put` succeeds. Any other error fails the task (status FAILED with the trace).
/// - Conversion and transforms run under ``RetryWithToleranceOperator`` (`errors.*`); with a dead
///   letter queue the raw consumed record is written there.
/// - Target state PAUSED pauses every partition but keeps polling (the group membership stays).
public actor WorkerSinkTask: WorkerTaskRunner {
    /// The task's id.
    public nonisolated let id: ConnectorTaskID

    private let task: any SinkTask
    private let taskClassName: String
    private let taskConfig: [String: String]
    private let converters: TaskConverters
    private let transformations: TransformationChain
    private let consumer: any SinkTaskConsumer
    private let errorHandler: RetryWithToleranceOperator
    private let makeDeadLetterQueue: (@Sendable () async throws -> any ErrorReporter)?
    private let flushInterval: Duration
    private let workerID: String
    private let logger: Logger
    private let wakeup = PollWakeup()
    private var context: WorkerSinkTaskContext?

    private var targetState: TargetState
    private var currentStatus: StatusInfo
    private var isStopping = false
    private var isStarted = false
    private var failure: (any Error)?
    /// A failure the errant record reporter raised (`errors.tolerance=none`), applied after `put`.
    private var reporterFailure: (any Error)?

    private var owned: Set<ConnectAPI.TopicPartition> = []
    private var currentOffsets: [ConnectAPI.TopicPartition: OffsetAndMetadata] = [:]
    private var lastCommitted: [ConnectAPI.TopicPartition: OffsetAndMetadata] = [:]
    private var batch: [SinkRecord] = []
    /// The next offsets of the records in ``batch`` (and of records skipped while building it).
    private var batchOffsets: [ConnectAPI.TopicPartition: OffsetAndMetadata] = [:]
    /// The consumed records of ``batch``, for the errant record reporter.
    private var batchRaw: [RecordKey: KafkaConsumerRecord] = [:]
    private var pausedForRetry = false
    private var nextCommit = ContinuousClock.now
    private var commitCount = 0
    private var putCount = 0
    private let metrics: TaskMetrics

    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    private struct RecordKey: Hashable {
        var topic: String
        var partition: Int32
        var offset: Int64
    }

    /// Creates the runner; nothing happens before ``run()``.
    init(
        id: ConnectorTaskID,
        task: any SinkTask,
        taskClassName: String,
        taskConfig: [String: String],
        converters: TaskConverters,
        transformations: TransformationChain,
        consumer: any SinkTaskConsumer,
        errorHandler: RetryWithToleranceOperator,
        makeDeadLetterQueue: (@Sendable () async throws -> any ErrorReporter)? = nil,
        flushInterval: Duration,
        workerID: String,
        targetState: TargetState,
        logger: Logger,
        metrics: TaskMetrics = TaskMetrics()
    ) {
        self.id = id
        self.metrics = metrics
        self.task = task
        self.taskClassName = taskClassName
        self.taskConfig = taskConfig
        self.converters = converters
        self.transformations = transformations
        self.consumer = consumer
        self.errorHandler = errorHandler
        self.makeDeadLetterQueue = makeDeadLetterQueue
        self.flushInterval = flushInterval
        self.workerID = workerID
        self.targetState = targetState
        self.currentStatus = StatusInfo(state: .unassigned, workerID: workerID)
        var logger = logger
        logger[metadataKey: "connector"] = "\(id.connector)"
        logger[metadataKey: "task"] = "\(id.task)"
        self.logger = logger
    }

    /// The task's status.
    public var status: StatusInfo { currentStatus }

    /// Offset commits sent successfully (for tests and metrics).
    public var completedCommits: Int { commitCount }

    /// Calls of `put` that returned (for tests).
    public var completedPuts: Int { putCount }

    /// The offsets committed last, by partition.
    public var committedOffsets: [ConnectAPI.TopicPartition: OffsetAndMetadata] { lastCommitted }

    // MARK: Life cycle

    /// Starts the task, subscribes, runs the loop until ``stop()`` or a failure, then commits, closes
    /// the partitions, stops the task and closes the consumer.
    public func run() async {
        do {
            if let makeDeadLetterQueue { errorHandler.addReporter(try await makeDeadLetterQueue()) }
            let context = WorkerSinkTaskContext(
                configs: taskConfig,
                consumer: consumer,
                wakeup: wakeup,
                reporter: errorHandler.config.hasReporters ? WorkerErrantRecordReporter(runner: self) : nil
            )
            self.context = context
            await task.initialize(context: context)
            try await task.start(configs: taskConfig)
            isStarted = true
            let listener = SinkRebalanceListener(runner: self)
            let regex = (taskConfig["topics.regex"] ?? "").trimmingCharacters(in: " \t")
            if !regex.isEmpty {
                try await consumer.subscribe(pattern: regex, rebalanceListener: listener)
            } else {
                let topics = (taskConfig["topics"] ?? "").split(separator: ",")
                    .map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
                try await consumer.subscribe(topics: topics, rebalanceListener: listener)
            }
        } catch {
            fail(error, "Task threw an uncaught and unrecoverable exception during startup")
            await finish()
            return
        }
        logger.info("Sink task started")
        if failure == nil {
            currentStatus = StatusInfo(state: targetState == .paused ? .paused : .running, workerID: workerID)
        }
        nextCommit = .now + flushInterval
        while !isStopping && failure == nil {
            await iteration()
        }
        await finish()
    }

    /// Asks the task to stop: the running poll ends, then ``run()`` commits and closes.
    public func stop() async {
        guard !isStopping else { return }
        isStopping = true
        wakeup.wakeup()
        wakeAll()
    }

    /// Applies a target state: PAUSED pauses every partition (polling goes on), STARTED resumes those
    /// the task did not pause itself.
    public func transition(to state: TargetState) {
        targetState = state
        context?.setRuntimePaused(state == .paused)
        if currentStatus.state == .running || currentStatus.state == .paused {
            currentStatus.state = state == .paused ? .paused : .running
        }
        if state == .paused {
            consumer.pause(owned.map(\.kafka))
        } else if !pausedForRetry {
            resumeOwned()
        }
        wakeup.wakeup()
    }

    private func finish() async {
        await withLock {
            if isStarted && !owned.isEmpty {
                if failure == nil { await commitOffsets(of: owned, closing: true) }
                await closePartitions(owned.sorted())
            }
            owned = []
        }
        if isStarted { await task.stop() }
        await consumer.close()
        await errorHandler.close()
        transformations.close()
        converters.close()
        if failure == nil { currentStatus = StatusInfo(state: .unassigned, workerID: workerID) }
        logger.info("Sink task stopped")
    }

    private func fail(_ error: any Error, _ message: String) {
        guard failure == nil else { return }
        failure = error
        currentStatus = .failed(error, workerID: workerID)
        logger.error("\(message): \(error)")
    }

    // MARK: The loop

    private func iteration() async {
        let now = ContinuousClock.now
        if context?.takeCommitRequest() == true || now >= nextCommit {
            await withLock { await commitOffsets(of: owned, closing: false) }
            nextCommit = ContinuousClock.now + flushInterval
        }
        await withLock { await applyRequestedOffsets() }
        var timeout = max(nextCommit - ContinuousClock.now, .zero)
        if let requested = context?.takeTimeout() { timeout = min(timeout, requested) }
        let consumer = self.consumer
        let poll = Task { try await consumer.poll(timeout: timeout) }
        wakeup.set(poll)
        let result = await poll.result
        wakeup.set(nil)
        if isStopping || failure != nil { return }
        let records: [KafkaConsumerRecord]
        switch result {
        case .success(let polled):
            records = polled
        case .failure(is CancellationError):
            records = []  // woken up for a commit, a seek or a state change
        case .failure(let error):
            fail(error, "Consumer poll failed")
            return
        }
        await withLock {
            guard !isStopping, failure == nil else { return }
            do {
                try await convertMessages(records)
            } catch {
                fail(error, "Task threw an uncaught and unrecoverable exception")
                return
            }
            await deliverMessages()
        }
    }

    private func convertMessages(_ records: [KafkaConsumerRecord]) async throws {
        if !records.isEmpty { metrics.update { $0.sinkRecordReadTotal += records.count } }
        for raw in records {
            let partition = ConnectAPI.TopicPartition(raw.topic, raw.partition)
            // Records of partitions revoked while this batch was polled belong to the new owner now.
            guard owned.contains(partition) else { continue }
            if let record = try await convertAndTransform(raw) {
                batch.append(record)
                batchRaw[RecordKey(topic: raw.topic, partition: raw.partition, offset: raw.offset)] = raw
            }
            batchOffsets[partition] = OffsetAndMetadata(raw.offset + 1)
        }
    }

    /// The record converted and transformed, or `nil` when a transform dropped it or the error
    /// handler skipped it.
    private func convertAndTransform(_ raw: KafkaConsumerRecord) async throws -> SinkRecord? {
        func context(_ stage: ErrorStage, _ className: String) -> ProcessingContext {
            ProcessingContext(taskID: id, stage: stage, className: className, consumedRecord: raw)
        }
        let converters = self.converters
        guard
            let headers = try await errorHandler.execute(
                context(.headerConverter, converters.headerClassName),
                {
                    var headers = Headers()
                    for header in raw.headers {
                        let converted = try converters.header.toConnectHeader(
                            topic: raw.topic,
                            headerKey: header.key,
                            bytes: header.value.map { Array(buffer: $0) }
                        )
                        headers.add(Header(key: header.key, schema: converted.schema, value: converted.value))
                    }
                    return headers
                }
            ),
            let key = try await errorHandler.execute(
                context(.keyConverter, converters.keyClassName),
                {
                    try converters.key.toConnectData(
                        topic: raw.topic,
                        headers: headers,
                        bytes: raw.key.map { Array(buffer: $0) }
                    )
                }
            ),
            let value = try await errorHandler.execute(
                context(.valueConverter, converters.valueClassName),
                {
                    try converters.value.toConnectData(
                        topic: raw.topic,
                        headers: headers,
                        bytes: raw.value.map { Array(buffer: $0) }
                    )
                }
            )
        else { return nil }
        let hasTimestamp = raw.timestamp >= 0
        var record = SinkRecord(
            topic: raw.topic,
            partition: raw.partition,
            keySchema: key.schema,
            key: key.value,
            valueSchema: value.schema,
            value: value.value,
            kafkaOffset: raw.offset,
            timestamp: hasTimestamp ? raw.timestamp : nil,
            timestampType: !hasTimestamp
                ? .noTimestampType : raw.timestampType == .logAppendTime ? .logAppendTime : .createTime,
            headers: headers
        )
        for stage in transformations.stages {
            let className = stage.className ?? String(reflecting: type(of: stage.transformation))
            let current = record
            guard
                let outcome = try await errorHandler.execute(
                    context(.transformation, className),
                    { try stage.apply(current) }
                )
            else { return nil }  // skipped by the error handler
            guard let next = outcome else { return nil }  // dropped by the transform
            record = next
        }
        return record
    }

    private func deliverMessages() async {
        let delivering = batch
        do {
            try await task.put(delivering)
            putCount += 1
            if !delivering.isEmpty { metrics.update { $0.sinkRecordSendTotal += delivering.count } }
        } catch let error as RetriableError {
            logger.warning("RetriableException from SinkTask: \(error); the batch will be delivered again")
            if !pausedForRetry {
                pausedForRetry = true
                consumer.pause(owned.map(\.kafka))
            }
            return
        } catch {
            fail(error, "Task threw an uncaught and unrecoverable exception")
            return
        }
        if let reporterFailure {
            fail(reporterFailure, "The errant record reporter exceeded the error tolerance")
            return
        }
        for (partition, offset) in batchOffsets where owned.contains(partition) { currentOffsets[partition] = offset }
        batch = []
        batchOffsets = [:]
        batchRaw = [:]
        if pausedForRetry {
            pausedForRetry = false
            if targetState != .paused { resumeOwned() }
        }
    }

    private func resumeOwned() {
        let taskPaused = context?.pausedByTask ?? []
        consumer.resume(owned.subtracting(taskPaused).map(\.kafka))
    }

    // MARK: Offsets

    /// Commits the offsets the task accepts (`preCommit`) for `partitions`.
    private func commitOffsets(of partitions: Set<ConnectAPI.TopicPartition>, closing: Bool) async {
        guard isStarted, failure == nil || closing else { return }
        let current = currentOffsets.filter { partitions.contains($0.key) }
        let provided: [ConnectAPI.TopicPartition: OffsetAndMetadata]
        let started = ContinuousClock.now
        do {
            provided = try await task.preCommit(currentOffsets: current)
        } catch {
            metrics.recordCommit(succeeded: false, duration: ContinuousClock.now - started)
            logger.error(
                "Commit of offsets threw an unexpected exception: \(error); rewinding to the last committed offsets"
            )
            for (partition, offset) in lastCommitted where partitions.contains(partition) {
                do {
                    try await consumer.seek(partition.kafka, toOffset: offset.offset)
                } catch {
                    logger.error("Could not rewind \(partition) to offset \(offset.offset): \(error)")
                }
                currentOffsets[partition] = offset
            }
            return
        }
        guard !provided.isEmpty else {
            logger.debug("Skipping offset commit, task opted-out by returning no offsets from preCommit")
            return
        }
        var committable = lastCommitted.filter { partitions.contains($0.key) }
        for (partition, offset) in provided {
            guard let currentOffset = current[partition] else {
                logger.warning(
                    "Ignoring invalid task provided offset \(partition)/\(offset): not assigned or not passed in"
                )
                continue
            }
            guard offset.offset <= currentOffset.offset else {
                logger.warning(
                    "Ignoring invalid task provided offset \(partition)/\(offset): beyond the current offset \(currentOffset.offset)"
                )
                continue
            }
            committable[partition] = offset
        }
        guard committable.contains(where: { lastCommitted[$0.key] != $0.value }) else { return }
        var offsets: [KafkaTopicPartition: Int64] = [:]
        for (partition, offset) in committable { offsets[partition.kafka] = offset.offset }
        do {
            try await consumer.commit(offsets)
            lastCommitted.merge(committable) { _, new in new }
            commitCount += 1
            metrics.recordCommit(succeeded: true, duration: ContinuousClock.now - started)
        } catch {
            metrics.recordCommit(succeeded: false, duration: ContinuousClock.now - started)
            logger.error("Commit of offsets failed: \(error)")
        }
    }

    /// Seeks requested through `SinkTaskContext.offset(_:)`; they also become the committed baseline.
    private func applyRequestedOffsets() async {
        guard let requested = context?.takeOffsets(), !requested.isEmpty else { return }
        for (partition, offset) in requested.sorted(by: { $0.key < $1.key }) {
            guard owned.contains(partition) else { continue }
            do {
                try await consumer.seek(partition.kafka, toOffset: offset)
                lastCommitted[partition] = OffsetAndMetadata(offset)
                currentOffsets[partition] = OffsetAndMetadata(offset)
            } catch {
                logger.error("Could not seek \(partition) to offset \(offset): \(error)")
            }
        }
    }

    // MARK: Rebalances

    func partitionsAssigned(_ partitions: [ConnectAPI.TopicPartition]) async {
        await withLock {
            guard !isStopping, failure == nil else { return }
            owned.formUnion(partitions)
            for partition in partitions {
                if let position = consumer.position(partition.kafka) {
                    lastCommitted[partition] = OffsetAndMetadata(position)
                    currentOffsets[partition] = OffsetAndMetadata(position)
                }
            }
            context?.setAssignment(owned)
            do {
                try await task.open(partitions: partitions)
            } catch {
                fail(error, "Task threw an uncaught and unrecoverable exception while opening partitions")
                return
            }
            if pausedForRetry || targetState == .paused {
                consumer.pause(partitions.map(\.kafka))
            } else {
                let taskPaused = context?.pausedByTask ?? []
                consumer.pause(partitions.filter { taskPaused.contains($0) }.map(\.kafka))
            }
        }
    }

    func partitionsRevoked(_ partitions: [ConnectAPI.TopicPartition]) async {
        await withLock {
            let revoked = Set(partitions).intersection(owned)
            guard !revoked.isEmpty else { return }
            if failure == nil { await commitOffsets(of: revoked, closing: true) }
            await closePartitions(revoked.sorted())
        }
    }

    func partitionsLost(_ partitions: [ConnectAPI.TopicPartition]) async {
        await withLock {
            let lost = Set(partitions).intersection(owned)
            guard !lost.isEmpty else { return }
            await closePartitions(lost.sorted())
        }
    }

    /// `close(partitions)` and forgets them (their undelivered records go to the next owner).
    private func closePartitions(_ partitions: [ConnectAPI.TopicPartition]) async {
        if isStarted {
            do {
                try await task.close(partitions: partitions)
            } catch {
                fail(error, "Task threw an uncaught and unrecoverable exception while closing partitions")
            }
        }
        let gone = Set(partitions)
        owned.subtract(gone)
        for partition in gone {
            currentOffsets[partition] = nil
            lastCommitted[partition] = nil
            batchOffsets[partition] = nil
        }
        batch.removeAll { gone.contains($0.originalTopicPartition) }
        batchRaw = batchRaw.filter { !gone.contains(ConnectAPI.TopicPartition($0.key.topic, $0.key.partition)) }
        context?.setAssignment(owned)
    }

    // MARK: Errant records

    /// Reports a record the task could not handle (stage `TASK_PUT`): the consumed bytes go to the dead
    /// letter queue when the record is one the runtime delivered, else it is converted back.
    func reportErrant(_ record: SinkRecord, error: any Error) async throws {
        var context = ProcessingContext(taskID: id, stage: .taskPut, className: taskClassName)
        let key = RecordKey(
            topic: record.originalTopic,
            partition: record.originalKafkaPartition ?? -1,
            offset: record.originalKafkaOffset
        )
        if let raw = batchRaw[key] {
            context.consumedRecord = raw
        } else {
            context.consumedRecord = try? KafkaConsumerRecord(
                topic: record.originalTopic,
                partition: record.originalKafkaPartition ?? -1,
                offset: record.originalKafkaOffset,
                timestamp: record.timestamp ?? -1,
                timestampType: record.timestampType == .logAppendTime ? .logAppendTime : .createTime,
                key: converters.key.fromConnectData(
                    topic: record.topic,
                    headers: record.headers,
                    schema: record.keySchema,
                    value: record.key
                ).map { ByteBuffer(bytes: $0) },
                value: converters.value.fromConnectData(
                    topic: record.topic,
                    headers: record.headers,
                    schema: record.valueSchema,
                    value: record.value
                ).map { ByteBuffer(bytes: $0) },
                headers: []
            )
        }
        do {
            try await errorHandler.failed(context, error)
        } catch {
            if reporterFailure == nil { reporterFailure = error }
            throw error
        }
    }

    // MARK: Mutual exclusion

    /// Runs `body` with no other batch, commit or rebalance step in progress (the actor alone does not
    /// prevent interleaving at suspension points).
    private func withLock(_ body: () async -> Void) async {
        while busy {
            await withCheckedContinuation { waiters.append($0) }
        }
        busy = true
        await body()
        busy = false
        wakeAll()
    }

    private func wakeAll() {
        let current = waiters
        waiters = []
        for waiter in current { waiter.resume() }
    }
}

/// Forwards the consumer's rebalance callbacks to the runner (weakly: the consumer outlives nothing).
final class SinkRebalanceListener: ConsumerRebalanceListener {
    weak let runner: WorkerSinkTask?

    init(runner: WorkerSinkTask) {
        self.runner = runner
    }

    func partitionsAssigned(_ partitions: [KafkaNIO.TopicPartition]) async {
        await runner?.partitionsAssigned(partitions.map(ConnectAPI.TopicPartition.init))
    }

    func partitionsRevoked(_ partitions: [KafkaNIO.TopicPartition]) async {
        await runner?.partitionsRevoked(partitions.map(ConnectAPI.TopicPartition.init))
    }

    func partitionsLost(_ partitions: [KafkaNIO.TopicPartition]) async {
        await runner?.partitionsLost(partitions.map(ConnectAPI.TopicPartition.init))
    }
}

/// The errant record reporter a sink task gets (Kafka's `WorkerErrantRecordReporter`). Reports are
/// written before `report` returns, so a commit after `put` never covers an unwritten report.
final class WorkerErrantRecordReporter: ErrantRecordReporter {
    weak let runner: WorkerSinkTask?

    init(runner: WorkerSinkTask) {
        self.runner = runner
    }

    func report(_ record: SinkRecord, error: any Error) async throws {
        guard let runner else { throw ConnectError("The task is stopped", code: .illegalWorkerState) }
        try await runner.reportErrant(record, error: error)
    }
}

/// The context a sink task gets (Kafka's `WorkerSinkTaskContext`). Requests are recorded here and
/// applied by the task loop; pause and resume act on the consumer at once.
final class WorkerSinkTaskContext: SinkTaskContext {
    private struct State {
        var assignment: Set<ConnectAPI.TopicPartition> = []
        var offsets: [ConnectAPI.TopicPartition: Int64] = [:]
        var timeout: Duration?
        var commitRequested = false
        var paused: Set<ConnectAPI.TopicPartition> = []
        var runtimePaused = false
    }

    let configs: [String: String]
    let errantRecordReporter: (any ErrantRecordReporter)?
    private let consumer: any SinkTaskConsumer
    private let wakeup: PollWakeup
    private let state = Mutex(State())

    init(
        configs: [String: String],
        consumer: any SinkTaskConsumer,
        wakeup: PollWakeup,
        reporter: (any ErrantRecordReporter)?
    ) {
        self.configs = configs
        self.consumer = consumer
        self.wakeup = wakeup
        self.errantRecordReporter = reporter
    }

    var assignment: Set<ConnectAPI.TopicPartition> { state.withLock { $0.assignment } }

    func offset(_ offsets: [ConnectAPI.TopicPartition: Int64]) {
        state.withLock { $0.offsets.merge(offsets) { _, new in new } }
        wakeup.wakeup()
    }

    func offset(_ partition: ConnectAPI.TopicPartition, _ offset: Int64) {
        self.offset([partition: offset])
    }

    func timeout(_ milliseconds: Int64) {
        state.withLock { $0.timeout = .milliseconds(max(milliseconds, 0)) }
    }

    func pause(_ partitions: [ConnectAPI.TopicPartition]) throws {
        try state.withLock { state throws(ConnectError) in
            try Self.checkAssigned(partitions, state.assignment)
            state.paused.formUnion(partitions)
        }
        consumer.pause(partitions.map(\.kafka))
    }

    func resume(_ partitions: [ConnectAPI.TopicPartition]) throws {
        let runtimePaused = try state.withLock { state throws(ConnectError) -> Bool in
            try Self.checkAssigned(partitions, state.assignment)
            state.paused.subtract(partitions)
            return state.runtimePaused
        }
        // The runtime's own pause (target state, retry) wins; its resume honours the task's pauses.
        if !runtimePaused { consumer.resume(partitions.map(\.kafka)) }
    }

    func requestCommit() {
        state.withLock { $0.commitRequested = true }
        wakeup.wakeup()
    }

    private static func checkAssigned(
        _ partitions: [ConnectAPI.TopicPartition],
        _ assignment: Set<ConnectAPI.TopicPartition>
    ) throws(ConnectError) {
        for partition in partitions where !assignment.contains(partition) {
            throw ConnectError(
                "SinkTaskContext may not be used to pause or resume partitions that are not assigned: \(partition)",
                code: .illegalWorkerState
            )
        }
    }

    // MARK: For the runner

    var pausedByTask: Set<ConnectAPI.TopicPartition> { state.withLock { $0.paused } }

    func setAssignment(_ assignment: Set<ConnectAPI.TopicPartition>) {
        state.withLock {
            $0.assignment = assignment
            $0.paused.formIntersection(assignment)
        }
    }

    func setRuntimePaused(_ paused: Bool) {
        state.withLock { $0.runtimePaused = paused }
    }

    func takeCommitRequest() -> Bool {
        state.withLock { state in
            defer { state.commitRequested = false }
            return state.commitRequested
        }
    }

    func takeOffsets() -> [ConnectAPI.TopicPartition: Int64] {
        state.withLock { state in
            defer { state.offsets = [:] }
            return state.offsets
        }
    }

    func takeTimeout() -> Duration? {
        state.withLock { state in
            defer { state.timeout = nil }
            return state.timeout
        }
    }
}

extension String {
    fileprivate func trimmingCharacters(in characters: String) -> String {
        var view = Substring(self)
        while let first = view.first, characters.contains(first) { view.removeFirst() }
        while let last = view.last, characters.contains(last) { view.removeLast() }
        return String(view)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in characters: String) -> String {
        String(self).trimmingCharacters(in: characters)
    }
}
