import ConnectAPI
import KafkaNIO
import KafkaProtocol
import Logging
import NIOCore
import Synchronization

/// One of distributed mode's internal topics as the worker configures it.
public struct InternalTopicSettings: Sendable, Hashable {
    /// The topic's name.
    public var name: String
    /// Partitions to create it with; -1 leaves it to the broker's default.
    public var partitions: Int32
    /// Replication factor to create it with; -1 leaves it to the broker's default.
    public var replicationFactor: Int16
    /// Further topic configs to create it with (`cleanup.policy=compact` is always added).
    public var configs: [String: String]
    /// The worker setting that names the topic (`config.storage.topic`, ...), for error messages.
    public var setting: String
    /// What the topic holds ("connector configurations", ...), for error messages.
    public var purpose: String
    /// Whether the topic must have exactly one partition (the config topic).
    public var requiresSinglePartition: Bool

    /// Settings for one internal topic.
    public init(
        name: String,
        partitions: Int32,
        replicationFactor: Int16,
        configs: [String: String] = [:],
        setting: String,
        purpose: String,
        requiresSinglePartition: Bool = false
    ) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
        self.setting = setting
        self.purpose = purpose
        self.requiresSinglePartition = requiresSinglePartition
    }
}

/// A compacted topic read as a log (Kafka Connect's `KafkaBasedLog`): on ``start()`` it creates the
/// topic if absent, checks it is compacted (and for the config topic that it has one partition),
/// reads every partition from the beginning with an *assigned* consumer (no group) and keeps
/// tailing it, handing each record to `consumed` in offset order per partition. ``readToEnd()``
/// returns once every record written before the call has been handed over; ``send(key:value:)``
/// writes through an idempotent producer with `acks=all` and returns when the broker acknowledged.
///
/// `consumed` runs on the log's reader task, one record at a time; it must not block.
public final class KafkaBasedLog: Sendable {
    /// The topic.
    public let topic: InternalTopicSettings
    private let producerConfiguration: KafkaProducerConfiguration
    private let consumerConfiguration: KafkaConsumerConfiguration
    private let consumed: @Sendable (KafkaConsumerRecord) -> Void
    private let logger: Logger
    /// How long the reader waits for records before it looks at its position again (a fetch that
    /// returns only control batches moves the position without handing out a record).
    private let idlePoll: Duration = .milliseconds(100)

    private struct Waiter {
        var ends: [KafkaNIO.TopicPartition: Int64]
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var producer: KafkaProducer?
        var consumer: KafkaConsumer?
        var reader: Task<Void, Never>?
        var partitions: [KafkaNIO.TopicPartition] = []
        var waiters: [Int: Waiter] = [:]
        var nextWaiter = 0
        var isStopped = false
    }

    private let state = Mutex(State())

    /// A log of `topic`; nothing happens before ``start()``.
    /// - Parameters:
    ///   - producerConfiguration: The writer's settings; `acks=all` and idempotence are forced.
    ///   - consumerConfiguration: The reader's settings; it never joins a group.
    ///   - consumed: Called with each record read, in order per partition.
    public init(
        topic: InternalTopicSettings,
        producerConfiguration: KafkaProducerConfiguration,
        consumerConfiguration: KafkaConsumerConfiguration,
        logger: Logger = Logger(label: "swift-connect.kafka-based-log"),
        consumed: @escaping @Sendable (KafkaConsumerRecord) -> Void
    ) {
        self.topic = topic
        var producer = producerConfiguration
        producer.acks = -1
        producer.enableIdempotence = true
        self.producerConfiguration = producer
        var consumer = consumerConfiguration
        consumer.groupID = nil
        consumer.enableAutoCommit = false
        consumer.autoOffsetReset = .earliest
        self.consumerConfiguration = consumer
        self.consumed = consumed
        self.logger = logger
    }

    /// The partitions read (known after ``start()``).
    public var partitions: [KafkaNIO.TopicPartition] { state.withLock { $0.partitions } }

    /// Creates or checks the topic, starts reading from the beginning and returns once everything
    /// already in the topic has been consumed.
    /// - Throws: ``ConfigError`` when the topic exists with the wrong cleanup policy or (config topic)
    ///   more than one partition; ``KafkaError`` when the broker cannot be reached or refuses.
    public func start() async throws {
        let producer = KafkaProducer(configuration: producerConfiguration, logger: logger)
        let consumer = KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        state.withLock {
            $0.producer = producer
            $0.consumer = consumer
        }
        do {
            // The producer's connections carry the admin requests: produce requests are short,
            // while the consumer's connection sits in long-polling fetches.
            let admin = KafkaAdminClient(cluster: producer.cluster)
            let partitions = try await ensureTopic(admin)
            consumer.assign(partitions)
            for partition in partitions { try await consumer.seek(partition, to: .earliest) }
            let reader = Task { [self] in await self.read(consumer) }
            state.withLock {
                $0.partitions = partitions
                $0.reader = reader
            }
            try await readToEnd()
        } catch {
            await stop()
            throw error
        }
    }

