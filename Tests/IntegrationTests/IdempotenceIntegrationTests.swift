import Foundation
import KafkaNIO
import KafkaProtocol
import NIOCore
import Testing

/// A lost Produce response against the real broker: the broker wrote the batch, the client never
/// heard, and retries. The idempotent producer's retry is deduplicated by the broker; the plain
/// producer's is written twice (which shows the fault really happens).
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct IdempotenceIntegrationTests {
    @Test(arguments: [true, false])
    func aRetriedBatchAfterALostResponseIsWrittenOncePerIdempotence(idempotent: Bool) async throws {
        try await FaultyBroker.with { bootstrap in
            var client = KafkaClientConfiguration(
                bootstrapServers: try KafkaClientConfiguration.parseBootstrapServers(bootstrap)
            )
            client.requestTimeoutMs = 10_000
            client.retryBackoffMs = 20
            let topic = TestEnvironment.uniqueTopic("idempotence")
            let cluster = KafkaCluster(configuration: client)
            do {
                try await KafkaAdminClient(cluster: cluster).createTopics([
                    .init(name: topic, partitions: 1, replicationFactor: 1)
                ])
                var configuration = KafkaProducerConfiguration(client: client)
                configuration.enableIdempotence = idempotent
                configuration.lingerMs = 50
                let producer = KafkaProducer(configuration: configuration, cluster: cluster)
                let results = await producer.send(
                    contentsOf: (0..<100).map {
                        KafkaProducerRecord(topic: topic, partition: 0, value: ByteBuffer(string: "r\($0)"))
                    }
                )
                await producer.close()
                for result in results { _ = try result.get() }

                let end = try await Self.endOffset(cluster: cluster, topic: topic)
                if idempotent {
                    #expect(end == 100, "the retried batch must not be written twice")
                    let values = try await ClientIntegrationTests.readValues(
                        cluster: cluster,
                        topic: topic,
                        partition: 0,
                        from: .earliest,
                        count: 100
                    )
                    #expect(values == (0..<100).map { "r\($0)" })
                } else {
                    #expect(end == 200, "without idempotence the lost response makes the retry a duplicate")
                }
            } catch {
                await cluster.shutdown()
                throw error
            }
            await cluster.shutdown()
        }
    }

    /// The log end offset, from a fetch's high watermark (the test broker's ListOffsets(latest) is wrong).
    static func endOffset(cluster: KafkaCluster, topic: String) async throws -> Int64 {
        var configuration = KafkaConsumerConfiguration(client: cluster.configuration)
        configuration.fetchMaxWaitMs = 50
        let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
        let partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        try await consumer.seek(partition, to: .earliest)
        _ = try await consumer.poll()
        let end = consumer.highWatermark(partition)
        await consumer.close()
        return end ?? -1
    }
}

/// A broker of its own behind scripts/interop/fault_proxy.py, which drops the first Produce
/// response. The broker advertises the proxy's address so that every connection goes through it.
enum FaultyBroker {
    static func with(_ body: (String) async throws -> Void) async throws {
        guard let tansu = ProcessInfo.processInfo.environment["SWIFTCONNECT_TANSU"] else {
            throw TestFailure("SWIFTCONNECT_TANSU is not set: run the tests through scripts/test-broker run --")
        }
        let brokerPort = try TestEnvironment.freePort()
        let proxyPort = try TestEnvironment.freePort()
        let broker = try launch(
            tansu,
            [
                "broker", "--listener-url", "tcp://127.0.0.1:\(brokerPort)",
                "--advertised-listener-url", "tcp://127.0.0.1:\(proxyPort)",
            ]
        )
        defer { stop(broker) }
        let proxy = try launch(
            TestEnvironment.python,
            [
                TestEnvironment.repositoryRoot.appendingPathComponent("scripts/interop/fault_proxy.py").path,
                "--listen", "\(proxyPort)", "--upstream", "127.0.0.1:\(brokerPort)", "--drop-produce-response", "1",
            ]
        )
        defer { stop(proxy) }
        try await waitUntilAnswering(port: brokerPort)
        try await waitUntilAnswering(port: proxyPort)
        try await body("127.0.0.1:\(proxyPort)")
    }

    /// Kills a helper process and reaps it. SIGKILL, because a child of the test runner may start
    /// with SIGTERM blocked (it inherits the signal mask), and `terminate()` then does nothing.
    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    static func launch(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits (at most 10 s) until a Kafka client can negotiate ApiVersions on the port.
    static func waitUntilAnswering(port: Int) async throws {
        let configuration = KafkaClientConfiguration(bootstrapServers: [
            KafkaBrokerAddress(host: "127.0.0.1", port: port)
        ])
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                let connection = try await BrokerConnection.connect(
                    to: configuration.bootstrapServers[0],
                    nodeID: -1,
                    configuration: configuration
                )
                await connection.close()
                return
            } catch {
                if ContinuousClock.now >= deadline { throw TestFailure("nothing answered on port \(port): \(error)") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

}
