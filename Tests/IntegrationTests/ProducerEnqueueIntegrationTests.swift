import KafkaNIO
import NIOCore
import Testing

/// `KafkaProducer.enqueue(contentsOf:)`: batches queued one after another keep their order.
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct ProducerEnqueueIntegrationTests {
    @Test func batchesQueuedWithoutWaitingKeepTheirOrder() async throws {
        let topic = TestEnvironment.uniqueTopic("enqueue")
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 1, replicationFactor: 1)
            ])
            let producer = KafkaProducer(
                configuration: KafkaProducerConfiguration(client: cluster.configuration),
                cluster: cluster
            )
            var deliveries: [KafkaProducer.Delivery] = []
            for batch in 0..<20 {
                deliveries.append(
                    await producer.enqueue(
                        contentsOf: (0..<100).map {
                            KafkaProducerRecord(topic: topic, value: ByteBuffer(string: "\(batch)-\($0)"))
                        }
                    )
                )
            }
            var offsets: [Int64] = []
            for delivery in deliveries { offsets += try await delivery.results().map { try $0.get().offset } }
            await producer.close()
            #expect(offsets == Array(0..<2000))
            try await KafkaAdminClient(cluster: cluster).deleteTopics([topic])
        }
    }
}
