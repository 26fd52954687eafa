import NIOCore
import Testing

@testable import ConnectRuntime

private func task(_ connector: String, _ n: Int) -> ConnectorTaskID { ConnectorTaskID(connector: connector, task: n) }

/// A snapshot with connectors and their task counts, built through the config log.
private func snapshot(_ connectors: [String: Int]) throws -> ClusterConfigSnapshot {
    var log = ConfigLogState()
    var offset: Int64 = 0
    func write(_ record: ConfigRecord) throws {
        let encoded = try ConfigRecordCodec.encode(record)
        log.apply(key: encoded.key, value: encoded.value, offset: offset)
        offset += 1
    }
    for (name, count) in connectors.sorted(by: { $0.key < $1.key }) {
        try write(.connectorConfig(name, ["name": name]))
        for n in 0..<count { try write(.taskConfig(task(name, n), ["n": "\(n)"])) }
        try write(.commit(name, taskCount: count))
    }
    return log.snapshot
}

/// A group of workers around one leader's assignor. Every round goes through the wire formats: each
/// member's metadata (with what it runs) is encoded and decoded, the leader's assignments too, and
/// each member merges its assignment into what it runs, as `WorkerCoordinator` does.
private struct Group {
    var assignor: IncrementalCooperativeAssignor
    var snapshot: ClusterConfigSnapshot
    var running: [String: ConnectAssignment?] = [:]
    var generation: Int32 = 0
    var lastDelay: Int32 = 0
    var rounds: [[String: ConnectAssignment]] = []

    init(maxDelay: Int32, snapshot: ClusterConfigSnapshot, members: [String]) {
        assignor = IncrementalCooperativeAssignor(maxDelay: maxDelay)
        self.snapshot = snapshot
        for member in members { running[member] = .some(nil) }
    }

    mutating func join(_ member: String) { running[member] = .some(nil) }
    mutating func leave(_ member: String) { running[member] = nil }

    /// One JoinGroup/SyncGroup round at `now`; the leader is the first member by id.
    @discardableResult
    mutating func rebalance(now: Int64, departedCleanly: Set<String> = []) throws -> [String: ConnectAssignment] {
        generation += 1
        var members: [String: ConnectWorkerMetadata] = [:]
        for (member, current) in running {
            let metadata = ConnectWorkerMetadata(
                url: "http://\(member):8083/",
                configOffset: snapshot.offset,
                assignment: current
            )
            members[member] = try ConnectProtocolCodec.decodeMetadata(
                ConnectProtocolCodec.encodeMetadata(metadata, protocol: .sessioned)
            )
        }
        let leader = try #require(running.keys.sorted().first)
        let assignments = assignor.assign(
            leaderID: leader,
            protocol: .sessioned,
            members: members,
            snapshot: snapshot,
            lastCompletedGeneration: generation - 1,
            currentGeneration: generation,
            now: now,
            departedCleanly: departedCleanly
        )
        // Work is only started once no member runs it any more (revoked work moves a round later).
        let runningBefore = Set(running.values.flatMap { ($0 ?? nil)?.tasks ?? [] })
        let connectorsBefore = Set(running.values.flatMap { ($0 ?? nil)?.connectors ?? [] })
        for assignment in assignments.values {
            #expect(runningBefore.isDisjoint(with: assignment.tasks))
            #expect(connectorsBefore.isDisjoint(with: assignment.connectors))
        }
        var received: [String: ConnectAssignment] = [:]
        for (member, assignment) in assignments {
            let decoded = try ConnectProtocolCodec.decodeAssignment(ConnectProtocolCodec.encodeAssignment(assignment))
            received[member] = decoded
            running[member] = .some(decoded.merging(previous: running[member] ?? nil))
            lastDelay = decoded.delay
        }
        rounds.append(received)
        return received
    }

