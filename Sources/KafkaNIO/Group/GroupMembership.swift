import KafkaProtocol
import Logging
import NIOCore
import NIOPosix

/// One protocol a member supports, with the metadata the leader sees (JoinGroup's `protocols`).
public struct GroupProtocol: Sendable, Hashable {
    public var name: String
    public var metadata: ByteBuffer

    public init(name: String, metadata: ByteBuffer) {
        self.name = name
        self.metadata = metadata
    }
}

/// A member as the leader sees it in the JoinGroup answer.
public struct GroupMember: Sendable, Hashable {
    public var memberID: String
    /// `group.instance.id` of a static member.
    public var groupInstanceID: String?
    /// The member's metadata for the protocol the coordinator chose, byte for byte.
    public var metadata: ByteBuffer

    public init(memberID: String, groupInstanceID: String?, metadata: ByteBuffer) {
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.metadata = metadata
    }
}

/// What a member receives when a rebalance completes (SyncGroup's answer).
public struct GroupAssignment: Sendable, Hashable {
    public var generation: Int32
    public var memberID: String
    public var leaderID: String
    public var isLeader: Bool { self.memberID == self.leaderID }
    /// The protocol the coordinator chose for the group.
    public var protocolName: String
    /// This member's assignment bytes from the leader.
    public var assignment: ByteBuffer
}

/// Why the member is about to (re)join.
public struct GroupRebalanceStart: Sendable, Hashable {
    /// The generation the member had (-1 if none: first join, or after losing its membership).
    public var generation: Int32
    public var memberID: String
    public var reason: String
}

/// Settings of a ``GroupMembership``, with the Java clients' names and defaults.
public struct GroupMembershipConfiguration: Sendable {
    /// `group.id`.
    public var groupID: String
    /// JoinGroup's protocol type: `consumer` for consumer groups, `connect` for Connect workers.
    public var protocolType: String
    /// The protocols this member supports, most preferred first.
    public var protocols: [GroupProtocol]
    /// `session.timeout.ms`: the coordinator evicts a member that sends no heartbeat for this
    /// long. Default: 45000.
    public var sessionTimeoutMs: Int = 45_000
    /// `rebalance.timeout.ms` (the consumer's `max.poll.interval.ms`): how long the coordinator
    /// waits for every member to rejoin. Default: 300000.
    public var rebalanceTimeoutMs: Int = 300_000
    /// `heartbeat.interval.ms`. Default: 3000.
    public var heartbeatIntervalMs: Int = 3_000
    /// `group.instance.id`: makes the member static (KIP-345); nil for a dynamic member.
    public var groupInstanceID: String?

    public init(groupID: String, protocolType: String, protocols: [GroupProtocol]) {
        self.groupID = groupID
        self.protocolType = protocolType
        self.protocols = protocols
    }
}

/// What a ``GroupMembership`` tells its owner. The membership awaits each call before it goes on,
/// so the owner's work (revoking partitions, committing offsets) completes before the member
/// rejoins. Heartbeats keep running meanwhile.
///
/// Every method has a default that does nothing, except ``assign(protocolName:members:)``.
public protocol GroupMembershipHandler: Sendable {
    /// Runs on the elected leader: returns each member's assignment bytes, keyed by member id.
    /// Members missing from the result get empty bytes. A thrown error makes the member rejoin.
    func assign(protocolName: String, members: [GroupMember]) async throws -> [String: ByteBuffer]

    /// A rebalance starts and the member is about to send JoinGroup (also before the first join).
    /// Return new protocols (metadata) to join with, or nil to keep the current ones.
    func rebalanceStarted(_ rebalance: GroupRebalanceStart) async -> [GroupProtocol]?

    /// The rebalance completed: this member's assignment for the new generation.
    func assigned(_ assignment: GroupAssignment) async

    /// The coordinator fenced the member (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, an expired
    /// session): whatever it was assigned may already belong to another member. It rejoins next.
    func membershipLost(_ error: KafkaError) async

    /// The member cannot stay in the group (FENCED_INSTANCE_ID, INCONSISTENT_GROUP_PROTOCOL, an
    /// authorization failure, ...); it stopped and stays out until ``GroupMembership/requestRejoin(reason:)``.
    func failed(_ error: KafkaError) async
}

extension GroupMembershipHandler {
    public func rebalanceStarted(_ rebalance: GroupRebalanceStart) async -> [GroupProtocol]? { nil }
    public func assigned(_ assignment: GroupAssignment) async {}
    public func membershipLost(_ error: KafkaError) async {}
    public func failed(_ error: KafkaError) async {}
}

