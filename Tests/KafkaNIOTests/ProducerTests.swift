import KafkaProtocol
import NIOCore
import Synchronization
import Testing

@testable import KafkaNIO

/// The producer against the fake broker.
@Suite struct ProducerTests {
    /// Answers Produce: `errorCode(request index, partition)` per partition (0 = success with
    /// offsets from `baseOffset`); other APIs as usual.
    static func produceScript(
        baseOffset: Int64 = 100,
        errorCode: @escaping @Sendable (Int, Int32) -> Int16 = { _, _ in 0 }
    ) -> FakeKafkaBroker.Script {
        { request in
            guard request.api == .produce else { return .standard }
            guard let produce = try? request.decode(ProduceRequest.self) else { return .close }
            if produce.acks == 0 { return .noAnswer }
            return .response(
                ProduceResponse(
                    responses: produce.topicData.map { topic in
                        .init(
                            name: topic.name,
                            partitionResponses: topic.partitionData.map { partition in
                                let code = errorCode(request.index, partition.index)
                                return .init(
                                    index: partition.index,
                                    errorCode: code,
                                    baseOffset: code == 0 ? baseOffset : -1,
                                    errorMessage: code == 0 ? nil : "scripted error"
                                )
                            }
                        )
                    }
                )
            )
        }
    }

    static func configuration(_ broker: FakeKafkaBroker) -> KafkaProducerConfiguration {
        var configuration = KafkaProducerConfiguration(client: clientConfiguration(broker))
        configuration.lingerMs = 1
        configuration.deliveryTimeoutMs = 10_000
        return configuration
    }

    static func records(_ values: [String], partition: Int32? = 0, topic: String = "t") -> [KafkaProducerRecord] {
        values.enumerated().map { index, value in
            KafkaProducerRecord(
                topic: topic,
                partition: partition,
                key: ByteBuffer(string: "key-\(index)"),
                value: ByteBuffer(string: value),
                timestamp: 1_700_000_000_000 + Int64(index)
            )
        }
    }

    /// What the broker received in its Produce requests: (acks, topic, partition, values) per batch.
    static func producedBatches(
        _ broker: FakeKafkaBroker
    ) throws -> [(acks: Int16, topicPartition: TopicPartition, records: [Record])] {
        try broker.requests(.produce).flatMap { request in
            let produce = try request.decode(ProduceRequest.self)
            return try produce.topicData.flatMap { topic in
                try topic.partitionData.map { partition in
                    (produce.acks, TopicPartition(topic.name, partition.index), try decodeRecords(partition.records))
                }
            }
        }
    }

    @Test func sendDeliversADecodableProduceRequestAndReturnsOffsets() async throws {
        try await withFakeBroker(topics: ["t": 3], script: Self.produceScript(baseOffset: 100)) { broker in
            try await withProducer(Self.configuration(broker)) { producer in
                let values = ["alpha", "beta", "gamma"]
                let results = try await withTimeout {
                    await producer.send(contentsOf: Self.records(values, partition: 1))
                }
                let metadata = try results.map { try $0.get() }
                #expect(metadata.map(\.offset) == [100, 101, 102])
                #expect(metadata.allSatisfy { $0.topic == "t" && $0.partition == 1 })
                #expect(metadata.map(\.timestamp) == [1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_002])

                let batches = try Self.producedBatches(broker)
                #expect(batches.count == 1)
                let batch = try #require(batches.first)
                #expect(batch.acks == -1)
                #expect(batch.topicPartition == TopicPartition("t", 1))
                #expect(batch.records.map { $0.value.text } == values)
                #expect(batch.records.map { $0.key.text } == ["key-0", "key-1", "key-2"])
                #expect(batch.records.map(\.offset) == [0, 1, 2])
                #expect(batch.records.map(\.timestamp) == [1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_002])

                // The request went out at the highest version both sides speak.
                #expect(broker.requests(.produce).map(\.version) == [ProduceRequest.validVersions.upperBound])
                #expect(broker.requests(.produce).first?.clientID == "kafka-nio-tests")
            }
        }
    }

    @Test func singleSendReturnsItsMetadata() async throws {
        try await withFakeBroker(topics: ["t": 3], script: Self.produceScript(baseOffset: 7)) { broker in
            try await withProducer(Self.configuration(broker)) { producer in
                let record = KafkaProducerRecord(topic: "t", partition: 2, value: ByteBuffer(string: "one"))
                let metadata = try await withTimeout { try await producer.send(record) }
                #expect(metadata.offset == 7)
                #expect(metadata.partition == 2)
            }
        }
    }

