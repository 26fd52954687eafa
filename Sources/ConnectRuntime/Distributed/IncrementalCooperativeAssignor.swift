import Foundation
import NIOCore

/// One round's result of the incremental cooperative assignor, per member id (Kafka's
/// `ClusterAssignment`).
public struct ClusterAssignment: Sendable, Hashable {
    /// Connectors each member starts now.
    public var newlyAssignedConnectors: [String: [String]] = [:]
    /// Tasks each member starts now.
    public var newlyAssignedTasks: [String: [ConnectorTaskID]] = [:]
    /// Connectors each member stops now.
    public var revokedConnectors: [String: [String]] = [:]
    /// Tasks each member stops now.
    public var revokedTasks: [String: [ConnectorTaskID]] = [:]
    /// What each member runs once it applied this round.
    public var allAssignedConnectors: [String: [String]] = [:]
    /// Likewise for tasks.
    public var allAssignedTasks: [String: [ConnectorTaskID]] = [:]

    /// An empty result.
    public init() {}
}

/// The leader's side of KIP-415 incremental cooperative rebalancing (Kafka's
/// `IncrementalCooperativeAssignor`) as a value: it remembers the previous round's assignment,
/// revocations and the delay for lost work between rounds, and takes time as an argument.
///
/// Each round: deleted work is revoked from its owners, work reported by two members is revoked from
/// both, work of members that left is "lost" (kept unassigned for up to
/// `scheduled.rebalance.max.delay.ms` in case its worker comes back, then given to workers that
/// joined empty meanwhile, else spread like new work), overloaded workers give up their excess
/// (revoked now, reassigned next round), and new work goes to the least-loaded workers. Members
/// receive only what changes for them.
public struct IncrementalCooperativeAssignor: Sendable {
    /// `scheduled.rebalance.max.delay.ms`.
    public let maxDelay: Int32

    private var previousAssignment = Work()
    private var previousRevocation = Work()
    private var revokedInPrevious = false
    /// Members that joined with nothing while lost work waited, in the order they were seen.
    public private(set) var candidateWorkersForReassignment: [String] = []
    /// When the delayed reassignment of lost work is due (ms since the epoch), 0 for none.
    public private(set) var scheduledRebalance: Int64 = 0
    /// The delay handed to members in the last round (ms), 0 for none.
    public private(set) var delay: Int32 = 0
    private var previousGenerationID: Int32 = -1
    private var previousMembers: Set<String> = []
    /// Who was given each connector and task last round (lost work keeps its old owner).
    private var previousConnectorOwners: [String: String] = [:]
    private var previousTaskOwners: [ConnectorTaskID: String] = [:]
    private var successiveRevokingRebalances = 0

    /// An assignor with no history.
    public init(maxDelay: Int32) {
        self.maxDelay = maxDelay
    }

    // MARK: The group protocol

    /// The highest config offset the members report; the leader must have read that far.
    public static func maxConfigOffset(_ members: [String: ConnectWorkerMetadata]) -> Int64 {
        members.values.map(\.configOffset).max() ?? -1
    }

    /// Every member's assignment for this round (Kafka's `performAssignment`), at the version of
    /// `protocol` (`eager` is handed to ``EagerAssignor``). The caller refreshes `snapshot` first if it is behind
    /// ``maxConfigOffset(_:)``; if it still is, everyone gets CONFIG_MISMATCH and nothing moves.
    public mutating func assign(
        leaderID: String,
        protocol: ConnectProtocolCompatibility,
        members: [String: ConnectWorkerMetadata],
        snapshot: ClusterConfigSnapshot,
        lastCompletedGeneration: Int32,
        currentGeneration: Int32,
        now: Int64,
        departedCleanly: Set<String> = []
    ) -> [String: ConnectAssignment] {
        // The eager protocol has its own assignor (as Kafka's coordinator chooses).
        if `protocol` == .eager {
            return EagerAssignor.assign(leaderID: leaderID, members: members, snapshot: snapshot)
        }
        let maxOffset = Self.maxConfigOffset(members)
        let leaderURL = members[leaderID]?.url ?? ""
        func fill(_ error: Int16, _ result: ClusterAssignment, delay: Int32) -> [String: ConnectAssignment] {
            var assignments: [String: ConnectAssignment] = [:]
            for member in members.keys {
                assignments[member] = ConnectAssignment(
                    version: `protocol`.version,
                    error: error,
                    leader: leaderID,
                    leaderURL: leaderURL,
                    configOffset: maxOffset,
                    connectors: result.newlyAssignedConnectors[member] ?? [],
                    tasks: result.newlyAssignedTasks[member] ?? [],
                    revokedConnectors: result.revokedConnectors[member] ?? [],
                    revokedTasks: result.revokedTasks[member] ?? [],
                    delay: delay
                )
            }
            return assignments
        }
        guard snapshot.offset >= maxOffset else {
            return fill(ConnectAssignment.configMismatch, ClusterAssignment(), delay: 0)
        }
        let result = performTaskAssignment(
            snapshot: snapshot,
            lastCompletedGeneration: lastCompletedGeneration,
            currentGeneration: currentGeneration,
            memberAssignments: members.mapValues(\.running),
            now: now,
            departedCleanly: departedCleanly
        )
        return fill(ConnectAssignment.noError, result, delay: delay)
    }

