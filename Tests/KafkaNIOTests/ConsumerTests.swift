import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaNIO

/// The consumer against the fake broker.
@Suite struct ConsumerTests {
    static let partition = TopicPartition("t", 0)

    /// Serves partition t-0 from `batches`: a fetch at offset o gets every batch whose last offset
    /// is at or after o (whole batches, as a broker sends them). A fetch with nothing to return
    /// is answered empty after the request's `maxWaitMs`, like a broker's long poll.
    static func serving(
        _ batches: [ByteBuffer],
        highWatermark: Int64,
        listOffsets: (earliest: Int64, latest: Int64) = (0, 0)
    ) throws -> FakeKafkaBroker.Script {
        let log = try batches.map { bytes -> (lastOffset: Int64, bytes: ByteBuffer) in
            var reader = RecordBatchReader(bytes)
            let batch = try #require(try reader.next())
            return (batch.lastOffset, bytes)
        }
        return { request in
            switch request.api {
            case .fetch:
                guard let fetch = try? request.decode(FetchRequest.self) else { return .close }
                var hasData = false
                let topics = fetch.topics.map { topic in
                    FetchResponse.FetchableTopicResponse(
                        topic: topic.topic,
                        partitions: topic.partitions.map { partition in
                            var records = ByteBuffer()
                            if topic.topic == Self.partition.topic, partition.partition == Self.partition.partition {
                                for entry in log where entry.lastOffset >= partition.fetchOffset {
                                    records.writeImmutableBuffer(entry.bytes)
                                }
                            }
                            hasData = hasData || records.readableBytes > 0
                            return .init(
                                partitionIndex: partition.partition,
                                highWatermark: highWatermark,
                                lastStableOffset: highWatermark,
                                logStartOffset: 0,
                                records: records
                            )
                        }
                    )
                }
                let response: FakeKafkaBroker.Reply = .response(FetchResponse(responses: topics))
                return hasData ? response : .after(.milliseconds(Int64(fetch.maxWaitMs)), response)
            case .listOffsets:
                guard let lookup = try? request.decode(ListOffsetsRequest.self) else { return .close }
                return .response(
                    ListOffsetsResponse(
                        topics: lookup.topics.map { topic in
                            .init(
                                name: topic.name,
                                partitions: topic.partitions.map { partition in
                                    let offset = partition.timestamp == -2 ? listOffsets.earliest : listOffsets.latest
                                    return .init(
                                        partitionIndex: partition.partitionIndex,
                                        errorCode: 0,
                                        oldStyleOffsets: [offset],
                                        timestamp: -1,
                                        offset: offset
                                    )
                                }
                            )
                        }
                    )
                )
            default:
                return .standard
            }
        }
    }

    static func configuration(_ broker: FakeKafkaBroker) -> KafkaConsumerConfiguration {
        var configuration = KafkaConsumerConfiguration(client: clientConfiguration(broker))
        configuration.autoOffsetReset = .none
        configuration.fetchMaxWaitMs = 50
        return configuration
    }

    /// Polls until `count` records came back (bounded).
    static func poll(_ consumer: KafkaConsumer, count: Int) async throws -> [KafkaConsumerRecord] {
        try await withTimeout {
            var records: [KafkaConsumerRecord] = []
            while records.count < count { records += try await consumer.poll() }
            return records
        }
    }

    @Test func fetchedBatchesComeOutInOrderWithTheirOffsets() async throws {
        let batches = [
            try recordBatch(baseOffset: 0, values: ["a", "b", "c"]),
            try recordBatch(baseOffset: 3, values: ["d", "e"]),
        ]
        try await withFakeBroker(topics: ["t": 1], script: try Self.serving(batches, highWatermark: 5)) { broker in
            try await withConsumer(Self.configuration(broker)) { consumer in
                consumer.assign([Self.partition])
                #expect(consumer.assignment == [Self.partition])
                try await withTimeout { try await consumer.seek(Self.partition, to: .offset(0)) }
                let records = try await Self.poll(consumer, count: 5)
                #expect(records.map(\.offset) == [0, 1, 2, 3, 4])
                #expect(records.map { $0.value.text } == ["a", "b", "c", "d", "e"])
                #expect(records.map { $0.key.text } == ["k0", "k1", "k2", "k0", "k1"])
                #expect(records.allSatisfy { $0.topic == "t" && $0.partition == 0 && $0.timestampType == .createTime })
                #expect(records.first?.timestamp == 1_700_000_000_000)
                #expect(consumer.position(Self.partition) == 5)
                #expect(consumer.highWatermark(Self.partition) == 5)
                #expect(consumer.lag(Self.partition) == 0)

                let fetch = try #require(broker.requests(.fetch).first).decode(FetchRequest.self)
                #expect(fetch.topics.first?.partitions.first?.fetchOffset == 0)
                #expect(fetch.maxWaitMs == 50)
                #expect(broker.requests(.fetch).first?.version == 12, "Fetch is capped at v12")
            }
        }
    }

