import KafkaProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Sends records to Kafka.
///
/// Records are appended to per-partition batches (``KafkaProducerConfiguration/batchSize``,
/// ``KafkaProducerConfiguration/lingerMs``) and a background sender writes due batches to each
/// partition leader, one ProduceRequest per broker carrying one batch per partition, with up to
/// `max.in.flight.requests.per.connection` requests in flight per broker. Call ``close()`` when done:
/// it sends what is pending and stops the sender.
public final class KafkaProducer: Sendable {
    public let configuration: KafkaProducerConfiguration
    public let cluster: KafkaCluster
    private let ownsCluster: Bool
    private let logger: Logger

    private struct State: Sendable {
        var accumulator: RecordAccumulator
        var partitionCounts: [String: Int] = [:]
        var inFlightPerNode: [Int32: Int] = [:]
        var inFlightBatches = 0
        var flushWaiters: [CheckedContinuation<Void, Never>] = []
        var flushRequests = 0
        var isClosing = false
        var isClosed = false
        /// The producer id and epoch from InitProducerId (idempotence); -1 until known.
        var producerID: Int64 = -1
        var producerEpoch: Int16 = -1
        /// An idempotent (non-transactional) producer lost track of a sequence (a sequenced batch
        /// failed for good): once nothing is in flight it bumps its epoch and starts sequences
        /// again, as Kafka's producer does (KIP-360), so later batches are not refused forever.
        var epochBumpPending = false
        /// The transaction state machine (`transactional.id` set); nil for other producers.
        var transaction: TransactionState?

        /// Nothing queued, nothing in flight, and no AddPartitionsToTxn under way.
        var isIdle: Bool {
            self.accumulator.isEmpty && self.inFlightBatches == 0
                && (self.transaction?.addingPartitions.isEmpty ?? true)
        }

        /// Takes the flush waiters if the producer is idle.
        mutating func takeFlushWaitersIfIdle() -> [CheckedContinuation<Void, Never>] {
            guard self.isIdle, !self.flushWaiters.isEmpty else { return [] }
            let waiters = self.flushWaiters
            self.flushWaiters = []
            self.flushRequests = 0
            return waiters
        }
    }

    private let state: NIOLockedValueBox<State>
    private let wakeup: WakeupSignal
    private let senderTask: NIOLockedValueBox<Task<Void, Never>?> = NIOLockedValueBox(nil)

    /// Creates a producer. With no `cluster` it makes its own, closed with the producer.
    public init(
        configuration: KafkaProducerConfiguration,
        cluster: KafkaCluster? = nil,
        logger: Logger = Logger(label: "swift-connect.kafka.producer")
    ) {
        self.configuration = configuration
        self.cluster = cluster ?? KafkaCluster(configuration: configuration.client, logger: logger)
        self.ownsCluster = cluster == nil
        self.logger = logger
        self.state = NIOLockedValueBox(
            State(
                accumulator: RecordAccumulator(
                    batchSize: configuration.batchSize,
                    linger: .milliseconds(configuration.lingerMs),
                    compression: configuration.compression,
                    maxInFlightPerPartition: configuration.isIdempotent
                        ? configuration.maxInFlightRequestsPerConnection : 1,
                    assignsSequences: configuration.isIdempotent,
                    transactional: configuration.isTransactional
                ),
                transaction: configuration.transactionalID.map { TransactionState(transactionalID: $0) }
            )
        )
        self.wakeup = WakeupSignal(eventLoop: MultiThreadedEventLoopGroup.singleton.next())
        // The producer owns the sender task; close() ends and awaits it.
        let task = Task { [self] in await self.runSender() }
        self.senderTask.withLockedValue { $0 = task }
    }

    // MARK: Sending

    /// Sends one record and waits until the broker acknowledged it (per `acks`).
    /// - Throws: ``KafkaError`` when the record cannot be delivered within `delivery.timeout.ms`.
    @discardableResult
    public func send(_ record: KafkaProducerRecord) async throws -> RecordMetadata {
        let results = await self.send(contentsOf: [record])
        return try results[0].get()
    }

    /// Sends many records and waits for all of them; the result of each is at its index. This is the
    /// high-throughput path: one lock and one wake-up per call rather than per record.
    public func send(contentsOf records: [KafkaProducerRecord]) async -> [Result<RecordMetadata, KafkaError>] {
        let group = DeliveryGroup(count: records.count)
        await self.enqueue(records, group: group)
        return await group.wait()
    }