    // MARK: The algorithm

    /// One round over the members' current work (Kafka's `performTaskAssignment`).
    ///
    /// `departedCleanly` is a SwiftConnect extension: member ids of the last round that left on
    /// purpose (they stopped their work before leaving). Their work is reassigned at once instead of
    /// waiting for the delay, which Kafka applies to every departure. Empty gives Kafka's behaviour.
    public mutating func performTaskAssignment(
        snapshot: ClusterConfigSnapshot,
        lastCompletedGeneration: Int32,
        currentGeneration: Int32,
        memberAssignments: [String: ConnectorsAndTasks],
        now: Int64,
        departedCleanly: Set<String> = []
    ) -> ClusterAssignment {
        // A leader that failed to complete the last round cannot trust what it remembers of it.
        if previousGenerationID != lastCompletedGeneration { previousAssignment = Work() }

        var configured = Work()
        for connector in snapshot.connectors {
            configured.connectors.insert(connector)
            configured.tasks.formUnion(snapshot.tasks(of: connector))
        }
        var active = Work()
        for work in memberAssignments.values {
            active.connectors.formUnion(work.connectors)
            active.tasks.formUnion(work.tasks)
        }

        // Work revoked last round that a member still reports was not released: start from what runs.
        if !previousRevocation.isEmpty {
            if !previousRevocation.connectors.isDisjoint(with: active.connectors)
                || !previousRevocation.tasks.isDisjoint(with: active.tasks)
            {
                previousAssignment = active
            }
            previousRevocation = Work()
        }

        let deleted = previousAssignment.subtracting(configured)
        let duplicated = Self.duplicated(memberAssignments)
        let lost = previousAssignment.subtracting(active).subtracting(deleted)
        let created = configured.subtracting(previousAssignment).subtracting(active)

        let members = memberAssignments.keys.sorted()
        let current = members.map { member in
            let work = memberAssignments[member] ?? .empty
            return WorkerLoad(
                worker: member,
                connectors: work.connectors.filter { !deleted.connectors.contains($0) },
                tasks: work.tasks.filter { !deleted.tasks.contains($0) }
            )
        }

        var toRevoke: [String: Work] = [:]
        let deletedToRevoke = Self.intersection(deleted, memberAssignments)
        let duplicatedToRevoke = Self.intersection(duplicated, memberAssignments)
        Self.add(&toRevoke, deletedToRevoke)
        Self.add(&toRevoke, duplicatedToRevoke)

        var next = members.map { member in
            let work = memberAssignments[member] ?? .empty
            return WorkerLoad(worker: member, connectors: work.connectors, tasks: work.tasks)
        }
        Self.remove(&next, deletedToRevoke)
        Self.remove(&next, duplicatedToRevoke)

        // Work of members that left on purpose is not waited for.
        let cleanlyLost = Work(
            connectors: lost.connectors.filter { previousConnectorOwners[$0].map(departedCleanly.contains) ?? false },
            tasks: lost.tasks.filter { previousTaskOwners[$0].map(departedCleanly.contains) ?? false }
        )
        var lostToReassign = handleLostAssignments(
            lost.subtracting(cleanlyLost),
            workers: &next,
            now: now,
            departedCleanly: departedCleanly
        )
        lostToReassign.connectors.formUnion(cleanlyLost.connectors)
        lostToReassign.tasks.formUnion(cleanlyLost.tasks)

        if delay == 0 {
            let balancing = Self.loadBalancingRevocations(configured, next)
            if revokedInPrevious && !balancing.isEmpty {
                // Revoking again right after a revoking round: back off instead (avoids storms).
                successiveRevokingRebalances += 1
                delay = backoff(successiveRevokingRebalances)
                if delay != 0 {
                    scheduledRebalance = now + Int64(delay)
                } else {
                    Self.add(&toRevoke, balancing)
                    Self.remove(&next, balancing)
                }
            } else if !balancing.isEmpty {
                Self.add(&toRevoke, balancing)
                Self.remove(&next, balancing)
                revokedInPrevious = true
            } else if revokedInPrevious {
                revokedInPrevious = false
                successiveRevokingRebalances = 0
            }
        } else {
            revokedInPrevious = false
        }

        let toAssignConnectors = (created.connectors.sorted() + lostToReassign.connectors.sorted()).uniqued()
        let toAssignTasks = (created.tasks.sorted() + lostToReassign.tasks.sorted()).uniqued()
        Self.assignConnectors(&next, toAssignConnectors)
        Self.assignTasks(&next, toAssignTasks)

        var result = ClusterAssignment()
        let currentByWorker = Dictionary(uniqueKeysWithValues: current.map { ($0.worker, $0) })
        for load in next {
            let before = currentByWorker[load.worker]
            let connectorsBefore = Set(before?.connectors ?? [])
            let tasksBefore = Set(before?.tasks ?? [])
            result.newlyAssignedConnectors[load.worker] = load.connectors.filter { !connectorsBefore.contains($0) }
            result.newlyAssignedTasks[load.worker] = load.tasks.filter { !tasksBefore.contains($0) }
            let revoked = toRevoke[load.worker] ?? Work()
            result.revokedConnectors[load.worker] = revoked.connectors.sorted()
            result.revokedTasks[load.worker] = revoked.tasks.sorted()
            result.allAssignedConnectors[load.worker] = load.connectors.filter { !revoked.connectors.contains($0) }
            result.allAssignedTasks[load.worker] = load.tasks.filter { !revoked.tasks.contains($0) }
        }

        // What the next round compares against: everything placed now, minus revocations (which are
        // remembered to check they were released), plus lost work still waiting for its worker.
        var remembered = Work()
        for load in next {
            remembered.connectors.formUnion(load.connectors)
            remembered.tasks.formUnion(load.tasks)
        }
        for revoked in toRevoke.values {
            remembered = remembered.subtracting(revoked)
            previousRevocation.connectors.formUnion(revoked.connectors)
            previousRevocation.tasks.formUnion(revoked.tasks)
        }
        remembered.connectors.formUnion(lost.connectors)
        remembered.tasks.formUnion(lost.tasks)
        previousAssignment = remembered
        previousConnectorOwners = previousConnectorOwners.filter { lost.connectors.contains($0.key) }
        previousTaskOwners = previousTaskOwners.filter { lost.tasks.contains($0.key) }
        for load in next {
            for connector in load.connectors { previousConnectorOwners[connector] = load.worker }
            for task in load.tasks { previousTaskOwners[task] = load.worker }
        }
        previousGenerationID = currentGeneration
        previousMembers = Set(memberAssignments.keys)
        return result
    }

