import KafkaNIO
import KafkaProtocol
import NIOCore
import Testing

/// Records produced by our client are read back exactly by confluent-kafka (librdkafka 2.x), and the
/// other way round, against the real broker.
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct InteropTests {
    static let codecs = ["none", "gzip", "snappy", "lz4", "zstd"]

    /// Keys, null keys, null values, empty values, headers (duplicate names, empty and null values)
    /// and explicit timestamps, all to explicit partitions so the order is known.
    static func sampleRecords(partitions: Int32) -> [InteropRecord] {
        var records: [InteropRecord] = []
        let base: Int64 = 1_700_000_000_000
        for index in 0..<60 {
            let partition = Int32(index) % partitions
            let key: [UInt8]? = index % 5 == 0 ? nil : Array("key-\(index)".utf8)
            let value: [UInt8]?
            switch index % 7 {
            case 0: value = nil
            case 1: value = []
            case 2: value = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
            default: value = Array("value-\(index)-\(String(repeating: "x", count: index))".utf8)
            }
            var headers: [(String, [UInt8]?)] = []
            if index % 3 == 0 {
                headers = [("h", Array("1".utf8)), ("h", Array("2".utf8)), ("empty", []), ("null", nil)]
            }
            records.append(
                InteropRecord(
                    partition: partition,
                    key: key,
                    value: value,
                    headers: headers,
                    timestamp: base + Int64(index) * 1000
                )
            )
        }
        return records
    }

    /// Sorted by partition then offset, without offsets: what both sides must agree on.
    static func normalized(_ records: [InteropRecord]) -> [InteropRecord] {
        records.sorted { ($0.partition ?? -1, $0.offset ?? -1) < ($1.partition ?? -1, $1.offset ?? -1) }
    }

    @Test(arguments: codecs)
    func ourRecordsAreReadExactlyByTheReferenceClient(codec: String) async throws {
        let topic = TestEnvironment.uniqueTopic("ours-to-ck-\(codec)")
        let records = Self.sampleRecords(partitions: 3)
        let delivered = try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 3, replicationFactor: 1)
            ])
            var configuration = KafkaProducerConfiguration(client: cluster.configuration)
            configuration.compression = try #require(KafkaCompression(name: codec))
            let producer = KafkaProducer(configuration: configuration, cluster: cluster)
            let results = await producer.send(contentsOf: records.map { $0.producerRecord(topic: topic) })
            await producer.close()
            return try results.map { try $0.get() }
        }
        #expect(delivered.map(\.partition) == records.map { $0.partition ?? -1 })

        let read = try ReferenceClient.consume(topic: topic, count: records.count)
        var expected: [InteropRecord] = []
        for (record, metadata) in zip(records, delivered) {
            var copy = record
            copy.offset = metadata.offset
            expected.append(copy)
        }
        #expect(Self.normalized(read) == Self.normalized(expected))
    }

    @Test(arguments: codecs)
    func referenceClientRecordsAreReadExactlyByOurs(codec: String) async throws {
        let topic = TestEnvironment.uniqueTopic("ck-to-ours-\(codec)")
        let records = Self.sampleRecords(partitions: 3)
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 3, replicationFactor: 1)
            ])
        }
        let reports = try ReferenceClient.produce(topic: topic, records: records, compression: codec)
        #expect(reports.allSatisfy { $0.error == nil })
        var expected: [InteropRecord] = []
        for (record, report) in zip(records, reports) {
            var copy = record
            copy.offset = report.offset
            copy.partition = report.partition
            expected.append(copy)
        }
        let read = try await Self.consumeWithOurs(topic: topic, partitions: 3, count: records.count)
        #expect(Self.normalized(read) == Self.normalized(expected))
    }

    @Test(arguments: ["none", "zstd"])
    func oneMebibyteValuesCrossBothWays(codec: String) async throws {
        let topic = TestEnvironment.uniqueTopic("large-\(codec)")
        let big = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }
        let records = (0..<3).map { index in
            InteropRecord(
                partition: 0,
                key: Array("big-\(index)".utf8),
                value: big,
                timestamp: 1_700_000_000_000 + Int64(index)
            )
        }
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 1, replicationFactor: 1)
            ])
            var configuration = KafkaProducerConfiguration(client: cluster.configuration)
            configuration.compression = try #require(KafkaCompression(name: codec))
            configuration.maxRequestSize = 4 << 20
            configuration.batchSize = 4 << 20
            let producer = KafkaProducer(configuration: configuration, cluster: cluster)
            for result in await producer.send(contentsOf: records.map { $0.producerRecord(topic: topic) }) {
                _ = try result.get()
            }
            await producer.close()
        }
        let readByReference = try ReferenceClient.consume(topic: topic, count: 3)
        #expect(readByReference.map(\.valueBytes) == records.map(\.valueBytes))

        _ = try ReferenceClient.produce(topic: topic, records: records, compression: codec)
        let readByOurs = try await Self.consumeWithOurs(topic: topic, partitions: 1, count: 6)
        #expect(readByOurs.map(\.valueBytes) == (records + records).map(\.valueBytes))
        #expect(readByOurs.map(\.keyBytes) == (records + records).map(\.keyBytes))
    }

    @Test func keyedRecordsLandOnTheSamePartitionWithBothClients() async throws {
        let ours = TestEnvironment.uniqueTopic("keys-ours")
        let theirs = TestEnvironment.uniqueTopic("keys-ck")
        let keys = (0..<200).map { "customer-\($0 * 7919)" }
        let partitionCount: Int32 = 7
        let delivered = try await TestEnvironment.withCluster { cluster in
            let admin = KafkaAdminClient(cluster: cluster)
            try await admin.createTopics([
                .init(name: ours, partitions: partitionCount, replicationFactor: 1),
                .init(name: theirs, partitions: partitionCount, replicationFactor: 1),
            ])
            let producer = KafkaProducer(
                configuration: KafkaProducerConfiguration(client: cluster.configuration),
                cluster: cluster
            )
            let results = await producer.send(
                contentsOf: keys.map {
                    KafkaProducerRecord(topic: ours, key: ByteBuffer(string: $0), value: ByteBuffer(string: "v"))
                }
            )
            await producer.close()
            return try results.map { try $0.get() }
        }
        let reports = try ReferenceClient.produce(
            topic: theirs,
            records: keys.map { InteropRecord(key: Array($0.utf8), value: Array("v".utf8)) }
        )
        #expect(delivered.map(\.partition) == reports.map(\.partition))
        #expect(Set(delivered.map(\.partition)).count > 1)
    }

    /// Reads `count` records from every partition of `topic` with our consumer, from the beginning.
    static func consumeWithOurs(topic: String, partitions: Int32, count: Int) async throws -> [InteropRecord] {
        try await TestEnvironment.withCluster { cluster in
            var configuration = KafkaConsumerConfiguration(client: cluster.configuration)
            configuration.autoOffsetReset = .earliest
            configuration.fetchMaxWaitMs = 100
            let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
            consumer.assign((0..<partitions).map { TopicPartition(topic, $0) })
            var read: [InteropRecord] = []
            let deadline = ContinuousClock.now + .seconds(30)
            while read.count < count {
                guard ContinuousClock.now < deadline else {
                    await consumer.close()
                    throw TestFailure("read \(read.count) of \(count) records from \(topic) in 30 s")
                }
                read += try await consumer.poll().map(InteropRecord.init)
            }
            await consumer.close()
            return read
        }
    }
}
