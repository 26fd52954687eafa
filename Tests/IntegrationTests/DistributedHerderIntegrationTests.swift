import ConnectAPI
import ConnectFile
import ConnectRuntime
import Foundation
import KafkaNIO
import Synchronization
import Testing

/// Distributed herders of three workers in one process against the real broker: the group, the
/// assignment, the leader's writes and the status topic, without REST in between (followers hand
/// task configs to the leader through a direct call). The multi-process cluster with REST is tested
/// by `DistributedClusterIntegrationTests`.
@Suite(
    .serialized,
    .enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)")
)
struct DistributedHerderIntegrationTests {
    /// Herders by advertised URL, so that a follower's task configs reach the leader.
    final class Directory: Sendable {
        private let herders = Mutex<[String: DistributedHerder]>([:])

        func add(_ herder: DistributedHerder) { herders.withLock { $0[herder.url] = herder } }

        func sender() -> TaskConfigsSender {
            { [weak self] leaderURL, connector, configs, _, _ in
                guard let leader = self?.herders.withLock({ $0[leaderURL] }) else {
                    throw RequestTargetError.notLeader(leaderURL: nil)
                }
                try await leader.acceptTaskConfigs(connector, configs: configs)
            }
        }
    }

    struct Cluster {
        let id = UInt32.random(in: 0...UInt32.max)
        let directory = Directory()
        var herders: [DistributedHerder] = []
        var nextPort = 18_000 + Int.random(in: 0..<1_000) * 10

        func props() throws -> [String: String] {
            [
                "bootstrap.servers": try TestEnvironment.requireBootstrap(),
                "key.converter": "org.apache.kafka.connect.storage.StringConverter",
                "value.converter": "org.apache.kafka.connect.storage.StringConverter",
                "group.id": "herders-\(id)",
                "config.storage.topic": "herders-\(id)-configs",
                "offset.storage.topic": "herders-\(id)-offsets",
                "status.storage.topic": "herders-\(id)-status",
                "config.storage.replication.factor": "1",
                "offset.storage.replication.factor": "1",
                "status.storage.replication.factor": "1",
                "offset.storage.partitions": "3",
                "status.storage.partitions": "2",
                "scheduled.rebalance.max.delay.ms": "30000",
                "session.timeout.ms": "6000",
                "heartbeat.interval.ms": "500",
                "offset.flush.interval.ms": "1000",
            ]
        }

        /// Starts one more worker and returns once it has its first assignment.
        mutating func addWorker() async throws -> DistributedHerder {
            nextPort += 1
            var props = try props()
            props["listeners"] = "http://127.0.0.1:\(nextPort)"
            let config = try DistributedConfig(props)
            let worker = try Worker(
                config: config.worker,
                plugins: Self.plugins,
                offsetStore: try KafkaOffsetBackingStore(config: config),
                workerID: "127.0.0.1:\(nextPort)"
            )
            let herder = try DistributedHerder(
                worker: worker,
                config: config,
                url: "http://127.0.0.1:\(nextPort)/",
                sendTaskConfigs: directory.sender()
            )
            directory.add(herder)
            try await herder.start()
            herders.append(herder)
            return herder
        }

        static var plugins: PluginRegistry {
            var registry = PluginRegistry.kafkaBuiltIns
            registry.register(sink: FileStreamSinkConnector.self, className: FileStreamSinkConnector.className)
            return registry
        }

        /// The herder that accepts leader-only writes (the leader may change until the group settles).
        func leader() async throws -> DistributedHerder {
            var found: DistributedHerder?
            try await DistributedHerderIntegrationTests.eventually("a leader") {
                for herder in herders where await herder.isGroupLeader {
                    found = herder
                    return true
                }
                return false
            }
            guard let found else { throw ConnectError("no leader among \(herders.count) workers") }
            return found
        }

        func stopAll() async {
            for herder in herders { await herder.stop() }
        }
    }

    /// Waits (polling, bounded) until `condition` holds.
    static func eventually(
        _ what: String,
        within limit: Duration = .seconds(60),
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + limit
        while true {
            if (try? await condition()) == true { return }
            guard ContinuousClock.now < deadline else {
                Issue.record("not within \(limit): \(what)")
                throw ConnectError("timed out: \(what)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Task owners from `herder`'s view of the status topic, when every task is RUNNING.
    static func runningOwners(_ herder: DistributedHerder, _ name: String, tasks: Int) async throws -> [Int: String]? {
        let status = try await herder.connectorStatus(name)
        guard status.connector.state == .running, status.tasks.count == tasks,
            status.tasks.allSatisfy({ $0.status.state == .running })
        else { return nil }
        return Dictionary(uniqueKeysWithValues: status.tasks.map { ($0.id, $0.status.workerID) })
    }

    static func sinkConfig(_ topic: String, file: String, tasks: Int) -> [String: String] {
        [
            "connector.class": "FileStreamSink",
            "topics": topic,
            "file": file,
            "tasks.max": String(tasks),
        ]
    }

    @Test func sixTasksSpreadTwoPerWorkerAndACleanShutdownHandsThemOverAtOnce() async throws {
        var cluster = Cluster()
        do {
            for _ in 0..<3 { _ = try await cluster.addWorker() }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herders-\(cluster.id)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let topic = TestEnvironment.uniqueTopic("herders")
            let leader = try await cluster.leader()
            // A follower refuses the write and names the leader.
            for herder in cluster.herders where herder !== leader {
                await #expect(throws: RequestTargetError.notLeader(leaderURL: leader.url)) {
                    try await herder.putConnectorConfig(
                        name: "spread",
                        config: Self.sinkConfig(topic, file: directory.appendingPathComponent("out").path, tasks: 6),
                        allowReplace: false
                    )
                }
            }
            try await leader.putConnectorConfig(
                name: "spread",
                config: Self.sinkConfig(topic, file: directory.appendingPathComponent("out").path, tasks: 6),
                allowReplace: false
            )
            var owners: [Int: String] = [:]
            try await Self.eventually("6 tasks RUNNING, 2 per worker") {
                guard let found = try await Self.runningOwners(cluster.herders[0], "spread", tasks: 6) else {
                    return false
                }
                owners = found
                return Dictionary(grouping: found.values, by: { $0 }).values.map(\.count).sorted() == [2, 2, 2]
            }
            // Every worker reads the same statuses (each from its own copy of the status topic).
            for herder in cluster.herders {
                try await Self.eventually("\(herder.workerID) sees the same owners") {
                    try await Self.runningOwners(herder, "spread", tasks: 6) == owners
                }
            }
            // A clean shutdown: its two tasks run elsewhere long before the 30 s rebalance delay a
            // crash waits for.
            let leaving = cluster.herders.removeLast()
            let start = ContinuousClock.now
            await leaving.stop()
            try await Self.eventually("the departed worker's tasks RUNNING elsewhere", within: .seconds(30)) {
                guard let found = try await Self.runningOwners(cluster.herders[0], "spread", tasks: 6) else {
                    return false
                }
                return !found.values.contains(leaving.workerID)
            }
            let handover = start.duration(to: .now)
            #expect(handover < .seconds(20), "handed over in \(handover)")
        } catch {
            await cluster.stopAll()
            throw error
        }
        await cluster.stopAll()
    }
}