    /// Appends records to their batches without waiting for delivery; `group` receives the results.
    /// Returns once the records are queued (it may first wait for partition metadata).
    func enqueue(_ records: [KafkaProducerRecord], group: DeliveryGroup) async {
        guard !records.isEmpty else { return }
        // A transactional producer sends only inside a transaction: fail fast, before any lookup.
        if let error = self.state.withLockedValue({ state -> KafkaError? in
            do throws(KafkaError) {
                try state.transaction?.failIfNotReadyForSend()
                return nil
            } catch {
                return error
            }
        }) {
            group.fail(records.indices, with: error)
            return
        }
        // Partition counts for topics not seen yet.
        // Records come in runs of one topic: a topic is looked up once per run, not per record (string
        // hashing showed in source task profiles).
        let unknownTopics = self.state.withLockedValue { state -> Set<String> in
            var unknown: Set<String> = []
            var previous: String?
            for record in records where record.topic != previous {
                previous = record.topic
                if state.partitionCounts[record.topic] == nil { unknown.insert(record.topic) }
            }
            return unknown
        }
        var failedTopics: [String: KafkaError] = [:]
        for topic in unknownTopics {
            do {
                let metadata = try await self.cluster.metadata(
                    for: [topic],
                    allowAutoTopicCreation: true,
                    timeout: .milliseconds(self.configuration.deliveryTimeoutMs)
                )
                if let count = metadata.partitionCount(of: topic) {
                    self.state.withLockedValue { $0.partitionCounts[topic] = count }
                } else {
                    failedTopics[topic] = .unknownTopicOrPartition(topic: topic, partition: nil)
                }
            } catch {
                failedTopics[topic] = error as? KafkaError ?? .retriesExhausted(last: "\(error)")
            }
        }
        let now = ContinuousClock.now
        let wallClock = currentTimeMillis()
        let maxRequestSize = self.configuration.maxRequestSize
        var immediateFailures: [(Int, KafkaError)] = []
        let isClosing = self.state.withLockedValue { state -> Bool in
            if state.isClosing || state.isClosed { return true }
            var previousTopic: String?
            var previousCount: Int?
            for (index, record) in records.enumerated() {
                if !failedTopics.isEmpty, let error = failedTopics[record.topic] {
                    immediateFailures.append((index, error))
                    continue
                }
                if record.topic != previousTopic {
                    previousTopic = record.topic
                    previousCount = state.partitionCounts[record.topic]
                }
                guard let count = previousCount else {
                    immediateFailures.append((index, .unknownTopicOrPartition(topic: record.topic, partition: nil)))
                    continue
                }
                if let partition = record.partition, partition < 0 || Int(partition) >= count {
                    immediateFailures.append(
                        (index, .unknownTopicOrPartition(topic: record.topic, partition: partition))
                    )
                    continue
                }
                if record.estimatedSize > maxRequestSize {
                    immediateFailures.append(
                        (
                            index,
                            .broker(
                                .messageTooLarge,
                                message:
                                    "the record is \(record.estimatedSize) bytes, more than max.request.size (\(maxRequestSize)); raise max.request.size"
                            )
                        )
                    )
                    continue
                }
                let partition = state.accumulator.partition(for: record, partitionCount: count)
                if state.transaction != nil {
                    do throws(KafkaError) {
                        try state.transaction?.prepareSend(to: TopicPartition(record.topic, partition))
                    } catch {
                        immediateFailures.append((index, error))
                        continue
                    }
                }
                state.accumulator.append(
                    record,
                    to: TopicPartition(record.topic, partition),
                    timestamp: record.timestamp ?? wallClock,
                    group: group,
                    index: index,
                    now: now
                )
            }
            return false
        }
        if isClosing {
            group.fail(records.indices, with: .shutDown)
            return
        }
        for (index, error) in immediateFailures {
            group.fail(CollectionOfOne(index), with: error)
        }
        // Wake the sender even when no batch is full yet: it must learn the new batch's linger deadline.
        self.wakeup.signal()
    }

