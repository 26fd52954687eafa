import ConnectAPI
import ConnectTransforms
import KafkaNIO
import KafkaProtocol
import Logging
import NIOCore
import Synchronization

/// Runs one source task (Kafka's `WorkerSourceTask`; with ``ExactlyOnceTaskSettings``, its
/// `ExactlyOnceWorkerSourceTask`, see WorkerSourceTask+ExactlyOnce.swift): poll → transforms →
/// header/key/value conversion → produce, with offsets committed per source partition only once every
/// earlier record of that partition was written (``SubmittedRecords``).
///
/// - ``run()`` is the whole life: `initialize` and `start` the task, loop, then stop. The worker runs
///   it in a task it owns and ends it with ``stop()``.
/// - Batches are queued in the producer in poll order, without waiting for the previous one's
///   acknowledgements (up to ``maxInFlightBatches``); acks feed the offset tracker and
///   `commitRecord(_:metadata:)` in whatever order they come.
/// - Offsets are flushed to the store every `offset.flush.interval.ms` and when the task stops (after
///   waiting up to `offset.flush.timeout.ms` for outstanding records); `commit()` follows each flush.
/// - A ``RetriableError`` from `poll()` is logged and `poll()` called again; any other error fails the
///   task (status FAILED with the error as trace) after a last offset flush.
/// - Records a transform drops are acknowledged at once and get `commitRecord(record, metadata: nil)`.
///   Transforms and conversions run under ``RetryWithToleranceOperator`` (`errors.*`): with
///   `errors.tolerance=all`, records that fail a transform, conversion or produce are skipped the same
///   way; with `none` (the default) such a failure fails the task. Failures go to the error log and,
///   with `errors.deadletterqueue.topic.name` (SwiftConnect: Kafka has no source DLQ), to the dead
///   letter queue (see ``DeadLetterQueueReporter`` for the bytes written).
public actor WorkerSourceTask: WorkerTaskRunner {
    /// The task's id.
    public nonisolated let id: ConnectorTaskID
    /// The thread the task's record path runs on (see ``TaskThread`` for why).
    private nonisolated let thread: TaskThread
    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }
    /// Batches sent and not yet acknowledged before `poll()` waits (Kafka bounds this with the
    /// producer's `buffer.memory`, 32 MiB): 32 polls of FileStreamSource's 2000 lines of 100 B are
    /// about that much. With 8, polling stalled behind each produce round trip (bench-pipeline).
    static let maxInFlightBatches = 32

    let task: any SourceTask
    private let taskConfig: [String: String]
    private let errorHandler: RetryWithToleranceOperator
    private let makeDeadLetterQueue: (@Sendable () async throws -> any ErrorReporter)?
    private let converters: TaskConverters
    private let transformations: TransformationChain
    let producer: KafkaProducer
    let offsetStore: any OffsetBackingStore
    private let offsetReader: WorkerOffsetStorageReader
    private let flushInterval: Duration
    private let flushTimeout: Duration
    private let workerID: String
    let logger: Logger
    let activeTopics: ActiveTopics?
    private let topicCreation: TopicCreation?
    /// Topics known to exist (created or found) since the task started.
    private var knownTopics: Set<String> = []
    let metrics: TaskMetrics

    var targetState: TargetState
    /// Behind a lock, so that reading the status never waits for the task's thread (a poll that
    /// blocks its thread would hold up the REST status of the task otherwise).
    private let statusBox: Mutex<StatusInfo>
    private var currentStatus: StatusInfo {
        get { statusBox.withLock { $0 } }
        set { statusBox.withLock { $0 = newValue } }
    }
    var isStopping = false
    private var isTaskStopped = false
    var failure: (any Error)?
    var producerFailure: (any Error)?

    private var submitted = SubmittedRecords()
    /// Committable offsets not yet written to the store (kept for the next flush if one fails).
    private var unflushed: [[String: ConnectValue]: [String: ConnectValue]] = [:]
    private var isFlushing = false
    private var flushCount = 0

    private var currentPoll: Task<[SourceRecord]?, any Error>?
    private var sends: [UInt64: Task<Void, Never>] = [:]
    private var nextSendID: UInt64 = 0
    private var flushTimer: Task<Void, Never>?
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Exactly-once source support (KIP-618): `nil` runs the at-least-once loop above; set, the
    /// task runs ``exactlyOncePollLoop()`` instead (WorkerSourceTask+ExactlyOnce.swift), chosen once.
    let exactlyOnce: ExactlyOnceTaskSettings?
    /// The open transaction's bookkeeping (exactly-once only).
    var transaction = ExactlyOnceTransaction()

    /// Creates the task runner; nothing happens before ``run()``.
    init(
        id: ConnectorTaskID,
        task: any SourceTask,
        taskConfig: [String: String],
        connectorConfig: ConnectorConfig,
        converters: TaskConverters,
        transformations: TransformationChain,
        producer: KafkaProducer,
        offsetStore: any OffsetBackingStore,
        workerConfig: WorkerConfig,
        workerID: String,
        targetState: TargetState,
        logger: Logger,
        activeTopics: ActiveTopics? = nil,
        topicCreation: TopicCreation? = nil,
        errorHandler: RetryWithToleranceOperator? = nil,
        makeDeadLetterQueue: (@Sendable () async throws -> any ErrorReporter)? = nil,
        metrics: TaskMetrics = TaskMetrics(),
        exactlyOnce: ExactlyOnceTaskSettings? = nil
    ) {
        self.id = id
        self.thread = TaskThread(name: "task-\(id.connector)-\(id.task)")
        self.exactlyOnce = exactlyOnce
        self.metrics = metrics
        self.activeTopics = activeTopics
        self.topicCreation = topicCreation
        self.task = task
        self.taskConfig = taskConfig
        var errorConfig = ErrorHandlingConfig()
        errorConfig.tolerance = connectorConfig.errorTolerance
        self.errorHandler = errorHandler ?? RetryWithToleranceOperator(config: errorConfig)
        self.makeDeadLetterQueue = makeDeadLetterQueue
        self.converters = converters
        self.transformations = transformations
        self.producer = producer
        self.offsetStore = offsetStore
        self.offsetReader = WorkerOffsetStorageReader(namespace: id.connector, store: offsetStore)
        self.flushInterval = workerConfig.offsetFlushInterval
        self.flushTimeout = workerConfig.offsetFlushTimeout
        self.workerID = workerID
        self.targetState = targetState
        self.statusBox = Mutex(StatusInfo(state: .unassigned, workerID: workerID))
        var logger = logger
        logger[metadataKey: "connector"] = "\(id.connector)"
        logger[metadataKey: "task"] = "\(id.task)"
        self.logger = logger
    }

    /// The task's status.
    public nonisolated var status: StatusInfo { statusBox.withLock { $0 } }

    /// How many offset flushes completed (for tests and metrics).
    public var completedFlushes: Int { flushCount }

    // MARK: Life cycle

    deinit { thread.shutdown() }

    /// Starts the task, runs the poll loop until ``stop()`` or a failure, and stops the task: last
    /// offset flush, `stop()`, producer closed. Everything the task's code and the conversions call
    /// runs on the task's thread.
    public func run() async {
        await withTaskExecutorPreference(thread) { await runOnTaskThread() }
        thread.shutdown()
    }

    private func runOnTaskThread() async {
        do {
            if let makeDeadLetterQueue { errorHandler.addReporter(try await makeDeadLetterQueue()) }
            await task.initialize(
                context: WorkerSourceTaskContext(
                    configs: taskConfig,
                    offsetStorageReader: offsetReader,
                    transactionContext: exactlyOnce?.transactionContext
                )
            )
            try await task.start(configs: taskConfig)
            if exactlyOnce != nil { try await startTransactions() }
        } catch {
            fail(error, "Task threw an uncaught and unrecoverable exception during startup")
            await finish()
            return
        }
        logger.info("Source task started")
        currentStatus = StatusInfo(state: targetState == .paused ? .paused : .running, workerID: workerID)
        if exactlyOnce != nil {
            await exactlyOncePollLoop()
        } else {
            flushTimer = Task { await self.flushPeriodically() }
            await pollLoop()
        }
        await finish()
    }

    /// Asks the task to stop: `stop()` is called on it and a running `poll()` is cancelled; ``run()``
    /// then flushes offsets and returns.
    public func stop() async {
        guard !isStopping else { return }
        isStopping = true
        currentPoll?.cancel()
        wakeAll()
        await stopTaskOnce()
    }

    /// Applies a target state: PAUSED stops polling (records in flight still complete), STARTED resumes.
    public func transition(to state: TargetState) {
        targetState = state
        if currentStatus.state == .running || currentStatus.state == .paused {
            currentStatus.state = state == .paused ? .paused : .running
        }
        wakeAll()
    }

    func stopTaskOnce() async {
        guard !isTaskStopped else { return }
        isTaskStopped = true
        await task.stop()
    }

    private func finish() async {
        flushTimer?.cancel()
        await flushTimer?.value
        flushTimer = nil
        await stopTaskOnce()
        if exactlyOnce != nil {
            await finishTransactions()
        } else {
            await finishAtLeastOnce()
        }
        await producer.close()
        for send in sends.values { await send.value }
        sends = [:]
        await errorHandler.close()
        transformations.close()
        converters.close()
        if failure == nil { currentStatus = StatusInfo(state: .unassigned, workerID: workerID) }
        logger.info("Source task stopped")
    }

    private func finishAtLeastOnce() async {
        await waitForOutstandingSends(timeout: flushTimeout)
        if !submitted.isEmptyOfUnacked {
            logger.warning(
                "Stopping with \(submitted.unackedCount) records not yet acknowledged after offset.flush.timeout.ms; their offsets are not committed"
            )
        }
        await commitOffsets()
    }

    func fail(_ error: any Error, _ message: String) {
        guard failure == nil else { return }
        failure = error
        currentStatus = .failed(error, workerID: workerID)
        logger.error("\(message): \(error)")
    }

    // MARK: Poll loop

    /// One `poll()` of the task, in a child task that `stop()` can cancel; `nil` when the worker
    /// began stopping meanwhile (what the poll returned is then dropped, as Kafka does).
    func pollOnce() async -> Result<[SourceRecord]?, any Error>? {
        let task = self.task
        let poll = Task(executorPreference: thread) { try await task.poll() }
        currentPoll = poll
        let result = await poll.result
        currentPoll = nil
        return isStopping ? nil : result
    }

    private func pollLoop() async {
        while !isStopping {
            if let producerFailure {
                fail(producerFailure, "Failed to send a record to Kafka")
                return
            }
            if targetState == .paused {
                await waitUntil { $0.targetState != .paused || $0.isStopping || $0.producerFailure != nil }
                continue
            }
            guard let result = await pollOnce() else { break }
            switch result {
            case .success(let records):
                guard let records, !records.isEmpty else { continue }
                metrics.update { $0.sourceRecordPollTotal += records.count }
                do {
                    try await send(records)
                } catch {
                    fail(error, "Task threw an uncaught and unrecoverable exception")
                    return
                }
            case .failure(let error as RetriableError):
                logger.warning("Retriable error from poll(), polling again: \(error)")
            case .failure(let error):
                fail(error, "Task threw an uncaught and unrecoverable exception")
                return
            }
        }
    }

    /// Transforms, converts and sends one polled batch; records are submitted to the offset tracker in
    /// poll order.
    private func send(_ records: [SourceRecord]) async throws {
        var converted: [ConvertedSourceRecord] = []
        // Positions in `records` of what is sent (the records themselves are not copied: each copy of
        // a SourceRecord retains every field, which showed in profiles).
        var sentIndices: [Int] = []
        var tickets: [SubmittedRecords.Ticket] = []
        converted.reserveCapacity(records.count)
        sentIndices.reserveCapacity(records.count)
        tickets.reserveCapacity(records.count)
        var dropped: [Int] = []
        for index in records.indices {
            let record = try await transformAndConvert(records[index])
            let ticket = submitted.submit(
                partition: records[index].sourcePartition,
                offset: records[index].sourceOffset
            )
            guard let record else {
                submitted.ack(ticket)
                dropped.append(index)
                continue
            }
            converted.append(record)
            sentIndices.append(index)
            tickets.append(ticket)
        }
        for index in dropped { await commitRecord(records[index], metadata: nil) }
        guard !converted.isEmpty else { return }
        let batch = Self.producerRecords(converted)
        try await createNewTopics(of: batch)
        await waitUntil { $0.sends.count < Self.maxInFlightBatches || $0.isStopping }
        let sendID = nextSendID
        nextSendID += 1
        // Queued here, in poll order (concurrent send(contentsOf:) calls could reorder batches);
        // only the wait for the acknowledgements runs concurrently.
        let delivery = await producer.enqueue(contentsOf: batch)
        sends[sendID] = Task(executorPreference: thread) {
            let results = await delivery.results()
            await self.sendCompleted(
                sendID,
                results: results,
                records: records,
                sentIndices: sentIndices,
                sent: batch,
                tickets: tickets
            )
        }
    }

    /// Creates the topics of `batch` not known to exist yet, when topic creation is on.
    func createNewTopics(of batch: [KafkaProducerRecord]) async throws {
        guard topicCreation != nil else { return }
        for topic in Set(batch.map(\.topic)) where !knownTopics.contains(topic) { try await createTopic(topic) }
    }

    /// Creates `topic` with its topic creation group's settings before the first record to it (Kafka's
    /// `maybeCreateTopic`); a topic that exists already is fine. Runs on the producer's connections.
    /// - Throws: ``ConnectError`` when the topic can be neither created nor found.
    private func createTopic(_ topic: String) async throws {
        guard let topicCreation else { return }
        let group = topicCreation.group(for: topic)
        let admin = KafkaAdminClient(cluster: producer.cluster)
        do {
            try await admin.createTopics([
                .init(
                    name: topic,
                    partitions: group.partitions,
                    replicationFactor: group.replicationFactor,
                    configs: group.topicConfigs
                )
            ])
            logger.info(
                "Created topic \(topic) (group \(group.name): \(group.partitions) partitions, replication factor \(group.replicationFactor))"
            )
        } catch KafkaError.broker(let code, _) where code == .topicAlreadyExists {
            logger.debug("Topic \(topic) exists already")
        } catch {
            throw ConnectError(
                "Task failed to create new topic \(topic). Ensure that the task is authorized to create topics or "
                    + "that the topic exists and restart the task",
                underlying: error
            )
        }
        knownTopics.insert(topic)
    }

    /// The record through the transforms and converters, each stage under the error handler; `nil`
    /// when a transform drops it or a tolerated failure skips it.
    ///
    /// Synchronous until a stage fails: only then does the error handler's async retry take over.
    /// Nonisolated and nonsending (on the caller's executor, no switch) with a sync first pass
    /// because this runs once per record: each call of an isolated async function here cost an
    /// executor switch, six per record before.
    nonisolated(nonsending) func transformAndConvert(_ polled: SourceRecord) async throws -> ConvertedSourceRecord? {
        var conversion = SourceRecordConversion(polled)
        while !isFinished(conversion) {
            if case .failure(let error) = errorHandler.attempt({ try runStage(&conversion) }) {
                return try await finishConversion(conversion, after: error)
            }
        }
        return result(of: conversion)
    }

    /// The rest of a conversion whose current stage failed with `error`, under the error handler's
    /// retries and tolerance.
    nonisolated(nonsending) private func finishConversion(
        _ failed: SourceRecordConversion,
        after error: any Error
    ) async throws -> ConvertedSourceRecord? {
        var conversion = failed
        var error: (any Error)? = error
        while !isFinished(conversion) {
            // A stage that throws leaves the conversion as it was, so this is the failing stage's input.
            let before = conversion
            let outcome: Void?
            if let firstError = error {
                outcome = try await errorHandler.retry(
                    failureContext(of: before),
                    { try runStage(&conversion) },
                    after: firstError
                )
                error = nil
            } else {
                outcome = try await errorHandler.execute(failureContext(of: before), { try runStage(&conversion) })
            }
            guard outcome != nil else { return nil }
        }
        return result(of: conversion)
    }

    /// Runs the conversion's next stage: a transform, or the header, key or value converter. A stage
    /// that throws changes nothing, so it can be retried.
    nonisolated private func runStage(_ conversion: inout SourceRecordConversion) throws {
        let transforms = transformations.stages
        let record = conversion.record
        switch conversion.stage - transforms.count {
        case ..<0:
            guard let next = try transforms[conversion.stage].apply(record) else {
                conversion.isDropped = true
                return
            }
            conversion.record = next
        case 0:
            conversion.headers = try Self.convertHeaders(record, converters)
        case 1:
            conversion.key = try converters.key.fromConnectData(
                topic: record.topic,
                headers: record.headers,
                schema: record.keySchema,
                value: record.key
            )
        default:
            conversion.value = try converters.value.fromConnectData(
                topic: record.topic,
                headers: record.headers,
                schema: record.valueSchema,
                value: record.value
            )
        }
        conversion.stage += 1
    }

    nonisolated private func isFinished(_ conversion: SourceRecordConversion) -> Bool {
        conversion.isDropped || conversion.stage == transformations.stages.count + 3
    }

    nonisolated private func result(of conversion: SourceRecordConversion) -> ConvertedSourceRecord? {
        guard !conversion.isDropped else { return nil }
        return ConvertedSourceRecord(
            record: conversion.record,
            key: conversion.key,
            value: conversion.value,
            headers: conversion.headers
        )
    }

    /// What the error handler reports when the conversion's current stage fails.
    nonisolated private func failureContext(of conversion: SourceRecordConversion) -> ProcessingContext {
        let transforms = transformations.stages
        let stage: ErrorStage
        let className: String
        switch conversion.stage - transforms.count {
        case ..<0:
            let transform = transforms[conversion.stage]
            stage = .transformation
            className = transform.className ?? String(reflecting: type(of: transform.transformation))
        case 0: (stage, className) = (.headerConverter, converters.headerClassName)
        case 1: (stage, className) = (.keyConverter, converters.keyClassName)
        default: (stage, className) = (.valueConverter, converters.valueClassName)
        }
        return failureContext(stage, className, record: conversion.record, polled: conversion.polled)
    }

    /// What the error handler reports when `stage` fails on `record` (built only on failure).
    nonisolated private func failureContext(
        _ stage: ErrorStage,
        _ className: String,
        record: SourceRecord,
        polled: SourceRecord
    ) -> ProcessingContext {
        ProcessingContext(
            taskID: id,
            stage: stage,
            className: className,
            sourceRecord: record,
            producerRecord: bestEffortConversion(polled)
        )
    }

    /// The record as polled converted as far as possible (a part that does not convert is `nil` or
    /// left out): what a source dead letter queue gets for a transform or conversion failure.
    nonisolated private func bestEffortConversion(_ record: SourceRecord) -> KafkaProducerRecord? {
        guard !errorHandler.allReporters.isEmpty else { return nil }
        var headers: [KafkaRecordHeader] = []
        for header in record.headers {
            let bytes: [UInt8]?
            do {
                bytes = try converters.header.fromConnectHeader(
                    topic: record.topic,
                    headerKey: header.key,
                    schema: header.schema,
                    value: header.value
                )
            } catch {
                continue
            }
            headers.append(KafkaRecordHeader(key: header.key, value: bytes.map { ByteBuffer(bytes: $0) }))
        }
        let key = try? converters.key.fromConnectData(
            topic: record.topic,
            headers: record.headers,
            schema: record.keySchema,
            value: record.key
        )
        let value = try? converters.value.fromConnectData(
            topic: record.topic,
            headers: record.headers,
            schema: record.valueSchema,
            value: record.value
        )
        return Self.producerRecord(
            record,
            key: key.map { ByteBuffer(bytes: $0) },
            value: value.map { ByteBuffer(bytes: $0) },
            headers: headers
        )
    }

    private static func convertHeaders(
        _ record: SourceRecord,
        _ converters: TaskConverters
    ) throws
        -> [KafkaRecordHeader]
    {
        var headers: [KafkaRecordHeader] = []
        headers.reserveCapacity(record.headers.count)
        for header in record.headers {
            let bytes = try converters.header.fromConnectHeader(
                topic: record.topic,
                headerKey: header.key,
                schema: header.schema,
                value: header.value
            )
            headers.append(KafkaRecordHeader(key: header.key, value: bytes.map { ByteBuffer(bytes: $0) }))
        }
        return headers
    }

    /// The producer records of a batch. Their keys and values are copied into one buffer and each
    /// is a slice of it: a ByteBuffer of its own allocates twice (its object and its bytes), and two
    /// allocations per key and value showed in source task profiles.
    static func producerRecords(_ converted: [ConvertedSourceRecord]) -> [KafkaProducerRecord] {
        var size = 0
        for record in converted { size += (record.key?.count ?? 0) + (record.value?.count ?? 0) }
        // Written completely before the first slice: writing to a sliced buffer would copy it.
        var bytes = ByteBufferAllocator().buffer(capacity: size)
        for record in converted {
            if let key = record.key { bytes.writeBytes(key) }
            if let value = record.value { bytes.writeBytes(value) }
        }
        var offset = bytes.readerIndex
        func slice(_ part: [UInt8]?) -> ByteBuffer? {
            guard let part else { return nil }
            defer { offset += part.count }
            return bytes.getSlice(at: offset, length: part.count) ?? ByteBuffer(bytes: part)
        }
        var records: [KafkaProducerRecord] = []
        records.reserveCapacity(converted.count)
        for record in converted {
            let key = slice(record.key)
            let value = slice(record.value)
            records.append(Self.producerRecord(record.record, key: key, value: value, headers: record.headers))
        }
        return records
    }

    /// The producer record of a converted source record (a negative timestamp means none, as Kafka).
    private static func producerRecord(
        _ record: SourceRecord,
        key: ByteBuffer?,
        value: ByteBuffer?,
        headers: [KafkaRecordHeader]
    ) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: record.topic,
            partition: record.kafkaPartition,
            key: key,
            value: value,
            headers: headers,
            timestamp: record.timestamp.flatMap { $0 >= 0 ? $0 : nil }
        )
    }

    private func sendCompleted(
        _ sendID: UInt64,
        results: [Result<KafkaNIO.RecordMetadata, KafkaError>],
        records: [SourceRecord],
        sentIndices: [Int],
        sent: [KafkaProducerRecord],
        tickets: [SubmittedRecords.Ticket]
    ) async {
        metrics.update { values in
            values.sourceRecordWriteTotal += results.lazy.filter { if case .success = $0 { true } else { false } }.count
        }
        // Active topics are reported once per topic run of a batch, not per record (a lock and two
        // string hashes each).
        var reportedTopic: String?
        // Acknowledged together, in one pass per source partition.
        submitted.ack(
            results.indices.lazy.filter {
                if case .success = results[$0] { true } else { false }
            }
            .map { tickets[$0] }
        )
        for index in results.indices {
            switch results[index] {
            case .success(let metadata):
                if metadata.topic != reportedTopic {
                    activeTopics?.record(connector: id.connector, topic: metadata.topic)
                    reportedTopic = metadata.topic
                }
                await commitRecord(records[sentIndices[index]], metadata: ConnectAPI.RecordMetadata(metadata))
            case .failure(let error):
                let context = ProcessingContext(
                    taskID: id,
                    stage: .kafkaProduce,
                    className: "KafkaProducer",
                    sourceRecord: records[sentIndices[index]],
                    producerRecord: sent[index]
                )
                // As Kafka: with tolerance none the producer's error fails the task as it is.
                guard errorHandler.config.tolerance == .all else {
                    if producerFailure == nil { producerFailure = error }
                    continue
                }
                try? await errorHandler.failed(context, error)
                logger.warning("Skipping a record Kafka did not accept: \(error)")
                submitted.ack(tickets[index])
                await commitRecord(records[sentIndices[index]], metadata: nil)
            }
        }
        sends[sendID] = nil
        wakeAll()
    }

    /// The task's `commitRecord`, errors logged. Nonsending: called per record, and an isolated
    /// async function would cost an executor switch each time.
    nonisolated(nonsending) func commitRecord(_ record: SourceRecord, metadata: ConnectAPI.RecordMetadata?) async {
        do {
            try await task.commitRecord(record, metadata: metadata)
        } catch {
            logger.error("Exception thrown while calling task.commitRecord(): \(error)")
        }
    }

    // MARK: Offsets

    private func flushPeriodically() async {
        while true {
            do {
                try await Task.sleep(for: flushInterval)
            } catch {
                return
            }
            await commitOffsets()
        }
    }

    /// Writes the offsets that became committable to the store, then calls the task's `commit()`. A
    /// failed write keeps the offsets for the next flush.
    @discardableResult
    func commitOffsets() async -> Bool {
        let committable = submitted.committableOffsets()
        for (partition, offset) in committable.offsets { unflushed[partition] = offset }
        guard !isFlushing else { return false }
        isFlushing = true
        defer { isFlushing = false }
        let started = ContinuousClock.now
        let toFlush = unflushed
        if !toFlush.isEmpty {
            var values: [OffsetKey: [String: ConnectValue]?] = [:]
            for (partition, offset) in toFlush {
                values[OffsetKey(namespace: id.connector, partition: partition)] = offset
            }
            do {
                try await offsetStore.set(values)
            } catch {
                metrics.recordCommit(succeeded: false, duration: ContinuousClock.now - started)
                logger.error("Failed to flush offsets to storage: \(error)")
                return false
            }
            for (partition, offset) in toFlush where unflushed[partition] == offset { unflushed[partition] = nil }
            logger.debug(
                "Committed offsets of \(committable.committableCount) records; \(committable.uncommittableCount) outstanding"
            )
        }
        flushCount += 1
        metrics.recordCommit(succeeded: true, duration: ContinuousClock.now - started)
        do {
            try await task.commit()
        } catch {
            logger.error("Exception thrown while calling task.commit(): \(error)")
        }
        return true
    }

    // MARK: Waiting

    private func waitForOutstandingSends(timeout: Duration) async {
        guard !sends.isEmpty else { return }
        let deadline = ContinuousClock.now + timeout
        let timer = Task {
            try? await Task.sleep(until: deadline)
            self.wakeAll()
        }
        await waitUntil { $0.sends.isEmpty || ContinuousClock.now >= deadline }
        timer.cancel()
        await timer.value
    }

    /// Suspends until `condition` holds; re-checked whenever ``wakeAll()`` runs.
    func waitUntil(_ condition: (isolated WorkerSourceTask) -> Bool) async {
        while !condition(self) {
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    func wakeAll() {
        let current = waiters
        waiters = []
        for waiter in current { waiter.resume() }
    }
}

extension SubmittedRecords {
    var isEmptyOfUnacked: Bool { unackedCount == 0 }
}

/// The context a source task gets (Kafka's `WorkerSourceTaskContext`).
struct WorkerSourceTaskContext: SourceTaskContext {
    let configs: [String: String]
    let offsetStorageReader: any OffsetStorageReader
    /// Set only under exactly-once support with `transaction.boundary=connector`.
    var transactionContext: (any TransactionContext)?
}

/// A polled record on its way through the transforms and the header, key and value converters.
/// Stages run one at a time, so that the error handler can retry a failed one alone.
struct SourceRecordConversion {
    /// The record as polled (for error reports).
    let polled: SourceRecord
    /// The record after the transforms run so far.
    var record: SourceRecord
    /// The next stage: the transforms in order, then the header, key and value converters.
    var stage = 0
    var isDropped = false
    var headers: [KafkaRecordHeader] = []
    var key: [UInt8]?
    var value: [UInt8]?

    init(_ polled: SourceRecord) {
        self.polled = polled
        self.record = polled
    }
}

/// A source record after the transforms and converters: what becomes a ``KafkaProducerRecord``
/// (see ``WorkerSourceTask/producerRecords(_:)``).
struct ConvertedSourceRecord {
    /// The transformed record (topic, partition, timestamp).
    let record: SourceRecord
    let key: [UInt8]?
    let value: [UInt8]?
    let headers: [KafkaRecordHeader]
}

extension ConnectAPI.RecordMetadata {
    /// Where the producer wrote a record, as the task's `commitRecord` gets it.
    init(_ metadata: KafkaNIO.RecordMetadata) {
        self.init(
            topic: metadata.topic,
            partition: metadata.partition,
            offset: metadata.offset,
            timestamp: metadata.timestamp
        )
    }
}
