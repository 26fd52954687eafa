import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaNIO

@Suite struct TransactionStateTests {
    static let tp = TopicPartition("t", 0)

    static func illegalStateMessage(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            if case .illegalState(let message)? = error as? KafkaError { return message }
            return "not illegalState: \(error)"
        }
    }

    static func ready() -> TransactionState {
        var state = TransactionState(transactionalID: "tx")
        try? state.startInit()
        state.initCompleted()
        return state
    }

    @Test func legalPathThroughCommitAndAbort() throws {
        var state = TransactionState(transactionalID: "tx")
        #expect(state.phase == .uninitialized)
        try state.startInit()
        #expect(state.phase == .initializing)
        state.initCompleted()
        #expect(state.phase == .ready)
        try state.begin()
        #expect(state.phase == .inTransaction)
        try state.prepareSend(to: Self.tp)
        #expect(!state.maySend(Self.tp))
        #expect(state.takePartitionsToAdd() == [Self.tp])
        state.partitionsAdded([Self.tp], retry: [])
        #expect(state.maySend(Self.tp))
        #expect(state.transactionStarted)
        try state.startCommit()
        #expect(state.phase == .committing)
        state.transactionCompleted()
        #expect(state.phase == .ready)
        #expect(!state.maySend(Self.tp), "a new transaction adds its partitions again")
        #expect(!state.transactionStarted)

        try state.begin()
        try state.startAbort()
        #expect(state.phase == .aborting)
        state.transactionCompleted()
        #expect(state.phase == .ready)
    }

    @Test func illegalCallsAreRejectedWithTheCallToMakeFirst() throws {
        var fresh = TransactionState(transactionalID: "tx")
        #expect(Self.illegalStateMessage { try fresh.begin() }?.contains("initTransactions") == true)
        #expect(Self.illegalStateMessage { try fresh.prepareSend(to: Self.tp) }?.contains("initTransactions") == true)

        var ready = Self.ready()
        let send = Self.illegalStateMessage { try ready.prepareSend(to: Self.tp) }
        #expect(send?.contains("beginTransaction") == true, "\(send ?? "")")
        #expect(Self.illegalStateMessage { try ready.startCommit() }?.contains("beginTransaction") == true)
        #expect(Self.illegalStateMessage { try ready.startAbort() }?.contains("beginTransaction") == true)
        #expect(Self.illegalStateMessage { try ready.checkSendOffsets() }?.contains("beginTransaction") == true)
        #expect(Self.illegalStateMessage { try ready.startInit() } != nil, "init runs once")

        try ready.begin()
        #expect(Self.illegalStateMessage { try ready.begin() }?.contains("already open") == true)
        try ready.startCommit()
        #expect(Self.illegalStateMessage { try ready.begin() } != nil, "no begin while committing")
        #expect(Self.illegalStateMessage { try ready.prepareSend(to: Self.tp) } != nil, "no send while committing")
    }

    @Test func anAbortableErrorAllowsOnlyAbort() throws {
        var state = Self.ready()
        try state.begin()
        try state.prepareSend(to: Self.tp)
        _ = state.takePartitionsToAdd()
        state.failed(.broker(.topicAuthorizationFailed, message: nil))
        #expect(state.phase == .abortableError)
        #expect(state.dropsUnsentBatches)
        let commit = Self.illegalStateMessage { try state.startCommit() }
        #expect(commit?.contains("abortTransaction") == true, "\(commit ?? "")")
        #expect(Self.illegalStateMessage { try state.prepareSend(to: Self.tp) }?.contains("abortTransaction") == true)
        #expect(Self.illegalStateMessage { try state.begin() }?.contains("abortTransaction") == true)
        try state.startAbort()
        state.transactionCompleted()
        #expect(state.phase == .ready)
        #expect(state.lastError == nil)
        try state.begin()
    }

    @Test(arguments: [
        KafkaErrorCode.producerFenced, .invalidProducerEpoch, .transactionalIdAuthorizationFailed, .invalidTxnState,
    ])
    func fatalErrorsMakeEveryLaterCallFail(code: KafkaErrorCode) throws {
        var state = Self.ready()
        try state.begin()
        state.failed(.broker(code, message: nil))
        #expect(state.phase == .fatalError)
        var messages: [String] = []
        for call: (inout TransactionState) throws -> Void in [
            { state in try state.begin() },
            { state in try state.prepareSend(to: Self.tp) },
            { state in try state.startCommit() },
            { state in try state.startAbort() },
            { state in try state.checkSendOffsets() },
            { state in try state.startInit() },
        ] {
            do {
                try call(&state)
                Issue.record("a call succeeded in the fatal state")
            } catch {
                guard case .broker(let reported, let message)? = error as? KafkaError else {
                    Issue.record("unexpected \(error)")
                    continue
                }
                #expect(reported == code)
                messages.append(message ?? "")
            }
        }
        #expect(messages.count == 6)
        #expect(messages.allSatisfy { $0.contains("must be closed") })
        if code == .producerFenced || code == .invalidProducerEpoch {
            #expect(
                messages.allSatisfy { $0.contains("fenced by another instance with the same transactional.id \"tx\"") }
            )
        }
        // A later abortable error does not leave the fatal state.
        state.failed(.broker(.topicAuthorizationFailed, message: nil))
        #expect(state.phase == .fatalError)
    }

    @Test func errorClassesFollowKafka() {
        #expect(TransactionState.classify(.notCoordinator) == .retriable(refreshCoordinator: true))
        #expect(TransactionState.classify(.coordinatorNotAvailable) == .retriable(refreshCoordinator: true))
        #expect(TransactionState.classify(.coordinatorLoadInProgress) == .retriable(refreshCoordinator: false))
        #expect(TransactionState.classify(.concurrentTransactions) == .retriable(refreshCoordinator: false))
        #expect(TransactionState.classify(.producerFenced) == .fatal)
        #expect(TransactionState.classify(.invalidProducerEpoch) == .fatal)
        #expect(TransactionState.classify(.transactionalIdAuthorizationFailed) == .fatal)
        #expect(TransactionState.classify(.topicAuthorizationFailed) == .abortable)
        #expect(TransactionState.classify(.groupAuthorizationFailed) == .abortable)
    }

    @Test func addsAreBatchedAndRetriedPartitionsComeBack() throws {
        var state = Self.ready()
        try state.begin()
        let a = TopicPartition("t", 0)
        let b = TopicPartition("t", 1)
        let c = TopicPartition("u", 0)
        try state.prepareSend(to: a)
        try state.prepareSend(to: b)
        #expect(state.takePartitionsToAdd() == [a, b])
        // Records for a partition being added do not add it twice; a new one waits for the next add.
        try state.prepareSend(to: a)
        try state.prepareSend(to: c)
        #expect(state.takePartitionsToAdd().isEmpty, "one AddPartitionsToTxn at a time")
        state.partitionsAdded([a], retry: [b])
        #expect(state.maySend(a))
        #expect(!state.maySend(b))
        #expect(state.takePartitionsToAdd() == [b, c])
    }

    @Test func configurationRequiresIdempotence() throws {
        let configuration = try KafkaProducerConfiguration(properties: [
            "bootstrap.servers": "localhost:9092", "transactional.id": "tx",
        ])
        #expect(configuration.transactionalID == "tx")
        #expect(configuration.isIdempotent)
        #expect(configuration.transactionTimeoutMs == 60_000)
        let error = kafkaErrorOf {
            try KafkaProducerConfiguration(properties: [
                "bootstrap.servers": "localhost:9092", "transactional.id": "tx", "enable.idempotence": "false",
            ])
        }
        guard case .invalidConfiguration(let property, _)? = error else {
            Issue.record("expected invalidConfiguration, got \(String(describing: error))")
            return
        }
        #expect(property == "enable.idempotence")
        let timeout = try KafkaProducerConfiguration(properties: [
            "bootstrap.servers": "localhost:9092", "transactional.id": "tx", "transaction.timeout.ms": "9000",
        ])
        #expect(timeout.transactionTimeoutMs == 9000)
    }
}

