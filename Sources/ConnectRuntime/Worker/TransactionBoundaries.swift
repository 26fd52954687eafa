import ConnectAPI
import Synchronization

/// What a source task asked of its ``TransactionContext`` for a batch or a record.
enum TransactionRequest: Sendable, Hashable {
    case commit
    case abort
}

/// Decides where an exactly-once source task's transactions end (Kafka's
/// `ExactlyOnceWorkerSourceTask.TransactionBoundaryManager`), as a value: the task loop reports each
/// record sent and each batch dispatched and executes the decision.
///
/// - `poll`: commit after every batch (a poll that returned nothing has no open transaction, so
///   nothing is committed) and when the task stops.
/// - `interval`: commit after a batch (or an empty poll) once `intervalMs` passed since the last
///   commit (or the start), and when the task stops.
/// - `connector`: commit or abort where the task's ``TransactionContext`` asked, after the record
///   it named or after the batch; when the task stops only if it asked. An abort drops the
///   transaction's records, but their offsets are still committed (in a transaction of their own),
///   so the task does not see the same records again, as in Kafka.
struct TransactionBoundaryDecider: Sendable, Hashable {
    enum Decision: Sendable, Hashable {
        case none
        case commit
        /// Abort the open transaction, then commit the offsets of its records.
        case abortThenCommitOffsets
    }

    let boundary: TransactionBoundary
    let intervalMs: Int64
    private(set) var lastCommitMs: Int64

    init(boundary: TransactionBoundary, intervalMs: Int64, nowMs: Int64) {
        self.boundary = boundary
        self.intervalMs = intervalMs
        self.lastCommitMs = nowMs
    }

    /// After a record was handed to the producer; `request` is the task's request for that record.
    func afterRecord(_ request: TransactionRequest?) -> Decision {
        guard boundary == .connector else { return .none }
        return Self.decision(request)
    }

    /// After a batch was dispatched (or a poll returned nothing); `request` is the task's
    /// batch-level request.
    mutating func afterBatch(nowMs: Int64, request: TransactionRequest?) -> Decision {
        switch boundary {
        case .poll:
            return .commit
        case .interval:
            guard nowMs >= lastCommitMs + intervalMs else { return .none }
            lastCommitMs = nowMs
            return .commit
        case .connector:
            return Self.decision(request)
        }
    }

    /// When the task stops (or is paused) without having failed.
    func atStop(request: TransactionRequest?) -> Decision {
        boundary == .connector ? Self.decision(request) : .commit
    }

    private static func decision(_ request: TransactionRequest?) -> Decision {
        switch request {
        case .commit?: .commit
        case .abort?: .abortThenCommitOffsets
        case nil: .none
        }
    }
}

/// The ``TransactionContext`` of a task with `transaction.boundary=connector` (Kafka's
/// `WorkerTransactionContext`). The task calls it from `poll()` or anywhere else; the loop takes the
/// requests after each record and after each batch. Records are matched by value (Kafka: by
/// identity), the first equal record sent after the request ends the transaction.
final class WorkerTransactionContext: TransactionContext {
    private struct Requests {
        var commitBatch = false
        var abortBatch = false
        var commitRecords: [SourceRecord] = []
        var abortRecords: [SourceRecord] = []
    }

    private let requests = Mutex(Requests())

    init() {}

    func commitTransaction() { requests.withLock { $0.commitBatch = true } }

    func commitTransaction(after record: SourceRecord) { requests.withLock { $0.commitRecords.append(record) } }

    func abortTransaction() { requests.withLock { $0.abortBatch = true } }

    func abortTransaction(after record: SourceRecord) { requests.withLock { $0.abortRecords.append(record) } }

    /// Whether any record-level request is pending (lets the loop skip per-record checks).
    var hasRecordRequests: Bool {
        requests.withLock { !$0.commitRecords.isEmpty || !$0.abortRecords.isEmpty }
    }

    /// Takes the batch-level request.
    /// - Throws: ``ConnectError`` when both a commit and an abort were requested (Kafka's message).
    func takeBatchRequest() throws -> TransactionRequest? {
        try requests.withLock { requests in
            defer {
                requests.commitBatch = false
                requests.abortBatch = false
            }
            if requests.commitBatch && requests.abortBatch {
                throw ConnectError(
                    "Connector requested both commit and abort of same transaction; this is not permitted"
                )
            }
            return requests.commitBatch ? .commit : requests.abortBatch ? .abort : nil
        }
    }

    /// Takes the request made for `record`, if any.
    /// - Throws: ``ConnectError`` when both a commit and an abort were requested for it.
    func takeRequest(for record: SourceRecord) throws -> TransactionRequest? {
        try requests.withLock { requests in
            let commit = requests.commitRecords.firstIndex(of: record)
            let abort = requests.abortRecords.firstIndex(of: record)
            if let commit { requests.commitRecords.remove(at: commit) }
            if let abort { requests.abortRecords.remove(at: abort) }
            if commit != nil && abort != nil {
                throw ConnectError(
                    "Connector requested both commit and abort of same record on topic \(record.topic); this is not permitted"
                )
            }
            return commit != nil ? .commit : abort != nil ? .abort : nil
        }
    }
}
