import ConnectAPI

/// Drives one source task the way the worker's `WorkerSourceTask` does, without a broker.
///
/// The worker calls `initialize(context:)` and `start(configs:)`, then `poll()` in a loop; it produces
/// each record, calls `commitRecord(_:metadata:)` once Kafka acknowledged it, and every
/// `offset.flush.interval.ms` (and when the task stops) writes the committable offsets and calls
/// `commit()`. An offset is committable once its record **and every earlier record of the same
/// source partition** were acknowledged. The harness does the same, step by step:
///
/// ```swift
/// let offsets = InMemoryOffsetStore()
/// let harness = SourceTaskHarness(MySourceTask(), configs: ["topic": "t"], offsets: offsets)
/// try await harness.start()
/// let records = try await harness.drainUntilEmpty()   // polled and, by default, acknowledged
/// try await harness.commitOffsets()                   // what the worker's flush writes
/// #expect(offsets[["file": "a"]] == ["line": .int64(3)])
/// try await harness.stop()
/// ```
///
/// With ``Acknowledgement/manual`` the test decides which records Kafka "acknowledged"
/// (``acknowledge(_:)``), to check that offsets wait for the slowest record of a partition.
///
/// Records are checked as the worker's converters would check them (``validatesRecords``): a
/// key or value that does not match its schema, or an empty topic, makes `poll` throw.
public actor SourceTaskHarness<T: SourceTask> {
    /// Whether polled records count as acknowledged by Kafka at once.
    public enum Acknowledgement: Sendable {
        /// Every polled record is acknowledged right after `poll()` returns (`commitRecord` called).
        case automatic
        /// Records stay unacknowledged until ``SourceTaskHarness/acknowledge(_:)``.
        case manual
    }

    /// The task under test.
    public nonisolated let task: T
    /// The configuration given to `start(configs:)`.
    public nonisolated let configs: [String: String]
    /// The connector's committed offsets: read by the task, written by ``commitOffsets()``.
    public nonisolated let offsets: InMemoryOffsetStore
    /// The context the task is initialized with.
    public nonisolated let context: TestSourceTaskContext
    /// How polled records are acknowledged.
    public nonisolated let acknowledgement: Acknowledgement
    /// Whether polled records are checked against their schemas.
    public nonisolated let validatesRecords: Bool

    private var submitted = SubmittedOffsets()
    /// Polled records not yet acknowledged, with their submission ids, in poll order.
    private var pending: [(id: UInt64, record: SourceRecord)] = []
    private var nextKafkaOffsets: [TopicPartition: Int64] = [:]
    private var isStarted = false
    private var isStopped = false

    /// Every record polled so far, in poll order.
    public private(set) var polledRecords: [SourceRecord] = []
    /// The `commitRecord(_:metadata:)` calls made, in order.
    public private(set) var committedRecords: [(record: SourceRecord, metadata: RecordMetadata?)] = []
    /// How many times `poll()` was called.
    public private(set) var pollCount = 0
    /// How many `RetriableError`s `poll()` threw during ``drain(atLeast:timeout:)`` and
    /// ``drainUntilEmpty(timeout:)`` (the worker logs them and polls again).
    public private(set) var retriablePollErrors = 0
    /// How many times `commit()` was called (after each offset flush).
    public private(set) var commitCount = 0

    /// A harness for `task`; nothing is called on the task before ``start()``.
    /// - Parameters:
    ///   - configs: The task configuration (usually one of the connector's `taskConfigs`).
    ///   - offsets: The committed offsets the task reads; seed it to test resuming.
    ///   - acknowledgement: Whether records are acknowledged as soon as they are polled.
    ///   - validatesRecords: Check keys and values against their schemas, as the worker's converters do.
    public init(
        _ task: T = T(),
        configs: [String: String],
        offsets: InMemoryOffsetStore = InMemoryOffsetStore(),
        acknowledgement: Acknowledgement = .automatic,
        validatesRecords: Bool = true
    ) {
        self.task = task
        self.configs = configs
        self.offsets = offsets
        self.context = TestSourceTaskContext(configs: configs, offsetStorageReader: offsets)
        self.acknowledgement = acknowledgement
        self.validatesRecords = validatesRecords
    }

    /// Records polled and not yet acknowledged.
    public var unacknowledgedRecords: [SourceRecord] { pending.map(\.record) }

    /// The offsets a flush would write now, per source partition.
    public var committableOffsets: [[String: ConnectValue]: [String: ConnectValue]] { submitted.committable() }

    // MARK: Life cycle

    /// `initialize(context:)`, then `start(configs:)`.
    public func start() async throws {
        guard !isStarted else { throw ConnectTestingError("The task was started already") }
        isStarted = true
        await task.initialize(context: context)
        try await task.start(configs: configs)
    }

    /// Stops the task as the worker does: `stop()`, then a last offset flush (which calls `commit()`).
    /// Records still unacknowledged keep their partitions' offsets back, as in the worker.
    /// - Returns: The offsets the last flush committed.
    @discardableResult
    public func stop() async throws -> [[String: ConnectValue]: [String: ConnectValue]] {
        guard !isStopped else { return [:] }
        isStopped = true
        await task.stop()
        return try await commitOffsets()
    }

    // MARK: Polling

    /// Calls `poll()` once (`nil` counts as no records) and submits the records for offset tracking.
    /// - Parameter timeout: How long `poll()` may take; it is cancelled after that, as the worker
    ///   cancels it on stop.
    /// - Throws: What `poll()` throws (a `RetriableError` too: the worker would poll again);
    ///   ``ConnectTestingError`` when a record would fail conversion or `poll()` timed out.
    public func poll(timeout: Duration = .seconds(30)) async throws -> [SourceRecord] {
        guard isStarted, !isStopped else {
            throw ConnectTestingError("Call start() before poll(), and do not poll after stop()")
        }
        pollCount += 1
        let task = self.task
        let records = try await withTimeout(timeout, "poll()") { try await task.poll() } ?? []
        if validatesRecords {
            for record in records { try Self.check(record) }
        }
        polledRecords += records
        var ids: [UInt64] = []
        for record in records {
            let id = submitted.submit(record)
            ids.append(id)
            pending.append((id, record))
        }
        if acknowledgement == .automatic {
            for id in ids { try await acknowledge(id: id) }
        }
        return records
    }

    /// Polls until at least `count` records arrived; empty polls and `RetriableError`s are polled
    /// through, as the worker does.
    /// - Returns: Every record polled (a poll may return more than needed).
    /// - Throws: ``ConnectTestingError`` if fewer than `count` records arrived within `timeout`, or what
    ///   ``poll(timeout:)`` throws other than a `RetriableError`.
    public func drain(atLeast count: Int, timeout: Duration = .seconds(30)) async throws -> [SourceRecord] {
        let deadline = ContinuousClock.now + timeout
        var records: [SourceRecord] = []
        while records.count < count {
            let left = deadline - ContinuousClock.now
            guard left > .zero else {
                throw ConnectTestingError(
                    "Expected at least \(count) records within \(timeout) but the task returned \(records.count)"
                )
            }
            do {
                records += try await poll(timeout: left)
            } catch is RetriableError {
                retriablePollErrors += 1
            }
        }
        return records
    }

    /// Polls until a poll returns no records; a `RetriableError` is polled through.
    /// - Parameter timeout: The time all the polls together may take.
    public func drainUntilEmpty(timeout: Duration = .seconds(30)) async throws -> [SourceRecord] {
        let deadline = ContinuousClock.now + timeout
        var records: [SourceRecord] = []
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else {
                throw ConnectTestingError("The task still returned records after \(timeout)")
            }
            let batch: [SourceRecord]
            do {
                batch = try await poll(timeout: left)
            } catch is RetriableError {
                retriablePollErrors += 1
                continue
            }
            if batch.isEmpty { return records }
            records += batch
        }
    }

    // MARK: Acknowledgements

    /// Acknowledges records as Kafka's producer would: each gets `commitRecord(_:metadata:)` with its
    /// topic, its partition (0 when the record names none) and the next offset of that partition.
    /// Each record matches the first unacknowledged record equal to it.
    /// - Throws: ``ConnectTestingError`` if a record was not polled or was acknowledged already.
    public func acknowledge(_ records: [SourceRecord]) async throws {
        for record in records {
            guard let entry = pending.first(where: { $0.record == record }) else {
                throw ConnectTestingError("Record not polled or already acknowledged: \(record)")
            }
            try await acknowledge(id: entry.id)
        }
    }

    /// Acknowledges every record not acknowledged yet, in poll order.
    public func acknowledgeAll() async throws {
        for entry in pending { try await acknowledge(id: entry.id) }
    }

    /// Acknowledges records without metadata, as the worker does for records a transform dropped or
    /// error tolerance skipped: `commitRecord(record, metadata: nil)`, and their offsets count as written.
    public func drop(_ records: [SourceRecord]) async throws {
        for record in records {
            guard let index = pending.firstIndex(where: { $0.record == record }) else {
                throw ConnectTestingError("Record not polled or already acknowledged: \(record)")
            }
            let entry = pending.remove(at: index)
            submitted.acknowledge(entry.id, partition: record.sourcePartition)
            try await commitRecord(record, metadata: nil)
        }
    }

    private func acknowledge(id: UInt64) async throws {
        guard let index = pending.firstIndex(where: { $0.id == id }) else { return }
        let record = pending.remove(at: index).record
        let topicPartition = TopicPartition(record.topic, record.kafkaPartition ?? 0)
        let offset = nextKafkaOffsets[topicPartition, default: 0]
        nextKafkaOffsets[topicPartition] = offset + 1
        submitted.acknowledge(id, partition: record.sourcePartition)
        let metadata = RecordMetadata(
            topic: record.topic,
            partition: topicPartition.partition,
            offset: offset,
            timestamp: record.timestamp
        )
        try await commitRecord(record, metadata: metadata)
    }

    private func commitRecord(_ record: SourceRecord, metadata: RecordMetadata?) async throws {
        committedRecords.append((record, metadata))
        // The worker only logs an error from commitRecord; a test wants to see it.
        try await task.commitRecord(record, metadata: metadata)
    }

    // MARK: Offsets

    /// The worker's offset flush: writes the offsets that became committable to ``offsets``, then
    /// calls the task's `commit()` (also when nothing changed, as the worker's periodic flush does).
    /// - Returns: The offsets written, per source partition (as given by the task, not normalised).
    /// - Throws: ``ConnectTestingError`` for offsets Kafka cannot store (non-primitive values); what
    ///   `commit()` throws (the worker only logs it).
    @discardableResult
    public func commitOffsets() async throws -> [[String: ConnectValue]: [String: ConnectValue]] {
        let committable = submitted.takeCommittable()
        try offsets.commit(committable.mapValues { Optional($0) })
        commitCount += 1
        try await task.commit()
        return committable
    }

    // MARK: Checks

    /// What the worker's converters reject: an empty topic, a key or value not matching its schema.
    static func check(_ record: SourceRecord) throws {
        guard !record.topic.isEmpty else {
            throw ConnectTestingError("A record has an empty topic; every source record needs one: \(record)")
        }
        do {
            if let schema = record.keySchema { try schema.validate(record.key) }
            if let schema = record.valueSchema { try schema.validate(record.value) }
            for header in record.headers {
                if let schema = header.schema { try schema.validate(header.value) }
            }
        } catch {
            throw ConnectTestingError("A record would fail conversion (\(error)): \(record)")
        }
    }
}

/// The context a harnessed source task gets (the worker's `WorkerSourceTaskContext`).
public struct TestSourceTaskContext: SourceTaskContext {
    /// The task configuration.
    public let configs: [String: String]
    /// The harness's offset store.
    public let offsetStorageReader: any OffsetStorageReader
    /// Always `nil`: the harness does not emulate exactly-once transactions.
    public var transactionContext: (any TransactionContext)? { nil }

    /// Creates a context.
    public init(configs: [String: String], offsetStorageReader: any OffsetStorageReader) {
        self.configs = configs
        self.offsetStorageReader = offsetStorageReader
    }
}