    /// Sends everything queued now, ignoring `linger.ms`, and waits until it has been acknowledged.
    public func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = self.state.withLockedValue { state -> Bool in
                if state.isIdle { return true }
                state.flushWaiters.append(continuation)
                state.flushRequests += 1
                return false
            }
            if idle { continuation.resume() } else { self.wakeup.signal() }
        }
    }

    /// Sends what is pending, stops the sender, and (if the producer made it) closes the cluster
    /// connections. Sends after this fail with ``KafkaError/shutDown``.
    public func close() async {
        await self.flush()
        self.state.withLockedValue { $0.isClosing = true }
        self.wakeup.signal()
        let task = self.senderTask.withLockedValue { $0 }
        await task?.value
        if self.ownsCluster { await self.cluster.shutdown() }
    }

    // MARK: Sender

    private func runSender() async {
        await withDiscardingTaskGroup { group in
            var producerIDAttempts = 0
            while true {
                // A transactional producer gets its producer id from initTransactions().
                if self.configuration.isIdempotent, !self.configuration.isTransactional,
                    self.state.withLockedValue({ $0.producerID < 0 && !$0.isIdle })
                {
                    do {
                        try await self.initProducerID()
                    } catch {
                        producerIDAttempts += 1
                        self.logger.debug("InitProducerId failed", metadata: ["error": "\(error)"])
                        if producerIDAttempts >= 3, let kafkaError = error as? KafkaError, !kafkaError.isRetriable {
                            self.failAllPending(kafkaError)
                        }
                        try? await Task.sleep(for: self.configuration.client.retryBackoff(attempt: producerIDAttempts))
                        continue
                    }
                }
                if self.configuration.isIdempotent, !self.configuration.isTransactional,
                    let inFlight = self.state.withLockedValue({ $0.epochBumpPending ? $0.inFlightBatches : nil })
                {
                    // Nothing new is sent until the batches in flight have their answers.
                    if inFlight > 0 {
                        await self.wakeup.wait(timeout: .milliseconds(100))
                        continue
                    }
                    do {
                        try await self.bumpProducerEpoch()
                    } catch {
                        producerIDAttempts += 1
                        self.logger.debug("InitProducerId (epoch bump) failed", metadata: ["error": "\(error)"])
                        try? await Task.sleep(for: self.configuration.client.retryBackoff(attempt: producerIDAttempts))
                        continue
                    }
                }
                if self.configuration.isTransactional {
                    self.dropUnsentBatchesIfAborting()
                    let toAdd = self.state.withLockedValue { $0.transaction?.takePartitionsToAdd() ?? [] }
                    if !toAdd.isEmpty {
                        // As Kafka's sender: transactional requests go one at a time, before data.
                        await self.addPartitionsToTransaction(toAdd)
                        continue
                    }
                }
                let metadata = await self.cluster.metadata
                let now = ContinuousClock.now
                let maxInFlight = self.configuration.maxInFlightRequestsPerConnection
                var step = self.state.withLockedValue { state -> SenderStep in
                    if state.isClosing && state.isIdle {
                        state.isClosed = true
                        return SenderStep(requests: [:], nextDue: nil, unknownLeaders: [], stop: true)
                    }
                    var unknownLeaders: Set<String> = []
                    var planned: [Int32: Int] = [:]
                    let flushing = state.flushRequests > 0 || state.isClosing
                    let inFlight = state.inFlightPerNode
                    // Copied: the closure below must not read `state` while drain mutates it.
                    let transaction = state.transaction
                    let (batches, nextDue) = state.accumulator.drain(now: now, flushing: flushing) { topicPartition in
                        // A partition's batch waits until AddPartitionsToTxn added the partition.
                        if let transaction, !transaction.maySend(topicPartition) { return false }
                        guard let leader = metadata.leader(of: topicPartition) else {
                            unknownLeaders.insert(topicPartition.topic)
                            return false
                        }
                        // One request per broker per round; a broker at its in-flight limit waits.
                        if planned[leader.nodeID] == nil {
                            guard (inFlight[leader.nodeID] ?? 0) < maxInFlight else { return false }
                            planned[leader.nodeID] = 1
                        }
                        return true
                    }
                    var requests: [Int32: [ProducerBatch]] = [:]
                    for batch in batches {
                        guard let leader = metadata.leader(of: batch.topicPartition) else { continue }
                        requests[leader.nodeID, default: []].append(batch)
                    }
                    for node in requests.keys { state.inFlightPerNode[node, default: 0] += 1 }
                    state.inFlightBatches += batches.count
                    return SenderStep(requests: requests, nextDue: nextDue, unknownLeaders: unknownLeaders, stop: false)
                }
                if step.stop { break }
                // Moved out of `step` so that each batch's buffer has one owner (see writeProduceRequest).
                let hadRequests = !step.requests.isEmpty
                var requests = step.requests
                step.requests = [:]
                while let node = requests.keys.first, let batches = requests.removeValue(forKey: node) {
                    // Written here, in drain order, so that batches of a partition reach the broker
                    // in sequence order; only the wait for the response runs concurrently.
                    let written = await self.writeProduceRequest(to: node, batches: batches)
                    group.addTask { await self.produceRequestFinished(written) }
                }
                if !step.unknownLeaders.isEmpty {
                    for topic in step.unknownLeaders { await self.cluster.invalidate(topic: topic) }
                    let topics = Array(step.unknownLeaders)
                    group.addTask {
                        _ = try? await self.cluster.metadata(for: topics, allowAutoTopicCreation: true)
                        try? await Task.sleep(for: .milliseconds(self.configuration.client.retryBackoffMs))
                        self.wakeup.signal()
                    }
                }
                if !hadRequests {
                    let timeout = step.nextDue.map { now.duration(to: $0) }
                    await self.wakeup.wait(timeout: timeout ?? .seconds(1))
                }
            }
        }
    }

    /// Asks a broker for a producer id and epoch (InitProducerId without a transactional id).
    private func initProducerID() async throws {
        let connection = try await self.cluster.anyConnection()
        let response = try await connection.send(
            InitProducerIdRequest(
                transactionalId: nil,
                transactionTimeoutMs: Int32.max,
                producerId: -1,
                producerEpoch: -1
            )
        )
        try KafkaError.check(response.errorCode, message: "InitProducerId")
        self.state.withLockedValue { state in
            state.producerID = response.producerId
            state.producerEpoch = response.producerEpoch
        }
    }

    /// Bumps the epoch of the producer id (InitProducerId v3+ with the current id and epoch; older
    /// brokers hand out a new id) and restarts every partition's sequence at 0.
    private func bumpProducerEpoch() async throws {
        let connection = try await self.cluster.anyConnection()
        let (producerID, producerEpoch) = self.state.withLockedValue { ($0.producerID, $0.producerEpoch) }
        let bumps = (connection.apiVersions.version(for: InitProducerIdRequest.self) ?? 0) >= 3
        let response = try await connection.send(
            InitProducerIdRequest(
                transactionalId: nil,
                transactionTimeoutMs: Int32.max,
                producerId: bumps ? producerID : -1,
                producerEpoch: bumps ? producerEpoch : -1
            )
        )
        try KafkaError.check(response.errorCode, message: "InitProducerId (epoch bump)")
        self.logger.debug(
            "bumped the producer epoch",
            metadata: ["producerId": "\(response.producerId)", "epoch": "\(response.producerEpoch)"]
        )
        self.state.withLockedValue { state in
            state.producerID = response.producerId
            state.producerEpoch = response.producerEpoch
            state.accumulator.restartSequences()
            state.epochBumpPending = false
        }
        self.wakeup.signal()
    }

    /// Fails every batch not in flight (the producer cannot get a producer id).
    private func failAllPending(_ error: KafkaError) {
        let (batches, waiters) = self.state.withLockedValue { state in
            let batches = state.accumulator.removeAllPending()
            var waiters: [CheckedContinuation<Void, Never>] = []
            if state.isIdle {
                waiters = state.flushWaiters
                state.flushWaiters = []
                state.flushRequests = 0
            }
            return (batches, waiters)
        }
        for batch in batches { batch.fail(error) }
        for waiter in waiters { waiter.resume() }
    }

    private struct SenderStep: Sendable {
        var requests: [Int32: [ProducerBatch]]
        var nextDue: ContinuousClock.Instant?
        var unknownLeaders: Set<String>
        var stop: Bool
    }

    /// A ProduceRequest on its way: the batches it carries and the response to wait for.
    private struct WrittenProduceRequest: Sendable {
        var node: Int32
        var batches: [ProducerBatch]
        var connection: BrokerConnection?
        var pending: PendingResponse<ProduceResponse>?
        var failure: KafkaError?
    }

    /// Encodes the batches (once: a retry resends the same bytes) and writes one ProduceRequest.
    private func writeProduceRequest(to node: Int32, batches: consuming [ProducerBatch]) async -> WrittenProduceRequest
    {
        var batches = batches
        var topicData: [String: [ProduceRequest.TopicProduceData.PartitionProduceData]] = [:]
        let (producerID, producerEpoch) = self.state.withLockedValue { ($0.producerID, $0.producerEpoch) }
        for index in batches.indices {
            if batches[index].encoded == nil {
                do {
                    // Take the builder out so that its buffer is uniquely referenced: building then
                    // patches the header in place instead of copying the whole batch.
                    var builder = batches[index].builderBox.take()
                    if let sequence = batches[index].baseSequence {
                        builder.producerId = producerID
                        builder.producerEpoch = producerEpoch
                        builder.baseSequence = sequence
                    }
                    batches[index].encoded = try (consume builder).build()
                } catch {
                    batches[index].fail(.protocolViolation(error as? KafkaProtocolError ?? .corruptRecord("\(error)")))
                    continue
                }
            }
            if let sequence = batches[index].baseSequence, var encoded = batches[index].encoded,
                let stamped = RecordBatch.producerState(ofBatch: encoded),
                stamped != (producerID, producerEpoch, sequence)
            {
                // Resent after an epoch bump: same records, new producer state (and CRC).
                batches[index].encoded = nil
                RecordBatch.setProducerState(
                    producerId: producerID,
                    producerEpoch: producerEpoch,
                    baseSequence: sequence,
                    inBatch: &encoded
                )
                batches[index].encoded = encoded
            }
            let topicPartition = batches[index].topicPartition
            topicData[topicPartition.topic, default: []].append(
                .init(index: topicPartition.partition, records: batches[index].encoded)
            )
        }
        let request = ProduceRequest(
            transactionalId: self.configuration.transactionalID,
            acks: self.configuration.acks,
            timeoutMs: Int32(clamping: self.configuration.client.requestTimeoutMs),
            topicData: topicData.map { .init(name: $0.key, partitionData: $0.value) }
        )
        var written = WrittenProduceRequest(node: node, batches: batches)
        do {
            let leader = try await self.cluster.connection(to: node)
            written.connection = leader
            written.pending = try leader.writeProduce(request, expectsResponse: self.configuration.acks != 0)
        } catch {
            written.failure = error as? KafkaError ?? .connectionFailed("\(error)")
        }
        return written
    }

    /// Waits for a ProduceRequest's response and completes, retries or fails its batches.
    private func produceRequestFinished(_ written: WrittenProduceRequest) async {
        let node = written.node
        let batches = written.batches
        var failure = written.failure
        var responses: [TopicPartition: ProduceResponse.TopicProduceResponse.PartitionProduceResponse] = [:]
        if failure == nil, let pending = written.pending {
            do {
                if self.configuration.acks == 0 {
                    try await pending.written()
                } else {
                    let response = try await pending.response()
                    for topic in response.responses {
                        for partition in topic.partitionResponses {
                            responses[TopicPartition(topic.name, partition.index)] = partition
                        }
                    }
                }
            } catch {
                failure = error as? KafkaError ?? .connectionFailed("\(error)")
            }
        }
        if let connection = written.connection, failure?.isRetriable == true {
            await self.cluster.connectionFailed(connection)
        }

        var invalidateTopics: Set<String> = []
        var finalFailures: [KafkaError] = []
        var requeue: [ProducerBatch] = []
        var outOfOrder: [ProducerBatch] = []
        // A sequenced batch failed for good: the broker's idea of the next sequence is unknown.
        var lostSequence = false
        for var batch in batches where batch.encoded != nil {
            let outcome: KafkaError?
            if let failure {
                outcome = failure
            } else if self.configuration.acks == 0 {
                outcome = nil
                batch.complete(baseOffset: -1, logAppendTime: -1)
            } else if let partition = responses[batch.topicPartition] {
                if partition.errorCode == 0 || partition.errorCode == KafkaErrorCode.duplicateSequenceNumber.rawValue {
                    // A duplicate is a retry of a batch the broker already wrote: delivered once.
                    outcome = nil
                    batch.complete(baseOffset: partition.baseOffset, logAppendTime: partition.logAppendTimeMs)
                } else if partition.errorCode == KafkaErrorCode.outOfOrderSequenceNumber.rawValue {
                    // Expected behind a batch that failed: decided below, knowing what else is pending.
                    batch.attempts += 1
                    batch.retryAt = .now + self.configuration.client.retryBackoff(attempt: batch.attempts)
                    outOfOrder.append(batch)
                    continue
                } else {
                    outcome = .broker(KafkaErrorCode(rawValue: partition.errorCode), message: partition.errorMessage)
                }
            } else {
                outcome = .protocolViolation(.corruptRecord("no response for partition \(batch.topicPartition)"))
            }
            guard let outcome else { continue }
            batch.attempts += 1
            let elapsed = batch.createdAt.duration(to: .now)
            if outcome.isRetriable, batch.attempts <= self.configuration.retries,
                elapsed < .milliseconds(self.configuration.deliveryTimeoutMs)
            {
                if case .broker(let code, _) = outcome,
                    [.notLeaderOrFollower, .unknownTopicOrPartition, .leaderNotAvailable, .fencedLeaderEpoch]
                        .contains(code)
                {
                    invalidateTopics.insert(batch.topicPartition.topic)
                }
                if case .connectionClosed = outcome { invalidateTopics.insert(batch.topicPartition.topic) }
                if case .connectionFailed = outcome { invalidateTopics.insert(batch.topicPartition.topic) }
                batch.retryAt = .now + self.configuration.client.retryBackoff(attempt: batch.attempts)
                self.logger.debug(
                    "retrying batch",
                    metadata: [
                        "partition": "\(batch.topicPartition)", "error": "\(outcome)", "attempt": "\(batch.attempts)",
                    ]
                )
                requeue.append(batch)
            } else {
                finalFailures.append(outcome)
                if batch.baseSequence != nil { lostSequence = true }
                batch.fail(self.reportedFailure(outcome))
            }
        }
        for topic in invalidateTopics { await self.cluster.invalidate(topic: topic) }

        let deliveryTimeout = Duration.milliseconds(self.configuration.deliveryTimeoutMs)
        var fatallyOutOfOrder: [ProducerBatch] = []
        let waiters = self.state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            // A batch of a transaction that failed for good fails the transaction (Kafka's
            // handleFailedBatch): abortable, or fatal when the producer was fenced.
            for failure in finalFailures { state.transaction?.failed(failure) }
            state.inFlightPerNode[node, default: 1] -= 1
            for batch in outOfOrder {
                let topicPartition = batch.topicPartition
                let explained =
                    (state.accumulator.queues[topicPartition]?.inFlight ?? 0) > 1
                    || state.accumulator.hasEarlierPendingRetry(topicPartition, before: batch.baseSequence ?? 0)
                if explained, batch.createdAt.duration(to: .now) < deliveryTimeout {
                    requeue.append(batch)
                } else {
                    fatallyOutOfOrder.append(batch)
                }
            }
            for batch in batches {
                if let index = requeue.firstIndex(where: {
                    $0.topicPartition == batch.topicPartition && $0.baseSequence == batch.baseSequence
                }) {
                    state.accumulator.requeue(requeue.remove(at: index))
                } else {
                    state.accumulator.unmute(batch.topicPartition)
                    // A finished batch gives its buffer back for a new batch. The references this
                    // function holds end with it, before the buffer is written again.
                    if let encoded = batch.encoded { state.accumulator.recycle(encoded) }
                }
            }
            state.inFlightBatches -= batches.count
            let outOfOrderError = KafkaError.broker(
                .outOfOrderSequenceNumber,
                message: "the broker lost track of this producer's sequence"
            )
            if !fatallyOutOfOrder.isEmpty { state.transaction?.failed(outOfOrderError) }
            if lostSequence || !fatallyOutOfOrder.isEmpty, state.transaction == nil, self.configuration.isIdempotent {
                state.epochBumpPending = true
            }
            return state.takeFlushWaitersIfIdle()
        }
        for batch in fatallyOutOfOrder {
            batch.fail(
                .broker(
                    .outOfOrderSequenceNumber,
                    message: "\(batch.topicPartition): the broker lost track of this producer's sequence"
                )
            )
        }
        for waiter in waiters { waiter.resume() }
        self.wakeup.signal()
    }
}

