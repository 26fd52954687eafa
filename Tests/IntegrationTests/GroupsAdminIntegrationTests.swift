import Foundation
import KafkaNIO
import NIOCore
import Testing

/// Groups made by the reference client (scripts/interop/group_member.py), seen through the admin
/// client and `swift-connect kafka groups`. The test broker leaves client ids, hosts and member
/// assignments empty in DescribeGroups (AdminGroupsTests shows their decoding against a fake).
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct GroupsAdminIntegrationTests {
    @Test func listAndDescribeGroupsOfTheReferenceClient() async throws {
        let bootstrap = try TestEnvironment.requireBootstrap()
        let topic = TestEnvironment.uniqueTopic("groups")
        let simpleGroup = "simple-\(topic)"
        let liveGroup = "live-\(topic)"
        try await TestEnvironment.withCluster { cluster in
            let admin = KafkaAdminClient(cluster: cluster)
            try await admin.createTopics([.init(name: topic, partitions: 3, replicationFactor: 1)])
            let producer = KafkaProducer(
                configuration: KafkaProducerConfiguration(client: cluster.configuration),
                cluster: cluster
            )
            let counts: [Int32: Int] = [0: 10, 1: 4]
            let results = await producer.send(
                contentsOf: counts.flatMap { partition, count in
                    (0..<count).map {
                        KafkaProducerRecord(topic: topic, partition: partition, value: ByteBuffer(string: "v\($0)"))
                    }
                }
            )
            await producer.close()
            for result in results { _ = try result.get() }
        }

        _ = try PythonGroupMember.run([
            "commit", "--bootstrap", bootstrap, "--group", simpleGroup, "--topic", topic, "--offsets", "0=3,1=4",
        ])
        let member = try PythonGroupMember.start([
            "member", "--bootstrap", bootstrap, "--group", liveGroup, "--topic", topic, "--client-id", "interop-member",
            "--commit", "0=6",
        ])
        defer { member.stop() }
        let assigned = try await member.waitForLine(prefix: "ASSIGNED ", timeout: .seconds(30))
        #expect(assigned == "ASSIGNED \(topic):0,\(topic):1,\(topic):2")

        try await TestEnvironment.withCluster { cluster in
            let admin = KafkaAdminClient(cluster: cluster)
            let listed = try await admin.listGroups()
            let live = try #require(listed.first { $0.groupID == liveGroup })
            #expect(live.protocolType == "consumer")
            #expect(listed.contains { $0.groupID == simpleGroup })

            let described = try await admin.describeGroups([liveGroup, simpleGroup])
            #expect(described.map(\.groupID) == [liveGroup, simpleGroup])
            #expect(described[0].state == "Stable")
            #expect(described[0].protocolType == "consumer")
            #expect(described[0].members.count == 1)
            #expect(described[0].members.first?.memberID.hasPrefix("interop-member") == true)
            #expect(described[1].members.isEmpty)

            #expect(
                try await admin.listCommittedOffsets(group: simpleGroup).mapValues(\.offset) == [
                    TopicPartition(topic, 0): 3, TopicPartition(topic, 1): 4,
                ]
            )
            #expect(
                try await admin.listCommittedOffsets(group: liveGroup).mapValues(\.offset) == [
                    TopicPartition(topic, 0): 6
                ]
            )
            let ends = try await admin.highWatermarks(Set((0..<3).map { TopicPartition(topic, $0) }))
            #expect(ends == [TopicPartition(topic, 0): 10, TopicPartition(topic, 1): 4, TopicPartition(topic, 2): 0])
        }

        let list = try CLI.run(["kafka", "-b", bootstrap, "groups", "list"])
        #expect(list.split(separator: "\n").contains { $0.hasPrefix("\(liveGroup)\tconsumer\t") })
        #expect(list.split(separator: "\n").contains { $0.hasPrefix("\(simpleGroup)\t") })

        let describe = try CLI.run(["kafka", "-b", bootstrap, "groups", "describe", simpleGroup, liveGroup])
        let rows = describe.split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        }
        #expect(rows.contains { $0.prefix(4) == ["GROUP", simpleGroup, "STATE", "Empty"] })
        #expect(rows.filter { $0.first == "GROUP" && $0.count == 9 }.count == 2)
        // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
        #expect(rows.contains([simpleGroup, topic, "0", "3", "10", "7", "-", "-", "-"]))
        #expect(rows.contains([simpleGroup, topic, "1", "4", "4", "0", "-", "-", "-"]))
        #expect(rows.contains([liveGroup, topic, "0", "6", "10", "4", "-", "-", "-"]))
        #expect(rows.contains { $0.first == liveGroup && $0[1] == "-" && $0[6].hasPrefix("interop-member") })
        #expect(rows.contains { $0.prefix(4) == ["GROUP", liveGroup, "STATE", "Stable"] })
    }
}

/// `swift-connect`, as built by `swift build`.
enum CLI {
    static func run(_ arguments: [String]) throws -> String {
        let binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/swift-connect").path
        return try ChildProcess.run(binary, arguments)
    }
}

/// scripts/interop/group_member.py.
enum PythonGroupMember {
    static var script: String {
        TestEnvironment.repositoryRoot.appendingPathComponent("scripts/interop/group_member.py").path
    }

    static func run(_ arguments: [String]) throws -> String {
        try ChildProcess.run(TestEnvironment.python, [script] + arguments)
    }

    static func start(_ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(TestEnvironment.python, [script] + arguments)
    }
}

/// A child process whose output lines are collected as they arrive; stopped with SIGKILL and
/// reaped (a child of the test runner may start with SIGTERM blocked).
final class ChildProcess: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let collected = Collected()
    private let reader: Thread

    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func append(_ more: String) { lock.withLock { text += more } }
        var value: String { lock.withLock { text } }
    }

    init(_ executable: String, _ arguments: [String]) throws {
        let stdout = Pipe()
        self.process.executableURL = URL(fileURLWithPath: executable)
        self.process.arguments = arguments
        self.process.standardInput = self.input
        self.process.standardOutput = stdout
        self.process.standardError = FileHandle.nullDevice
        let handle = stdout.fileHandleForReading
        let collected = self.collected
        self.reader = Thread {
            // availableData returns what has arrived; read(upToCount:) would wait for the count.
            while case let data = handle.availableData, !data.isEmpty {
                collected.append(String(decoding: data, as: UTF8.self))
            }
        }
        try self.process.run()
        self.reader.start()
    }

    /// Runs to completion and returns standard output; throws on a non-zero exit.
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        let stdout = Pipe()
        let stderr = Pipe()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure(
                "\(executable) \(arguments.prefix(3)) exited \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self))"
            )
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The first complete output line starting with `prefix`, awaited up to `timeout`.
    func waitForLine(prefix: String, timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            let lines = self.collected.value.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            if let line = lines.first(where: { $0.hasPrefix(prefix) }) { return String(line) }
            if !self.process.isRunning || ContinuousClock.now >= deadline {
                throw TestFailure("no line starting with '\(prefix)' (exited: \(!self.process.isRunning))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func stop() {
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGKILL)
        }
        self.process.waitUntilExit()
    }
}