    @Test func keyedRecordsGoToTheMurmur2Partition() async throws {
        try await withFakeBroker(topics: ["t": 12], script: Self.produceScript()) { broker in
            try await withProducer(Self.configuration(broker)) { producer in
                let keys = ["21", "foobar", "abc", "a-little-bit-longer-string"]
                let records = keys.map {
                    KafkaProducerRecord(topic: "t", key: ByteBuffer(string: $0), value: ByteBuffer(string: $0))
                }
                let results = try await withTimeout { await producer.send(contentsOf: records) }
                let partitions = try results.map { try $0.get().partition }
                #expect(partitions == [0, 6, 3, 11])
                for batch in try Self.producedBatches(broker) {
                    for record in batch.records {
                        #expect(
                            Murmur2Partitioner.partition(forKey: record.key!, partitionCount: 12)
                                == batch.topicPartition.partition
                        )
                    }
                }
            }
        }
    }

    @Test func notLeaderOnceIsRetriedAndDeliveredOnceInOrder() async throws {
        let script = Self.produceScript(baseOffset: 40) { index, _ in
            index == 0 ? KafkaErrorCode.notLeaderOrFollower.rawValue : 0
        }
        try await withFakeBroker(topics: ["t": 1], script: script) { broker in
            try await withProducer(Self.configuration(broker)) { producer in
                let values = (0..<5).map { "record-\($0)" }
                let results = try await withTimeout { await producer.send(contentsOf: Self.records(values)) }
                let metadata = try results.map { try $0.get() }
                #expect(metadata.map(\.offset) == [40, 41, 42, 43, 44])

                let batches = try Self.producedBatches(broker)
                #expect(batches.count == 2, "one failed attempt, one retry")
                // The retry carries the very same records, in order; only one attempt succeeded.
                #expect(batches.allSatisfy { $0.records.map { $0.value.text } == values })
                #expect(batches.allSatisfy { $0.topicPartition == TopicPartition("t", 0) })
            }
        }
    }

    @Test func aDroppedConnectionIsRetriedOnANewOne() async throws {
        let answer = Self.produceScript(baseOffset: 0)
        let script: FakeKafkaBroker.Script = { request in
            request.api == .produce && request.index == 0 ? .close : answer(request)
        }
        try await withFakeBroker(topics: ["t": 1], script: script) { broker in
            try await withProducer(Self.configuration(broker)) { producer in
                let results = try await withTimeout { await producer.send(contentsOf: Self.records(["a", "b"])) }
                #expect(try results.map { try $0.get().offset } == [0, 1])
                #expect(broker.requests(.produce).count == 2)
                #expect(broker.connectionCount >= 2)
            }
        }
    }

    @Test func aTimedOutProduceIsRetried() async throws {
        let answer = Self.produceScript(baseOffset: 0)
        let script: FakeKafkaBroker.Script = { request in
            request.api == .produce && request.index == 0 ? .noAnswer : answer(request)
        }
        try await withFakeBroker(topics: ["t": 1], script: script) { broker in
            var configuration = Self.configuration(broker)
            configuration.client.requestTimeoutMs = 300
            try await withProducer(configuration) { producer in
                let results = try await withTimeout { await producer.send(contentsOf: Self.records(["a", "b"])) }
                #expect(try results.map { try $0.get().offset } == [0, 1])
                #expect(
                    try Self.producedBatches(broker).map { $0.records.map { $0.value.text } } == [
                        ["a", "b"], ["a", "b"],
                    ]
                )
            }
        }
    }

    @Test func retriableErrorWithRetriesExhaustedSurfaces() async throws {
        let script = Self.produceScript { _, _ in KafkaErrorCode.notLeaderOrFollower.rawValue }
        try await withFakeBroker(topics: ["t": 1], script: script) { broker in
            var configuration = Self.configuration(broker)
            configuration.retries = 2
            try await withProducer(configuration) { producer in
                let results = try await withTimeout { await producer.send(contentsOf: Self.records(["a", "b"])) }
                for result in results {
                    guard case .failure(.broker(let code, _)) = result else {
                        Issue.record("expected NOT_LEADER_OR_FOLLOWER, got \(result)")
                        continue
                    }
                    #expect(code == .notLeaderOrFollower)
                }
                #expect(broker.requests(.produce).count == 3, "the first attempt and two retries")
            }
        }
    }

    @Test func nonRetriableErrorFailsEveryRecordOfThePartition() async throws {
        let script = Self.produceScript { _, partition in
            partition == 0 ? KafkaErrorCode.messageTooLarge.rawValue : 0
        }
        try await withFakeBroker(topics: ["t": 2], script: script) { broker in
            try await withProducer(Self.configuration(broker)) { producer in
                let records = Self.records(["a", "b"], partition: 0) + Self.records(["c"], partition: 1)
                let results = try await withTimeout { await producer.send(contentsOf: records) }
                #expect(results.count == 3)
                for result in results.prefix(2) {
                    guard case .failure(.broker(let code, let message)) = result else {
                        Issue.record("expected MESSAGE_TOO_LARGE, got \(result)")
                        continue
                    }
                    #expect(code == .messageTooLarge)
                    #expect(message == "scripted error")
                }
                #expect((try? results[2].get())?.offset == 100, "the other partition succeeds")
                #expect(broker.requests(.produce).count == 1, "not retried")

                let error = await kafkaError {
                    try await producer.send(
                        KafkaProducerRecord(topic: "t", partition: 0, value: ByteBuffer(string: "x"))
                    )
                }
                guard case .broker(let code, _)? = error, code == .messageTooLarge else {
                    Issue.record("expected MESSAGE_TOO_LARGE from send, got \(String(describing: error))")
                    return
                }
            }
        }
    }

    @Test func recordsLargerThanMaxRequestSizeFailWithoutARequest() async throws {
        try await withFakeBroker(topics: ["t": 1], script: Self.produceScript()) { broker in
            var configuration = Self.configuration(broker)
            configuration.maxRequestSize = 100
            try await withProducer(configuration) { producer in
                let big = KafkaProducerRecord(topic: "t", partition: 0, value: ByteBuffer(repeating: 1, count: 200))
                let error = await kafkaError { try await producer.send(big) }
                guard case .broker(let code, _)? = error, code == .messageTooLarge else {
                    Issue.record("expected MESSAGE_TOO_LARGE, got \(String(describing: error))")
                    return
                }
                #expect(broker.requests(.produce).isEmpty)
            }
        }
    }

    @Test func unknownPartitionFailsAtOnce() async throws {
        try await withFakeBroker(topics: ["t": 2], script: Self.produceScript()) { broker in
            try await withProducer(Self.configuration(broker)) { producer in
                let error = await kafkaError {
                    try await producer.send(
                        KafkaProducerRecord(topic: "t", partition: 5, value: ByteBuffer(string: "x"))
                    )
                }
                guard case .unknownTopicOrPartition(let topic, let partition)? = error, topic == "t", partition == 5
                else {
                    Issue.record("expected unknownTopicOrPartition(t, 5), got \(String(describing: error))")
                    return
                }
            }
        }
    }

    @Test func acksZeroSendsWithoutWaitingForAnAnswer() async throws {
        try await withFakeBroker(topics: ["t": 1], script: Self.produceScript()) { broker in
            var configuration = Self.configuration(broker)
            configuration.acks = 0
            try await withProducer(configuration) { producer in
                let results = try await withTimeout { await producer.send(contentsOf: Self.records(["a", "b"])) }
                #expect(try results.map { try $0.get().offset } == [-1, -1])
                try await eventually { broker.requests(.produce).count == 1 }
                let batches = try Self.producedBatches(broker)
                #expect(batches.first?.acks == 0)
                #expect(batches.first?.records.map { $0.value.text } == ["a", "b"])
            }
        }
    }

    @Test func flushSendsLingeringRecords() async throws {
        try await withFakeBroker(topics: ["t": 1], script: Self.produceScript()) { broker in
            var configuration = Self.configuration(broker)
            configuration.lingerMs = 60_000
            try await withProducer(configuration) { producer in
                // Queue the record (enqueue returns once it sits in its batch), then flush.
                let group = DeliveryGroup(count: 1)
                try await withTimeout { await producer.enqueue(Self.records(["lingering"]), group: group) }
                try await withTimeout { await producer.flush() }
                let results = try await withTimeout { await group.wait() }
                #expect((try? results[0].get())?.offset == 100)
            }
        }
    }

    @Test func sendAfterCloseFailsWithShutDown() async throws {
        try await withFakeBroker(topics: ["t": 1], script: Self.produceScript()) { broker in
            let producer = KafkaProducer(configuration: Self.configuration(broker))
            try await withTimeout { await producer.close() }
            let error = await kafkaError {
                try await producer.send(
                    KafkaProducerRecord(topic: "t", partition: 0, value: ByteBuffer(string: "late"))
                )
            }
            guard case .shutDown? = error else {
                Issue.record("expected shutDown, got \(String(describing: error))")
                return
            }
        }
    }
}