// MARK: - Transactions

extension KafkaProducer {
    /// Registers the producer's `transactional.id` with its transaction coordinator: gets the
    /// producer id and a new epoch (which fences any older producer with the same id and aborts
    /// its open transaction) and starts sequence numbers again. Call once, before the first
    /// ``beginTransaction()``.
    /// - Throws: ``KafkaError/illegalState(_:)`` without `transactional.id` or when called twice;
    ///   a broker error when the coordinator refuses (fatal ones make the producer unusable).
    public func initTransactions() async throws {
        let transactionalID = try self.requireTransactional("initTransactions")
        try self.withTransaction { state throws(KafkaError) in try state.startInit() }
        do {
            let response = try await self.transactionCoordinatorRequest("InitProducerId") {
                InitProducerIdRequest(
                    transactionalId: transactionalID,
                    transactionTimeoutMs: Int32(clamping: self.configuration.transactionTimeoutMs),
                    producerId: -1,
                    producerEpoch: -1
                )
            } errorCode: {
                $0.errorCode
            }
            self.state.withLockedValue { state in
                state.producerID = response.producerId
                state.producerEpoch = response.producerEpoch
                state.accumulator.resetSequences()
                state.transaction?.initCompleted()
            }
        } catch {
            throw self.transactionFailed(error)
        }
    }

