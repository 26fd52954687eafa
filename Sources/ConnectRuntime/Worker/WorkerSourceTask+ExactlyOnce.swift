import ConnectAPI
import KafkaNIO
import KafkaProtocol
import Logging
import NIOCore

/// How a source task runs under exactly-once source support (set by the ``Worker`` of a distributed
/// worker with `exactly.once.source.support=enabled`).
struct ExactlyOnceTaskSettings: Sendable {
    /// The topic the task's transactional producer writes the offsets of each transaction to (the
    /// worker's `offset.storage.topic`, which the worker's offset store tails and reads back).
    var offsetsTopic: String
    var transactions: SourceTransactionConfig
    /// Only with `transaction.boundary=connector`.
    var transactionContext: WorkerTransactionContext?

    init(offsetsTopic: String, transactions: SourceTransactionConfig) {
        self.offsetsTopic = offsetsTopic
        self.transactions = transactions
        self.transactionContext = transactions.boundary == .connector ? WorkerTransactionContext() : nil
    }
}

/// The bookkeeping of an exactly-once task's current transaction.
struct ExactlyOnceTransaction: Sendable {
    var decider = TransactionBoundaryDecider(boundary: .poll, intervalMs: 0, nowMs: 0)
    var isOpen = false
    /// The last offset of each source partition whose record was sent (or dropped by a transform) in
    /// the transaction, or in an aborted one: written to the offsets topic at the next commit.
    var pendingOffsets: [[String: ConnectValue]: [String: ConnectValue]] = [:]
    /// Sent records with the task awaiting their acknowledgements (it notes a fencing at once), for
    /// `commitRecord` once their transaction committed.
    var deliveries: [(results: Task<[Result<KafkaNIO.RecordMetadata, KafkaError>], Never>, records: [SourceRecord])] =
        []
    /// Records dropped by a transform or skipped under `errors.tolerance=all`.
    var dropped: [SourceRecord] = []
    /// Transactions committed and aborted so far (for tests and metrics).
    var committed = 0
    var aborted = 0
}

extension WorkerSourceTask {
    /// How many transactions this task committed and aborted (exactly-once only).
    public var transactionCounts: (committed: Int, aborted: Int) { (transaction.committed, transaction.aborted) }

    /// Whether the task failed because another producer took over its `transactional.id`.
    public var wasFencedOut: Bool { Self.isFenced(failure) }

    /// `initTransactions()` on the task's producer: fences any older producer with the task's
    /// `transactional.id` and aborts its open transaction.
    func startTransactions() async throws {
        guard let exactlyOnce else { return }
        do {
            try await producer.initTransactions()
        } catch {
            throw wrapTransactionError(error, "Failed to initialize the transactional producer of task \(id)")
        }
        transaction.decider = TransactionBoundaryDecider(
            boundary: exactlyOnce.transactions.boundary,
            intervalMs: exactlyOnce.transactions.intervalMs,
            nowMs: currentTimeMillis()
        )
    }

    /// The exactly-once poll loop (Kafka's `AbstractWorkerSourceTask.execute` with
    /// `ExactlyOnceWorkerSourceTask`'s hooks): poll → transform/convert → send inside the open
    /// transaction; after each record and each batch the ``TransactionBoundaryDecider`` says whether
    /// to commit (the offsets are produced to the offsets topic in the same transaction) or abort.
    /// Any failure, including a fenced producer, fails the task: no retry.
    func exactlyOncePollLoop() async {
        while !isStopping {
            if let producerFailure {
                fail(
                    wrapTransactionError(producerFailure, "Failed to send a record to Kafka"),
                    "Failed to send a record to Kafka"
                )
                return
            }
            if targetState == .paused {
                // As Kafka: commit on pause, so no transaction hangs (and times out) while paused.
                do {
                    try await execute(transaction.decider.atStop(request: try takeBatchRequest()))
                } catch {
                    fail(error, "Failed to commit the transaction of a paused task")
                    return
                }
                await waitUntil { $0.targetState != .paused || $0.isStopping || $0.producerFailure != nil }
                continue
            }
            guard let result = await pollOnce() else { break }
            do {
                switch result {
                case .success(let records):
                    if let records, !records.isEmpty {
                        metrics.update { $0.sourceRecordPollTotal += records.count }
                        try await sendInTransaction(records)
                    }
                case .failure(let error as RetriableError):
                    logger.warning("Retriable error from poll(), polling again: \(error)")
                case .failure(let error):
                    throw error
                }
                let request = try takeBatchRequest()
                try await execute(transaction.decider.afterBatch(nowMs: currentTimeMillis(), request: request))
            } catch {
                fail(error, "Task threw an uncaught and unrecoverable exception")
                return
            }
        }
    }

