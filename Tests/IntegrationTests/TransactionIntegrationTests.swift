import Foundation
import KafkaNIO
import KafkaProtocol
import NIOCore
import Testing

/// Transactions against the real test broker, with confluent-kafka (librdkafka) as the reference
/// on both sides. The broker never sends Fetch's aborted-transaction list, so read_committed
/// consumers (ours and librdkafka alike) see aborted records there: those tests assert that both
/// clients see the same thing, and the filtering itself is tested against the fake broker
/// (TransactionFakeBrokerTests, ReadCommittedFilterTests; docs/compatibility.md).
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct TransactionIntegrationTests {
    struct CommittedRecord: Codable, Hashable {
        var partition: Int32
        var offset: Int64
        var value: String?
    }

    static func producer(cluster: KafkaCluster, transactionalID: String) -> KafkaProducer {
        var configuration = KafkaProducerConfiguration(client: cluster.configuration)
        configuration.transactionalID = transactionalID
        configuration.maxBlockMs = 15_000
        return KafkaProducer(configuration: configuration, cluster: cluster)
    }

    static func record(_ topic: String, _ value: String, partition: Int32 = 0) -> KafkaProducerRecord {
        KafkaProducerRecord(topic: topic, partition: partition, value: ByteBuffer(string: value))
    }

    static func send(_ producer: KafkaProducer, _ records: [KafkaProducerRecord]) async throws {
        for result in await producer.send(contentsOf: records) { _ = try result.get() }
    }

    static func createTopic(_ cluster: KafkaCluster, _ topic: String, partitions: Int32 = 1) async throws {
        try await KafkaAdminClient(cluster: cluster).createTopics([
            .init(name: topic, partitions: partitions, replicationFactor: 1)
        ])
    }

    /// Reads every partition of `topic` with our read_committed consumer up to its last stable
    /// offset (as of the fetches made), in offset order per partition.
    static func readCommitted(
        cluster: KafkaCluster,
        topic: String,
        partitions: [Int32] = [0]
    ) async throws -> [CommittedRecord] {
        var configuration = KafkaConsumerConfiguration(client: cluster.configuration)
        configuration.fetchMaxWaitMs = 50
        configuration.isolationLevel = .readCommitted
        let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
        let assignment = partitions.map { TopicPartition(topic, $0) }
        consumer.assign(assignment)
        var records: [CommittedRecord] = []
        do {
            for topicPartition in assignment { try await consumer.seek(topicPartition, to: .earliest) }
            let deadline = ContinuousClock.now + .seconds(15)
            while true {
                let atEnd = assignment.allSatisfy { topicPartition in
                    guard let end = consumer.lastStableOffset(topicPartition),
                        let position = consumer.position(topicPartition)
                    else { return false }
                    return position >= end
                }
                if atEnd { break }
                guard ContinuousClock.now < deadline else { throw TestFailure("read_committed did not reach the end") }
                for record in try await consumer.poll(timeout: .milliseconds(200)) {
                    records.append(
                        CommittedRecord(
                            partition: record.partition,
                            offset: record.offset,
                            value: record.value.map { String(buffer: $0) }
                        )
                    )
                }
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
        return records.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }

    /// The same with confluent-kafka (isolation.level=read_committed, up to each partition's end).
    static func referenceReadCommitted(topic: String, partitions: [Int32] = [0]) throws -> [CommittedRecord] {
        let output = try ReferenceClient.run(
            [
                "consume", "--bootstrap", TestEnvironment.requireBootstrap(), "--topic", topic, "--partitions",
                partitions.map(String.init).joined(separator: ","),
            ],
            input: "",
            script: "scripts/interop/ck_txn.py"
        )
        return try output.split(separator: "\n").map {
            try JSONDecoder().decode(CommittedRecord.self, from: Data($0.utf8))
        }.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }

    @Test func aCommittedTransactionIsVisibleToReadCommittedConsumers() async throws {
        let topic = TestEnvironment.uniqueTopic("txn-commit")
        try await TestEnvironment.withCluster { cluster in
            try await Self.createTopic(cluster, topic, partitions: 2)
            let producer = Self.producer(cluster: cluster, transactionalID: "tx-\(topic)")
            try await producer.initTransactions()
            try producer.beginTransaction()
            try await Self.send(
                producer,
                [
                    Self.record(topic, "a", partition: 0), Self.record(topic, "b", partition: 1),
                    Self.record(topic, "c", partition: 0),
                ]
            )
            try await producer.commitTransaction()
            await producer.close()

            let ours = try await Self.readCommitted(cluster: cluster, topic: topic, partitions: [0, 1])
            #expect(ours.map(\.value) == ["a", "c", "b"])
            let reference = try Self.referenceReadCommitted(topic: topic, partitions: [0, 1])
            #expect(reference == ours)
        }
    }

    @Test func anOpenTransactionIsInvisibleUntilItCommits() async throws {
        let topic = TestEnvironment.uniqueTopic("txn-open")
        try await TestEnvironment.withCluster { cluster in
            try await Self.createTopic(cluster, topic)
            let producer = Self.producer(cluster: cluster, transactionalID: "tx-\(topic)")
            try await producer.initTransactions()
            try producer.beginTransaction()
            try await Self.send(producer, [Self.record(topic, "before")])
            try await producer.commitTransaction()
            try producer.beginTransaction()
            try await Self.send(producer, [Self.record(topic, "open-1"), Self.record(topic, "open-2")])

            // Written (acknowledged) but not committed: read_committed stops before it.
            let whileOpen = try await Self.readCommitted(cluster: cluster, topic: topic)
            #expect(whileOpen.map(\.value) == ["before"])
            #expect(try Self.referenceReadCommitted(topic: topic).map(\.value) == ["before"])

            try await producer.commitTransaction()
            await producer.close()
            let afterCommit = try await Self.readCommitted(cluster: cluster, topic: topic)
            #expect(afterCommit.map(\.value) == ["before", "open-1", "open-2"])
            #expect(try Self.referenceReadCommitted(topic: topic) == afterCommit)
        }
    }

    /// Aborted records: the broker does not list aborted transactions in Fetch, so no
    /// read_committed client can drop them there (librdkafka shows them too). Both clients must
    /// see the same records, without the control markers; the filtering is tested on the fake.
    @Test func anAbortedTransactionReadsTheSameInBothClients() async throws {
        let topic = TestEnvironment.uniqueTopic("txn-abort")
        try await TestEnvironment.withCluster { cluster in
            try await Self.createTopic(cluster, topic)
            let producer = Self.producer(cluster: cluster, transactionalID: "tx-\(topic)")
            try await producer.initTransactions()
            try producer.beginTransaction()
            try await Self.send(producer, [Self.record(topic, "c1")])
            try await producer.commitTransaction()
            try producer.beginTransaction()
            try await Self.send(producer, [Self.record(topic, "a1"), Self.record(topic, "a2")])
            try await producer.abortTransaction()
            try producer.beginTransaction()
            try await Self.send(producer, [Self.record(topic, "c2")])
            try await producer.commitTransaction()
            await producer.close()

            let ours = try await Self.readCommitted(cluster: cluster, topic: topic)
            let reference = try Self.referenceReadCommitted(topic: topic)
            #expect(ours == reference)
            let values = ours.compactMap(\.value)
            #expect(values.filter { $0.hasPrefix("c") } == ["c1", "c2"])
            // Three markers (commit, abort, commit) take offsets but are never returned.
            #expect(ours.map(\.offset) == (values.count == 2 ? [0, 5] : [0, 2, 3, 5]))
        }
    }

    @Test func aSecondProducerWithTheSameTransactionalIDFencesTheFirst() async throws {
        let topic = TestEnvironment.uniqueTopic("txn-fence")
        try await TestEnvironment.withCluster { cluster in
            try await Self.createTopic(cluster, topic)
            let transactionalID = "tx-\(topic)"
            let first = Self.producer(cluster: cluster, transactionalID: transactionalID)
            try await first.initTransactions()
            try first.beginTransaction()
            try await Self.send(first, [Self.record(topic, "zombie")])

            let second = Self.producer(cluster: cluster, transactionalID: transactionalID)
            try await second.initTransactions()

            // The first producer's next send fails as fenced, and so does everything after it. (Its
            // commit would too on Kafka; this broker closes the connection on a fenced EndTxn
            // instead of answering PRODUCER_FENCED: see docs/compatibility.md.)
            var failures: [KafkaError] = []
            let send = await first.send(contentsOf: [Self.record(topic, "late")])
            if case .failure(let error) = send.first { failures.append(error) }
            do {
                try await first.commitTransaction()
            } catch let error as KafkaError {
                failures.append(error)
            }
            do { try first.beginTransaction() } catch let error as KafkaError { failures.append(error) }
            #expect(failures.count == 3, "\(failures)")
            for failure in failures {
                #expect(
                    "\(failure)".contains("fenced by another instance with the same transactional.id"),
                    "\(failure)"
                )
            }

            // The second producer works, and the zombie's record never becomes visible.
            try second.beginTransaction()
            try await Self.send(second, [Self.record(topic, "survivor")])
            try await second.commitTransaction()
            await second.close()
            await first.close()
            let ours = try await Self.readCommitted(cluster: cluster, topic: topic)
            let values = ours.compactMap(\.value)
            #expect(values.contains("survivor"))
            #expect(!values.contains("late"))
            // The new producer's init aborted the zombie's transaction; this broker sends no aborted
            // list, so whether "zombie" shows is the broker's gap: librdkafka must read the same.
            #expect(try Self.referenceReadCommitted(topic: topic) == ours)
        }
    }

    @Test func sendOffsetsToTransactionCommitsTheGroupsOffsetsWithTheTransaction() async throws {
        let topic = TestEnvironment.uniqueTopic("txn-offsets")
        let group = "group-\(topic)"
        try await TestEnvironment.withCluster { cluster in
            try await Self.createTopic(cluster, topic, partitions: 2)
            let producer = Self.producer(cluster: cluster, transactionalID: "tx-\(topic)")
            try await producer.initTransactions()
            try producer.beginTransaction()
            try await Self.send(producer, [Self.record(topic, "out")])
            try await producer.sendOffsetsToTransaction(
                [TopicPartition(topic, 0): 5, TopicPartition(topic, 1): 7],
                groupID: group
            )
            try await producer.commitTransaction()
            await producer.close()

            struct Committed: Codable, Hashable {
                var partition: Int32
                var offset: Int64
            }
            let output = try ReferenceClient.run(
                [
                    "committed", "--bootstrap", TestEnvironment.requireBootstrap(), "--group", group, "--topic",
                    topic, "--partitions", "0,1",
                ],
                input: "",
                script: "scripts/interop/ck_txn.py"
            )
            let committed = try output.split(separator: "\n").map {
                try JSONDecoder().decode(Committed.self, from: Data($0.utf8))
            }
            #expect(Set(committed) == [Committed(partition: 0, offset: 5), Committed(partition: 1, offset: 7)])
        }
    }

    @Test func confluentsCommittedTransactionIsReadByOurReadCommittedConsumer() async throws {
        let topic = TestEnvironment.uniqueTopic("txn-interop")
        try await TestEnvironment.withCluster { cluster in
            try await Self.createTopic(cluster, topic)
            _ = try ReferenceClient.run(
                [
                    "transact", "--bootstrap", TestEnvironment.requireBootstrap(), "--topic", topic,
                    "--transactional-id", "ck-\(topic)", "--commit", "k1,k2", "--abort", "x1,x2",
                ],
                input: "",
                script: "scripts/interop/ck_txn.py"
            )
            let ours = try await Self.readCommitted(cluster: cluster, topic: topic)
            #expect(Array(ours.compactMap(\.value).prefix(2)) == ["k1", "k2"])
            // The aborted pair: visible to both clients on this broker (no aborted list), never
            // to one and not the other.
            #expect(try Self.referenceReadCommitted(topic: topic) == ours)
        }
    }
}
