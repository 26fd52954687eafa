import ConnectAPI
import KafkaNIO
import Synchronization

/// Kafka's topic partition (ConnectAPI has its own type of the same name).
typealias KafkaTopicPartition = KafkaNIO.TopicPartition

extension ConnectAPI.TopicPartition {
    init(_ partition: KafkaTopicPartition) {
        self.init(partition.topic, partition.partition)
    }

    var kafka: KafkaTopicPartition { KafkaTopicPartition(topic, partition) }
}

/// The consumer operations a ``WorkerSinkTask`` uses: a seam so that the task loop can be tested
/// against a scripted consumer. ``KafkaConsumer`` is the real one.
public protocol SinkTaskConsumer: Sendable {
    /// Joins the group and consumes `topics`; `listener` hears of assignments and revocations.
    func subscribe(topics: [String], rebalanceListener: any ConsumerRebalanceListener) async throws
    /// Joins the group and consumes the topics matching `pattern`.
    func subscribe(pattern: String, rebalanceListener: any ConsumerRebalanceListener) async throws
    /// Records, or an empty array after `timeout`; throws `CancellationError` when cancelled.
    func poll(timeout: Duration) async throws -> [KafkaConsumerRecord]
    /// Stops returning records of these partitions.
    func pause(_ partitions: [KafkaNIO.TopicPartition])
    /// Returns records of these partitions again.
    func resume(_ partitions: [KafkaNIO.TopicPartition])
    /// Moves a partition's position.
    func seek(_ partition: KafkaNIO.TopicPartition, toOffset offset: Int64) async throws
    /// The next offset to be returned for a partition, once known.
    func position(_ partition: KafkaNIO.TopicPartition) -> Int64?
    /// Commits offsets (the next offsets to read) and waits for the answer.
    func commit(_ offsets: [KafkaNIO.TopicPartition: Int64]) async throws
    /// Leaves the group and closes.
    func close() async
}

extension KafkaConsumer: SinkTaskConsumer {
    public func subscribe(topics: [String], rebalanceListener: any ConsumerRebalanceListener) async throws {
        try await subscribe(topics: topics, listener: rebalanceListener)
    }

    public func subscribe(pattern: String, rebalanceListener: any ConsumerRebalanceListener) async throws {
        try await subscribe(pattern: pattern, listener: rebalanceListener)
    }

    public func seek(_ partition: KafkaNIO.TopicPartition, toOffset offset: Int64) async throws {
        try await seek(partition, to: .offset(offset))
    }

    public func commit(_ offsets: [KafkaNIO.TopicPartition: Int64]) async throws {
        try await commitSync(offsets)
    }
}

/// The consumer poll a sink task is waiting in, so that a commit request, a seek or a stop can end it
/// early (Kafka's `consumer.wakeup()`).
final class PollWakeup: Sendable {
    private let current = Mutex<Task<[KafkaConsumerRecord], any Error>?>(nil)

    func set(_ task: Task<[KafkaConsumerRecord], any Error>?) {
        current.withLock { $0 = task }
    }

    func wakeup() {
        current.withLock { $0 }?.cancel()
    }
}
