import KafkaNIO
import KafkaProtocol
import NIOCore
import Testing

/// The admin client, producer and consumer against the real broker.
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct ClientIntegrationTests {
    @Test func adminCreatesListsDescribesAndDeletesTopics() async throws {
        let topic = TestEnvironment.uniqueTopic("admin")
        try await TestEnvironment.withCluster { cluster in
            let admin = KafkaAdminClient(cluster: cluster)
            try await admin.createTopics([
                .init(name: topic, partitions: 5, replicationFactor: 1, configs: ["cleanup.policy": "compact"])
            ])
            let listed = try await admin.listTopics()
            let entry = try #require(listed.first { $0.name == topic })
            #expect(entry.partitions.map(\.partition) == [0, 1, 2, 3, 4])

            let described = try await admin.describeTopics([topic])
            #expect(described.first?.partitions.count == 5)

            let configs = try await admin.describeConfigs(topic: topic)
            #expect(configs.first { $0.name == "cleanup.policy" }?.value == "compact")

            await #expect(throws: KafkaError.self) {
                try await admin.createTopics([.init(name: topic, partitions: 1, replicationFactor: 1)])
            }

            let cluster = try await admin.describeCluster()
            #expect(!cluster.clusterID.isEmpty)
            #expect(cluster.brokers.count == 1)
            #expect(cluster.brokers.contains { $0.nodeID == cluster.controllerID })

            let earliest = try await admin.listOffsets([TopicPartition(topic, 0): .earliest])
            #expect(earliest[TopicPartition(topic, 0)] == 0)

            try await admin.deleteTopics([topic])
            let after = try await admin.listTopics()
            #expect(!after.contains { $0.name == topic })
        }
    }

    @Test(arguments: [Int16(0), 1, -1])
    func producerHonoursAcks(acks: Int16) async throws {
        let topic = TestEnvironment.uniqueTopic("acks")
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 1, replicationFactor: 1)
            ])
            var configuration = KafkaProducerConfiguration(client: cluster.configuration)
            configuration.acks = acks
            let producer = KafkaProducer(configuration: configuration, cluster: cluster)
            let results = await producer.send(
                contentsOf: (0..<50).map {
                    KafkaProducerRecord(topic: topic, partition: 0, value: ByteBuffer(string: "r\($0)"))
                }
            )
            await producer.close()
            let offsets = try results.map { try $0.get().offset }
            if acks == 0 {
                #expect(offsets.allSatisfy { $0 == -1 })
            } else {
                #expect(offsets == Array(0..<50))
            }
            let values = try await Self.readValues(
                cluster: cluster,
                topic: topic,
                partition: 0,
                from: .earliest,
                count: 50
            )
            #expect(values == (0..<50).map { "r\($0)" })
        }
    }

    @Test func singleSendReturnsPartitionOffsetAndTimestamp() async throws {
        let topic = TestEnvironment.uniqueTopic("single")
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 2, replicationFactor: 1)
            ])
            let producer = KafkaProducer(
                configuration: KafkaProducerConfiguration(client: cluster.configuration),
                cluster: cluster
            )
            let first = try await producer.send(
                KafkaProducerRecord(topic: topic, partition: 1, value: ByteBuffer(string: "a"), timestamp: 1_234_567)
            )
            let second = try await producer.send(
                KafkaProducerRecord(topic: topic, partition: 1, value: ByteBuffer(string: "b"))
            )
            await producer.close()
            #expect(first == RecordMetadata(topic: topic, partition: 1, offset: 0, timestamp: 1_234_567))
            #expect(second.offset == 1)
            #expect(second.timestamp > 1_600_000_000_000)
        }
    }

    @Test func consumerSeeksPausesResumesAndReportsPositionAndLag() async throws {
        let topic = TestEnvironment.uniqueTopic("seek")
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 2, replicationFactor: 1)
            ])
            let producer = KafkaProducer(
                configuration: KafkaProducerConfiguration(client: cluster.configuration),
                cluster: cluster
            )
            for partition in [Int32(0), 1] {
                for result in await producer.send(
                    contentsOf: (0..<20).map {
                        KafkaProducerRecord(
                            topic: topic,
                            partition: partition,
                            value: ByteBuffer(string: "p\(partition)-\($0)")
                        )
                    }
                ) {
                    _ = try result.get()
                }
            }
            await producer.close()

            var configuration = KafkaConsumerConfiguration(client: cluster.configuration)
            configuration.fetchMaxWaitMs = 50
            let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
            let p0 = TopicPartition(topic, 0)
            let p1 = TopicPartition(topic, 1)
            consumer.assign([p0, p1])
            try await consumer.seek(p0, to: .offset(15))
            try await consumer.seek(p1, to: .earliest)
            consumer.pause([p1])

            var fromP0: [String] = []
            while fromP0.count < 5 {
                let records = try await consumer.poll()
                #expect(records.allSatisfy { $0.partition == 0 }, "a paused partition returned records")
                fromP0 += records.compactMap { $0.value.map { String(buffer: $0) } }
            }
            #expect(fromP0 == (15..<20).map { "p0-\($0)" })
            #expect(consumer.position(p0) == 20)
            #expect(consumer.lag(p0) == 0)

            consumer.resume([p1])
            var fromP1: [String] = []
            while fromP1.count < 20 {
                fromP1 += try await consumer.poll().compactMap { $0.value.map { String(buffer: $0) } }
            }
            #expect(fromP1 == (0..<20).map { "p1-\($0)" })
            #expect(consumer.position(p1) == 20)
            #expect(consumer.highWatermark(p1) == 20)

            try await consumer.seek(p1, to: .offset(18))
            var again: [String] = []
            while again.count < 2 {
                again += try await consumer.poll().compactMap { $0.value.map { String(buffer: $0) } }
            }
            #expect(again == ["p1-18", "p1-19"])
            await consumer.close()
        }
    }

    @Test func consumerRecordsSequenceYieldsEveryRecordInOrder() async throws {
        let topic = TestEnvironment.uniqueTopic("sequence")
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 1, replicationFactor: 1)
            ])
            var producerConfiguration = KafkaProducerConfiguration(client: cluster.configuration)
            producerConfiguration.batchSize = 512
            let producer = KafkaProducer(configuration: producerConfiguration, cluster: cluster)
            for result in await producer.send(
                contentsOf: (0..<1000).map {
                    KafkaProducerRecord(
                        topic: topic,
                        key: ByteBuffer(string: "k\($0 % 10)"),
                        value: ByteBuffer(string: "\($0)")
                    )
                }
            ) {
                _ = try result.get()
            }
            await producer.close()
            let values = try await Self.readValues(
                cluster: cluster,
                topic: topic,
                partition: 0,
                from: .earliest,
                count: 1000
            )
            #expect(values == (0..<1000).map { "\($0)" })
        }
    }

    @Test func unknownTopicIsReportedNotRetriedForever() async throws {
        try await TestEnvironment.withCluster { cluster in
            let admin = KafkaAdminClient(cluster: cluster)
            await #expect(throws: KafkaError.self) {
                try await admin.describeTopics([TestEnvironment.uniqueTopic("missing")])
            }
        }
    }

    static func readValues(
        cluster: KafkaCluster,
        topic: String,
        partition: Int32,
        from position: KafkaSeekPosition,
        count: Int
    ) async throws -> [String] {
        var configuration = KafkaConsumerConfiguration(client: cluster.configuration)
        configuration.fetchMaxWaitMs = 50
        let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
        let topicPartition = TopicPartition(topic, partition)
        consumer.assign([topicPartition])
        try await consumer.seek(topicPartition, to: position)
        var values: [String] = []
        for try await record in consumer.records {
            values.append(record.value.map { String(buffer: $0) } ?? "<null>")
            if values.count == count { break }
        }
        await consumer.close()
        return values
    }
}

extension ClientIntegrationTests {
    @Test func pollWithTimeoutReturnsNothingAtTheEndAndTheHighWatermarkMarksIt() async throws {
        let topic = TestEnvironment.uniqueTopic("end")
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 1, replicationFactor: 1)
            ])
            let producer = KafkaProducer(
                configuration: KafkaProducerConfiguration(client: cluster.configuration),
                cluster: cluster
            )
            for result in await producer.send(
                contentsOf: (0..<3).map {
                    KafkaProducerRecord(topic: topic, partition: 0, value: ByteBuffer(string: "\($0)"))
                }
            ) {
                _ = try result.get()
            }
            await producer.close()
            var configuration = KafkaConsumerConfiguration(client: cluster.configuration)
            configuration.fetchMaxWaitMs = 50
            let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
            let partition = TopicPartition(topic, 0)
            consumer.assign([partition])
            try await consumer.seek(partition, to: .earliest)
            var read = 0
            while read < 3 { read += try await consumer.poll(timeout: .seconds(10)).count }
            #expect(consumer.position(partition) == 3)
            #expect(consumer.highWatermark(partition) == 3)
            let more = try await consumer.poll(timeout: .milliseconds(300))
            #expect(more.isEmpty)
            await consumer.close()
        }
    }
}