    /// Rebalances while the last round revoked something (members rejoin at once after a revocation).
    mutating func settle(now: Int64) throws {
        for _ in 0..<10 {
            let round = try rebalance(now: now)
            if round.values.allSatisfy({ $0.revokedConnectors.isEmpty && $0.revokedTasks.isEmpty }) { return }
        }
        Issue.record("the group did not settle in 10 rounds")
    }

    func tasks(_ member: String) -> Set<ConnectorTaskID> { Set((running[member] ?? nil)?.tasks ?? []) }
    func connectors(_ member: String) -> Set<String> { Set((running[member] ?? nil)?.connectors ?? []) }

    /// Every configured connector and task runs on exactly one live member.
    func expectEverythingRunsOnce(sourceLocation: SourceLocation = #_sourceLocation) {
        var tasks: [ConnectorTaskID] = []
        var connectors: [String] = []
        for member in running.keys {
            tasks += (running[member] ?? nil)?.tasks ?? []
            connectors += (running[member] ?? nil)?.connectors ?? []
        }
        let configuredTasks = snapshot.connectors.flatMap { snapshot.tasks(of: $0) }
        #expect(tasks.sorted() == configuredTasks.sorted(), sourceLocation: sourceLocation)
        #expect(connectors.sorted() == snapshot.connectors, sourceLocation: sourceLocation)
    }
}