private func kafkaErrorOf(_ body: () throws -> Any) -> KafkaError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error as? KafkaError
    }
}

/// A transactional data batch of `producerID` with `count` records from `baseOffset`.
func transactionalBatch(
    producerID: Int64,
    baseOffset: Int64,
    values: [String],
    transactional: Bool = true
) throws -> ByteBuffer {
    var builder = RecordBatchBuilder(
        baseOffset: baseOffset,
        producerId: producerID,
        producerEpoch: 0,
        baseSequence: 0,
        isTransactional: transactional
    )
    for (index, value) in values.enumerated() {
        builder.append(timestamp: 1_700_000_000_000 + Int64(index), key: nil, value: ByteBuffer(string: value))
    }
    return try builder.build()
}

func marker(_ type: ControlRecordType, producerID: Int64, offset: Int64) throws -> ByteBuffer {
    try RecordBatchBuilder.endTransactionMarker(
        type,
        baseOffset: offset,
        producerId: producerID,
        producerEpoch: 0,
        timestamp: 1_700_000_000_000
    )
}

@Suite struct ReadCommittedFilterTests {
    static let tp = TopicPartition("t", 0)

    static func decode(
        _ batches: [ByteBuffer],
        fetchOffset: Int64 = 0,
        aborted: [(producerID: Int64, firstOffset: Int64)]?
    ) throws -> (values: [String], nextOffset: Int64) {
        var bytes = ByteBuffer()
        for batch in batches { bytes.writeImmutableBuffer(batch) }
        let (records, next) = try FetchState.decodeFetchedRecords(
            bytes,
            topicPartition: Self.tp,
            fetchOffset: fetchOffset,
            verifyCRC: true,
            abortedTransactions: aborted
        )
        return (records.map { $0.value.map { String(buffer: $0) } ?? "<null>" }, next)
    }