    /// At stop: commits what the boundary says (Kafka's `finalOffsetCommit`), nothing after a
    /// failure; an open transaction that is not committed is aborted.
    func finishTransactions() async {
        if failure == nil {
            do {
                try await execute(transaction.decider.atStop(request: try takeBatchRequest()))
            } catch {
                fail(error, "Failed to commit the final transaction")
            }
        }
        if transaction.isOpen && !Self.isFenced(failure) {
            do {
                try await producer.abortTransaction()
                transaction.aborted += 1
            } catch {
                logger.warning("Could not abort the open transaction: \(error)")
            }
            transaction.isOpen = false
        }
        for (results, _) in transaction.deliveries { _ = await results.value }
        transaction.deliveries = []
    }

    private func takeBatchRequest() throws -> TransactionRequest? {
        try exactlyOnce?.transactionContext?.takeBatchRequest()
    }

    private func beginIfNeeded() throws {
        guard !transaction.isOpen else { return }
        do {
            try producer.beginTransaction()
        } catch {
            throw wrapTransactionError(error, "Failed to begin a transaction for task \(id)")
        }
        transaction.isOpen = true
    }

    /// Sends one batch inside the transaction; a record the task named in a commit or abort request
    /// ends the transaction right after it.
    private func sendInTransaction(_ records: [SourceRecord]) async throws {
        let context = exactlyOnce?.transactionContext
        var chunk: [ConvertedSourceRecord] = []
        var chunkRecords: [SourceRecord] = []
        for record in records {
            let converted = try await transformAndConvert(record)
            if let partition = record.sourcePartition, let offset = record.sourceOffset {
                transaction.pendingOffsets[partition] = offset
            }
            if let converted {
                chunk.append(converted)
                chunkRecords.append(record)
            } else {
                transaction.dropped.append(record)
            }
            guard let context, context.hasRecordRequests, let request = try context.takeRequest(for: record) else {
                continue
            }
            try await dispatch(chunk, chunkRecords)
            chunk = []
            chunkRecords = []
            try await execute(transaction.decider.afterRecord(request))
        }
        try await dispatch(chunk, chunkRecords)
    }

    private func dispatch(_ chunk: [ConvertedSourceRecord], _ records: [SourceRecord]) async throws {
        guard !chunk.isEmpty else { return }
        let batch = Self.producerRecords(chunk)
        try beginIfNeeded()
        try await createNewTopics(of: batch)
        // Delivery failures surface from commitTransaction(), which then fails the task (Kafka);
        // a fenced producer is noted at once, so a long interval does not keep a zombie polling.
        let delivery = await producer.enqueue(contentsOf: batch)
        let results = Task {
            let results = await delivery.results()
            for case .failure(let error) in results where Self.isFenced(error) {
                self.noteProducerFailure(error)
                break
            }
            return results
        }
        transaction.deliveries.append((results, records))
    }

    private func execute(_ decision: TransactionBoundaryDecider.Decision) async throws {
        switch decision {
        case .none:
            return
        case .commit:
            try await commitTransaction()
        case .abortThenCommitOffsets:
            try await abortTransaction()
            try await commitTransaction()
        }
    }