@Suite struct IncrementalCooperativeAssignorTests {
    @Test func sixTasksOverThreeWorkersGoTwoEach() throws {
        var group = Group(maxDelay: 300_000, snapshot: try snapshot(["files": 6]), members: ["w1", "w2", "w3"])
        let round = try group.rebalance(now: 0)
        #expect(round.values.allSatisfy { $0.revokedTasks.isEmpty && $0.delay == 0 && !$0.failed })
        #expect(round.values.allSatisfy { $0.leader == "w1" && $0.leaderURL == "http://w1:8083/" })
        for member in ["w1", "w2", "w3"] { #expect(group.tasks(member).count == 2) }
        #expect(group.connectors("w1") == ["files"])
        group.expectEverythingRunsOnce()
        // A second round with nothing changed moves nothing.
        let quiet = try group.rebalance(now: 10)
        #expect(quiet.values.allSatisfy { $0.tasks.isEmpty && $0.connectors.isEmpty && $0.revokedTasks.isEmpty })
    }

    @Test func aJoiningWorkerTakesSomeTasksAndTheRestStay() throws {
        var group = Group(maxDelay: 300_000, snapshot: try snapshot(["files": 6]), members: ["w1", "w2", "w3"])
        try group.rebalance(now: 0)
        let before = ["w1", "w2", "w3"].map { group.tasks($0) }
        group.join("w4")
        try group.settle(now: 1000)
        group.expectEverythingRunsOnce()
        #expect(!group.tasks("w4").isEmpty)
        // Only the excess moved: every task a worker runs now it either ran before or is new to it
        // because it came from elsewhere; the tasks that did not move were never revoked.
        var stayed = 0
        for (index, member) in ["w1", "w2", "w3"].enumerated() {
            #expect(group.tasks(member).isSubset(of: before[index]))
            stayed += group.tasks(member).count
        }
        #expect(stayed == 6 - group.tasks("w4").count)
        let counts = ["w1", "w2", "w3", "w4"].map { group.tasks($0).count }.sorted()
        #expect(counts == [1, 1, 2, 2])
        // Revoked tasks were stopped in one round and started elsewhere in the next.
        let revoked = group.rounds[1].values.flatMap(\.revokedTasks)
        #expect(!revoked.isEmpty)
        #expect(Set(revoked) == group.tasks("w4"))
        #expect(group.rounds[1]["w4"]?.tasks.isEmpty == true)
        #expect(Set(group.rounds[2]["w4"]?.tasks ?? []) == Set(revoked))
    }

    @Test func aWorkerThatVanishesHasItsWorkHeldForTheDelayThenReassigned() throws {
        var group = Group(maxDelay: 300_000, snapshot: try snapshot(["files": 6]), members: ["w1", "w2", "w3"])
        try group.rebalance(now: 0)
        let lost = group.tasks("w3")
        let untouched = (group.tasks("w1"), group.tasks("w2"))
        group.leave("w3")

        // The session timed out at t=10s: the survivors keep their work, w3's waits.
        let delayed = try group.rebalance(now: 10_000)
        #expect(delayed.values.allSatisfy { $0.delay == 300_000 && $0.tasks.isEmpty && $0.revokedTasks.isEmpty })
        #expect(group.assignor.scheduledRebalance == 310_000)
        #expect((group.tasks("w1"), group.tasks("w2")) == untouched)

        // A rebalance for another reason within the delay: still held, with the remaining delay.
        let early = try group.rebalance(now: 110_000)
        #expect(early.values.allSatisfy { $0.delay == 200_000 && $0.tasks.isEmpty })

        // The members rejoin when the delay ends: w3's tasks are spread over the survivors.
        let reassigned = try group.rebalance(now: 310_000)
        #expect(reassigned.values.allSatisfy { $0.delay == 0 })
        #expect(Set(reassigned.values.flatMap(\.tasks)) == lost)
        group.expectEverythingRunsOnce()
        #expect(group.tasks("w1").count == 3 && group.tasks("w2").count == 3)
    }

    @Test func aWorkerBackWithinTheDelayGetsItsWorkBack() throws {
        var group = Group(
            maxDelay: 300_000,
            snapshot: try snapshot(["files": 6, "logs": 0]),
            members: ["w1", "w2", "w3"]
        )
        try group.rebalance(now: 0)
        let lostTasks = group.tasks("w2")
        let lostConnectors = group.connectors("w2")
        #expect(lostConnectors == ["logs"])
        group.leave("w2")
        try group.rebalance(now: 10_000)

        // Restarted, it joins under a new member id with nothing running.
        group.join("w2-again")
        let meanwhile = try group.rebalance(now: 60_000)
        #expect(meanwhile["w2-again"]?.tasks.isEmpty == true)
        #expect(meanwhile.values.allSatisfy { $0.delay == 250_000 })
        #expect(group.assignor.candidateWorkersForReassignment == ["w2-again"])

        try group.rebalance(now: 310_000)
        #expect(group.tasks("w2-again") == lostTasks)
        #expect(group.connectors("w2-again") == lostConnectors)
        group.expectEverythingRunsOnce()
        #expect(group.assignor.scheduledRebalance == 0)
    }

    @Test func aCleanDepartureIsReassignedAtOnce() throws {
        var group = Group(maxDelay: 300_000, snapshot: try snapshot(["files": 6]), members: ["w1", "w2", "w3"])
        try group.rebalance(now: 0)
        let leaving = group.tasks("w2")
        group.leave("w2")
        let round = try group.rebalance(now: 1000, departedCleanly: ["w2"])
        #expect(round.values.allSatisfy { $0.delay == 0 })
        #expect(Set(round.values.flatMap(\.tasks)) == leaving)
        group.expectEverythingRunsOnce()
        #expect(group.tasks("w1").count == 3 && group.tasks("w3").count == 3)
    }

    @Test func withoutADelayLostWorkMovesAtOnce() throws {
        var group = Group(maxDelay: 0, snapshot: try snapshot(["files": 4]), members: ["w1", "w2"])
        try group.rebalance(now: 0)
        group.leave("w2")
        let round = try group.rebalance(now: 5)
        #expect(round["w1"]?.delay == 0)
        #expect(group.tasks("w1").count == 4)
        group.expectEverythingRunsOnce()
    }

    @Test func aLeaderThatMissedTheLastRoundForgetsItAndDelaysNothing() throws {
        // Kafka (KAFKA-9848): if the leader's last completed generation is not the one it assigned,
        // its memory of that round is discarded; lost work then cannot be told from new work.
        var assignor = IncrementalCooperativeAssignor(maxDelay: 300_000)
        let config = try snapshot(["a": 4])
        let first = assignor.performTaskAssignment(
            snapshot: config,
            lastCompletedGeneration: -1,
            currentGeneration: 1,
            memberAssignments: ["w1": .empty, "w2": .empty],
            now: 0
        )
        let w1 = ConnectorsAndTasks(
            connectors: first.allAssignedConnectors["w1"] ?? [],
            tasks: first.allAssignedTasks["w1"] ?? []
        )
        // w2 vanished; the leader's sync of generation 1 failed, so it last completed generation 0.
        let second = assignor.performTaskAssignment(
            snapshot: config,
            lastCompletedGeneration: 0,
            currentGeneration: 2,
            memberAssignments: ["w1": w1],
            now: 1000
        )
        #expect(assignor.delay == 0)
        #expect(Set(second.newlyAssignedTasks["w1"] ?? []) == Set(first.allAssignedTasks["w2"] ?? []))
        #expect(second.allAssignedTasks["w1"]?.count == 4)
    }

    @Test func deletedWorkIsRevokedAndNewWorkGoesToTheLeastLoaded() throws {
        var group = Group(maxDelay: 300_000, snapshot: try snapshot(["a": 2, "b": 2]), members: ["w1", "w2"])
        try group.rebalance(now: 0)
        group.expectEverythingRunsOnce()
        let ownerOfA = try #require(["w1", "w2"].first { group.connectors($0).contains("a") })

        // "a" is deleted, "c" with 3 tasks created.
        group.snapshot = try snapshot(["b": 2, "c": 3])
        let round = try group.rebalance(now: 100)
        #expect(round[ownerOfA]?.revokedConnectors == ["a"])
        let revokedTasks = round.values.flatMap(\.revokedTasks)
        #expect(Set(revokedTasks) == [task("a", 0), task("a", 1)])
        try group.settle(now: 200)
        group.expectEverythingRunsOnce()
        let counts = ["w1", "w2"].map { group.tasks($0).count }.sorted()
        #expect(counts == [2, 3])
    }

    @Test func workRunningTwiceIsRevokedFromBoth() throws {
        var assignor = IncrementalCooperativeAssignor(maxDelay: 300_000)
        let config = try snapshot(["a": 2])
        let both = ConnectorsAndTasks(connectors: [], tasks: [task("a", 0)])
        let result = assignor.performTaskAssignment(
            snapshot: config,
            lastCompletedGeneration: -1,
            currentGeneration: 1,
            memberAssignments: ["w1": both, "w2": ConnectorsAndTasks(connectors: ["a"], tasks: [task("a", 0)])],
            now: 0
        )
        #expect(result.revokedTasks["w1"] == [task("a", 0)])
        #expect(result.revokedTasks["w2"] == [task("a", 0)])
        // The one nobody ran is started; the duplicate waits for the next round.
        #expect(result.newlyAssignedTasks.values.flatMap { $0 } == [task("a", 1)])
    }

    @Test func aLeaderBehindTheMembersAnswersConfigMismatch() throws {
        var assignor = IncrementalCooperativeAssignor(maxDelay: 300_000)
        let config = try snapshot(["a": 1])
        let members = [
            "w1": ConnectWorkerMetadata(url: "http://w1/", configOffset: config.offset),
            "w2": ConnectWorkerMetadata(url: "http://w2/", configOffset: config.offset + 4),
        ]
        let assignments = assignor.assign(
            leaderID: "w1",
            protocol: .compatible,
            members: members,
            snapshot: config,
            lastCompletedGeneration: -1,
            currentGeneration: 1,
            now: 0
        )
        #expect(assignments.count == 2)
        for assignment in assignments.values {
            #expect(assignment.error == ConnectAssignment.configMismatch)
            #expect(assignment.configOffset == config.offset + 4)
            #expect(assignment.version == 1)
            #expect(assignment.tasks.isEmpty && assignment.connectors.isEmpty)
        }
    }

    @Test func successiveRevokingRoundsBackOff() throws {
        // Two workers join one at a time, each forcing a revoking round: the second revoking round
        // in a row is postponed by 40 ms instead of revoking at once.
        var group = Group(maxDelay: 300_000, snapshot: try snapshot(["files": 12]), members: ["w1"])
        try group.rebalance(now: 0)
        group.join("w2")
        let first = try group.rebalance(now: 10)
        #expect(first["w1"]?.revokedTasks.count == 6)
        group.join("w3")
        let second = try group.rebalance(now: 20)
        #expect(second.values.allSatisfy { $0.revokedTasks.isEmpty && $0.delay == 40 })
        // The revoked six were handed out to the least loaded (w2 and the newcomer w3).
        #expect(group.tasks("w1").count == 6)
        try group.settle(now: 60)
        group.expectEverythingRunsOnce()
        #expect(["w1", "w2", "w3"].map { group.tasks($0).count } == [4, 4, 4])
    }

    @Test func randomMembershipAndConfigChangesKeepTheInvariants() throws {
        // Seeded, so a failure replays. Without a delay, after every change the group settles with
        // everything running exactly once and connectors and tasks each balanced within one.
        var random = SplitMix64(seed: 0x5EED)
        for _ in 0..<25 {
            var connectors: [String: Int] = ["c0": 3]
            var group = Group(maxDelay: 0, snapshot: try snapshot(connectors), members: ["w00", "w01"])
            var nextWorker = 2
            var now: Int64 = 0
            for _ in 0..<8 {
                now += 1000
                let workers = group.running.keys.sorted()
                switch random.next() % 4 {
                case 0:
                    group.join(nextWorker < 10 ? "w0\(nextWorker)" : "w\(nextWorker)")
                    nextWorker += 1
                case 1 where workers.count > 1:
                    // Anyone but the leader, whose assignor this is.
                    group.leave(workers[1 + Int(random.next() % UInt64(workers.count - 1))])
                case 2:
                    connectors["c\(random.next() % 4)"] = Int(random.next() % 7)
                    group.snapshot = try snapshot(connectors)
                default:
                    if connectors.count > 1, let victim = connectors.keys.sorted().last {
                        connectors[victim] = nil
                        group.snapshot = try snapshot(connectors)
                    }
                }
                try group.settle(now: now)
                group.expectEverythingRunsOnce()
                let taskCounts = group.running.keys.map { group.tasks($0).count }
                let connectorCounts = group.running.keys.map { group.connectors($0).count }
                #expect((taskCounts.max() ?? 0) - (taskCounts.min() ?? 0) <= 1)
                #expect((connectorCounts.max() ?? 0) - (connectorCounts.min() ?? 0) <= 1)
            }
        }
    }

    @Test func eagerAssignsEverythingRoundRobin() throws {
        let config = try snapshot(["a": 2, "b": 1])
        let members = [
            "w2": ConnectWorkerMetadata(url: "u2", configOffset: 0),
            "w1": ConnectWorkerMetadata(url: "u1", configOffset: 0),
        ]
        let result = EagerAssignor.assign(leaderID: "w1", members: members, snapshot: config)
        // Connectors a→w1, b→w2; tasks continue the rotation: a-0→w1, a-1→w2, b-0→w1.
        #expect(result["w1"]?.connectors == ["a"])
        #expect(result["w2"]?.connectors == ["b"])
        #expect(result["w1"]?.tasks == [task("a", 0), task("b", 0)])
        #expect(result["w2"]?.tasks == [task("a", 1)])
        #expect(result["w2"]?.leaderURL == "u1")
        #expect(result.values.allSatisfy { $0.version == 0 && !$0.failed })
        // A group that settled on `default` gets the eager assignor from `assign` too.
        var assignor = IncrementalCooperativeAssignor(maxDelay: 300_000)
        let viaAssign = assignor.assign(
            leaderID: "w1",
            protocol: .eager,
            members: members,
            snapshot: config,
            lastCompletedGeneration: -1,
            currentGeneration: 1,
            now: 0
        )
        #expect(viaAssign == result)
    }
}

/// A small deterministic generator (SplitMix64) for the property test.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