    /// Two producers interleave: 7 commits [0-1, 5], 8 aborts [2-3, 6]; each ends with a marker.
    static func interleaved() throws -> [ByteBuffer] {
        [
            try transactionalBatch(producerID: 7, baseOffset: 0, values: ["c1", "c2"]),
            try transactionalBatch(producerID: 8, baseOffset: 2, values: ["a1", "a2"]),
            try recordBatch(baseOffset: 4, values: ["plain"]),
            try transactionalBatch(producerID: 7, baseOffset: 5, values: ["c3"]),
            try transactionalBatch(producerID: 8, baseOffset: 6, values: ["a3"]),
            try marker(.commit, producerID: 7, offset: 7),
            try marker(.abort, producerID: 8, offset: 8),
            try transactionalBatch(producerID: 8, baseOffset: 9, values: ["c4"]),
            try marker(.commit, producerID: 8, offset: 10),
        ]
    }

    @Test func abortedTransactionsAndControlBatchesAreDropped() throws {
        let (values, next) = try Self.decode(Self.interleaved(), aborted: [(8, 2)])
        #expect(values == ["c1", "c2", "plain", "c3", "c4"])
        #expect(next == 11)
    }

    @Test func readUncommittedKeepsAbortedRecordsButNeverControlRecords() throws {
        let (values, next) = try Self.decode(Self.interleaved(), aborted: nil)
        #expect(values == ["c1", "c2", "a1", "a2", "plain", "c3", "a3", "c4"])
        #expect(next == 11)
    }