    /// Kafka's `handleLostAssignments`: returns the lost work to treat as new now; may instead hand
    /// it straight to candidate workers, or keep it back and (re)start the delay.
    private mutating func handleLostAssignments(
        _ lost: Work,
        workers: inout [WorkerLoad],
        now: Int64,
        departedCleanly: Set<String>
    ) -> Work {
        if lost.isEmpty && !revokedInPrevious {
            resetDelay()
            return Work()
        }
        let activeMembers = Set(workers.map(\.worker))
        if scheduledRebalance <= 0 && activeMembers.isSuperset(of: previousMembers.subtracting(departedCleanly)) {
            // Nobody left: members probably missed the last assignment. Reassign as new.
            return lost
        }
        if maxDelay == 0 { return lost }

        if scheduledRebalance > 0 && now >= scheduledRebalance {
            // The delay expired: workers that joined empty meanwhile (the lost worker back under a
            // new member id, typically) get the lost work round-robin; otherwise it is new work.
            let candidates = candidateWorkersForReassignment.compactMap { candidate in
                workers.firstIndex { $0.worker == candidate }
            }
            var reassign = Work()
            if candidates.isEmpty {
                reassign = lost
            } else {
                for (index, connector) in lost.connectors.sorted().enumerated() {
                    workers[candidates[index % candidates.count]].connectors.append(connector)
                }
                for (index, task) in lost.tasks.sorted().enumerated() {
                    workers[candidates[index % candidates.count]].tasks.append(task)
                }
            }
            resetDelay()
            revokedInPrevious = false
            return reassign
        }

        for load in workers where load.isEmpty && !candidateWorkersForReassignment.contains(load.worker) {
            candidateWorkersForReassignment.append(load.worker)
        }
        if now < scheduledRebalance {
            let remaining = scheduledRebalance - now
            delay = remaining > 0 ? Int32(min(remaining, Int64(maxDelay))) : 0
        } else {
            delay = maxDelay
        }
        scheduledRebalance = now + Int64(delay)
        return Work()
    }