    /// Starts a transaction: records sent from now until ``commitTransaction()`` or
    /// ``abortTransaction()`` become visible to `read_committed` consumers together, or never.
    public func beginTransaction() throws {
        _ = try self.requireTransactional("beginTransaction")
        try self.withTransaction { state throws(KafkaError) in try state.begin() }
    }

    /// Commits consumer group offsets as part of the current transaction (the consume-transform-
    /// produce pattern): AddOffsetsToTxn to the transaction coordinator, then TxnOffsetCommit to
    /// the group's coordinator. The offsets become the group's committed offsets only if the
    /// transaction commits. `offsets` are the next offsets to consume, per partition.
    ///
    /// Pass the consumer group's generation, member id and `group.instance.id` so that the group
    /// coordinator can reject a zombie member; the defaults skip that check.
    public func sendOffsetsToTransaction(
        _ offsets: [TopicPartition: Int64],
        groupID: String,
        generationID: Int32 = -1,
        memberID: String = "",
        groupInstanceID: String? = nil
    ) async throws {
        let transactionalID = try self.requireTransactional("sendOffsetsToTransaction")
        let (producerID, producerEpoch) = try self.withState { state throws(KafkaError) in
            try state.transaction?.checkSendOffsets()
            return (state.producerID, state.producerEpoch)
        }
        do {
            _ = try await self.transactionCoordinatorRequest("AddOffsetsToTxn") {
                AddOffsetsToTxnRequest(
                    transactionalId: transactionalID,
                    producerId: producerID,
                    producerEpoch: producerEpoch,
                    groupId: groupID
                )
            } errorCode: {
                $0.errorCode
            }
            self.state.withLockedValue { $0.transaction?.offsetsAdded() }
            try await self.commitTransactionalOffsets(
                offsets,
                request: TxnOffsetCommitRequest(
                    transactionalId: transactionalID,
                    groupId: groupID,
                    producerId: producerID,
                    producerEpoch: producerEpoch,
                    generationId: generationID,
                    memberId: memberID,
                    groupInstanceId: groupInstanceID
                )
            )
        } catch {
            throw self.transactionFailed(error)
        }
    }