    @Test func anAbortedEntryStartingMidFetchKeepsTheProducersEarlierCommittedBatches() throws {
        // Producer 7 commits [0-1], then aborts [3-4]: the list says (7, 3).
        let batches = [
            try transactionalBatch(producerID: 7, baseOffset: 0, values: ["c1", "c2"]),
            try marker(.commit, producerID: 7, offset: 2),
            try transactionalBatch(producerID: 7, baseOffset: 3, values: ["a1", "a2"]),
            try marker(.abort, producerID: 7, offset: 5),
            try transactionalBatch(producerID: 7, baseOffset: 6, values: ["c3"]),
        ]
        let (values, next) = try Self.decode(batches, aborted: [(7, 3)])
        #expect(values == ["c1", "c2", "c3"])
        #expect(next == 7)
    }

    @Test func twoAbortedTransactionsOfOneProducer() throws {
        let batches = [
            try transactionalBatch(producerID: 7, baseOffset: 0, values: ["a1"]),
            try marker(.abort, producerID: 7, offset: 1),
            try transactionalBatch(producerID: 7, baseOffset: 2, values: ["c1"]),
            try marker(.commit, producerID: 7, offset: 3),
            try transactionalBatch(producerID: 7, baseOffset: 4, values: ["a2"]),
            try marker(.abort, producerID: 7, offset: 5),
        ]
        let (values, _) = try Self.decode(batches, aborted: [(7, 4), (7, 0)])
        #expect(values == ["c1"])
    }

    @Test func aFetchStartingInsideAnAbortedTransactionDropsItsRest() throws {
        // The aborted transaction began at 0, before this fetch (which starts at 2).
        let batches = [
            try transactionalBatch(producerID: 9, baseOffset: 2, values: ["a3"]),
            try transactionalBatch(producerID: 5, baseOffset: 3, values: ["other"]),
            try marker(.abort, producerID: 9, offset: 4),
            try marker(.commit, producerID: 5, offset: 5),
        ]
        let (values, next) = try Self.decode(batches, fetchOffset: 2, aborted: [(9, 0)])
        #expect(values == ["other"])
        #expect(next == 6)
    }

    @Test func nonTransactionalBatchesOfAnAbortedProducerIdAreKept() throws {
        let batches = [
            try transactionalBatch(producerID: 4, baseOffset: 0, values: ["idempotent"], transactional: false),
            try marker(.abort, producerID: 4, offset: 1),
        ]
        let (values, _) = try Self.decode(batches, aborted: [(4, 0)])
        #expect(values == ["idempotent"])
    }

    @Test func lagUsesTheLastStableOffsetUnderReadCommitted() {
        var committed = FetchState(readCommitted: true)
        committed.assign([Self.tp], defaultReset: nil)
        committed.seek(Self.tp, to: 0)
        _ = committed.startFetch(now: .now, maxBufferedRecords: 100)
        committed.fetchCompleted(
            CompletedFetch(
                topicPartition: Self.tp,
                epoch: 1,
                records: [],
                nextOffset: 4,
                highWatermark: 10,
                lastStableOffset: 4
            )
        )
        #expect(committed.partitions[Self.tp]?.lag == 0)
        #expect(committed.partitions[Self.tp]?.isCaughtUp == true)
        #expect(committed.partitions[Self.tp]?.lastStableOffset == 4)

        var uncommitted = FetchState()
        uncommitted.assign([Self.tp], defaultReset: nil)
        uncommitted.seek(Self.tp, to: 0)
        _ = uncommitted.startFetch(now: .now, maxBufferedRecords: 100)
        uncommitted.fetchCompleted(
            CompletedFetch(
                topicPartition: Self.tp,
                epoch: 1,
                records: [],
                nextOffset: 4,
                highWatermark: 10,
                lastStableOffset: 4
            )
        )
        #expect(uncommitted.partitions[Self.tp]?.lag == 6)
        #expect(uncommitted.partitions[Self.tp]?.isCaughtUp == false)
    }
}

@Suite struct TransactionFakeBrokerTests {
    static let partition = TopicPartition("t", 0)