    private mutating func resetDelay() {
        candidateWorkersForReassignment = []
        scheduledRebalance = 0
        delay = 0
    }

    /// Kafka's `ExponentialBackoff(1, 40, maxDelay, 0)`: 40ⁿ ms for the n-th successive revoking
    /// round, capped at the maximum delay (always 0 when it is 0).
    private func backoff(_ attempts: Int) -> Int32 {
        let initial = min(Int64(maxDelay), maxDelay == 0 ? 0 : 1)
        let maximum = Double(maxDelay)
        let expMax = Int64(maxDelay) > initial ? log(maximum / Double(max(initial, 1))) / log(40.0) : 0
        if expMax == 0 { return Int32(initial) }
        let term = Double(initial) * pow(40.0, min(Double(attempts), expMax))
        return Int32(min(Int64(term), Int64(maxDelay)))
    }

    // MARK: Building blocks

    /// Work as sets, for set arithmetic.
    struct Work: Sendable, Hashable {
        var connectors: Set<String> = []
        var tasks: Set<ConnectorTaskID> = []

        var isEmpty: Bool { connectors.isEmpty && tasks.isEmpty }

        func subtracting(_ other: Work) -> Work {
            Work(connectors: connectors.subtracting(other.connectors), tasks: tasks.subtracting(other.tasks))
        }
    }

    /// A worker's work during a round, in order (Kafka's `WorkerLoad`).
    struct WorkerLoad: Sendable, Hashable {
        var worker: String
        var connectors: [String]
        var tasks: [ConnectorTaskID]

        var isEmpty: Bool { connectors.isEmpty && tasks.isEmpty }
    }

    private static func duplicated(_ members: [String: ConnectorsAndTasks]) -> Work {
        var connectorCounts: [String: Int] = [:]
        var taskCounts: [ConnectorTaskID: Int] = [:]
        for work in members.values {
            for connector in work.connectors { connectorCounts[connector, default: 0] += 1 }
            for task in work.tasks { taskCounts[task, default: 0] += 1 }
        }
        return Work(
            connectors: Set(connectorCounts.filter { $0.value > 1 }.keys),
            tasks: Set(taskCounts.filter { $0.value > 1 }.keys)
        )
    }

    private static func intersection(_ work: Work, _ members: [String: ConnectorsAndTasks]) -> [String: Work] {
        members.mapValues { assigned in
            Work(
                connectors: Set(assigned.connectors).intersection(work.connectors),
                tasks: Set(assigned.tasks).intersection(work.tasks)
            )
        }
    }

    private static func add(_ base: inout [String: Work], _ more: [String: Work]) {
        for (worker, work) in more {
            base[worker, default: Work()].connectors.formUnion(work.connectors)
            base[worker, default: Work()].tasks.formUnion(work.tasks)
        }
    }

    private static func remove(_ loads: inout [WorkerLoad], _ work: [String: Work]) {
        for index in loads.indices {
            guard let removing = work[loads[index].worker] else { continue }
            loads[index].connectors.removeAll { removing.connectors.contains($0) }
            loads[index].tasks.removeAll { removing.tasks.contains($0) }
        }
    }

    /// Revocations that bring every worker down to its even share (connectors and tasks counted
    /// separately); the first workers over the minimum may keep one extra while extras remain.
    private static func loadBalancingRevocations(_ configured: Work, _ workers: [WorkerLoad]) -> [String: Work] {
        if workers.allSatisfy(\.isEmpty) || configured.isEmpty { return [:] }
        var result: [String: Work] = [:]
        for (worker, revoked) in revocations(total: configured.connectors.count, workers, \.connectors) {
            result[worker, default: Work()].connectors.formUnion(revoked)
        }
        for (worker, revoked) in revocations(total: configured.tasks.count, workers, \.tasks) {
            result[worker, default: Work()].tasks.formUnion(revoked)
        }
        return result
    }

