import Foundation
import KafkaNIO
import KafkaProtocol
import NIOCore
import Synchronization
import Testing

/// Consumer-group features against the real broker: max.poll.interval.ms, pattern subscriptions,
/// commitAsync and timed auto-commit.
@Suite(
    .enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"),
    .serialized
)
struct GroupFeatureIntegrationTests {
    static func eventually(
        within timeout: Duration,
        _ what: @autoclosure () -> String,
        _ condition: () async throws -> Bool
    ) async throws {
        try await GroupIntegrationTests.eventually(within: timeout, what(), condition)
    }

    static func uniqueGroup(_ prefix: String) -> String { "\(prefix)-\(UInt32.random(in: 0...UInt32.max))" }

    static func owned(_ consumer: KafkaConsumer) -> Set<Int32> { Set(consumer.assignment.map(\.partition)) }

    static func produce(cluster: KafkaCluster, topic: String, count: Int, partitions: Int32) async throws {
        let producer = KafkaProducer(
            configuration: KafkaProducerConfiguration(client: cluster.configuration),
            cluster: cluster
        )
        let results = await producer.send(
            contentsOf: (0..<count).map {
                KafkaProducerRecord(
                    topic: topic,
                    partition: Int32($0) % partitions,
                    value: ByteBuffer(string: "v\($0)")
                )
            }
        )
        await producer.close()
        for result in results { _ = try result.get() }
    }

    /// A task that polls `consumer` until cancelled, counting the records it gets.
    final class Poller: Sendable {
        final class Counter: Sendable {
            let value = Mutex(0)
        }

        let task: Task<Void, Never>
        private let counter = Counter()

        init(_ consumer: KafkaConsumer) {
            let counter = self.counter
            self.task = Task {
                while !Task.isCancelled {
                    if let records = try? await consumer.poll(timeout: .milliseconds(100)) {
                        counter.value.withLock { $0 += records.count }
                    }
                }
            }
        }

        var records: Int { self.counter.value.withLock { $0 } }

        func stop() async {
            self.task.cancel()
            await self.task.value
        }
    }

