import Foundation
import KafkaNIO
import KafkaProtocol
import NIOCore
import Synchronization
import Testing

/// Consumer groups and generic group membership against the real broker, with confluent-kafka
/// (librdkafka) as the other consumer of the group.
@Suite(
    .enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"),
    .serialized
)
struct GroupIntegrationTests {
    static let sessionTimeoutMs = 4_000

    /// Polls `condition` every 50 ms until it holds or `timeout` passes.
    static func eventually(
        within timeout: Duration,
        _ what: String,
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("timed out after \(timeout) waiting until \(what)")
    }

    static func consumerConfiguration(cluster: KafkaCluster, group: String) -> KafkaConsumerConfiguration {
        var configuration = KafkaConsumerConfiguration(client: cluster.configuration)
        configuration.groupID = group
        configuration.partitionAssignmentStrategy = [RangeAssignor()]
        configuration.sessionTimeoutMs = Self.sessionTimeoutMs
        configuration.heartbeatIntervalMs = 500
        configuration.enableAutoCommit = false
        configuration.autoOffsetReset = .earliest
        return configuration
    }

    @Test func ourConsumerAndLibrdkafkaShareAGroup() async throws {
        let topic = TestEnvironment.uniqueTopic("group-split")
        let group = "group-\(UInt32.random(in: 0...UInt32.max))"
        let all = Set(0..<Int32(6))
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 6, replicationFactor: 1)
            ])
            let producer = KafkaProducer(
                configuration: KafkaProducerConfiguration(client: cluster.configuration),
                cluster: cluster
            )
            let sent = await producer.send(
                contentsOf: (0..<60).map {
                    KafkaProducerRecord(topic: topic, partition: Int32($0 % 6), value: ByteBuffer(string: "v\($0)"))
                }
            )
            await producer.close()
            for result in sent { _ = try result.get() }

            let python = try GroupMemberProcess(topic: topic, group: group, sessionTimeoutMs: Self.sessionTimeoutMs)
            defer { python.kill() }
            let consumer = KafkaConsumer(
                configuration: Self.consumerConfiguration(cluster: cluster, group: group),
                cluster: cluster
            )
            try await consumer.subscribe(topics: [topic])
            let polling = Task {
                while !Task.isCancelled { _ = try? await consumer.poll(timeout: .milliseconds(200)) }
            }
            defer { polling.cancel() }

            func ours() -> Set<Int32> { Set(consumer.assignment.map(\.partition)) }
            // Both members own partitions, none twice, none unowned.
            try await Self.eventually(within: .seconds(20), "the two members split the topic") {
                let theirs = python.owned
                return !ours().isEmpty && !theirs.isEmpty && ours().isDisjoint(with: theirs)
                    && ours().union(theirs) == all
            }

            // Offsets committed by one are read by the other.
            let ourPartition = try #require(ours().min())
            try await consumer.commitSync([TopicPartition(topic, ourPartition): 5])
            let seenByThem = try python.committed([ourPartition])
            #expect(seenByThem[ourPartition] == 5)
            let theirPartition = try #require(python.owned.min())
            try python.commit(partition: theirPartition, offset: 7)
            let seenByUs = try await consumer.committed([TopicPartition(topic, theirPartition)])
            #expect(seenByUs[TopicPartition(topic, theirPartition)] == 7)

            // SIGKILL: the coordinator evicts the member after the session timeout; ours gets all.
            let killedAt = ContinuousClock.now
            python.kill()
            try await Self.eventually(within: .seconds(15), "our consumer owns every partition after the kill") {
                ours() == all
            }
            let afterKill = killedAt.duration(to: .now)

            // A new reference member joins, then leaves cleanly: its partitions come back at once.
            let second = try GroupMemberProcess(topic: topic, group: group, sessionTimeoutMs: Self.sessionTimeoutMs)
            defer { second.kill() }
            try await Self.eventually(within: .seconds(20), "the new member gets partitions") {
                let theirs = second.owned
                return !theirs.isEmpty && ours().isDisjoint(with: theirs) && ours().union(theirs) == all
            }
            // A partition the reference member read from offset 7 on: ours resumes there.
            let leftAt = ContinuousClock.now
            try second.close()
            try await Self.eventually(within: .seconds(15), "our consumer owns every partition after the leave") {
                ours() == all
            }
            let afterLeave = leftAt.duration(to: .now)
            // Eviction waits for the session timeout; a LeaveGroup does not.
            #expect(afterKill >= .milliseconds(Self.sessionTimeoutMs / 2))
            #expect(afterLeave < afterKill)
            #expect(afterLeave < .milliseconds(Self.sessionTimeoutMs))
            #expect(consumer.position(TopicPartition(topic, theirPartition)).map { $0 >= 7 } ?? true)

            polling.cancel()
            await consumer.close()
        }
    }

    /// Two of our consumers with cooperative-sticky: when the second joins, the first gives up only
    /// the partitions that move (in a first round) and keeps the rest without a revocation; the
    /// second gets them in the follow-up round.
    @Test func cooperativeRebalanceRevokesOnlyMovedPartitions() async throws {
        let topic = TestEnvironment.uniqueTopic("group-coop")
        let group = "coop-\(UInt32.random(in: 0...UInt32.max))"
        let all = Set(0..<Int32(6))
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 6, replicationFactor: 1)
            ])
            var configuration = Self.consumerConfiguration(cluster: cluster, group: group)
            configuration.partitionAssignmentStrategy = [CooperativeStickyAssignor()]
            let first = KafkaConsumer(configuration: configuration, cluster: cluster)
            let firstListener = RecordingListener()
            try await first.subscribe(topics: [topic], listener: firstListener)
            func owned(_ consumer: KafkaConsumer) -> Set<Int32> { Set(consumer.assignment.map(\.partition)) }
            try await Self.eventually(within: .seconds(15), "the first member owns everything") { owned(first) == all }
            // The same KafkaCluster: each member must use its own coordinator connection, or one
            // member's JoinGroup (held for the whole rebalance) stalls the other's requests.
            let second = KafkaConsumer(configuration: configuration, cluster: cluster)
            try await second.subscribe(topics: [topic])
            try await Self.eventually(
                within: .seconds(20),
                "the members split the topic (\(owned(first)) / \(owned(second)) \(first.groupGeneration.map { "\($0)" } ?? "-") \(second.groupGeneration.map { "\($0)" } ?? "-"))"
            ) {
                !owned(first).isEmpty && !owned(second).isEmpty && owned(first).isDisjoint(with: owned(second))
                    && owned(first).union(owned(second)) == all
            }
            // Only what moved to the second member was revoked from the first.
            #expect(firstListener.revoked == owned(second))
            #expect(firstListener.lost.isEmpty)
            await second.close()
            await first.close()
        }
    }

    /// Two members of a "connect" group: the leader sees both members' metadata byte for byte,
    /// each member gets the bytes the leader assigned it; when the leader dies without leaving,
    /// the survivor becomes leader once the coordinator evicts it.
    @Test func connectProtocolMembersExchangeMetadataAndFailOver() async throws {
        let group = "connect-\(UInt32.random(in: 0...UInt32.max))"
        try await TestEnvironment.withCluster { cluster in
            let recorderA = RecordingHandler(name: "A")
            let recorderB = RecordingHandler(name: "B")
            func configuration(_ metadata: String) -> GroupMembershipConfiguration {
                var configuration = GroupMembershipConfiguration(
                    groupID: group,
                    protocolType: "connect",
                    protocols: [GroupProtocol(name: "sessioned", metadata: ByteBuffer(string: metadata))]
                )
                configuration.sessionTimeoutMs = Self.sessionTimeoutMs
                configuration.heartbeatIntervalMs = 500
                configuration.rebalanceTimeoutMs = 10_000
                return configuration
            }
            let memberA = GroupMembership(
                cluster: cluster,
                configuration: configuration("worker-A"),
                handler: recorderA
            )
            await memberA.start()
            try await Self.eventually(within: .seconds(15), "A is the leader alone") { recorderA.last != nil }
            let memberB = GroupMembership(
                cluster: cluster,
                configuration: configuration("worker-B"),
                handler: recorderB
            )
            await memberB.start()
            try await Self.eventually(within: .seconds(20), "both members have the same generation") {
                guard let a = recorderA.last, let b = recorderB.last else { return false }
                return a.generation == b.generation && a.leaderID == b.leaderID
            }
            let a = try #require(recorderA.last)
            let b = try #require(recorderB.last)
            let leader = a.isLeader ? recorderA : recorderB
            let follower = a.isLeader ? recorderB : recorderA
            #expect(a.isLeader != b.isLeader)
            // The leader saw both members' metadata verbatim.
            let seen = try #require(leader.leaderView.last)
            #expect(Set(seen.map { String(buffer: $0.metadata) }) == ["worker-A", "worker-B"])
            // Each member got the bytes the leader computed for it.
            #expect(String(buffer: a.assignment) == "task-for-worker-A")
            #expect(String(buffer: b.assignment) == "task-for-worker-B")

            // The leader vanishes without LeaveGroup: the survivor leads after the eviction.
            let (leaderMember, survivor) = a.isLeader ? (memberA, memberB) : (memberB, memberA)
            let oldGeneration = a.generation
            await leaderMember.stopWithoutLeaving()
            try await Self.eventually(within: .seconds(20), "the survivor leads a new generation") {
                guard let last = follower.last else { return false }
                return last.generation > oldGeneration && last.isLeader
            }
            #expect(await survivor.isLeader)
            await survivor.close()
            _ = leader
        }
    }
}

