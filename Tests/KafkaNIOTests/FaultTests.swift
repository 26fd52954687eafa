import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaNIO

/// A broken or hostile broker must produce typed errors: no crash, no hang.
@Suite struct FaultTests {
    /// Answers Metadata with `reply`; everything else as usual.
    static func onMetadata(
        _ reply: @escaping @Sendable (FakeKafkaBroker.Request) -> FakeKafkaBroker.Reply
    ) -> FakeKafkaBroker.Script {
        { request in request.api == .metadata ? reply(request) : .standard }
    }

    static func bytes(_ values: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: values) }

    static func expectClosed(
        _ connection: BrokerConnection,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let channel = connection.channel
        try await withTimeout { try await channel.closeFuture.get() }
        #expect(!connection.isActive, sourceLocation: sourceLocation)
    }

    @Test func absurdLengthPrefixFailsFastWithFrameTooLarge() async throws {
        try await withFakeBroker(script: Self.onMetadata { _ in .raw(Self.bytes([0x7F, 0xFF, 0xFF, 0xF0])) }) {
            broker in
            let connection = try await connect(broker)
            let start = ContinuousClock.now
            let error = await kafkaError { try await connection.send(MetadataRequest(topics: [])) }
            let elapsed = start.duration(to: .now)
            guard case .protocolViolation(.frameTooLarge(let size, let maximum))? = error else {
                Issue.record("expected frameTooLarge, got \(String(describing: error))")
                return
            }
            #expect(size == 0x7FFF_FFF0)
            #expect(maximum == 256 << 20)
            // Well under request.timeout.ms (30 s): the frame is refused, not waited for.
            #expect(elapsed < .seconds(15))
            try await Self.expectClosed(connection)
        }
    }

    @Test func lengthPrefixAboveConfiguredMaximumIsRejected() async throws {
        // 2048 bytes announced, max.response.size.bytes = 1024: rejected before the body arrives.
        try await withFakeBroker(script: Self.onMetadata { _ in .raw(Self.bytes([0x00, 0x00, 0x08, 0x00])) }) {
            broker in
            var limited = clientConfiguration(broker)
            limited.maximumResponseSize = 1024
            let configuration = limited
            let connection = try await withTimeout {
                try await BrokerConnection.connect(to: broker.address, nodeID: 1, configuration: configuration)
            }
            let error = await kafkaError { try await connection.send(MetadataRequest(topics: [])) }
            guard case .protocolViolation(.frameTooLarge(2048, 1024))? = error else {
                Issue.record("expected frameTooLarge(2048, 1024), got \(String(describing: error))")
                return
            }
            try await Self.expectClosed(connection)
        }
    }

    @Test func negativeLengthPrefixIsATypedError() async throws {
        try await withFakeBroker(script: Self.onMetadata { _ in .raw(Self.bytes([0xFF, 0xFF, 0xFF, 0xFE])) }) {
            broker in
            let connection = try await connect(broker)
            let error = await kafkaError { try await connection.send(MetadataRequest(topics: [])) }
            guard case .protocolViolation(.invalidLength(-2))? = error else {
                Issue.record("expected invalidLength(-2), got \(String(describing: error))")
                return
            }
            try await Self.expectClosed(connection)
        }
    }

    @Test func truncatedFrameThenCloseIsConnectionClosed() async throws {
        // Announces 100 bytes, sends 10, closes.
        let partial = Self.bytes([0x00, 0x00, 0x00, 0x64] + Array(repeating: 0x01, count: 10))
        try await withFakeBroker(script: Self.onMetadata { _ in .rawThenClose(partial) }) { broker in
            let connection = try await connect(broker)
            let error = await kafkaError { try await connection.send(MetadataRequest(topics: [])) }
            guard case .connectionClosed? = error else {
                Issue.record("expected connectionClosed, got \(String(describing: error))")
                return
            }
            try await Self.expectClosed(connection)
        }
    }

    @Test func serverClosingWithoutAnswerIsConnectionClosed() async throws {
        try await withFakeBroker(script: Self.onMetadata { _ in .close }) { broker in
            let connection = try await connect(broker)
            let error = await kafkaError { try await connection.send(MetadataRequest(topics: [])) }
            guard case .connectionClosed? = error else {
                Issue.record("expected connectionClosed, got \(String(describing: error))")
                return
            }
            // Requests on the dead connection fail at once too.
            let again = await kafkaError { try await connection.send(MetadataRequest(topics: [])) }
            #expect(again != nil)
        }
    }

    @Test func truncatedBodyInsideCompleteFrameIsTruncatedError() async throws {
        try await withFakeBroker(
            topics: ["orders": 3, "payments": 2],
            script: Self.onMetadata { request in
                let response = MetadataResponse(
                    brokers: [.init(nodeId: 1, host: "127.0.0.1", port: 9092, rack: "rack-a")],
                    clusterId: "fake-cluster",
                    controllerId: 1,
                    topics: [
                        .init(
                            name: "orders",
                            partitions: (0..<3).map {
                                .init(partitionIndex: $0, leaderId: 1, replicaNodes: [1], isrNodes: [1])
                            }
                        )
                    ]
                )
                var body = ByteBuffer()
                try! response.write(into: &body, version: request.version)
                let half = body.getSlice(at: body.readerIndex, length: body.readableBytes / 2)!
                return .raw(
                    FakeKafkaBroker.responseFrame(
                        correlationID: request.correlationID,
                        flexibleHeader: MetadataResponse.isFlexible(request.version),
                        body: half
                    )
                )
            }
        ) { broker in
            let connection = try await connect(broker)
            let error = await kafkaError { try await connection.send(MetadataRequest(topics: nil)) }
            guard case .protocolViolation(.truncated)? = error else {
                Issue.record("expected truncated, got \(String(describing: error))")
                return
            }
        }
    }

    @Test func requestTimesOutWhenTheBrokerNeverAnswers() async throws {
        try await withFakeBroker(script: Self.onMetadata { _ in .noAnswer }) { broker in
            let connection = try await connect(broker, requestTimeoutMs: 200)
            let start = ContinuousClock.now
            let error = await kafkaError { try await connection.send(MetadataRequest(topics: [])) }
            let elapsed = start.duration(to: .now)
            guard case .requestTimedOut(let api, let timeoutMs)? = error else {
                Issue.record("expected requestTimedOut, got \(String(describing: error))")
                return
            }
            #expect(api == .metadata)
            #expect(timeoutMs == 200)
            #expect(elapsed >= .milliseconds(190))
            // Bounded (not the 30 s default): the 200 ms setting applies; generous for busy machines.
            #expect(elapsed < .seconds(15))
            // A connection with a timed-out request is closed (the Java client does the same).
            try await Self.expectClosed(connection)
        }
    }

    @Test func apiVersionsTimeoutFailsTheConnect() async throws {
        let script: FakeKafkaBroker.Script = { request in request.api == .apiVersions ? .noAnswer : .standard }
        try await withFakeBroker(script: script) { broker in
            let configuration = clientConfiguration(broker, requestTimeoutMs: 200)
            let error = await kafkaError {
                try await BrokerConnection.connect(to: broker.address, nodeID: 1, configuration: configuration)
            }
            guard case .requestTimedOut(.apiVersions, 200)? = error else {
                Issue.record("expected requestTimedOut(ApiVersions), got \(String(describing: error))")
                return
            }
        }
    }

    @Test func unknownCorrelationIDFailsTheRequestAndClosesTheConnection() async throws {
        try await withFakeBroker(
            script: Self.onMetadata { request in
                .raw(
                    FakeKafkaBroker.responseFrame(
                        correlationID: request.correlationID &+ 1000,
                        flexibleHeader: MetadataResponse.isFlexible(request.version),
                        body: ByteBuffer()
                    )
                )
            }
        ) { broker in
            let connection = try await connect(broker)
            let error = await kafkaError { try await connection.send(MetadataRequest(topics: [])) }
            guard case .protocolViolation(.corruptRecord(let message))? = error else {
                Issue.record("expected a protocol violation, got \(String(describing: error))")
                return
            }
            #expect(message.contains("correlation id"))
            try await Self.expectClosed(connection)
        }
    }

    @Test func apiVersionsNegotiationRetriesAtTheBrokersMaximum() async throws {
        var versions = FakeKafkaBroker.defaultApiVersions
        versions[ApiKey.apiVersions.rawValue] = 0...2
        try await withFakeBroker(topics: ["t": 1], apiVersions: versions) { broker in
            let connection = try await connect(broker)
            // v4 first, UNSUPPORTED_VERSION with the broker's range (encoded at v0), then v2.
            #expect(broker.requests(.apiVersions).map(\.version) == [4, 2])
            #expect(connection.apiVersions.ranges[ApiKey.apiVersions.rawValue] == 0...2)
            #expect(connection.apiVersions.version(for: MetadataRequest.self) == 12)
            let metadata = try await withTimeout {
                try await connection.send(MetadataRequest(topics: [.init(name: "t")]))
            }
            #expect(metadata.topics.map(\.name) == ["t"])
        }
    }

    @Test func apiVersionsNegotiationWithAV0OnlyBroker() async throws {
        var versions = FakeKafkaBroker.defaultApiVersions
        versions[ApiKey.apiVersions.rawValue] = 0...0
        versions[ApiKey.metadata.rawValue] = 0...1
        try await withFakeBroker(topics: ["t": 2], apiVersions: versions) { broker in
            let connection = try await connect(broker)
            #expect(broker.requests(.apiVersions).map(\.version) == [4, 0])
            #expect(connection.apiVersions.version(for: MetadataRequest.self) == 1)
            let metadata = try await withTimeout {
                try await connection.send(MetadataRequest(topics: [.init(name: "t")]))
            }
            #expect(metadata.topics.first?.partitions.count == 2)
            #expect(broker.requests(.metadata).map(\.version) == [1])
        }
    }

    @Test func unsupportedApiIsATypedError() async throws {
        var versions = FakeKafkaBroker.defaultApiVersions
        versions[ApiKey.metadata.rawValue] = 13...14  // newer than anything the client speaks
        try await withFakeBroker(apiVersions: versions) { broker in
            let connection = try await connect(broker)
            let error = await kafkaError { try await connection.send(MetadataRequest(topics: [])) }
            guard case .unsupportedAPI(.metadata)? = error else {
                Issue.record("expected unsupportedAPI(Metadata), got \(String(describing: error))")
                return
            }
        }
    }

    @Test func fetchedBatchWithBadCRCMakesPollThrow() async throws {
        var batch = try recordBatch(baseOffset: 0, values: ["alpha", "beta", "gamma"])
        let last = batch.writerIndex - 1
        batch.setInteger(batch.getInteger(at: last, as: UInt8.self)! ^ 0xFF, at: last)
        let corrupt = batch
        let script: FakeKafkaBroker.Script = { request in
            guard request.api == .fetch else { return .standard }
            return .response(
                FetchResponse(responses: [
                    .init(topic: "t", partitions: [.init(partitionIndex: 0, highWatermark: 3, records: corrupt)])
                ])
            )
        }
        try await withFakeBroker(topics: ["t": 1], script: script) { broker in
            var configuration = KafkaConsumerConfiguration(client: clientConfiguration(broker))
            configuration.autoOffsetReset = .none
            configuration.fetchMaxWaitMs = 50
            try await withConsumer(configuration) { consumer in
                let partition = TopicPartition("t", 0)
                consumer.assign([partition])
                try await withTimeout { try await consumer.seek(partition, to: .offset(0)) }
                let error = await kafkaError { try await consumer.poll() }
                guard case .protocolViolation(.crcMismatch)? = error else {
                    Issue.record("expected crcMismatch, got \(String(describing: error))")
                    return
                }
                // Nothing was handed out and the position did not move past the bad batch.
                #expect(consumer.position(partition) == 0)
            }
        }
    }

    /// Metadata answered with random bytes in a well-formed frame, 200 times (fixed seed): every
    /// request ends with a typed error (or, by chance, a valid response), never a crash or a hang.
    @Test func garbageMetadataResponsesGiveTypedErrors() async throws {
        let iterations = 200
        try await withFakeBroker(
            script: Self.onMetadata { request in
                var random = SplitMix64(seed: 0x5EED &+ UInt64(request.index))
                let length = Int.random(in: 0...64, using: &random)
                let garbage = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
                var frame = ByteBuffer()
                frame.writeInteger(Int32(4 + length))
                frame.writeInteger(request.correlationID)
                frame.writeBytes(garbage)
                return .raw(frame)
            }
        ) { broker in
            var connection = try await connect(broker)
            var failures = 0
            var successes = 0
            var attempts = 0
            // Loop until the broker has answered `iterations` requests with garbage: a request sent
            // on a connection the client has just failed (but not yet closed) fails without
            // reaching the broker, and does not count.
            while broker.requests(.metadata).count < iterations {
                attempts += 1
                try #require(attempts <= 2 * iterations)
                if !connection.isActive {
                    await connection.close()
                    connection = try await connect(broker)
                }
                let current = connection
                do {
                    _ = try await withTimeout { try await current.send(MetadataRequest(topics: nil)) }
                    successes += 1
                } catch is KafkaError {
                    failures += 1
                } catch {
                    Issue.record("attempt \(attempts): untyped error \(type(of: error)): \(error)")
                }
            }
            await connection.close()
            #expect(failures + successes == attempts)
            #expect(successes <= iterations / 10, "random bytes rarely make a valid Metadata response")
        }
    }
}