    /// A member that stops polling for max.poll.interval.ms leaves the group (the other member
    /// gets its partitions), and rejoins at its next poll.
    @Test func aMemberThatStopsPollingLeavesAndRejoinsOnItsNextPoll() async throws {
        let topic = TestEnvironment.uniqueTopic("poll-interval")
        let group = Self.uniqueGroup("poll-interval")
        let all = Set(0..<Int32(6))
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 6, replicationFactor: 1)
            ])
            var configuration = GroupIntegrationTests.consumerConfiguration(cluster: cluster, group: group)
            configuration.maxPollIntervalMs = 3_000
            // Auto-commit on, but not due by time within the test: only revocations commit.
            configuration.enableAutoCommit = true
            configuration.autoCommitIntervalMs = 600_000
            let slow = KafkaConsumer(configuration: configuration, cluster: cluster)
            let steady = KafkaConsumer(configuration: configuration, cluster: cluster)
            try await slow.subscribe(topics: [topic])
            try await steady.subscribe(topics: [topic])
            var slowPoller = Poller(slow)
            let steadyPoller = Poller(steady)
            try await Self.eventually(within: .seconds(20), "the members split the topic") {
                !Self.owned(slow).isEmpty && !Self.owned(steady).isEmpty
                    && Self.owned(slow).isDisjoint(with: Self.owned(steady))
                    && Self.owned(slow).union(Self.owned(steady)) == all
            }
            // Records only now, so that no revocation before the split committed any.
            try await Self.produce(cluster: cluster, topic: topic, count: 60, partitions: 6)
            // The slow member stops polling: after max.poll.interval.ms it leaves the group.
            try await Self.eventually(within: .seconds(30), "every record was read") {
                slowPoller.records + steadyPoller.records == 60
            }
            let slowPartitions = slow.assignment
            let stoppedAt = ContinuousClock.now
            await slowPoller.stop()
            try await Self.eventually(within: .seconds(15), "the steady member owns every partition") {
                Self.owned(steady) == all && Self.owned(slow).isEmpty
            }
            #expect(stoppedAt.duration(to: .now) >= .milliseconds(configuration.maxPollIntervalMs))
            #expect(slow.groupGeneration == nil)
            // It committed nothing on the way out: the application may still be processing what
            // it polled (as Java); the steady member starts those partitions per auto.offset.reset.
            #expect(try await steady.committed(slowPartitions).isEmpty)
            // Its next poll rejoins.
            slowPoller = Poller(slow)
            try await Self.eventually(within: .seconds(15), "the slow member rejoined and owns partitions") {
                !Self.owned(slow).isEmpty && Self.owned(slow).union(Self.owned(steady)) == all
                    && Self.owned(slow).isDisjoint(with: Self.owned(steady))
            }
            await slowPoller.stop()
            await steadyPoller.stop()
            await slow.close()
            await steady.close()
        }
    }

    /// A pattern subscription covers the matching topics, also one created after subscribing
    /// (found within metadata.max.age.ms), and no other topic.
    @Test func aPatternSubscriptionPicksUpANewMatchingTopic() async throws {
        let prefix = "pattern-\(UInt32.random(in: 0...UInt32.max))"
        let group = Self.uniqueGroup("pattern")
        try await TestEnvironment.withCluster { cluster in
            let admin = KafkaAdminClient(cluster: cluster)
            try await admin.createTopics([
                .init(name: "\(prefix)-a", partitions: 2, replicationFactor: 1),
                .init(name: "other-\(prefix)-a", partitions: 1, replicationFactor: 1),
            ])
            var configuration = GroupIntegrationTests.consumerConfiguration(cluster: cluster, group: group)
            configuration.client.metadataMaxAgeMs = 1_000
            let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
            try await consumer.subscribe(pattern: "\(prefix)-.*")
            #expect(consumer.subscription == ["\(prefix)-a"])
            let poller = Poller(consumer)
            try await Self.eventually(within: .seconds(15), "the first topic is assigned") {
                Set(consumer.assignment) == [TopicPartition("\(prefix)-a", 0), TopicPartition("\(prefix)-a", 1)]
            }
            try await admin.createTopics([.init(name: "\(prefix)-b", partitions: 3, replicationFactor: 1)])
            try await Self.produce(cluster: cluster, topic: "\(prefix)-b", count: 9, partitions: 3)
            try await Self.eventually(within: .seconds(15), "the new topic is assigned and read") {
                consumer.assignment.filter { $0.topic == "\(prefix)-b" }.count == 3 && poller.records == 9
            }
            #expect(consumer.subscription == ["\(prefix)-a", "\(prefix)-b"])
            #expect(consumer.assignment.count == 5)
            await poller.stop()
            await consumer.close()
            try await admin.deleteTopics(["\(prefix)-a", "\(prefix)-b", "other-\(prefix)-a"])
        }
    }

    /// commitAsync calls its completion, in the order requested, and the offsets are committed.
    @Test func commitAsyncCompletesInOrderAndCommits() async throws {
        let topic = TestEnvironment.uniqueTopic("commit-async")
        let group = Self.uniqueGroup("commit-async")
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 2, replicationFactor: 1)
            ])
            try await Self.produce(cluster: cluster, topic: topic, count: 10, partitions: 2)
            let consumer = KafkaConsumer(
                configuration: GroupIntegrationTests.consumerConfiguration(cluster: cluster, group: group),
                cluster: cluster
            )
            try await consumer.subscribe(topics: [topic])
            var read = 0
            let deadline = ContinuousClock.now + .seconds(15)
            while read < 10, ContinuousClock.now < deadline {
                read += try await consumer.poll(timeout: .milliseconds(200)).count
            }
            #expect(read == 10)
            let p0 = TopicPartition(topic, 0)
            let p1 = TopicPartition(topic, 1)
            let completions = Mutex<[String]>([])
            let (stream, continuation) = AsyncStream<Void>.makeStream()
            consumer.commitAsync([p0: 2]) { result in
                completions.withLock { $0.append("first \((try? result.get()) != nil ? "ok" : "\(result)")") }
            }
            // nil: the current positions (5 and 5).
            consumer.commitAsync { result in
                completions.withLock { $0.append("second \((try? result.get()) != nil ? "ok" : "\(result)")") }
                continuation.yield()
            }
            for await _ in stream { break }
            #expect(completions.withLock { $0 } == ["first ok", "second ok"])
            #expect(try await consumer.committed([p0, p1]) == [p0: 5, p1: 5])
            await consumer.close()
        }
    }

    /// With enable.auto.commit, positions are committed every auto.commit.interval.ms while the
    /// application polls, with no commit call.
    @Test func autoCommitCommitsWhilePolling() async throws {
        let topic = TestEnvironment.uniqueTopic("auto-commit")
        let group = Self.uniqueGroup("auto-commit")
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 3, replicationFactor: 1)
            ])
            try await Self.produce(cluster: cluster, topic: topic, count: 30, partitions: 3)
            var configuration = GroupIntegrationTests.consumerConfiguration(cluster: cluster, group: group)
            configuration.enableAutoCommit = true
            configuration.autoCommitIntervalMs = 500
            let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
            try await consumer.subscribe(topics: [topic])
            let poller = Poller(consumer)
            // Another client of the group sees the commits (it only reads committed offsets).
            var observerConfiguration = KafkaConsumerConfiguration(client: cluster.configuration)
            observerConfiguration.groupID = group
            let observer = KafkaConsumer(configuration: observerConfiguration, cluster: cluster)
            let partitions = (0..<Int32(3)).map { TopicPartition(topic, $0) }
            try await Self.eventually(within: .seconds(15), "every record was read") { poller.records == 30 }
            try await Self.eventually(within: .seconds(30), "the positions are committed") {
                try await observer.committed(partitions)
                    == Dictionary(uniqueKeysWithValues: partitions.map { ($0, 10) })
            }
            await poller.stop()
            await observer.close()
            await consumer.close()
        }
    }

    // Static membership (group.instance.id) is tested against the fake coordinator
    // (KafkaNIOTests/StaticMembershipTests): the test broker treats a restarted static member as a new
    // member and rebalances once the old one is evicted (see docs/compatibility.md).
}
