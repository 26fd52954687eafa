import KafkaProtocol

/// The membership of one member in a Kafka group, as a value type: member id, generation, phase,
/// and what to do with each JoinGroup, SyncGroup and Heartbeat answer.
///
/// ``GroupMembership`` executes the decisions (sends requests, calls the handler); this type does
/// no I/O, so every error path is tested without a broker.
struct GroupMembershipState: Sendable {
    /// Where the member is in the join protocol.
    enum Phase: Sendable, Equatable {
        /// Not a member; nothing sent yet, or left.
        case unjoined
        /// A JoinGroup is outstanding.
        case joining
        /// Joined; a SyncGroup is outstanding.
        case syncing
        /// Has an assignment for `generation`; heartbeats run.
        case stable
        /// A LeaveGroup is outstanding or was sent; no more requests.
        case leaving
    }

    /// What the shell does after a JoinGroup answer.
    enum JoinOutcome: Sendable, Equatable {
        /// Joined: send SyncGroup (the leader first computes the assignment).
        case joined(isLeader: Bool)
        /// Send JoinGroup again at once (MEMBER_ID_REQUIRED: now with the id the broker gave).
        case rejoinNow
        /// Send JoinGroup again after the retry backoff.
        case retryAfterBackoff
        /// Forget the coordinator, find it again, then rejoin.
        case coordinatorMoved
        /// The member was fenced; its membership is gone (tell the caller), then rejoin as new.
        case membershipLost(KafkaErrorCode)
        /// Give up: the caller must change something (configuration, protocols, ACLs).
        case fatal(KafkaErrorCode)
    }

    /// What the shell does after a SyncGroup answer.
    enum SyncOutcome: Sendable, Equatable {
        /// The member has its assignment for the generation; start heartbeating.
        case assigned
        case rejoinNow
        case coordinatorMoved
        case membershipLost(KafkaErrorCode)
        case fatal(KafkaErrorCode)
        /// The answer belongs to a generation the member no longer has.
        case stale
    }

    /// What the shell does after a Heartbeat answer.
    enum HeartbeatOutcome: Sendable, Equatable {
        case ok
        /// The coordinator started a rebalance: run the rebalance-started hook, then rejoin.
        case rebalance
        case coordinatorMoved
        case membershipLost(KafkaErrorCode)
        case fatal(KafkaErrorCode)
        /// Answer for an older generation (the member rejoined meanwhile), or a transient error.
        case ignore
    }

    let groupInstanceID: String?
    private(set) var memberID = ""
    private(set) var generation: Int32 = -1
    private(set) var phase: Phase = .unjoined
    private(set) var leaderID = ""
    private(set) var protocolName: String?
    /// Whether the member must (re)join: at start, after REBALANCE_IN_PROGRESS, after a fencing
    /// error, or when the caller asked. Cleared when a JoinGroup is sent.
    private(set) var rejoinNeeded = true
    /// Why the next join happens (sent as JoinGroup's reason on v8+, and logged).
    private(set) var rejoinReason = "initial join"
    /// False after ``left()``: the member stays out until ``requestRejoin(reason:)``.
    private(set) var isActive = true

    init(groupInstanceID: String?) {
        self.groupInstanceID = groupInstanceID
    }

    var isLeader: Bool { self.phase == .stable && !self.memberID.isEmpty && self.leaderID == self.memberID }

    /// Whether a rejoin is due now.
    var shouldJoin: Bool { self.isActive && self.rejoinNeeded && self.phase != .leaving }

    /// Asks for a rejoin (metadata changed, REBALANCE_IN_PROGRESS, ...); heartbeats stop mattering.
    mutating func requestRejoin(reason: String) {
        self.isActive = true
        if !self.rejoinNeeded {
            self.rejoinNeeded = true
            self.rejoinReason = reason
        }
    }

    /// A JoinGroup is about to be sent.
    mutating func joinStarted() {
        self.phase = .joining
        self.rejoinNeeded = false
    }

    mutating func joinResponse(
        errorCode: KafkaErrorCode,
        memberID: String,
        generation: Int32,
        leaderID: String,
        protocolName: String?
    ) -> JoinOutcome {
        guard self.phase == .joining else { return .retryAfterBackoff }
        switch errorCode {
        case .noError:
            self.memberID = memberID
            self.generation = generation
            self.leaderID = leaderID
            self.protocolName = protocolName
            self.phase = .syncing
            return .joined(isLeader: leaderID == memberID)
        case .memberIdRequired:
            // KIP-394: the broker names the member id and expects the join again with it.
            self.memberID = memberID
            return self.rejoin(.rejoinNow, reason: "rejoining with the member id the coordinator assigned")
        case .unknownMemberId, .illegalGeneration, .fencedInstanceId:
            if errorCode == .fencedInstanceId { return self.fatal(errorCode) }
            return self.lose(errorCode)
        case .coordinatorNotAvailable, .notCoordinator:
            return self.rejoin(.coordinatorMoved, reason: "the coordinator moved")
        case .coordinatorLoadInProgress, .rebalanceInProgress:
            return self.rejoin(.retryAfterBackoff, reason: "\(errorCode) from JoinGroup")
        default:
            if errorCode.isRetriable {
                return self.rejoin(.retryAfterBackoff, reason: "\(errorCode) from JoinGroup")
            }
            return self.fatal(errorCode)
        }
    }