    @Test func readCommittedConsumerDropsTheAbortedTransactionsTheBrokerLists() async throws {
        let batches = try ReadCommittedFilterTests.interleaved()
        var bytes = ByteBuffer()
        for batch in batches { bytes.writeImmutableBuffer(batch) }
        let log = bytes
        let script: FakeKafkaBroker.Script = { request in
            guard request.api == .fetch, let fetch = try? request.decode(FetchRequest.self) else { return .standard }
            let offset = fetch.topics.first?.partitions.first?.fetchOffset ?? 0
            let response = FetchResponse(responses: [
                .init(
                    topic: "t",
                    partitions: [
                        .init(
                            partitionIndex: 0,
                            highWatermark: 12,
                            lastStableOffset: 11,
                            logStartOffset: 0,
                            abortedTransactions: offset == 0 ? [.init(producerId: 8, firstOffset: 2)] : [],
                            records: offset == 0 ? log : ByteBuffer()
                        )
                    ]
                )
            ])
            return offset == 0
                ? .response(response) : .after(.milliseconds(Int64(fetch.maxWaitMs)), .response(response))
        }
        try await withFakeBroker(topics: ["t": 1], script: script) { broker in
            var configuration = ConsumerTests.configuration(broker)
            configuration.isolationLevel = .readCommitted
            try await withConsumer(configuration) { consumer in
                consumer.assign([Self.partition])
                try await withTimeout { try await consumer.seek(Self.partition, to: .offset(0)) }
                let records = try await ConsumerTests.poll(consumer, count: 5)
                #expect(records.map { $0.value.text } == ["c1", "c2", "plain", "c3", "c4"])
                #expect(records.map(\.offset) == [0, 1, 4, 5, 9])
                try await eventually { consumer.position(Self.partition) == 11 }
                #expect(consumer.lastStableOffset(Self.partition) == 11)
                #expect(consumer.highWatermark(Self.partition) == 12)
                #expect(consumer.lag(Self.partition) == 0, "lag is measured to the last stable offset")
                let fetch = try #require(broker.requests(.fetch).first).decode(FetchRequest.self)
                #expect(fetch.isolationLevel == 1)
            }
        }
    }

    /// A transaction coordinator and partition leader in one: records what arrives.
    static func transactionScript(
        port: Int,
        produceError: KafkaErrorCode = .noError,
        endTxnError: KafkaErrorCode = .noError
    ) -> FakeKafkaBroker.Script {
        { request in
            switch request.api {
            case .findCoordinator:
                return .coordinatorIsThisBroker(port: Int32(port), key: "tx")
            case .initProducerId:
                return .response(InitProducerIdResponse(producerId: 77, producerEpoch: 3))
            case .addPartitionsToTxn:
                guard let add = try? request.decode(AddPartitionsToTxnRequest.self) else { return .close }
                return .response(
                    AddPartitionsToTxnResponse(
                        resultsByTopicV3AndBelow: add.v3AndBelowTopics.map { topic in
                            .init(
                                name: topic.name,
                                resultsByPartition: topic.partitions.map {
                                    .init(partitionIndex: $0, partitionErrorCode: 0)
                                }
                            )
                        }
                    )
                )
            case .produce:
                guard let produce = try? request.decode(ProduceRequest.self) else { return .close }
                return .response(
                    ProduceResponse(
                        responses: produce.topicData.map { topic in
                            .init(
                                name: topic.name,
                                partitionResponses: topic.partitionData.map {
                                    .init(index: $0.index, errorCode: produceError.rawValue, baseOffset: 0)
                                }
                            )
                        }
                    )
                )
            case .endTxn:
                return .response(EndTxnResponse(errorCode: endTxnError.rawValue))
            default:
                return .standard
            }
        }
    }

    static func producerConfiguration(_ broker: FakeKafkaBroker) -> KafkaProducerConfiguration {
        var configuration = KafkaProducerConfiguration(client: clientConfiguration(broker))
        configuration.transactionalID = "tx"
        configuration.lingerMs = 0
        // Generous: these tests count retries, and a stalled machine must not exhaust the budget.
        configuration.maxBlockMs = 30_000
        return configuration
    }