    /// Sends every record of the transaction, waits for all of them, and commits the transaction
    /// (EndTxn). If a record could not be delivered the commit fails and the transaction must be
    /// aborted with ``abortTransaction()``.
    public func commitTransaction() async throws {
        _ = try self.requireTransactional("commitTransaction")
        try self.withTransaction { state throws(KafkaError) in try state.startCommit() }
        await self.flush()
        // A batch that failed while flushing moved the transaction to an error state.
        try self.withTransaction { state throws(KafkaError) in try state.startCommit() }
        try await self.endTransaction(committed: true)
    }

    /// Aborts the transaction: records not sent yet are dropped (their sends fail), those in flight
    /// are awaited, and the coordinator writes abort markers, so `read_committed` consumers never
    /// see any record of it. Allowed after a non-fatal error of the transaction.
    public func abortTransaction() async throws {
        _ = try self.requireTransactional("abortTransaction")
        try self.withTransaction { state throws(KafkaError) in try state.startAbort() }
        self.dropUnsentBatchesIfAborting()
        self.wakeup.signal()
        await self.flush()
        try await self.endTransaction(committed: false)
    }

    // MARK: Helpers

    private func requireTransactional(_ call: String) throws(KafkaError) -> String {
        guard let transactionalID = self.configuration.transactionalID else {
            throw KafkaError.illegalState(
                "cannot call \(call): the producer is not transactional; set transactional.id"
            )
        }
        if self.state.withLockedValue({ $0.isClosing || $0.isClosed }) { throw KafkaError.shutDown }
        return transactionalID
    }

    /// Runs `body` on the transaction state under the lock.
    private func withTransaction<T>(_ body: (inout TransactionState) throws(KafkaError) -> T) throws(KafkaError) -> T {
        try self.withState { (state: inout State) throws(KafkaError) -> T in
            // requireTransactional ran first, so the transaction exists.
            guard state.transaction != nil else { throw KafkaError.illegalState("the producer is not transactional") }
            return try body(&state.transaction!)
        }
    }

