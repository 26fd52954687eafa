import ConnectAPI
import Synchronization

/// The context a harnessed sink task gets (the worker's `WorkerSinkTaskContext`): it records every
/// request so a test can check it, and ``SinkTaskHarness`` applies them as the worker's loop does.
public final class TestSinkTaskContext: SinkTaskContext {
    private struct State {
        var assignment: Set<TopicPartition> = []
        var requestedOffsets: [TopicPartition: Int64] = [:]
        var offsetRequests: [[TopicPartition: Int64]] = []
        var timeouts: [Int64] = []
        var pendingTimeout: Int64?
        var commitRequests = 0
        var pendingCommitRequest = false
        var paused: Set<TopicPartition> = []
    }

    /// The task configuration.
    public let configs: [String: String]
    /// The reporter, when the configuration enables one (as the worker decides).
    public let errantRecordReporter: (any ErrantRecordReporter)?
    private let state = Mutex(State())

    /// Creates a context.
    public init(configs: [String: String], errantRecordReporter: (any ErrantRecordReporter)?) {
        self.configs = configs
        self.errantRecordReporter = errantRecordReporter
    }

    // MARK: SinkTaskContext

    public var assignment: Set<TopicPartition> { state.withLock { $0.assignment } }

    public func offset(_ offsets: [TopicPartition: Int64]) {
        state.withLock {
            $0.requestedOffsets.merge(offsets) { _, new in new }
            $0.offsetRequests.append(offsets)
        }
    }

    public func offset(_ partition: TopicPartition, _ offset: Int64) {
        self.offset([partition: offset])
    }

    public func timeout(_ milliseconds: Int64) {
        state.withLock {
            $0.timeouts.append(milliseconds)
            $0.pendingTimeout = milliseconds
        }
    }

    public func pause(_ partitions: [TopicPartition]) throws {
        try state.withLock { state throws(ConnectError) in
            try Self.checkAssigned(partitions, state.assignment)
            state.paused.formUnion(partitions)
        }
    }

    public func resume(_ partitions: [TopicPartition]) throws {
        try state.withLock { state throws(ConnectError) in
            try Self.checkAssigned(partitions, state.assignment)
            state.paused.subtract(partitions)
        }
    }

    public func requestCommit() {
        state.withLock {
            $0.commitRequests += 1
            $0.pendingCommitRequest = true
        }
    }

    // MARK: What the task asked

    /// Every `offset(_:)` call, in order.
    public var offsetRequests: [[TopicPartition: Int64]] { state.withLock { $0.offsetRequests } }

    /// Every redelivery timeout the task set, in order.
    public var timeouts: [Int64] { state.withLock { $0.timeouts } }

    /// How many times the task called `requestCommit()`.
    public var commitRequests: Int { state.withLock { $0.commitRequests } }

    /// The partitions the task paused and did not resume.
    public var pausedPartitions: Set<TopicPartition> { state.withLock { $0.paused } }

    // MARK: For the harness

    func setAssignment(_ assignment: Set<TopicPartition>) {
        state.withLock {
            $0.assignment = assignment
            $0.paused.formIntersection(assignment)
        }
    }

    func takeRequestedOffsets() -> [TopicPartition: Int64] {
        state.withLock { state in
            defer { state.requestedOffsets = [:] }
            return state.requestedOffsets
        }
    }

    func takeCommitRequest() -> Bool {
        state.withLock { state in
            defer { state.pendingCommitRequest = false }
            return state.pendingCommitRequest
        }
    }

    func takeTimeout() -> Int64? {
        state.withLock { state in
            defer { state.pendingTimeout = nil }
            return state.pendingTimeout
        }
    }

    private static func checkAssigned(
        _ partitions: [TopicPartition],
        _ assignment: Set<TopicPartition>
    ) throws(ConnectError) {
        for partition in partitions where !assignment.contains(partition) {
            throw ConnectError(
                "SinkTaskContext may not be used to pause or resume partitions that are not assigned: \(partition)",
                code: .illegalWorkerState
            )
        }
    }
}

/// Captures what a sink task reports through `SinkTaskContext.errantRecordReporter`, applying the
/// error tolerance as the worker does: with `errors.tolerance=all` reports are kept and the task goes
/// on; with `none` each report throws Kafka's "Tolerance exceeded" error and the worker fails the task.
public actor TestErrantRecordReporter: ErrantRecordReporter {
    /// One report.
    public struct Report: Sendable {
        /// The record reported.
        public var record: SinkRecord
        /// The error it was reported with.
        public var error: any Error
    }

    /// Whether reports are tolerated (`errors.tolerance=all`).
    public nonisolated let toleratesErrors: Bool
    /// The reports, in order.
    public private(set) var reports: [Report] = []
    /// The first report the tolerance did not allow.
    public private(set) var toleranceFailure: (any Error)?

    /// A reporter with the given tolerance.
    public init(toleratesErrors: Bool) {
        self.toleratesErrors = toleratesErrors
    }

    /// The records reported, in order.
    public var reportedRecords: [SinkRecord] { reports.map(\.record) }

    public func report(_ record: SinkRecord, error: any Error) async throws {
        reports.append(Report(record: record, error: error))
        guard toleratesErrors else {
            let failure = ConnectError("Tolerance exceeded in error handler", underlying: error)
            if toleranceFailure == nil { toleranceFailure = failure }
            throw failure
        }
    }
}
