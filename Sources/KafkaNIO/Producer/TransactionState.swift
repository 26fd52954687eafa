import KafkaProtocol

/// The transactional producer's state machine (Kafka's `TransactionManager` states); value type,
/// no I/O. ``KafkaProducer`` keeps it under its lock and asks it before every transactional step.
///
/// Phases and the calls that move between them:
///
///     uninitialized --initTransactions--> initializing --ok--> ready
///     ready --beginTransaction--> inTransaction
///     inTransaction --commitTransaction--> committing --EndTxn ok--> ready
///     inTransaction | abortableError --abortTransaction--> aborting --EndTxn ok--> ready
///     inTransaction | committing --a failed batch or request--> abortableError
///     any --fencing, authorization, invalid state--> fatalError (final: close the producer)
struct TransactionState: Sendable {
    enum Phase: String, Sendable, Hashable {
        case uninitialized = "Uninitialized"
        case initializing = "Initializing"
        case ready = "Ready"
        case inTransaction = "InTransaction"
        case committing = "Committing"
        case aborting = "Aborting"
        case abortableError = "AbortableError"
        case fatalError = "FatalError"
    }

    /// How an error code answered to a transactional request is handled.
    enum ErrorClass: Sendable, Hashable {
        /// Try the same request again after a backoff (with `refreshCoordinator`: look the
        /// coordinator up again first).
        case retriable(refreshCoordinator: Bool)
        /// The transaction must be aborted; the producer stays usable.
        case abortable
        /// The producer must be closed.
        case fatal
    }

    let transactionalID: String
    private(set) var phase: Phase = .uninitialized
    /// The error that moved the state to ``Phase/abortableError`` or ``Phase/fatalError``.
    private(set) var lastError: KafkaError?
    /// Partitions the coordinator has added to the current transaction: their batches may be sent.
    private(set) var addedPartitions: Set<TopicPartition> = []
    /// Partitions with records in this transaction that still need AddPartitionsToTxn.
    private(set) var pendingPartitions: Set<TopicPartition> = []
    /// Partitions of an AddPartitionsToTxn in flight.
    private(set) var addingPartitions: Set<TopicPartition> = []
    /// Whether the coordinator knows of this transaction (a partition or offsets were added), so
    /// that ending it needs EndTxn. A transaction that added nothing ends without one, as in Kafka.
    private(set) var transactionStarted = false

    init(transactionalID: String) {
        self.transactionalID = transactionalID
    }

    var isFatal: Bool { self.phase == .fatalError }
    var isCompleting: Bool { self.phase == .committing || self.phase == .aborting }
    /// Whether batches not sent yet must be dropped rather than sent (an abort is coming).
    var dropsUnsentBatches: Bool {
        self.phase == .aborting || self.phase == .abortableError || self.phase == .fatalError
    }

    // MARK: Calls

    mutating func startInit() throws(KafkaError) {
        try self.failIfFatal()
        guard self.phase == .uninitialized || self.phase == .initializing else {
            throw self.illegal("initTransactions", hint: "initTransactions may be called once per producer")
        }
        self.phase = .initializing
    }

    mutating func initCompleted() {
        guard self.phase == .initializing else { return }
        self.phase = .ready
        self.resetTransaction()
    }

    mutating func begin() throws(KafkaError) {
        try self.failIfFatal()
        switch self.phase {
        case .ready: self.phase = .inTransaction
        case .uninitialized, .initializing:
            throw self.illegal("beginTransaction", hint: "call initTransactions() first")
        case .abortableError:
            throw self.abortableFailure("beginTransaction")
        default:
            throw self.illegal(
                "beginTransaction",
                hint: "a transaction is already open; end it with commitTransaction() or abortTransaction() first"
            )
        }
    }

    /// Checks that a record for `topicPartition` may be sent now and notes the partition for
    /// AddPartitionsToTxn if it is new to the transaction.
    mutating func prepareSend(to topicPartition: TopicPartition) throws(KafkaError) {
        try self.failIfNotReadyForSend()
        if !self.addedPartitions.contains(topicPartition) && !self.addingPartitions.contains(topicPartition) {
            self.pendingPartitions.insert(topicPartition)
        }
    }

    func failIfNotReadyForSend() throws(KafkaError) {
        try self.failIfFatal()
        switch self.phase {
        case .inTransaction: return
        case .abortableError:
            throw self.abortableFailure("send")
        case .uninitialized, .initializing:
            throw self.illegal("send", hint: "call initTransactions() and then beginTransaction() first")
        default:
            throw self.illegal("send", hint: "call beginTransaction() before sending on a transactional producer")
        }
    }

    /// Whether a batch of `topicPartition` may go to the broker (its partition is in the transaction).
    func maySend(_ topicPartition: TopicPartition) -> Bool {
        self.addedPartitions.contains(topicPartition)
    }

    /// Takes the partitions to add with one AddPartitionsToTxn (all new ones: adds are batched).
    mutating func takePartitionsToAdd() -> Set<TopicPartition> {
        guard !self.pendingPartitions.isEmpty, self.addingPartitions.isEmpty, !self.dropsUnsentBatches else {
            return []
        }
        let partitions = self.pendingPartitions
        self.addingPartitions = partitions
        self.pendingPartitions = []
        return partitions
    }