/// Membership in a Kafka group with any protocol type: the classic group protocol (JoinGroup,
/// SyncGroup, Heartbeat, LeaveGroup) run by two owned tasks, one that joins whenever a rebalance
/// is due and one that heartbeats while the member is stable.
///
/// The decisions live in ``GroupMembershipState``; this actor sends the requests and calls the
/// ``GroupMembershipHandler``. Consumer groups build on it with protocol type `consumer`; Connect
/// workers use it with `connect`.
public actor GroupMembership {
    public nonisolated let configuration: GroupMembershipConfiguration
    public nonisolated let cluster: KafkaCluster
    private let handler: any GroupMembershipHandler
    private let logger: Logger

    private var state: GroupMembershipState
    private var protocols: [GroupProtocol]
    private var lastHeartbeatSuccess = ContinuousClock.now
    private var joinTask: Task<Void, Never>?
    private var heartbeatTask: Task<Void, Never>?
    private let joinWakeup = WakeupSignal(eventLoop: MultiThreadedEventLoopGroup.singleton.next())
    private let heartbeatWakeup = WakeupSignal(eventLoop: MultiThreadedEventLoopGroup.singleton.next())
    private var isClosed = false
    /// This member's own connection to the coordinator (see
    /// ``KafkaCluster/openDedicatedConnection(to:)``); closed when the coordinator moves and on close.
    private var coordinator: BrokerConnection?

    public init(
        cluster: KafkaCluster,
        configuration: GroupMembershipConfiguration,
        handler: any GroupMembershipHandler,
        logger: Logger = Logger(label: "swift-connect.kafka.group")
    ) {
        self.cluster = cluster
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.state = GroupMembershipState(groupInstanceID: configuration.groupInstanceID)
        self.protocols = configuration.protocols
    }

    /// The member id the coordinator gave (empty before the first join).
    public var memberID: String { self.state.memberID }
    /// The generation of the last join (-1 if none).
    public var generation: Int32 { self.state.generation }
    /// Whether this member is the stable group's leader.
    public var isLeader: Bool { self.state.isLeader }
    /// Whether the member has an assignment for the current generation and heartbeats.
    public var isStable: Bool { self.state.phase == .stable }

    /// Joins the group and keeps the member in it until ``leave()`` or ``close()``.
    public func start() {
        guard !self.isClosed, self.joinTask == nil else { return }
        self.joinTask = Task { await self.runJoinLoop() }
        self.heartbeatTask = Task { await self.runHeartbeats() }
    }

    /// Rejoins the group (a new rebalance), e.g. after the member's metadata changed; also brings a
    /// member that left back in.
    public func requestRejoin(reason: String) {
        self.state.requestRejoin(reason: reason)
        self.joinWakeup.signal()
    }

    /// Replaces the protocols (metadata) sent with the next JoinGroup and rejoins.
    public func updateProtocols(_ protocols: [GroupProtocol]) {
        self.protocols = protocols
        self.requestRejoin(reason: "the member's metadata changed")
    }

    /// Leaves the group (LeaveGroup for a dynamic member; a static member only stops, as Kafka's
    /// clients do, and is evicted after the session timeout unless it comes back). The member
    /// stays out until ``requestRejoin(reason:)``.
    public func leave(reason: String = "the member is leaving") async {
        let memberID = self.state.memberID
        let sendLeave = self.state.shouldSendLeaveGroup
        // The coordinator answers a connection's requests in order, and a JoinGroup can be held for
        // the whole rebalance: a LeaveGroup queued behind it would wait that long. Drop that
        // connection (abandoning the join) and leave through a connection of its own, which the
        // join loop, failing over the dropped one, cannot close under it.
        let joinInFlight = self.state.phase == .joining || self.state.phase == .syncing
        self.state.left()
        if joinInFlight { await self.closeCoordinatorConnection() }
        self.heartbeatWakeup.signal()
        if sendLeave { await self.sendLeaveGroup(memberID: memberID, reason: reason, ownConnection: joinInFlight) }
    }

    /// Leaves the group and stops both tasks.
    public func close() async {
        guard !self.isClosed else { return }
        await self.leave(reason: "the member is closing")
        self.isClosed = true
        self.state.close()
        let tasks = [self.joinTask, self.heartbeatTask].compactMap { $0 }
        for task in tasks { task.cancel() }
        self.joinWakeup.signal()
        self.heartbeatWakeup.signal()
        for task in tasks { await task.value }
        self.joinTask = nil
        self.heartbeatTask = nil
        await self.closeCoordinatorConnection()
    }

    /// Stops heartbeats and joins without sending LeaveGroup: to the coordinator the member
    /// simply vanished (as if its process was killed) and is evicted after `session.timeout.ms`.
    /// Meant for failover tests; use ``close()`` otherwise.
    public func stopWithoutLeaving() async {
        self.isClosed = true
        self.state.close()
        let tasks = [self.joinTask, self.heartbeatTask].compactMap { $0 }
        for task in tasks { task.cancel() }
        self.joinWakeup.signal()
        self.heartbeatWakeup.signal()
        for task in tasks { await task.value }
        await self.closeCoordinatorConnection()
    }

    // MARK: Coordinator connection

    private func coordinatorConnection() async throws -> BrokerConnection {
        if let open = self.coordinator, open.isActive { return open }
        let broker = try await self.cluster.coordinatorBroker(for: self.configuration.groupID, type: .group)
        let connection = try await self.cluster.openDedicatedConnection(to: broker)
        // The join and heartbeat tasks may both have opened one while this actor was suspended.
        if let open = self.coordinator, open.isActive {
            await connection.close()
            return open
        }
        let previous = self.coordinator
        self.coordinator = connection
        if let previous { await previous.close() }
        return connection
    }

    private func coordinatorMoved() async {
        await self.cluster.coordinatorMoved(key: self.configuration.groupID, type: .group)
        await self.closeCoordinatorConnection()
    }

    private func closeCoordinatorConnection() async {
        let connection = self.coordinator
        self.coordinator = nil
        if let connection { await connection.close() }
    }

    // MARK: Join loop

    private func runJoinLoop() async {
        var attempt = 0
        var needsRebalanceHook = true
        while !Task.isCancelled, !self.isClosed {
            guard self.state.shouldJoin else {
                await self.joinWakeup.wait(timeout: nil)
                continue
            }
            if needsRebalanceHook {
                let start = GroupRebalanceStart(
                    generation: self.state.generation,
                    memberID: self.state.memberID,
                    reason: self.state.rejoinReason
                )
                if let replaced = await self.handler.rebalanceStarted(start) { self.protocols = replaced }
                needsRebalanceHook = false
                continue  // the state may have changed while the handler ran
            }
            let backoff: Bool
            do {
                switch try await self.joinOnce() {
                case .assigned:
                    attempt = 0
                    needsRebalanceHook = true
                    backoff = false
                case .again:
                    backoff = false
                case .againAfterBackoff:
                    backoff = true
                case .lost:
                    needsRebalanceHook = true
                    backoff = false
                case .stop:
                    return
                }
            } catch is CancellationError {
                return
            } catch {
                if self.isClosed { return }
                self.logger.debug(
                    "group join failed",
                    metadata: ["group": "\(self.configuration.groupID)", "error": "\(error)"]
                )
                _ = self.state.requestFailed()
                await self.coordinatorMoved()
                backoff = true
            }
            if backoff {
                attempt += 1
                try? await Task.sleep(for: self.cluster.configuration.retryBackoff(attempt: attempt))
            }
        }
    }

    private enum JoinRound {
        case assigned, again, againAfterBackoff, lost, stop
    }

    private func joinOnce() async throws -> JoinRound {
        let groupID = self.configuration.groupID
        let connection = try await self.coordinatorConnection()
        guard let joinVersion = connection.apiVersions.version(for: JoinGroupRequest.self), joinVersion >= 4 else {
            // v0-v3 cannot carry the member id MEMBER_ID_REQUIRED hands out.
            await self.fail(.unsupportedAPI(.joinGroup))
            return .stop
        }
        guard self.state.shouldJoin else { return .again }
        let reason = self.state.rejoinReason
        self.state.joinStarted()
        let request = JoinGroupRequest(
            groupId: groupID,
            sessionTimeoutMs: Int32(clamping: self.configuration.sessionTimeoutMs),
            rebalanceTimeoutMs: Int32(clamping: self.configuration.rebalanceTimeoutMs),
            memberId: self.state.memberID,
            groupInstanceId: self.configuration.groupInstanceID,
            protocolType: self.configuration.protocolType,
            protocols: self.protocols.map { .init(name: $0.name, metadata: $0.metadata) },
            reason: reason
        )
        // The coordinator holds JoinGroup until every member joined (up to the rebalance timeout).
        let joinTimeout = Duration.milliseconds(
            max(self.cluster.configuration.requestTimeoutMs, self.configuration.rebalanceTimeoutMs + 5_000)
        )
        let response = try await connection.send(request, version: joinVersion, timeout: joinTimeout)
        let code = KafkaErrorCode(rawValue: response.errorCode)
        let outcome = self.state.joinResponse(
            errorCode: code,
            memberID: response.memberId,
            generation: response.generationId,
            leaderID: response.leader,
            protocolName: response.protocolName
        )
        switch outcome {
        case .joined(let isLeader):
            return try await self.sync(
                connection: connection,
                isLeader: isLeader,
                members: response.members,
                protocolName: response.protocolName ?? self.protocols.first?.name ?? "",
                skipAssignment: response.skipAssignment
            )
        case .rejoinNow:
            return .again
        case .retryAfterBackoff:
            return .againAfterBackoff
        case .coordinatorMoved:
            await self.coordinatorMoved()
            return .againAfterBackoff
        case .membershipLost(let lostCode):
            await self.handler.membershipLost(.broker(lostCode, message: "JoinGroup for group \(groupID)"))
            return .lost
        case .fatal(let fatalCode):
            await self.fail(.broker(fatalCode, message: Self.fixHint(fatalCode, group: groupID)))
            return .stop
        }
    }

    private func sync(
        connection: BrokerConnection,
        isLeader: Bool,
        members: [JoinGroupResponse.JoinGroupResponseMember],
        protocolName: String,
        skipAssignment: Bool
    ) async throws -> JoinRound {
        let groupID = self.configuration.groupID
        let generation = self.state.generation
        var assignments: [SyncGroupRequest.SyncGroupRequestAssignment] = []
        // KIP-814: with skipAssignment a static leader rejoining keeps the old assignment.
        if isLeader && !skipAssignment {
            let view = members.map {
                GroupMember(memberID: $0.memberId, groupInstanceID: $0.groupInstanceId, metadata: $0.metadata)
            }
            do {
                let result = try await self.handler.assign(protocolName: protocolName, members: view)
                assignments = view.map {
                    .init(memberId: $0.memberID, assignment: result[$0.memberID] ?? ByteBuffer())
                }
            } catch {
                self.logger.warning(
                    "group leader's assignment failed; rejoining",
                    metadata: ["group": "\(groupID)", "error": "\(error)"]
                )
                self.state.requestRejoin(reason: "the leader's assignment failed")
                _ = self.state.requestFailed()
                return .againAfterBackoff
            }
        }
        guard let syncVersion = connection.apiVersions.version(for: SyncGroupRequest.self) else {
            await self.fail(.unsupportedAPI(.syncGroup))
            return .stop
        }
        let request = SyncGroupRequest(
            groupId: groupID,
            generationId: generation,
            memberId: self.state.memberID,
            groupInstanceId: self.configuration.groupInstanceID,
            protocolType: self.configuration.protocolType,
            protocolName: protocolName,
            assignments: assignments
        )
        let joinTimeout = Duration.milliseconds(
            max(self.cluster.configuration.requestTimeoutMs, self.configuration.rebalanceTimeoutMs + 5_000)
        )
        let response = try await connection.send(request, version: syncVersion, timeout: joinTimeout)
        let code = KafkaErrorCode(rawValue: response.errorCode)
        switch self.state.syncResponse(errorCode: code, generation: generation) {
        case .assigned:
            self.lastHeartbeatSuccess = .now
            self.heartbeatWakeup.signal()
            let assignment = GroupAssignment(
                generation: generation,
                memberID: self.state.memberID,
                leaderID: self.state.leaderID,
                protocolName: response.protocolName ?? protocolName,
                assignment: response.assignment
            )
            self.logger.debug(
                "joined group",
                metadata: [
                    "group": "\(groupID)", "generation": "\(generation)", "member": "\(assignment.memberID)",
                    "leader": "\(assignment.isLeader)",
                ]
            )
            await self.handler.assigned(assignment)
            return .assigned
        case .rejoinNow, .stale:
            return .again
        case .coordinatorMoved:
            await self.coordinatorMoved()
            return .againAfterBackoff
        case .membershipLost(let lostCode):
            await self.handler.membershipLost(.broker(lostCode, message: "SyncGroup for group \(groupID)"))
            return .lost
        case .fatal(let fatalCode):
            await self.fail(.broker(fatalCode, message: Self.fixHint(fatalCode, group: groupID)))
            return .stop
        }
    }

    private func fail(_ error: KafkaError) async {
        self.logger.error(
            "group membership failed",
            metadata: ["group": "\(self.configuration.groupID)", "error": "\(error)"]
        )
        await self.handler.failed(error)
    }

    static func fixHint(_ code: KafkaErrorCode, group: String) -> String {
        switch code {
        case .fencedInstanceId:
            return "another member of group \(group) uses the same group.instance.id; give each member its own"
        case .inconsistentGroupProtocol:
            return "the protocol type or protocols of group \(group) differ from its other members'"
        case .invalidSessionTimeout:
            return "session.timeout.ms is outside the broker's group.min/max.session.timeout.ms"
        case .groupAuthorizationFailed:
            return "the principal may not join group \(group); grant READ on the group"
        case .groupMaxSizeReached:
            return "group \(group) has group.max.size members already"
        default:
            return "group \(group)"
        }
    }

    // MARK: Heartbeats

    private func runHeartbeats() async {
        let interval = Duration.milliseconds(self.configuration.heartbeatIntervalMs)
        while !Task.isCancelled, !self.isClosed {
            guard let target = self.state.heartbeatTarget else {
                await self.heartbeatWakeup.wait(timeout: interval)
                continue
            }
            if self.lastHeartbeatSuccess.duration(to: .now) > .milliseconds(self.configuration.sessionTimeoutMs) {
                if self.state.sessionExpired() {
                    self.logger.info(
                        "no heartbeat succeeded within session.timeout.ms; rejoining as a new member",
                        metadata: ["group": "\(self.configuration.groupID)"]
                    )
                    await self.handler.membershipLost(
                        .broker(.unknownMemberId, message: "session timed out in group \(self.configuration.groupID)")
                    )
                    self.joinWakeup.signal()
                }
                continue
            }
            await self.heartbeat(memberID: target.memberID, generation: target.generation)
            await self.heartbeatWakeup.wait(timeout: interval)
        }
    }

    private func heartbeat(memberID: String, generation: Int32) async {
        let groupID = self.configuration.groupID
        let code: KafkaErrorCode
        do {
            let connection = try await self.coordinatorConnection()
            let response = try await connection.send(
                HeartbeatRequest(
                    groupId: groupID,
                    generationId: generation,
                    memberId: memberID,
                    groupInstanceId: self.configuration.groupInstanceID
                )
            )
            code = KafkaErrorCode(rawValue: response.errorCode)
        } catch {
            if self.isClosed { return }
            self.logger.debug("heartbeat failed", metadata: ["group": "\(groupID)", "error": "\(error)"])
            await self.coordinatorMoved()
            return
        }
        switch self.state.heartbeatResponse(errorCode: code, generation: generation) {
        case .ok:
            self.lastHeartbeatSuccess = .now
        case .rebalance:
            self.lastHeartbeatSuccess = .now
            self.joinWakeup.signal()
        case .coordinatorMoved:
            await self.coordinatorMoved()
        case .membershipLost(let lostCode):
            await self.handler.membershipLost(.broker(lostCode, message: "Heartbeat in group \(groupID)"))
            self.joinWakeup.signal()
        case .fatal(let fatalCode):
            await self.fail(.broker(fatalCode, message: Self.fixHint(fatalCode, group: groupID)))
        case .ignore:
            break
        }
    }

    // MARK: Leaving

    private func sendLeaveGroup(memberID: String, reason: String, ownConnection: Bool) async {
        let groupID = self.configuration.groupID
        var separate: BrokerConnection?
        do {
            let connection: BrokerConnection
            if ownConnection {
                let broker = try await self.cluster.coordinatorBroker(for: groupID, type: .group)
                connection = try await self.cluster.openDedicatedConnection(to: broker)
                separate = connection
            } else {
                connection = try await self.coordinatorConnection()
            }
            guard let version = connection.apiVersions.version(for: LeaveGroupRequest.self) else {
                throw KafkaError.unsupportedAPI(.leaveGroup)
            }
            // v3 replaced the single member id with a list of members (for batch leaves).
            let request =
                version >= 3
                ? LeaveGroupRequest(
                    groupId: groupID,
                    members: [.init(memberId: memberID, groupInstanceId: nil, reason: reason)]
                )
                : LeaveGroupRequest(groupId: groupID, memberId: memberID)
            let response = try await connection.send(request, version: version)
            let code =
                KafkaErrorCode(rawValue: response.errorCode) == .noError
                ? KafkaErrorCode(rawValue: response.members.first?.errorCode ?? 0)
                : KafkaErrorCode(rawValue: response.errorCode)
            if code != .noError {
                self.logger.debug("LeaveGroup answered \(code)", metadata: ["group": "\(groupID)"])
            }
        } catch {
            self.logger.debug("LeaveGroup failed", metadata: ["group": "\(groupID)", "error": "\(error)"])
        }
        if let separate { await separate.close() }
    }
}