    /// A request of the join protocol failed without an answer (connection lost, timeout).
    mutating func requestFailed() -> JoinOutcome {
        if self.phase == .joining || self.phase == .syncing {
            return self.rejoin(.coordinatorMoved, reason: "the coordinator connection failed")
        }
        return .coordinatorMoved
    }

    mutating func syncResponse(errorCode: KafkaErrorCode, generation: Int32) -> SyncOutcome {
        guard self.phase == .syncing, generation == self.generation else { return .stale }
        switch errorCode {
        case .noError:
            self.phase = .stable
            return .assigned
        case .rebalanceInProgress:
            _ = self.rejoin(.rejoinNow, reason: "the group rebalanced during SyncGroup")
            return .rejoinNow
        case .unknownMemberId, .illegalGeneration:
            _ = self.lose(errorCode)
            return .membershipLost(errorCode)
        case .fencedInstanceId:
            _ = self.fatal(errorCode)
            return .fatal(errorCode)
        case .coordinatorNotAvailable, .notCoordinator:
            _ = self.rejoin(.coordinatorMoved, reason: "the coordinator moved")
            return .coordinatorMoved
        default:
            if errorCode.isRetriable {
                _ = self.rejoin(.retryAfterBackoff, reason: "\(errorCode) from SyncGroup")
                return .rejoinNow
            }
            _ = self.fatal(errorCode)
            return .fatal(errorCode)
        }
    }

    /// Whether a heartbeat is due: only a stable member heartbeats.
    var heartbeatTarget: (memberID: String, generation: Int32)? {
        guard self.phase == .stable, self.isActive else { return nil }
        return (self.memberID, self.generation)
    }

    mutating func heartbeatResponse(errorCode: KafkaErrorCode, generation: Int32) -> HeartbeatOutcome {
        guard generation == self.generation, self.phase == .stable else { return .ignore }
        switch errorCode {
        case .noError:
            return .ok
        case .rebalanceInProgress:
            self.requestRejoin(reason: "the coordinator started a rebalance")
            return .rebalance
        case .unknownMemberId, .illegalGeneration:
            _ = self.lose(errorCode)
            return .membershipLost(errorCode)
        case .fencedInstanceId:
            _ = self.fatal(errorCode)
            return .fatal(errorCode)
        case .coordinatorNotAvailable, .notCoordinator:
            return .coordinatorMoved
        default:
            if errorCode.isRetriable { return .ignore }
            _ = self.fatal(errorCode)
            return .fatal(errorCode)
        }
    }

    /// No heartbeat succeeded within `session.timeout.ms`: the coordinator has surely evicted the
    /// member, so it starts over as a new member (Java marks the coordinator unknown and the next
    /// heartbeat gets UNKNOWN_MEMBER_ID; this skips that round trip).
    mutating func sessionExpired() -> Bool {
        guard self.phase == .stable else { return false }
        _ = self.lose(.unknownMemberId)
        return true
    }

    /// LeaveGroup was (or is about to be) sent: forget the membership. The member stays out of
    /// the group until ``requestRejoin(reason:)``.
    mutating func left() {
        self.phase = .unjoined
        self.isActive = false
        self.rejoinNeeded = true
        self.rejoinReason = "rejoining after leaving the group"
        // Static members keep their id: the broker knows them by group.instance.id anyway.
        self.memberID = ""
        self.generation = -1
        self.leaderID = ""
    }

    /// The member shuts down: no more joins or heartbeats.
    mutating func close() {
        self.phase = .leaving
        self.isActive = false
    }

    /// Whether ``GroupMembership/leave()`` sends a LeaveGroup: dynamic members that joined.
    var shouldSendLeaveGroup: Bool { !self.memberID.isEmpty && self.groupInstanceID == nil }

    private mutating func rejoin(_ outcome: JoinOutcome, reason: String) -> JoinOutcome {
        self.phase = .unjoined
        self.rejoinNeeded = true
        self.rejoinReason = reason
        return outcome
    }

    /// Kafka resets the generation on any fencing error, and the member id too unless only the
    /// generation was stale, then joins as a new member.
    private mutating func lose(_ code: KafkaErrorCode) -> JoinOutcome {
        if code != .illegalGeneration { self.memberID = "" }
        self.generation = -1
        self.leaderID = ""
        self.protocolName = nil
        _ = self.rejoin(.rejoinNow, reason: "\(code): the membership was lost")
        return .membershipLost(code)
    }

    private mutating func fatal(_ code: KafkaErrorCode) -> JoinOutcome {
        self.phase = .unjoined
        self.isActive = false
        return .fatal(code)
    }
}
