extension KafkaProducer {
    /// The pending delivery results of records queued with ``KafkaProducer/enqueue(contentsOf:)``.
    public struct Delivery: Sendable {
        fileprivate let group: DeliveryGroup

        /// Waits until every record has a result; the result of each is at its index. Await it once.
        public func results() async -> [Result<RecordMetadata, KafkaError>] {
            await self.group.wait()
        }
    }

    /// Queues records and returns once they are in their partitions' batches (after waiting for
    /// partition metadata if a topic is new), without waiting for delivery.
    ///
    /// Records queued by successive calls keep their order within a partition, which concurrent
    /// ``send(contentsOf:)`` calls do not promise; the Connect runtime's source tasks pipeline
    /// batches this way.
    public func enqueue(contentsOf records: [KafkaProducerRecord]) async -> Delivery {
        let group = DeliveryGroup(count: records.count)
        await self.enqueue(records, group: group)
        return Delivery(group: group)
    }
}