    @Test func controlBatchesAreSkipped() async throws {
        let batches = [
            try recordBatch(baseOffset: 0, values: ["a", "b"]),
            try RecordBatchBuilder.endTransactionMarker(
                .commit,
                baseOffset: 2,
                producerId: 9,
                producerEpoch: 0,
                timestamp: 1_700_000_000_100
            ),
            try recordBatch(baseOffset: 3, values: ["c", "d"]),
        ]
        try await withFakeBroker(topics: ["t": 1], script: try Self.serving(batches, highWatermark: 5)) { broker in
            try await withConsumer(Self.configuration(broker)) { consumer in
                consumer.assign([Self.partition])
                try await withTimeout { try await consumer.seek(Self.partition, to: .offset(0)) }
                let records = try await Self.poll(consumer, count: 4)
                #expect(records.map(\.offset) == [0, 1, 3, 4])
                #expect(records.map { $0.value.text } == ["a", "b", "c", "d"])
                #expect(consumer.position(Self.partition) == 5)
            }
        }
    }

    @Test func onlyAControlBatchMovesThePositionOn() async throws {
        let batches = [
            try RecordBatchBuilder.endTransactionMarker(
                .abort,
                baseOffset: 0,
                producerId: 9,
                producerEpoch: 0,
                timestamp: 1
            )
        ]
        try await withFakeBroker(topics: ["t": 1], script: try Self.serving(batches, highWatermark: 1)) { broker in
            try await withConsumer(Self.configuration(broker)) { consumer in
                consumer.assign([Self.partition])
                try await withTimeout { try await consumer.seek(Self.partition, to: .offset(0)) }
                try await eventually { consumer.position(Self.partition) == 1 }
                // The next fetch asks for offset 1.
                try await eventually {
                    broker.requests(.fetch).contains { request in
                        (try? request.decode(FetchRequest.self))?.topics.first?.partitions.first?.fetchOffset == 1
                    }
                }
            }
        }
    }

    @Test func seekIntoTheMiddleOfABatchSkipsTheEarlierRecords() async throws {
        let batches = [try recordBatch(baseOffset: 0, values: ["a", "b", "c", "d", "e"])]
        try await withFakeBroker(topics: ["t": 1], script: try Self.serving(batches, highWatermark: 5)) { broker in
            try await withConsumer(Self.configuration(broker)) { consumer in
                consumer.assign([Self.partition])
                try await withTimeout { try await consumer.seek(Self.partition, to: .offset(3)) }
                let records = try await Self.poll(consumer, count: 2)
                #expect(records.map(\.offset) == [3, 4])
                #expect(records.map { $0.value.text } == ["d", "e"])
                #expect(consumer.position(Self.partition) == 5)
                let fetch = try #require(broker.requests(.fetch).first).decode(FetchRequest.self)
                #expect(fetch.topics.first?.partitions.first?.fetchOffset == 3)
            }
        }
    }

    @Test func aDroppedFetchConnectionIsReopened() async throws {
        let batches = [try recordBatch(baseOffset: 0, values: ["a", "b"])]
        let serve = try Self.serving(batches, highWatermark: 2)
        let script: FakeKafkaBroker.Script = { request in
            request.api == .fetch && request.index == 0 ? .close : serve(request)
        }
        try await withFakeBroker(topics: ["t": 1], script: script) { broker in
            try await withConsumer(Self.configuration(broker)) { consumer in
                consumer.assign([Self.partition])
                try await withTimeout { try await consumer.seek(Self.partition, to: .offset(0)) }
                let records = try await Self.poll(consumer, count: 2)
                #expect(records.map(\.offset) == [0, 1])
                #expect(broker.requests(.fetch).count >= 2)
            }
        }
    }