    private static func revocations<Element>(
        total: Int,
        _ workers: [WorkerLoad],
        _ allocation: KeyPath<WorkerLoad, [Element]>
    ) -> [String: [Element]] {
        let minimum = total / workers.count
        let extras = total % workers.count
        let sizes = workers.map { $0[keyPath: allocation].count }
        let atMinimum = sizes.filter { $0 == minimum }.count
        let withExtra = sizes.filter { $0 == minimum + 1 }.count
        if withExtra == extras && atMinimum + withExtra == workers.count { return [:] }

        var result: [String: [Element]] = [:]
        var allocatedExtras = 0
        for worker in workers {
            let size = worker[keyPath: allocation].count
            if size <= minimum { continue }
            let maximum: Int
            if allocatedExtras < extras {
                allocatedExtras += 1
                if size == minimum + 1 { continue }
                maximum = minimum + 1
            } else {
                maximum = minimum
            }
            result[worker.worker] = Array(worker[keyPath: allocation].prefix(size - maximum))
        }
        return result
    }

    /// Fills the least-loaded workers level by level, ties broken by member id (Kafka's
    /// `assignConnectors`).
    private static func assignConnectors(_ workers: inout [WorkerLoad], _ connectors: [String]) {
        guard !workers.isEmpty, !connectors.isEmpty else { return }
        workers.sort { ($0.connectors.count, $0.worker) < ($1.connectors.count, $1.worker) }
        var remaining = connectors[...]
        while !remaining.isEmpty {
            let firstLoad = workers[0].connectors.count
            let upTo = workers.firstIndex { $0.connectors.count > firstLoad } ?? workers.count
            for index in 0..<upTo {
                guard let connector = remaining.popFirst() else { break }
                workers[index].connectors.append(connector)
            }
        }
    }

    /// Likewise for tasks (Kafka's `assignTasks`).
    private static func assignTasks(_ workers: inout [WorkerLoad], _ tasks: [ConnectorTaskID]) {
        guard !workers.isEmpty, !tasks.isEmpty else { return }
        workers.sort { ($0.tasks.count, $0.worker) < ($1.tasks.count, $1.worker) }
        var remaining = tasks[...]
        while !remaining.isEmpty {
            let firstLoad = workers[0].tasks.count
            let upTo = workers.firstIndex { $0.tasks.count > firstLoad } ?? workers.count
            for index in 0..<upTo {
                guard let task = remaining.popFirst() else { break }
                workers[index].tasks.append(task)
            }
        }
    }
}

/// Kafka's eager assignor (protocol `default`): every round assigns everything, connectors sorted
/// round-robin over the sorted members, then the tasks continuing the same rotation.
public enum EagerAssignor {
    /// Every member's complete v0 assignment, or CONFIG_MISMATCH for all if `snapshot` is behind.
    public static func assign(
        leaderID: String,
        members: [String: ConnectWorkerMetadata],
        snapshot: ClusterConfigSnapshot
    ) -> [String: ConnectAssignment] {
        let maxOffset = IncrementalCooperativeAssignor.maxConfigOffset(members)
        let leaderURL = members[leaderID]?.url ?? ""
        var result: [String: ConnectAssignment] = [:]
        for member in members.keys {
            result[member] = ConnectAssignment(
                version: 0,
                error: snapshot.offset >= maxOffset ? ConnectAssignment.noError : ConnectAssignment.configMismatch,
                leader: leaderID,
                leaderURL: leaderURL,
                configOffset: maxOffset
            )
        }
        guard snapshot.offset >= maxOffset else { return result }
        let sortedMembers = members.keys.sorted()
        guard !sortedMembers.isEmpty else { return result }
        var next = 0
        func take() -> String {
            defer { next = (next + 1) % sortedMembers.count }
            return sortedMembers[next]
        }
        for connector in snapshot.connectors { result[take()]?.connectors.append(connector) }
        for connector in snapshot.connectors {
            for task in snapshot.tasks(of: connector) { result[take()]?.tasks.append(task) }
        }
        return result
    }
}