    static func record(_ value: String, partition: Int32) -> KafkaProducerRecord {
        KafkaProducerRecord(topic: "t", partition: partition, value: ByteBuffer(string: value))
    }

    @Test func aTransactionAddsItsPartitionsBeforeProducingAndEndsWithEndTxn() async throws {
        try await withFakeBroker(topics: ["t": 2]) { broker in
            broker.setScript(Self.transactionScript(port: broker.port))
            try await withProducer(Self.producerConfiguration(broker)) { producer in
                let outside = await producer.send(contentsOf: [Self.record("x", partition: 0)])
                guard case .failure(.illegalState(let message)) = outside.first else {
                    Issue.record("send before initTransactions: \(outside)")
                    return
                }
                #expect(message.contains("initTransactions"))
                try await withTimeout { try await producer.initTransactions() }
                let beforeBegin = await producer.send(contentsOf: [Self.record("x", partition: 0)])
                guard case .failure(.illegalState(let message)) = beforeBegin.first else {
                    Issue.record("send outside a transaction: \(beforeBegin)")
                    return
                }
                #expect(message.contains("beginTransaction"))

                try producer.beginTransaction()
                let results = try await withTimeout {
                    await producer.send(contentsOf: [
                        Self.record("a", partition: 0), Self.record("b", partition: 1), Self.record("c", partition: 0),
                    ])
                }
                #expect(results.allSatisfy { (try? $0.get()) != nil })
                try await withTimeout { try await producer.commitTransaction() }
            }
            let initRequest = try #require(broker.requests(.initProducerId).first).decode(InitProducerIdRequest.self)
            #expect(initRequest.transactionalId == "tx")
            #expect(initRequest.transactionTimeoutMs == 60_000)
            let finds = try broker.requests(.findCoordinator).map { try $0.decode(FindCoordinatorRequest.self) }
            #expect(finds.contains { $0.keyType == 1 && ($0.key == "tx" || $0.coordinatorKeys == ["tx"]) })
            // One AddPartitionsToTxn for both partitions, and it came before the first Produce.
            let adds = try broker.requests(.addPartitionsToTxn).map { try $0.decode(AddPartitionsToTxnRequest.self) }
            #expect(adds.count == 1)
            #expect(adds.first?.v3AndBelowTopics.first?.partitions.sorted() == [0, 1])
            #expect(adds.first?.v3AndBelowProducerId == 77)
            #expect(adds.first?.v3AndBelowProducerEpoch == 3)
            #expect(broker.requests(.addPartitionsToTxn).first?.version == 3, "clients speak AddPartitionsToTxn v3")
            let order = broker.requests.compactMap { $0.api }.filter {
                [.addPartitionsToTxn, .produce, .endTxn].contains($0)
            }
            #expect(order.first == .addPartitionsToTxn)
            #expect(order.last == .endTxn)
            let produces = try broker.requests(.produce).map { try $0.decode(ProduceRequest.self) }
            #expect(produces.allSatisfy { $0.transactionalId == "tx" })
            for produce in produces {
                for topic in produce.topicData {
                    for partition in topic.partitionData {
                        var reader = RecordBatchReader(try #require(partition.records))
                        let batch = try #require(try reader.next())
                        #expect(batch.isTransactional)
                        #expect(batch.producerId == 77)
                        #expect(batch.producerEpoch == 3)
                    }
                }
            }
            let end = try #require(broker.requests(.endTxn).first).decode(EndTxnRequest.self)
            #expect(end.committed)
            #expect(end.producerId == 77)
        }
    }

    @Test func anEmptyTransactionEndsWithoutEndTxnAndAbortDropsUnsentRecords() async throws {
        try await withFakeBroker(topics: ["t": 1]) { broker in
            let port = broker.port
            let standard = Self.transactionScript(port: port)
            // AddPartitionsToTxn is held so that the records stay unsent until the abort (long enough
            // for a busy machine: at 300 ms a loaded CI run sent the record before the abort).
            broker.setScript { request in
                request.api == .addPartitionsToTxn ? .after(.seconds(3), standard(request)) : standard(request)
            }
            try await withProducer(Self.producerConfiguration(broker)) { producer in
                try await withTimeout { try await producer.initTransactions() }
                try producer.beginTransaction()
                try await withTimeout { try await producer.commitTransaction() }
                #expect(broker.requests(.endTxn).isEmpty, "nothing was added: no EndTxn, as Kafka")

                try producer.beginTransaction()
                async let sent = producer.send(contentsOf: [Self.record("a", partition: 0)])
                try await eventually { !broker.requests(.addPartitionsToTxn).isEmpty }
                try await withTimeout { try await producer.abortTransaction() }
                let results = await sent
                guard case .failure(.illegalState(let message)) = results.first else {
                    Issue.record("an unsent record of an aborted transaction: \(results)")
                    return
                }
                #expect(message.contains("aborted"))
                #expect(broker.requests(.produce).isEmpty)
                let end = try #require(broker.requests(.endTxn).first).decode(EndTxnRequest.self)
                #expect(!end.committed, "the partition was added, so the coordinator is told to abort")
                // Ready again.
                try producer.beginTransaction()
                try await withTimeout { try await producer.abortTransaction() }
            }
        }
    }

    @Test func aFencedProduceMakesTheProducerUnusable() async throws {
        try await withFakeBroker(topics: ["t": 1]) { broker in
            broker.setScript(Self.transactionScript(port: broker.port, produceError: .producerFenced))
            try await withProducer(Self.producerConfiguration(broker)) { producer in
                try await withTimeout { try await producer.initTransactions() }
                try producer.beginTransaction()
                let results = try await withTimeout {
                    await producer.send(contentsOf: [Self.record("a", partition: 0)])
                }
                guard case .failure(.broker(.producerFenced, let message)) = results.first else {
                    Issue.record("expected a fenced error: \(results)")
                    return
                }
                #expect(message?.contains("fenced by another instance with the same transactional.id") == true)
                for attempt in 0..<3 {
                    let error: (any Error)?
                    switch attempt {
                    case 0: error = await Result(catching: { try await producer.commitTransaction() }).failure
                    case 1: error = await Result(catching: { try await producer.abortTransaction() }).failure
                    default: error = Result(catching: { try producer.beginTransaction() }).failure
                    }
                    guard case .broker(.producerFenced, let message)? = error as? KafkaError else {
                        Issue.record("call \(attempt) after fencing: \(String(describing: error))")
                        continue
                    }
                    #expect(message?.contains("must be closed") == true)
                }
                #expect(broker.requests(.endTxn).isEmpty)
            }
        }
    }
}

extension TransactionFakeBrokerTests {
    @Test func aFencedEndTxnFailsTheCommitAndEveryLaterCall() async throws {
        try await withFakeBroker(topics: ["t": 1]) { broker in
            broker.setScript(Self.transactionScript(port: broker.port, endTxnError: .producerFenced))
            try await withProducer(Self.producerConfiguration(broker)) { producer in
                try await withTimeout { try await producer.initTransactions() }
                try producer.beginTransaction()
                _ = try await withTimeout { try await producer.send(Self.record("a", partition: 0)) }
                let commit = await Result(catching: { try await producer.commitTransaction() }).failure
                guard case .broker(.producerFenced, let message)? = commit as? KafkaError else {
                    Issue.record("commit: \(String(describing: commit))")
                    return
                }
                #expect(message?.contains("fenced by another instance with the same transactional.id \"tx\"") == true)
                let send = await producer.send(contentsOf: [Self.record("b", partition: 0)])
                guard case .failure(.broker(.producerFenced, _)) = send.first else {
                    Issue.record("send after fencing: \(send)")
                    return
                }
                #expect(broker.requests(.endTxn).count == 1, "a fatal answer is not retried")
            }
        }
    }
}

extension TransactionFakeBrokerTests {
    @Test func initTransactionsRetriesTheCoordinatorsTransientErrors() async throws {
        try await withFakeBroker(topics: ["t": 1]) { broker in
            let standard = Self.transactionScript(port: broker.port)
            broker.setScript { request in
                guard request.api == .initProducerId else { return standard(request) }
                switch request.index {
                case 0:
                    return .response(InitProducerIdResponse(errorCode: KafkaErrorCode.concurrentTransactions.rawValue))
                case 1: return .response(InitProducerIdResponse(errorCode: KafkaErrorCode.notCoordinator.rawValue))
                case 2:
                    return .response(
                        InitProducerIdResponse(errorCode: KafkaErrorCode.coordinatorLoadInProgress.rawValue)
                    )
                default: return standard(request)
                }
            }
            try await withProducer(Self.producerConfiguration(broker)) { producer in
                try await withTimeout { try await producer.initTransactions() }
                try producer.beginTransaction()
            }
            #expect(broker.requests(.initProducerId).count == 4)
            #expect(broker.requests(.findCoordinator).count >= 2, "NOT_COORDINATOR looks the coordinator up again")
        }
    }