/// Records what a generic group member is told; as leader it assigns "task-for-<metadata>".
final class RecordingHandler: GroupMembershipHandler {
    let name: String
    private let state = Mutex<(assignments: [GroupAssignment], leaderViews: [[GroupMember]], lost: Int)>(([], [], 0))

    init(name: String) { self.name = name }

    var last: GroupAssignment? { self.state.withLock { $0.assignments.last } }
    var leaderView: [[GroupMember]] { self.state.withLock { $0.leaderViews } }
    var lostCount: Int { self.state.withLock { $0.lost } }

    func assign(protocolName: String, members: [GroupMember]) async throws -> [String: ByteBuffer] {
        self.state.withLock { $0.leaderViews.append(members) }
        var result: [String: ByteBuffer] = [:]
        for member in members {
            result[member.memberID] = ByteBuffer(string: "task-for-\(String(buffer: member.metadata))")
        }
        return result
    }

    func assigned(_ assignment: GroupAssignment) async {
        self.state.withLock { $0.assignments.append(assignment) }
    }

    func membershipLost(_ error: KafkaError) async {
        self.state.withLock { $0.lost += 1 }
    }
}

/// scripts/interop/ck_group.py as a running group member.
final class GroupMemberProcess: @unchecked Sendable {
    private let process = Process()
    private let stdin = Pipe()
    private let lock = NSLock()
    private var events: [[String: Any]] = []
    private var ownedPartitions: Set<Int32> = []
    private var reader: Thread?