    private func abortTransaction() async throws {
        guard transaction.isOpen else {
            logger.warning("Connector requested an abort with no transaction open")
            return
        }
        logger.info("Aborting transaction for batch as requested by connector")
        do {
            try await producer.abortTransaction()
        } catch {
            throw wrapTransactionError(error, "Failed to abort the transaction of task \(id)")
        }
        transaction.isOpen = false
        transaction.aborted += 1
        for (results, _) in transaction.deliveries { _ = await results.value }
        transaction.deliveries = []
    }

    private func noteProducerFailure(_ error: any Error) {
        if producerFailure == nil { producerFailure = error }
        wakeAll()
    }

    /// Writes the pending offsets to the offsets topic inside the transaction and commits it; then
    /// the records get `commitRecord` and the task `commit()`. Nothing to commit: nothing happens.
    private func commitTransaction() async throws {
        guard let exactlyOnce, transaction.isOpen || !transaction.pendingOffsets.isEmpty else { return }
        let started = ContinuousClock.now
        // After an abort only the offsets are left: they need a transaction of their own.
        try beginIfNeeded()
        var offsetRecords: [KafkaProducerRecord] = []
        for (partition, offset) in transaction.pendingOffsets {
            let encoded = try OffsetRecordCodec.encode(
                OffsetKey(namespace: id.connector, partition: partition),
                offset: offset
            )
            offsetRecords.append(
                KafkaProducerRecord(
                    topic: exactlyOnce.offsetsTopic,
                    key: ByteBuffer(bytes: encoded.key),
                    value: encoded.value.map { ByteBuffer(bytes: $0) }
                )
            )
        }
        let offsetDelivery = await producer.enqueue(contentsOf: offsetRecords)
        do {
            try await producer.commitTransaction()
        } catch {
            metrics.recordCommit(succeeded: false, duration: ContinuousClock.now - started)
            throw wrapTransactionError(error, "Failed to flush offsets and/or records for task \(id)")
        }
        transaction.isOpen = false
        transaction.committed += 1
        for result in await offsetDelivery.results() { _ = try result.get() }
        transaction.pendingOffsets = [:]
        metrics.recordCommit(succeeded: true, duration: ContinuousClock.now - started)
        let deliveries = transaction.deliveries
        let dropped = transaction.dropped
        transaction.deliveries = []
        transaction.dropped = []
        for (task, records) in deliveries {
            let results = await task.value
            var written = 0
            for (record, result) in zip(records, results) {
                guard case .success(let metadata) = result else { continue }
                written += 1
                activeTopics?.record(connector: id.connector, topic: metadata.topic)
                await commitRecord(record, metadata: ConnectAPI.RecordMetadata(metadata))
            }
            metrics.update { $0.sourceRecordWriteTotal += written }
        }
        for record in dropped { await commitRecord(record, metadata: nil) }
        do {
            try await task.commit()
        } catch {
            logger.error("Exception thrown while calling task.commit(): \(error)")
        }
    }

    static func isFenced(_ error: (any Error)?) -> Bool {
        var current = error
        while let error = current {
            if case KafkaError.broker(let code, _) = error,
                code == .producerFenced || code == .invalidProducerEpoch || code == .transactionCoordinatorFenced
            {
                return true
            }
            current = (error as? ConnectError)?.underlying
        }
        return false
    }

    /// A fenced producer gets a message that says why and that the task does not retry; other errors
    /// are wrapped with `message`.
    private func wrapTransactionError(_ error: any Error, _ message: String) -> any Error {
        guard Self.isFenced(error) else { return ConnectError(message, underlying: error) }
        let transactionalID = producer.configuration.transactionalID ?? "?"
        return ConnectError(
            "Task \(id) was fenced out: another producer with transactional.id \"\(transactionalID)\" started (a "
                + "newer generation of this task, or the leader fencing zombies before new task configurations run), "
                + "or its transaction expired (transaction.timeout.ms). The task stops without retrying; if no other "
                + "instance of it runs, restart it",
            underlying: error
        )
    }
}