    @Test func sendOffsetsToTransactionAddsTheGroupThenCommitsToTheGroupCoordinator() async throws {
        try await withFakeBroker(topics: ["t": 2]) { broker in
            let standard = Self.transactionScript(port: broker.port)
            broker.setScript { request in
                switch request.api {
                case .addOffsetsToTxn: return .response(AddOffsetsToTxnResponse(errorCode: 0))
                case .txnOffsetCommit:
                    guard let commit = try? request.decode(TxnOffsetCommitRequest.self) else { return .close }
                    return .response(
                        TxnOffsetCommitResponse(
                            topics: commit.topics.map { topic in
                                .init(
                                    name: topic.name,
                                    partitions: topic.partitions.map { .init(partitionIndex: $0.partitionIndex) }
                                )
                            }
                        )
                    )
                default: return standard(request)
                }
            }
            try await withProducer(Self.producerConfiguration(broker)) { producer in
                try await withTimeout { try await producer.initTransactions() }
                try producer.beginTransaction()
                try await withTimeout {
                    try await producer.sendOffsetsToTransaction(
                        [TopicPartition("t", 0): 10, TopicPartition("t", 1): 20],
                        groupID: "g",
                        generationID: 4,
                        memberID: "m-1",
                        groupInstanceID: "static-1"
                    )
                }
                try await withTimeout { try await producer.commitTransaction() }
            }
            let finds = try broker.requests(.findCoordinator).map { try $0.decode(FindCoordinatorRequest.self) }
            #expect(finds.contains { $0.keyType == 0 && ($0.key == "g" || $0.coordinatorKeys == ["g"]) })
            let add = try #require(broker.requests(.addOffsetsToTxn).first).decode(AddOffsetsToTxnRequest.self)
            #expect(add.groupId == "g")
            #expect(add.transactionalId == "tx")
            #expect(add.producerId == 77)
            let commit = try #require(broker.requests(.txnOffsetCommit).first).decode(TxnOffsetCommitRequest.self)
            #expect(commit.generationId == 4)
            #expect(commit.memberId == "m-1")
            #expect(commit.groupInstanceId == "static-1")
            #expect(commit.producerEpoch == 3)
            let offsets = commit.topics.flatMap { topic in
                topic.partitions.map { ($0.partitionIndex, $0.committedOffset) }
            }
            #expect(offsets.sorted { $0.0 < $1.0 }.map(\.1) == [10, 20])
            // Offsets alone start the transaction: the commit sends EndTxn.
            #expect(try #require(broker.requests(.endTxn).first).decode(EndTxnRequest.self).committed)
            let order = broker.requests.compactMap { $0.api }.filter {
                [.addOffsetsToTxn, .txnOffsetCommit, .endTxn].contains($0)
            }
            #expect(order == [.addOffsetsToTxn, .txnOffsetCommit, .endTxn])
        }
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }

    var failure: (any Error)? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