    init(topic: String, group: String, sessionTimeoutMs: Int) throws {
        self.process.executableURL = URL(fileURLWithPath: TestEnvironment.python)
        self.process.arguments = [
            TestEnvironment.repositoryRoot.appendingPathComponent("scripts/interop/ck_group.py").path,
            "--bootstrap", try TestEnvironment.requireBootstrap(), "--group", group, "--topic", topic,
            "--strategy", "range", "--session-timeout-ms", String(sessionTimeoutMs),
        ]
        let stdout = Pipe()
        self.process.standardInput = self.stdin
        self.process.standardOutput = stdout
        self.process.standardError = FileHandle.nullDevice
        try self.process.run()
        let handle = stdout.fileHandleForReading
        let thread = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = pending[pending.startIndex..<newline]
                    pending = Data(pending[pending.index(after: newline)...])
                    guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else { continue }
                    self.record(object)
                }
            }
        }
        self.reader = thread
        thread.start()
    }

    private func record(_ event: [String: Any]) {
        self.lock.withLock {
            self.events.append(event)
            let partitions = Set(((event["partitions"] as? [Int]) ?? []).map { Int32($0) })
            switch event["event"] as? String {
            case "assigned": self.ownedPartitions = partitions
            case "revoked": self.ownedPartitions.subtract(partitions)
            default: break
            }
        }
    }

    var owned: Set<Int32> { self.lock.withLock { self.ownedPartitions } }

    private func send(_ command: String) {
        self.stdin.fileHandleForWriting.write(Data((command + "\n").utf8))
    }

    /// Waits (blocking, up to 15 s) for the next event named `name` after the current ones.
    private func await(_ name: String, after count: Int) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let found = self.lock.withLock({ self.events.dropFirst(count).first { $0["event"] as? String == name } })
            {
                return found
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestFailure("ck_group.py sent no \(name) event")
    }

    private var eventCount: Int { self.lock.withLock { self.events.count } }

    func commit(partition: Int32, offset: Int64) throws {
        let count = self.eventCount
        self.send("commit \(partition) \(offset)")
        _ = try self.await("commit-done", after: count)
    }

    func committed(_ partitions: [Int32]) throws -> [Int32: Int64] {
        let count = self.eventCount
        self.send("committed \(partitions.map(String.init).joined(separator: ","))")
        let event = try self.await("committed", after: count)
        var result: [Int32: Int64] = [:]
        for (key, value) in (event["offsets"] as? [String: Any]) ?? [:] {
            if let partition = Int32(key), let offset = value as? Int { result[partition] = Int64(offset) }
        }
        return result
    }

    func close() throws {
        let count = self.eventCount
        self.send("close")
        _ = try self.await("closed", after: count)
        self.process.waitUntilExit()
    }

    /// SIGKILL (librdkafka sends no LeaveGroup), then reap.
    func kill() {
        if self.process.isRunning {
            Foundation.kill(self.process.processIdentifier, SIGKILL)
        }
        self.process.waitUntilExit()
    }
}

/// Records the partitions a consumer was told it lost or gave up.
final class RecordingListener: ConsumerRebalanceListener {
    private let state = Mutex<(revoked: Set<Int32>, lost: Set<Int32>)>(([], []))
    var revoked: Set<Int32> { self.state.withLock { $0.revoked } }
    var lost: Set<Int32> { self.state.withLock { $0.lost } }

    func partitionsRevoked(_ partitions: [TopicPartition]) async {
        self.state.withLock { $0.revoked.formUnion(partitions.map(\.partition)) }
    }

    func partitionsLost(_ partitions: [TopicPartition]) async {
        self.state.withLock { $0.lost.formUnion(partitions.map(\.partition)) }
    }
}
