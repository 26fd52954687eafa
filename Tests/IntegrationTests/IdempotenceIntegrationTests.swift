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
        // The proxy drops the first Produce response.
        try await BrokerBehindProxy.with(proxy: "fault_proxy.py", ["--drop-produce-response", "1"]) { port in
            let bootstrap = "127.0.0.1:\(port)"
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
