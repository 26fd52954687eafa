import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaNIO

#if canImport(Glibc)
import Glibc
#endif

/// One connection against the fake broker: framing, headers, pipelining.
@Suite struct BrokerConnectionTests {
    @Test func requestHeadersCarryClientIDAndCorrelationIDs() async throws {
        try await withFakeBroker(topics: ["t": 2]) { broker in
            let connection = try await connect(broker)
            let metadata = try await withTimeout {
                try await connection.send(MetadataRequest(topics: [.init(name: "t")]))
            }
            #expect(metadata.brokers.map(\.nodeId) == [1])
            #expect(metadata.brokers.first?.port == Int32(broker.port))
            #expect(metadata.topics.first?.partitions.count == 2)

            let requests = broker.requests
            #expect(requests.map(\.api) == [.apiVersions, .metadata])
            #expect(requests.allSatisfy { $0.clientID == "kafka-nio-tests" })
            #expect(Set(requests.map(\.correlationID)).count == requests.count, "correlation ids are unique")
            // Both were sent at the newest version: flexible headers, parsed by the fake.
            #expect(requests.map(\.version) == [4, 12])
            let apiVersions = try requests[0].decode(ApiVersionsRequest.self)
            #expect(apiVersions.clientSoftwareName == "swift-connect")
            await connection.close()
        }
    }

    @Test func pipelinedRequestsAreMatchedWhenAnsweredOutOfOrder() async throws {
        // The first Metadata request is answered last.
        let script: FakeKafkaBroker.Script = { request in
            request.api == .metadata && request.index == 0 ? .after(.milliseconds(100), .standard) : .standard
        }
        try await withFakeBroker(topics: ["a": 1, "b": 2, "c": 3], script: script) { broker in
            let connection = try await connect(broker)
            let first = Task { try await connection.send(MetadataRequest(topics: [.init(name: "a")])) }
            try await eventually { broker.requests(.metadata).count == 1 }
            let answers = try await withTimeout {
                try await withThrowingTaskGroup(of: (String, Int).self) { group in
                    for topic in ["b", "c"] {
                        group.addTask {
                            let response = try await connection.send(MetadataRequest(topics: [.init(name: topic)]))
                            return (topic, response.topics.first?.partitions.count ?? -1)
                        }
                    }
                    var answers: [String: Int] = [:]
                    for try await (topic, count) in group { answers[topic] = count }
                    return answers
                }
            }
            #expect(answers == ["b": 2, "c": 3])
            let late = try await withTimeout { try await first.value }
            #expect(late.topics.map(\.name) == ["a"])
            #expect(late.topics.first?.partitions.count == 1)
            await connection.close()
        }
    }

    @Test func closingTheConnectionFailsOutstandingRequests() async throws {
        let script: FakeKafkaBroker.Script = { request in request.api == .metadata ? .noAnswer : .standard }
        try await withFakeBroker(script: script) { broker in
            let connection = try await connect(broker)
            let pending = Task { try await connection.send(MetadataRequest(topics: [])) }
            try await eventually { broker.requests(.metadata).count == 1 }
            await connection.close()
            let error = await kafkaError { try await pending.value }
            guard case .connectionClosed? = error else {
                Issue.record("expected connectionClosed, got \(String(describing: error))")
                return
            }
            #expect(!connection.isActive)
            let after = await kafkaError { try await connection.send(MetadataRequest(topics: [])) }
            #expect(after != nil)
        }
    }

    @Test func connectingToAClosedPortIsConnectionFailed() async throws {
        // A port bound but not listening refuses connections, and stays ours for the whole test
        // (a port freed by closing a listener was once taken by a parallel test's fake broker).
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var bound = sockaddr_in()
        bound.sin_family = sa_family_t(AF_INET)
        bound.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let port = withUnsafeMutablePointer(to: &bound) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address -> Int in
                guard bind(socketFD, address, length) == 0, getsockname(socketFD, address, &length) == 0 else {
                    return 0
                }
                return Int(UInt16(bigEndian: pointer.pointee.sin_port))
            }
        }
        try #require(port > 0)
        let address = KafkaBrokerAddress(host: "127.0.0.1", port: port)
        var configuration = KafkaClientConfiguration(bootstrapServers: [address])
        configuration.socketConnectionSetupTimeoutMs = 1_000
        let settings = configuration
        let error = await kafkaError {
            try await BrokerConnection.connect(to: address, nodeID: 1, configuration: settings)
        }
        guard case .connectionFailed? = error else {
            Issue.record("expected connectionFailed, got \(String(describing: error))")
            return
        }
    }

    /// A topic the broker does not know (and that is not to be auto-created) is final: the
    /// comment in `KafkaCluster.metadata(for:)` says so, and waiting out `request.timeout.ms`
    /// (30 s by default) for it helps nobody.
    @Test func unknownTopicIsReportedPromptly() async throws {
        try await withFakeBroker(topics: ["orders": 1]) { broker in
            let cluster = KafkaCluster(configuration: clientConfiguration(broker, requestTimeoutMs: 3_000))
            let start = ContinuousClock.now
            let error = await kafkaError { try await cluster.metadata(for: ["missing"]) }
            let elapsed = start.duration(to: .now)
            await cluster.shutdown()
            guard case .unknownTopicOrPartition(let topic, let partition)? = error else {
                Issue.record(
                    "expected unknownTopicOrPartition(missing) at once, got \(String(describing: error)) after \(elapsed)"
                )
                return
            }
            #expect(topic == "missing")
            #expect(partition == nil)
            #expect(broker.requests(.metadata).count <= 2, "not retried until the timeout")
        }
    }

    @Test func clusterRefreshesMetadataThroughTheBootstrapServer() async throws {
        try await withFakeBroker(topics: ["orders": 4]) { broker in
            let cluster = KafkaCluster(configuration: clientConfiguration(broker))
            let metadata = try await withTimeout { try await cluster.metadata(for: ["orders"]) }
            #expect(metadata.partitionCount(of: "orders") == 4)
            #expect(metadata.leader(of: TopicPartition("orders", 3))?.nodeID == 1)
            #expect(metadata.clusterID == "fake-cluster")
            let leader = try await withTimeout { try await cluster.leaderConnection(for: TopicPartition("orders", 0)) }
            #expect(leader.nodeID == 1)

            await cluster.shutdown()
            let afterShutdown = await kafkaError { try await cluster.anyConnection() }
            guard case .shutDown? = afterShutdown else {
                Issue.record("expected shutDown, got \(String(describing: afterShutdown))")
                return
            }
        }
    }
}