    @Test func maxPollRecordsLimitsEachPoll() async throws {
        let batches = [try recordBatch(baseOffset: 0, values: (0..<10).map { "v\($0)" })]
        try await withFakeBroker(topics: ["t": 1], script: try Self.serving(batches, highWatermark: 10)) { broker in
            var configuration = Self.configuration(broker)
            configuration.maxPollRecords = 4
            try await withConsumer(configuration) { consumer in
                consumer.assign([Self.partition])
                try await withTimeout { try await consumer.seek(Self.partition, to: .offset(0)) }
                var sizes: [Int] = []
                var offsets: [Int64] = []
                while offsets.count < 10 {
                    let records = try await withTimeout { try await consumer.poll() }
                    sizes.append(records.count)
                    offsets += records.map(\.offset)
                }
                #expect(sizes.allSatisfy { $0 <= 4 })
                #expect(offsets == Array(0..<10))
                #expect(consumer.lag(Self.partition) == 0)
            }
        }
    }

    @Test func seekToEarliestLooksTheOffsetUp() async throws {
        let batches = [try recordBatch(baseOffset: 0, values: ["a", "b", "c", "d"])]
        let script = try Self.serving(batches, highWatermark: 4, listOffsets: (earliest: 2, latest: 4))
        try await withFakeBroker(topics: ["t": 1], script: script) { broker in
            try await withConsumer(Self.configuration(broker)) { consumer in
                consumer.assign([Self.partition])
                try await withTimeout { try await consumer.seek(Self.partition, to: .earliest) }
                #expect(consumer.position(Self.partition) == 2)
                let records = try await Self.poll(consumer, count: 2)
                #expect(records.map(\.offset) == [2, 3])
                let lookup = try #require(broker.requests(.listOffsets).first).decode(ListOffsetsRequest.self)
                #expect(lookup.topics.first?.partitions.first?.timestamp == -2)
            }
        }
    }

    @Test func autoOffsetResetEarliestStartsWithoutASeek() async throws {
        let batches = [try recordBatch(baseOffset: 5, values: ["x", "y"])]
        let script = try Self.serving(batches, highWatermark: 7, listOffsets: (earliest: 5, latest: 7))
        try await withFakeBroker(topics: ["t": 1], script: script) { broker in
            var configuration = Self.configuration(broker)
            configuration.autoOffsetReset = .earliest
            try await withConsumer(configuration) { consumer in
                consumer.assign([Self.partition])
                let records = try await Self.poll(consumer, count: 2)
                #expect(records.map(\.offset) == [5, 6])
                #expect(records.map { $0.value.text } == ["x", "y"])
            }
        }
    }

    @Test func offsetOutOfRangeWithoutResetPolicyIsThrownByPoll() async throws {
        let script: FakeKafkaBroker.Script = { request in
            guard request.api == .fetch else { return .standard }
            return .response(
                FetchResponse(responses: [
                    .init(
                        topic: "t",
                        partitions: [.init(partitionIndex: 0, errorCode: KafkaErrorCode.offsetOutOfRange.rawValue)]
                    )
                ])
            )
        }
        try await withFakeBroker(topics: ["t": 1], script: script) { broker in
            try await withConsumer(Self.configuration(broker)) { consumer in
                consumer.assign([Self.partition])
                try await withTimeout { try await consumer.seek(Self.partition, to: .offset(1_000)) }
                let error = await kafkaError { try await consumer.poll() }
                guard case .broker(let code, _)? = error, code == .offsetOutOfRange else {
                    Issue.record("expected OFFSET_OUT_OF_RANGE, got \(String(describing: error))")
                    return
                }
            }
        }
    }

    @Test func pollOnAClosedConsumerThrowsShutDown() async throws {
        try await withFakeBroker(topics: ["t": 1]) { broker in
            let consumer = KafkaConsumer(configuration: Self.configuration(broker))
            try await withTimeout { await consumer.close() }
            let error = await kafkaError { try await consumer.poll() }
            guard case .shutDown? = error else {
                Issue.record("expected shutDown, got \(String(describing: error))")
                return
            }
        }
    }

    @Test func seekOnAnUnassignedPartitionIsRejected() async throws {
        try await withFakeBroker(topics: ["t": 1]) { broker in
            try await withConsumer(Self.configuration(broker)) { consumer in
                let error = await kafkaError { try await consumer.seek(Self.partition, to: .offset(0)) }
                guard case .invalidArgument? = error else {
                    Issue.record("expected invalidArgument, got \(String(describing: error))")
                    return
                }
            }
        }
    }
}