    /// Stops reading and writing; pending ``readToEnd()`` calls fail with ``KafkaError/shutDown``.
    public func stop() async {
        let (producer, consumer, reader, waiters) = state.withLock { state in
            state.isStopped = true
            defer {
                state.waiters = [:]
                state.producer = nil
                state.consumer = nil
                state.reader = nil
            }
            return (state.producer, state.consumer, state.reader, Array(state.waiters.values))
        }
        for waiter in waiters { waiter.continuation.resume(throwing: KafkaError.shutDown) }
        reader?.cancel()
        await reader?.value
        await consumer?.close()
        await producer?.close()
    }

    /// Returns once every record written to the topic before this call has been passed to
    /// `consumed` (Kafka's `readToEnd`: the end offsets are captured first, then consumption waits
    /// to reach them).
    ///
    /// End offsets are the high watermarks a Fetch reports: the test broker answers
    /// ListOffsets(latest) wrongly (notes in docs/compatibility.md), and on Kafka both agree.
    /// - Parameter timeout: Gives up after this long (nil: waits until stopped).
    /// - Throws: ``ConnectError`` on timeout, ``KafkaError/shutDown`` when stopped.
    public func readToEnd(timeout: Duration? = nil) async throws {
        guard let timeout else { return try await waitForEnd() }
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await self.waitForEnd()
                return true
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            defer { group.cancelAll() }
            if try await group.next() == false {
                throw ConnectError(
                    "timed out after \(timeout) reading topic '\(topic.name)' (\(topic.setting)) to its end; "
                        + "check that the brokers are reachable"
                )
            }
        }
    }

    private func waitForEnd() async throws {
        let (producer, partitions, stopped) = state.withLock { ($0.producer, $0.partitions, $0.isStopped) }
        guard let producer, !stopped else { throw KafkaError.shutDown }
        // A read_committed reader (the offsets topic under exactly-once) ends at the last stable
        // offsets: an open transaction's records are not readable yet.
        let ends = try await KafkaAdminClient(cluster: producer.cluster).highWatermarks(
            Set(partitions),
            isolationLevel: consumerConfiguration.isolationLevel
        )
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let refused: (any Error)? = state.withLock { state in
                    if state.isStopped { return KafkaError.shutDown }
                    if Task.isCancelled { return CancellationError() }
                    state.waiters[id] = Waiter(ends: ends, continuation: continuation)
                    return nil
                }
                if let refused { continuation.resume(throwing: refused) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Writes a record (the partition is chosen by murmur2 of the key, as Kafka's default
    /// partitioner does) and returns when the broker acknowledged it.
    @discardableResult
    public func send(key: [UInt8]?, value: [UInt8]?) async throws -> KafkaNIO.RecordMetadata {
        try await send([(key: key, value: value)])[0].get()
    }

    /// Writes records in order and waits for all of them; the result of each is at its index.
    public func send(
        _ records: [(key: [UInt8]?, value: [UInt8]?)]
    ) async throws -> [Result<KafkaNIO.RecordMetadata, KafkaError>] {
        guard let producer = state.withLock({ $0.isStopped ? nil : $0.producer }) else { throw KafkaError.shutDown }
        return await producer.send(
            contentsOf: records.map { record in
                KafkaProducerRecord(
                    topic: topic.name,
                    key: record.key.map { ByteBuffer(bytes: $0) },
                    value: record.value.map { ByteBuffer(bytes: $0) }
                )
            }
        )
    }

    // MARK: Topic

    private func ensureTopic(_ admin: KafkaAdminClient) async throws -> [KafkaNIO.TopicPartition] {
        var configs = topic.configs
        configs["cleanup.policy"] = "compact"
        // Create first: a Metadata request for a missing topic makes the test broker (and Kafka
        // with auto.create.topics.enable) create it with its default settings.
        do {
            try await admin.createTopics([
                .init(
                    name: topic.name,
                    partitions: topic.partitions,
                    replicationFactor: topic.replicationFactor,
                    configs: configs
                )
            ])
            logger.info("created topic '\(topic.name)' (\(topic.setting))")
        } catch KafkaError.broker(let code, _) where code == .topicAlreadyExists {
            logger.debug("topic '\(topic.name)' (\(topic.setting)) exists")
        } catch KafkaError.broker(let code, let message)
            where code == .topicAuthorizationFailed || code == .clusterAuthorizationFailed
            || code == .unsupportedVersion
        {
            // As Kafka's TopicAdmin: the topic may have been made by an administrator.
            logger.warning(
                "cannot create topic '\(topic.name)' (\(topic.setting)): \(code) \(message ?? ""); assuming it exists"
            )
        }
        var partitionCount = 0
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let description = try await admin.describeTopics([topic.name])
            partitionCount = description.first?.partitions.count ?? 0
            if partitionCount > 0 { break }
            guard ContinuousClock.now < deadline else {
                throw ConnectError("topic '\(topic.name)' (\(topic.setting)) has no partitions after 30 s")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        if topic.requiresSinglePartition, partitionCount > 1 {
            throw ConfigError(
                "Topic '\(topic.name)' supplied via the '\(topic.setting)' property is required to have a single "
                    + "partition in order to guarantee consistency of \(topic.purpose), but found \(partitionCount) "
                    + "partitions. Point '\(topic.setting)' at a new topic, or recreate this one with one partition.",
                name: topic.setting
            )
        }
        try await verifyCompacted(admin)
        return (0..<Int32(partitionCount)).map { KafkaNIO.TopicPartition(topic.name, $0) }
    }

    /// Kafka's `verifyTopicCleanupPolicyOnlyCompact`: a policy other than exactly `compact` is an
    /// error; a policy the broker does not report (an old broker, no permission, or the test
    /// broker, which reports only configs set explicitly) is logged and accepted.
    private func verifyCompacted(_ admin: KafkaAdminClient) async throws {
        let entries: [KafkaAdminClient.ConfigEntry]
        do {
            // All configs: the test broker cannot parse a DescribeConfigs that names its keys.
            entries = try await admin.describeConfigs(topic: topic.name)
        } catch let error as KafkaError where !error.isRetriable {
            logger.info("cannot verify the cleanup policy of topic '\(topic.name)': \(error)")
            return
        }
        guard let value = entries.first(where: { $0.name == "cleanup.policy" })?.value else {
            logger.info("the broker does not report the cleanup policy of topic '\(topic.name)'; not verified")
            return
        }
        let policies = Set(
            value.split(separator: ",").map { String($0.filter { !$0.isWhitespace }).lowercased() }
        )
        guard policies == ["compact"] else {
            throw ConfigError(
                "Topic '\(topic.name)' supplied via the '\(topic.setting)' property is required to have "
                    + "'cleanup.policy=compact' to guarantee consistency and durability of \(topic.purpose), but "
                    + "found the topic currently has 'cleanup.policy=\(value)'. Continuing would likely result in "
                    + "eventually losing \(topic.purpose) and problems restarting this Connect cluster in the "
                    + "future. Change the '\(topic.setting)' property in the Connect worker configurations to use a "
                    + "topic with 'cleanup.policy=compact'.",
                name: topic.setting
            )
        }
    }

    // MARK: Reading

    private func read(_ consumer: KafkaConsumer) async {
        var failures = 0
        while !Task.isCancelled {
            do {
                let records = try await consumer.poll(timeout: idlePoll)
                failures = 0
                for record in records { consumed(record) }
            } catch is CancellationError {
                break
            } catch KafkaError.shutDown {
                break
            } catch {
                // Kafka's work thread logs and keeps going; readers waiting for the end wait on.
                failures += 1
                logger.error("error reading topic '\(topic.name)': \(error)")
                try? await Task.sleep(for: .milliseconds(min(1_000, 100 * failures)))
            }
            releaseWaiters(consumer)
        }
    }

    /// Resumes the ``readToEnd()`` calls whose end offsets the consumer reached. Called by the reader
    /// between batches, so every record below the positions has been handed to `consumed`.
    private func releaseWaiters(_ consumer: KafkaConsumer) {
        let released = state.withLock { state -> [Waiter] in
            guard !state.waiters.isEmpty else { return [] }
            var done: [Waiter] = []
            for (id, waiter) in state.waiters
            where waiter.ends.allSatisfy({ (consumer.position($0.key) ?? -1) >= $0.value }) {
                done.append(waiter)
                state.waiters[id] = nil
            }
            return done
        }
        for waiter in released { waiter.continuation.resume() }
    }
}

/// A store's log, set once right after the store is created: the log's callback holds the store
/// weakly, so the store exists before its log. Used by the config, offset and status stores.
final class KafkaBasedLogSlot: Sendable {
    private let log = Mutex<KafkaBasedLog?>(nil)

    func set(_ log: KafkaBasedLog) { self.log.withLock { $0 = log } }

    /// The log.
    /// - Throws: ``KafkaError/shutDown`` if it was never set.
    func require() throws -> KafkaBasedLog {
        guard let log = log.withLock({ $0 }) else { throw KafkaError.shutDown }
        return log
    }

    /// Stops the log, if there is one.
    func stop() async { await log.withLock { $0 }?.stop() }
}