    /// The result of an AddPartitionsToTxn: the partitions added, and those to try again.
    mutating func partitionsAdded(_ added: Set<TopicPartition>, retry: Set<TopicPartition>) {
        self.addedPartitions.formUnion(added)
        if !added.isEmpty { self.transactionStarted = true }
        self.addingPartitions.subtract(added)
        self.addingPartitions.subtract(retry)
        if !self.dropsUnsentBatches { self.pendingPartitions.formUnion(retry) }
    }

    /// Offsets of a group are part of the transaction (AddOffsetsToTxn succeeded).
    mutating func offsetsAdded() {
        self.transactionStarted = true
    }

    func checkSendOffsets() throws(KafkaError) {
        try self.failIfFatal()
        switch self.phase {
        case .inTransaction: return
        case .abortableError: throw self.abortableFailure("sendOffsetsToTransaction")
        default:
            throw self.illegal(
                "sendOffsetsToTransaction",
                hint: "call beginTransaction() first; offsets are committed as part of a transaction"
            )
        }
    }

    mutating func startCommit() throws(KafkaError) {
        try self.failIfFatal()
        switch self.phase {
        case .inTransaction, .committing: self.phase = .committing
        case .abortableError: throw self.abortableFailure("commitTransaction")
        default:
            throw self.illegal("commitTransaction", hint: "there is no open transaction; call beginTransaction() first")
        }
    }

    mutating func startAbort() throws(KafkaError) {
        try self.failIfFatal()
        switch self.phase {
        case .inTransaction, .abortableError, .aborting: self.phase = .aborting
        default:
            throw self.illegal("abortTransaction", hint: "there is no open transaction; call beginTransaction() first")
        }
        // Partitions not yet added have no data at the broker: nothing to add just to abort.
        self.pendingPartitions = []
    }

    /// EndTxn succeeded (or was not needed): ready for the next transaction.
    mutating func transactionCompleted() {
        guard self.isCompleting else { return }
        self.phase = .ready
        self.lastError = nil
        self.resetTransaction()
    }

    // MARK: Errors

    /// A batch or a transactional request of the current transaction failed for good.
    mutating func failed(_ error: KafkaError) {
        if self.phase == .fatalError { return }
        if Self.isFatal(error) {
            self.phase = .fatalError
            self.lastError = Self.fatalError(error, transactionalID: self.transactionalID)
            return
        }
        switch self.phase {
        case .inTransaction, .committing, .abortableError:
            // Kafka keeps the first error of a transaction; later ones are its consequences.
            if self.phase != .abortableError { self.lastError = error }
            self.phase = .abortableError
        case .initializing:
            // A failed init may be retried: back to the start.
            self.phase = .uninitialized
            self.lastError = error
        default:
            break
        }
    }

    /// How an error code from the transaction coordinator (or TxnOffsetCommit's group coordinator)
    /// is handled, as Kafka's TransactionManager handles it.
    static func classify(_ code: KafkaErrorCode) -> ErrorClass {
        switch code {
        case .notCoordinator, .coordinatorNotAvailable:
            return .retriable(refreshCoordinator: true)
        case .coordinatorLoadInProgress, .concurrentTransactions, .unknownTopicOrPartition, .operationNotAttempted:
            return .retriable(refreshCoordinator: false)
        case .producerFenced, .invalidProducerEpoch, .transactionalIdAuthorizationFailed, .invalidTxnState,
            .clusterAuthorizationFailed, .unsupportedVersion, .unsupportedForMessageFormat,
            .transactionCoordinatorFenced, .invalidTransactionTimeout:
            return .fatal
        default:
            return code.isRetriable ? .retriable(refreshCoordinator: false) : .abortable
        }
    }

    static func isFatal(_ error: KafkaError) -> Bool {
        if case .broker(let code, _) = error { return Self.classify(code) == .fatal }
        return false
    }

    /// The error every call returns once the producer is in the fatal state.
    static func fatalError(_ cause: KafkaError, transactionalID: String) -> KafkaError {
        guard case .broker(let code, let message) = cause else { return cause }
        let detail = message.map { " (\($0))" } ?? ""
        switch code {
        case .producerFenced, .invalidProducerEpoch, .transactionCoordinatorFenced:
            return .broker(
                code,
                message:
                    "the producer was fenced by another instance with the same transactional.id \"\(transactionalID)\"\(detail); it cannot be used any more and must be closed"
            )
        default:
            return .broker(
                code,
                message:
                    "transactional producer \"\(transactionalID)\" hit a fatal error\(detail); it cannot be used any more and must be closed"
            )
        }
    }

    private func failIfFatal() throws(KafkaError) {
        if self.phase == .fatalError, let lastError { throw lastError }
    }

    private func abortableFailure(_ call: String) -> KafkaError {
        .illegalState(
            "cannot \(call): the transaction failed (\(self.lastError.map { "\($0)" } ?? "unknown error")); call abortTransaction() and start a new one"
        )
    }

    private func illegal(_ call: String, hint: String) -> KafkaError {
        .illegalState("cannot call \(call) in state \(self.phase.rawValue): \(hint)")
    }

    private mutating func resetTransaction() {
        self.addedPartitions = []
        self.pendingPartitions = []
        self.addingPartitions = []
        self.transactionStarted = false
    }
}
