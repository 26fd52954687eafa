import ConnectAPI

/// Drives one sink task the way the worker's `WorkerSinkTask` does, without a consumer: the test
/// plays the consumer by feeding records.
///
/// The worker calls `initialize(context:)`, `start(configs:)`, `open(partitions:)` for the assigned
/// partitions, then loops: commit when the task asked (`requestCommit()`) or the flush interval
/// passed; apply `SinkTaskContext.offset` seeks; poll; `put` the batch. After a successful `put` each
/// partition's current offset is the last delivered offset + 1. A commit passes the current offsets
/// to `preCommit(currentOffsets:)` and commits what it returns, ignoring partitions not passed in and
/// offsets beyond the current ones, and skipping the commit when nothing changed. The harness does
/// the same, step by step:
///
/// ```swift
/// let harness = SinkTaskHarness(MySinkTask(), configs: ["topics": "orders", "url": url])
/// try await harness.start()                          // assigned orders-0 at offset 0
/// var records = SinkRecordBuilder(topic: "orders")
/// try await harness.put([records.string("a"), records.string("b")])
/// #expect(await harness.commit() == .committed([TopicPartition("orders", 0): OffsetAndMetadata(2)]))
/// try await harness.stop()
/// ```
public actor SinkTaskHarness<T: SinkTask> {
    /// What a commit did.
    public enum CommitOutcome: Sendable, Equatable {
        /// These offsets were committed (every assigned partition's committable offset).
        case committed([TopicPartition: OffsetAndMetadata])
        /// The committable offsets equal the last committed ones: no commit sent.
        case unchanged
        /// `preCommit` returned no offsets: the task opted out of framework commits.
        case optedOut
        /// `preCommit` threw: nothing was committed and the partitions were rewound to the last
        /// committed offsets (see ``SinkTaskHarness/seeks``).
        case preCommitFailed(String)
    }

    /// Whether the task gets an errant record reporter, and its tolerance.
    public enum ErrantRecordReporting: Sendable {
        /// As the worker decides: a reporter when `errors.deadletterqueue.topic.name` is set or
        /// `errors.log.enable=true`, tolerant when `errors.tolerance=all`.
        case fromConfigs
        /// A reporter that tolerates every report (`errors.tolerance=all`).
        case tolerant
        /// A reporter whose every report fails the task (`errors.tolerance=none`).
        case intolerant
        /// No reporter (`errantRecordReporter` is `nil`).
        case disabled
    }

    /// The task under test.
    public nonisolated let task: T
    /// The configuration given to `start(configs:)`.
    public nonisolated let configs: [String: String]
    /// The context the task is initialized with; it records the task's requests.
    public nonisolated let context: TestSinkTaskContext
    /// The errant record reporter the task gets, if any.
    public nonisolated let errantRecordReporter: TestErrantRecordReporter?

    private let initialAssignment: [TopicPartition]
    private let startOffsets: [TopicPartition: Int64]
    private var owned: Set<TopicPartition> = []
    private var isStarted = false
    private var isStopped = false
    private var failure: (any Error)?
    private var pausedForRetry = false

    /// The next offset to deliver per assigned partition (last delivered + 1, or the seek position).
    public private(set) var currentOffsets: [TopicPartition: OffsetAndMetadata] = [:]
    /// The offsets committed last per assigned partition (the consumer's position when assigned).
    public private(set) var committedOffsets: [TopicPartition: OffsetAndMetadata] = [:]
    /// Every record `put` accepted, in order.
    public private(set) var deliveredRecords: [SinkRecord] = []
    /// Calls of `put` that returned (successfully).
    public private(set) var putCount = 0
    /// Every commit sent, in order.
    public private(set) var commits: [[TopicPartition: OffsetAndMetadata]] = []
    /// Offsets `preCommit` returned that the worker ignores (not passed in, or beyond the current
    /// offset), from the last commit.
    public private(set) var ignoredOffsets: [TopicPartition: OffsetAndMetadata] = [:]
    /// Every seek the worker would make, in order: `SinkTaskContext.offset` requests of assigned
    /// partitions, and rewinds after a failed `preCommit`. Records fed afterwards should start there.
    public private(set) var seeks: [(partition: TopicPartition, offset: Int64)] = []
    /// `open(partitions:)` and `close(partitions:)` calls, in order.
    public private(set) var partitionEvents: [PartitionEvent] = []

    /// An `open` or `close` call.
    public enum PartitionEvent: Sendable, Equatable {
        /// `open(partitions:)`.
        case opened([TopicPartition])
        /// `close(partitions:)`.
        case closed([TopicPartition])
    }

    /// A harness for `task`; nothing is called on the task before ``start()``.
    /// - Parameters:
    ///   - configs: The task configuration (usually one of the connector's `taskConfigs`).
    ///   - assignment: The partitions assigned at start; default: partition 0 of each topic in `topics`.
    ///   - startOffsets: The consumer's position per partition when assigned (its committed offset);
    ///     default 0.
    ///   - errantRecordReporter: Whether the task gets a reporter.
    public init(
        _ task: T = T(),
        configs: [String: String],
        assignment: [TopicPartition]? = nil,
        startOffsets: [TopicPartition: Int64] = [:],
        errantRecordReporter: ErrantRecordReporting = .fromConfigs
    ) {
        self.task = task
        self.configs = configs
        self.initialAssignment =
            assignment
            ?? (configs["topics"] ?? "").split(separator: ",")
            .map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
            .map { TopicPartition($0, 0) }
        self.startOffsets = startOffsets
        let reporter: TestErrantRecordReporter?
        switch errantRecordReporter {
        case .fromConfigs:
            let hasReporters =
                !(configs["errors.deadletterqueue.topic.name"] ?? "").trimmingSpaces().isEmpty
                || (configs["errors.log.enable"] ?? "").lowercased() == "true"
            let tolerant = (configs["errors.tolerance"] ?? "none").lowercased() == "all"
            reporter = hasReporters ? TestErrantRecordReporter(toleratesErrors: tolerant) : nil
        case .tolerant: reporter = TestErrantRecordReporter(toleratesErrors: true)
        case .intolerant: reporter = TestErrantRecordReporter(toleratesErrors: false)
        case .disabled: reporter = nil
        }
        self.errantRecordReporter = reporter
        self.context = TestSinkTaskContext(configs: configs, errantRecordReporter: reporter)
    }

    /// The partitions currently assigned.
    public var assignment: Set<TopicPartition> { owned }

    /// Whether the task failed (a non-retriable error from `put`, `open`, `close`, or the errant record
    /// reporter's tolerance); the worker would stop it without a final commit.
    public var hasFailed: Bool { failure != nil }

    // MARK: Life cycle

    /// `initialize(context:)`, `start(configs:)`, then assigns the initial partitions (`open`).
    public func start() async throws {
        guard !isStarted else { throw ConnectTestingError("The task was started already") }
        isStarted = true
        await task.initialize(context: context)
        try await task.start(configs: configs)
        if !initialAssignment.isEmpty { try await assign(initialAssignment) }
    }

    /// Stops the task as the worker does: a final commit (unless the task failed), `close` of every
    /// assigned partition, then `stop()`.
    public func stop() async throws {
        guard isStarted, !isStopped else { return }
        isStopped = true
        if !owned.isEmpty {
            if failure == nil { _ = await commit(owned) }
            try await close(owned.sorted())
        }
        await task.stop()
    }

    // MARK: Rebalances

    /// A rebalance assigns `partitions`: their positions become the baseline (`startOffsets`, or
    /// `offsets` given here), then `open(partitions:)`.
    public func assign(_ partitions: [TopicPartition], at offsets: [TopicPartition: Int64] = [:]) async throws {
        try requireRunning()
        owned.formUnion(partitions)
        for partition in partitions {
            let position = offsets[partition] ?? startOffsets[partition] ?? 0
            committedOffsets[partition] = OffsetAndMetadata(position)
            currentOffsets[partition] = OffsetAndMetadata(position)
        }
        context.setAssignment(owned)
        partitionEvents.append(.opened(partitions))
        do {
            try await task.open(partitions: partitions)
        } catch {
            failure = error
            throw error
        }
    }

    /// A rebalance revokes `partitions`: their offsets are committed, then `close(partitions:)`.
    /// - Returns: The commit's outcome.
    @discardableResult
    public func revoke(_ partitions: [TopicPartition]) async throws -> CommitOutcome {
        try requireRunning()
        let revoked = Set(partitions).intersection(owned)
        let outcome = await commit(revoked)
        try await close(revoked.sorted())
        return outcome
    }

    /// The partitions are lost (the member was dropped from the group): `close(partitions:)` without a
    /// commit.
    public func lose(_ partitions: [TopicPartition]) async throws {
        try requireRunning()
        try await close(Set(partitions).intersection(owned).sorted())
    }

    private func close(_ partitions: [TopicPartition]) async throws {
        guard !partitions.isEmpty else { return }
        partitionEvents.append(.closed(partitions))
        let gone = Set(partitions)
        owned.subtract(gone)
        for partition in gone {
            currentOffsets[partition] = nil
            committedOffsets[partition] = nil
        }
        context.setAssignment(owned)
        do {
            try await task.close(partitions: partitions)
        } catch {
            failure = error
            throw error
        }
    }

    // MARK: Delivery

    /// One iteration of the worker's loop with `records` as the polled batch: a commit if the task
    /// requested one, the seeks it requested, then `put(records)`.
    ///
    /// - Throws: What `put` throws. A `RetriableError` leaves the offsets unchanged; call `put` again
    ///   with the same records (``deliver(_:maxAttempts:)`` does), as the worker redelivers the
    ///   batch. With an intolerant errant record reporter, the reporter's error even when the task
    ///   swallowed it (the worker fails the task). ``ConnectTestingError`` for a record of a
    ///   partition not assigned or paused by the task (the worker's consumer would not return it).
    public func put(_ records: [SinkRecord]) async throws {
        try requireRunning()
        if context.takeCommitRequest() { _ = await commit(owned) }
        applyRequestedOffsets()
        let paused = context.pausedPartitions
        for record in records {
            let partition = record.originalTopicPartition
            guard owned.contains(partition) else {
                throw ConnectTestingError(
                    "Record of \(partition) fed, but the task is assigned \(owned.sorted()); assign it first"
                )
            }
            guard !paused.contains(partition) || pausedForRetry else {
                throw ConnectTestingError(
                    "Record of \(partition) fed, but the task paused that partition; the worker delivers none until it resumes it"
                )
            }
        }
        do {
            try await task.put(records)
        } catch let error as RetriableError {
            pausedForRetry = true
            _ = context.takeTimeout()
            throw error
        } catch {
            failure = error
            throw error
        }
        if let toleranceFailure = await errantRecordReporter?.toleranceFailure, failure == nil {
            failure = toleranceFailure
            throw toleranceFailure
        }
        putCount += 1
        pausedForRetry = false
        deliveredRecords += records
        for record in records {
            currentOffsets[record.originalTopicPartition] = OffsetAndMetadata(record.originalKafkaOffset + 1)
        }
    }

    /// Puts `records`, redelivering the same batch after each `RetriableError` as the worker does
    /// (without waiting the task's `timeout`; ``TestSinkTaskContext/timeouts`` shows what it asked).
    /// - Returns: How many `put` calls it took.
    /// - Throws: The last `RetriableError` after `maxAttempts` calls, or any other error.
    @discardableResult
    public func deliver(_ records: [SinkRecord], maxAttempts: Int = 10) async throws -> Int {
        var attempt = 0
        while true {
            attempt += 1
            do {
                try await put(records)
                return attempt
            } catch let error as RetriableError {
                if attempt >= maxAttempts { throw error }
            }
        }
    }

    private func applyRequestedOffsets() {
        for (partition, offset) in context.takeRequestedOffsets().sorted(by: { $0.key < $1.key })
        where owned.contains(partition) {
            seeks.append((partition, offset))
            committedOffsets[partition] = OffsetAndMetadata(offset)
            currentOffsets[partition] = OffsetAndMetadata(offset)
        }
    }

    // MARK: Commits

    /// The worker's offset commit for every assigned partition (what the flush interval triggers).
    public func commit() async -> CommitOutcome {
        await commit(owned)
    }

    /// Commits only if the task called `requestCommit()` since the last check, as the worker's loop does.
    /// - Returns: `nil` when no commit was requested.
    public func commitIfRequested() async -> CommitOutcome? {
        guard context.takeCommitRequest() else { return nil }
        return await commit(owned)
    }

    private func commit(_ partitions: Set<TopicPartition>) async -> CommitOutcome {
        ignoredOffsets = [:]
        let current = currentOffsets.filter { partitions.contains($0.key) }
        let provided: [TopicPartition: OffsetAndMetadata]
        do {
            provided = try await task.preCommit(currentOffsets: current)
        } catch {
            for (partition, offset) in committedOffsets where partitions.contains(partition) {
                seeks.append((partition, offset.offset))
                currentOffsets[partition] = offset
            }
            return .preCommitFailed("\(error)")
        }
        guard !provided.isEmpty else { return .optedOut }
        var committable = committedOffsets.filter { partitions.contains($0.key) }
        for (partition, offset) in provided {
            guard let currentOffset = current[partition], offset.offset <= currentOffset.offset else {
                ignoredOffsets[partition] = offset
                continue
            }
            committable[partition] = offset
        }
        guard committable.contains(where: { committedOffsets[$0.key] != $0.value }) else { return .unchanged }
        committedOffsets.merge(committable) { _, new in new }
        commits.append(committable)
        return .committed(committable)
    }

    private func requireRunning() throws {
        guard isStarted, !isStopped else {
            throw ConnectTestingError("Call start() first, and nothing after stop()")
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" { view.removeLast() }
        return String(view)
    }
}