    /// Runs `body` on the producer's state under the lock.
    private func withState<T>(_ body: (inout State) throws(KafkaError) -> T) throws(KafkaError) -> T {
        let result = self.state.withLockedValue { state -> Result<T, KafkaError> in
            do throws(KafkaError) {
                return .success(try body(&state))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Records a failed transactional step in the state machine; returns the error to throw.
    private func transactionFailed(_ error: any Error) -> any Error {
        guard let kafkaError = error as? KafkaError else { return error }
        return self.state.withLockedValue { state -> KafkaError in
            state.transaction?.failed(kafkaError)
            if let transaction = state.transaction, transaction.isFatal, let last = transaction.lastError {
                return last
            }
            return kafkaError
        }
    }

    /// The error a failed batch reports: a fencing error says what it means for the producer.
    fileprivate func reportedFailure(_ error: KafkaError) -> KafkaError {
        guard let transactionalID = self.configuration.transactionalID, TransactionState.isFatal(error) else {
            return error
        }
        return TransactionState.fatalError(error, transactionalID: transactionalID)
    }

    /// Fails every batch not sent yet when the transaction is being aborted or has failed, as
    /// Kafka's sender does (`abortUndrainedBatches`); batches in flight are awaited.
    fileprivate func dropUnsentBatchesIfAborting() {
        let (batches, error, waiters) = self.state.withLockedValue {
            state -> ([ProducerBatch], KafkaError, [CheckedContinuation<Void, Never>]) in
            guard let transaction = state.transaction, transaction.dropsUnsentBatches else {
                return ([], .shutDown, [])
            }
            let batches = state.accumulator.removeAllPending()
            let error =
                transaction.lastError
                ?? .illegalState("the transaction was aborted before this record was sent")
            return (batches, error, state.takeFlushWaitersIfIdle())
        }
        for batch in batches { batch.fail(error) }
        for waiter in waiters { waiter.resume() }
    }

    /// EndTxn (when the coordinator knows of the transaction), then back to Ready.
    private func endTransaction(committed: Bool) async throws {
        guard let transactionalID = self.configuration.transactionalID else { return }
        let (started, producerID, producerEpoch) = self.state.withLockedValue {
            ($0.transaction?.transactionStarted ?? false, $0.producerID, $0.producerEpoch)
        }
        if started {
            do {
                _ = try await self.transactionCoordinatorRequest("EndTxn") {
                    EndTxnRequest(
                        transactionalId: transactionalID,
                        producerId: producerID,
                        producerEpoch: producerEpoch,
                        committed: committed
                    )
                } errorCode: {
                    $0.errorCode
                }
            } catch {
                throw self.transactionFailed(error)
            }
        }
        self.state.withLockedValue { $0.transaction?.transactionCompleted() }
    }

    /// Sends a request to the transaction coordinator, looking it up first, and retries what
    /// Kafka retries (coordinator moved or loading, concurrent transactions, lost connections)
    /// until `max.block.ms`. Throws the broker error for abortable and fatal answers.
    private func transactionCoordinatorRequest<R: KafkaRequest>(
        _ name: String,
        _ makeRequest: () -> R,
        errorCode: (R.Response) -> Int16
    ) async throws -> R.Response {
        guard let transactionalID = self.configuration.transactionalID else {
            throw KafkaError.illegalState("the producer is not transactional")
        }
        let deadline = ContinuousClock.now + .milliseconds(self.configuration.maxBlockMs)
        var attempt = 0
        while true {
            attempt += 1
            var failure: KafkaError
            do {
                let connection = try await self.cluster.coordinator(for: transactionalID, type: .transaction)
                let response = try await connection.send(makeRequest())
                let code = KafkaErrorCode(rawValue: errorCode(response))
                if code == .noError { return response }
                failure = .broker(code, message: name)
                switch TransactionState.classify(code) {
                case .retriable(let refresh):
                    if refresh { await self.cluster.coordinatorMoved(key: transactionalID, type: .transaction) }
                case .abortable, .fatal:
                    throw failure
                }
            } catch let error as KafkaError where error.isRetriable {
                await self.cluster.coordinatorMoved(key: transactionalID, type: .transaction)
                failure = error
            }
            guard ContinuousClock.now < deadline else {
                throw KafkaError.retriesExhausted(
                    last: "\(name) for transactional.id \(transactionalID) within max.block.ms: \(failure)"
                )
            }
            self.logger.debug("retrying \(name)", metadata: ["error": "\(failure)", "attempt": "\(attempt)"])
            // CONCURRENT_TRANSACTIONS clears within milliseconds; Kafka retries it after 20 ms.
            let backoff: Duration =
                if case .broker(.concurrentTransactions, _) = failure {
                    .milliseconds(20)
                } else {
                    self.configuration.client.retryBackoff(attempt: attempt)
                }
            try await Task.sleep(for: backoff)
        }
    }

    /// TxnOffsetCommit to the group's coordinator, retrying partitions with retriable errors.
    private func commitTransactionalOffsets(
        _ offsets: [TopicPartition: Int64],
        request template: TxnOffsetCommitRequest
    ) async throws {
        let groupID = template.groupId
        var remaining = offsets
        let deadline = ContinuousClock.now + .milliseconds(self.configuration.maxBlockMs)
        var attempt = 0
        while !remaining.isEmpty {
            attempt += 1
            var request = template
            var byTopic:
                [String: [TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic.TxnOffsetCommitRequestPartition]] =
                    [:]
            for (topicPartition, offset) in remaining {
                byTopic[topicPartition.topic, default: []].append(
                    .init(
                        partitionIndex: topicPartition.partition,
                        committedOffset: offset,
                        committedLeaderEpoch: -1,
                        committedMetadata: ""
                    )
                )
            }
            request.topics = byTopic.sorted { $0.key < $1.key }.map { .init(name: $0.key, partitions: $0.value) }
            var failure: KafkaError?
            do {
                let connection = try await self.cluster.coordinator(for: groupID, type: .group)
                let response = try await connection.send(request)
                for topic in response.topics {
                    for partition in topic.partitions {
                        let topicPartition = TopicPartition(topic.name, partition.partitionIndex)
                        let code = KafkaErrorCode(rawValue: partition.errorCode)
                        if code == .noError {
                            remaining[topicPartition] = nil
                            continue
                        }
                        let error = KafkaError.broker(code, message: "TxnOffsetCommit for \(topicPartition)")
                        switch TransactionState.classify(code) {
                        case .retriable(let refresh):
                            if refresh { await self.cluster.coordinatorMoved(key: groupID, type: .group) }
                            failure = error
                        case .abortable, .fatal:
                            throw error
                        }
                    }
                }
            } catch let error as KafkaError where error.isRetriable {
                await self.cluster.coordinatorMoved(key: groupID, type: .group)
                failure = error
            }
            guard !remaining.isEmpty else { return }
            guard ContinuousClock.now < deadline else {
                throw KafkaError.retriesExhausted(
                    last: "TxnOffsetCommit for group \(groupID) within max.block.ms: \(failure.map { "\($0)" } ?? "")"
                )
            }
            try await Task.sleep(for: self.configuration.client.retryBackoff(attempt: attempt))
        }
    }

    /// AddPartitionsToTxn for partitions new to the transaction (one request for all of them);
    /// partitions with retriable errors are tried again on the sender's next round.
    fileprivate func addPartitionsToTransaction(_ partitions: Set<TopicPartition>) async {
        guard let transactionalID = self.configuration.transactionalID else { return }
        let (producerID, producerEpoch) = self.state.withLockedValue { ($0.producerID, $0.producerEpoch) }
        var byTopic: [String: [Int32]] = [:]
        for topicPartition in partitions { byTopic[topicPartition.topic, default: []].append(topicPartition.partition) }
        let request = AddPartitionsToTxnRequest(
            v3AndBelowTransactionalId: transactionalID,
            v3AndBelowProducerId: producerID,
            v3AndBelowProducerEpoch: producerEpoch,
            v3AndBelowTopics: byTopic.sorted { $0.key < $1.key }.map {
                .init(name: $0.key, partitions: $0.value.sorted())
            }
        )
        var added: Set<TopicPartition> = []
        var retry: Set<TopicPartition> = []
        var failure: KafkaError?
        var refreshCoordinator = false
        do {
            let connection = try await self.cluster.coordinator(for: transactionalID, type: .transaction)
            let response = try await connection.send(request)
            if response.errorCode != 0 {
                // A top-level error applies to every partition.
                for topic in request.v3AndBelowTopics {
                    for partition in topic.partitions {
                        retry.insert(TopicPartition(topic.name, partition))
                    }
                }
                let code = KafkaErrorCode(rawValue: response.errorCode)
                failure = .broker(code, message: "AddPartitionsToTxn")
            }
            for topic in response.resultsByTopicV3AndBelow {
                for partition in topic.resultsByPartition {
                    let topicPartition = TopicPartition(topic.name, partition.partitionIndex)
                    let code = KafkaErrorCode(rawValue: partition.partitionErrorCode)
                    if code == .noError {
                        added.insert(topicPartition)
                        continue
                    }
                    retry.insert(topicPartition)
                    // OPERATION_NOT_ATTEMPTED marks the partitions held back by another's error.
                    if code != .operationNotAttempted || failure == nil {
                        failure = .broker(code, message: "AddPartitionsToTxn for \(topicPartition)")
                    }
                }
            }
            // Partitions the response did not mention are tried again.
            retry.formUnion(partitions.subtracting(added))
        } catch let error as KafkaError {
            retry = partitions
            failure = error
            if error.isRetriable { refreshCoordinator = true }
        } catch {
            retry = partitions
            failure = .connectionFailed("\(error)")
        }
        var waitBeforeRetry: Duration?
        if let failure {
            switch failure {
            case .broker(let code, _):
                switch TransactionState.classify(code) {
                case .retriable(let refresh):
                    refreshCoordinator = refreshCoordinator || refresh
                    waitBeforeRetry =
                        code == .concurrentTransactions
                        ? .milliseconds(20) : .milliseconds(self.configuration.client.retryBackoffMs)
                case .abortable, .fatal:
                    self.state.withLockedValue { $0.transaction?.failed(failure) }
                }
            default:
                if failure.isRetriable {
                    waitBeforeRetry = .milliseconds(self.configuration.client.retryBackoffMs)
                } else {
                    self.state.withLockedValue { $0.transaction?.failed(failure) }
                }
            }
            self.logger.debug("AddPartitionsToTxn failed", metadata: ["error": "\(failure)"])
        }
        if refreshCoordinator { await self.cluster.coordinatorMoved(key: transactionalID, type: .transaction) }
        let waiters = self.state.withLockedValue { state in
            state.transaction?.partitionsAdded(added, retry: retry)
            return state.takeFlushWaitersIfIdle()
        }
        for waiter in waiters { waiter.resume() }
        if let waitBeforeRetry { try? await Task.sleep(for: waitBeforeRetry) }
        // Batches of an abandoned add are dropped on the sender's next round.
        self.dropUnsentBatchesIfAborting()
    }
}
