import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaNIO

/// The group membership's decisions for every JoinGroup, SyncGroup and Heartbeat answer.
@Suite struct GroupMembershipStateTests {
    /// A member that joined generation 3 with id "m-1" and is stable.
    static func stableMember(leader: String = "m-1", instance: String? = nil) -> GroupMembershipState {
        var state = GroupMembershipState(groupInstanceID: instance)
        state.joinStarted()
        _ = state.joinResponse(errorCode: .noError, memberID: "m-1", generation: 3, leaderID: leader, protocolName: "p")
        _ = state.syncResponse(errorCode: .noError, generation: 3)
        return state
    }

    @Test func memberIdRequiredRejoinsAtOnceWithTheGivenId() {
        var state = GroupMembershipState(groupInstanceID: nil)
        #expect(state.shouldJoin)
        state.joinStarted()
        #expect(state.phase == .joining)
        #expect(!state.shouldJoin)
        let outcome = state.joinResponse(
            errorCode: .memberIdRequired,
            memberID: "m-1",
            generation: -1,
            leaderID: "",
            protocolName: nil
        )
        #expect(outcome == .rejoinNow)
        #expect(state.memberID == "m-1")
        #expect(state.shouldJoin)
        #expect(state.generation == -1)
    }

    @Test func leaderAndFollowerAreToldApart() {
        var leader = GroupMembershipState(groupInstanceID: nil)
        leader.joinStarted()
        #expect(
            leader.joinResponse(errorCode: .noError, memberID: "a", generation: 1, leaderID: "a", protocolName: "p")
                == .joined(isLeader: true)
        )
        var follower = GroupMembershipState(groupInstanceID: nil)
        follower.joinStarted()
        #expect(
            follower.joinResponse(errorCode: .noError, memberID: "b", generation: 1, leaderID: "a", protocolName: "p")
                == .joined(isLeader: false)
        )
        #expect(follower.phase == .syncing)
        #expect(follower.heartbeatTarget == nil)
        #expect(follower.syncResponse(errorCode: .noError, generation: 1) == .assigned)
        #expect(follower.phase == .stable)
        #expect(follower.heartbeatTarget?.memberID == "b")
        #expect(follower.heartbeatTarget?.generation == 1)
        #expect(!follower.isLeader)
        #expect(!follower.shouldJoin)
        #expect(Self.stableMember().isLeader)
    }

    @Test func rebalanceInProgressFromHeartbeatRequestsARejoinKeepingTheMembership() {
        var state = Self.stableMember()
        #expect(state.heartbeatResponse(errorCode: .noError, generation: 3) == .ok)
        #expect(state.heartbeatResponse(errorCode: .rebalanceInProgress, generation: 3) == .rebalance)
        #expect(state.shouldJoin)
        #expect(state.memberID == "m-1")
        #expect(state.generation == 3)
        // A late answer for an old generation changes nothing.
        #expect(state.heartbeatResponse(errorCode: .unknownMemberId, generation: 2) == .ignore)
        #expect(state.memberID == "m-1")
    }

    @Test(arguments: [KafkaErrorCode.unknownMemberId, .illegalGeneration])
    func fencingFromHeartbeatLosesTheMembershipAndRejoins(code: KafkaErrorCode) {
        var state = Self.stableMember()
        #expect(state.heartbeatResponse(errorCode: code, generation: 3) == .membershipLost(code))
        #expect(state.generation == -1)
        #expect(state.shouldJoin)
        #expect(state.heartbeatTarget == nil)
        // UNKNOWN_MEMBER_ID forgets the id; ILLEGAL_GENERATION only the generation.
        #expect(state.memberID == (code == .unknownMemberId ? "" : "m-1"))
    }

    @Test(arguments: [KafkaErrorCode.unknownMemberId, .illegalGeneration])
    func fencingFromJoinAndSyncRejoins(code: KafkaErrorCode) {
        var joining = Self.stableMember()
        joining.requestRejoin(reason: "test")
        joining.joinStarted()
        #expect(
            joining.joinResponse(errorCode: code, memberID: "", generation: -1, leaderID: "", protocolName: nil)
                == .membershipLost(code)
        )
        #expect(joining.shouldJoin)

        var syncing = GroupMembershipState(groupInstanceID: nil)
        syncing.joinStarted()
        _ = syncing.joinResponse(errorCode: .noError, memberID: "m", generation: 4, leaderID: "x", protocolName: "p")
        #expect(syncing.syncResponse(errorCode: code, generation: 4) == .membershipLost(code))
        #expect(syncing.generation == -1)
        #expect(syncing.shouldJoin)
    }

    @Test func rebalanceDuringSyncRejoinsWithoutLosingTheMember() {
        var state = GroupMembershipState(groupInstanceID: nil)
        state.joinStarted()
        _ = state.joinResponse(errorCode: .noError, memberID: "m", generation: 4, leaderID: "x", protocolName: "p")
        #expect(state.syncResponse(errorCode: .rebalanceInProgress, generation: 4) == .rejoinNow)
        #expect(state.memberID == "m")
        #expect(state.shouldJoin)
    }

    @Test func fencedInstanceIdIsFatal() {
        var state = Self.stableMember(instance: "worker-1")
        #expect(state.heartbeatResponse(errorCode: .fencedInstanceId, generation: 3) == .fatal(.fencedInstanceId))
        #expect(!state.shouldJoin)
        #expect(state.heartbeatTarget == nil)
        // The caller may bring it back explicitly.
        state.requestRejoin(reason: "operator restarted it")
        #expect(state.shouldJoin)
    }

    @Test func coordinatorErrorsRediscoverTheCoordinator() {
        var state = GroupMembershipState(groupInstanceID: nil)
        state.joinStarted()
        #expect(
            state.joinResponse(
                errorCode: .notCoordinator,
                memberID: "",
                generation: -1,
                leaderID: "",
                protocolName: nil
            )
                == .coordinatorMoved
        )
        #expect(state.shouldJoin)
        state.joinStarted()
        #expect(
            state.joinResponse(
                errorCode: .coordinatorLoadInProgress,
                memberID: "",
                generation: -1,
                leaderID: "",
                protocolName: nil
            ) == .retryAfterBackoff
        )
        var stable = Self.stableMember()
        #expect(stable.heartbeatResponse(errorCode: .coordinatorNotAvailable, generation: 3) == .coordinatorMoved)
        // The membership survives a coordinator move.
        #expect(stable.heartbeatTarget?.generation == 3)
        // A connection lost mid-join is a coordinator move plus a rejoin.
        var joining = GroupMembershipState(groupInstanceID: nil)
        joining.joinStarted()
        #expect(joining.requestFailed() == .coordinatorMoved)
        #expect(joining.shouldJoin)
    }

    @Test func nonRetriableJoinErrorsAreFatal() {
        var state = GroupMembershipState(groupInstanceID: nil)
        state.joinStarted()
        #expect(
            state.joinResponse(
                errorCode: .inconsistentGroupProtocol,
                memberID: "",
                generation: -1,
                leaderID: "",
                protocolName: nil
            ) == .fatal(.inconsistentGroupProtocol)
        )
        #expect(!state.shouldJoin)
    }

    @Test func sessionExpiryStartsOverAsANewMember() {
        var state = Self.stableMember()
        let expired = state.sessionExpired()
        #expect(expired)
        #expect(state.memberID == "")
        #expect(state.generation == -1)
        #expect(state.shouldJoin)
        let expiredAgain = state.sessionExpired()
        #expect(!expiredAgain)
    }

    @Test func leavingStopsHeartbeatsAndJoinsUntilAskedBack() {
        var dynamic = Self.stableMember()
        #expect(dynamic.shouldSendLeaveGroup)
        dynamic.left()
        #expect(dynamic.heartbeatTarget == nil)
        #expect(!dynamic.shouldJoin)
        #expect(dynamic.memberID == "")
        dynamic.requestRejoin(reason: "polled again")
        #expect(dynamic.shouldJoin)
        // Static members do not send LeaveGroup (Kafka's clients do not either).
        #expect(!Self.stableMember(instance: "worker-1").shouldSendLeaveGroup)
    }
}

/// ConsumerProtocolSubscription / ConsumerProtocolAssignment bytes as Kafka's clients write them.
@Suite struct ConsumerProtocolCodecTests {
    @Test func subscriptionRoundTripsWithOwnedPartitionsGenerationAndRack() throws {
        let subscription = ConsumerGroupSubscription(
            memberID: "m-1",
            groupInstanceID: "i-1",
            topics: ["a", "b"],
            userData: ByteBuffer(bytes: [1, 2, 3]),
            ownedPartitions: [TopicPartition("b", 2), TopicPartition("a", 1), TopicPartition("a", 0)],
            generationID: 7,
            rackID: "rack-1"
        )
        let bytes = try ConsumerProtocolCodec.encode(subscription)
        #expect(bytes.getInteger(at: bytes.readerIndex, as: Int16.self) == 3)
        let decoded = try ConsumerProtocolCodec.decodeSubscription(bytes, memberID: "m-1", groupInstanceID: "i-1")
        var expected = subscription
        expected.ownedPartitions = [TopicPartition("a", 0), TopicPartition("a", 1), TopicPartition("b", 2)]
        #expect(decoded == expected)
    }

    @Test func olderSubscriptionVersionsDecodeWithDefaults() throws {
        // Version 0 as librdkafka and old Java clients write it: topics and user data only.
        var bytes = ByteBuffer()
        bytes.writeInteger(Int16(0))
        try ConsumerProtocolSubscription(topics: ["t"], userData: nil).write(into: &bytes, version: 0)
        let decoded = try ConsumerProtocolCodec.decodeSubscription(bytes, memberID: "m", groupInstanceID: nil)
        #expect(decoded.topics == ["t"])
        #expect(decoded.ownedPartitions.isEmpty)
        #expect(decoded.generationID == -1)
        #expect(decoded.rackID == nil)
    }

    @Test func newerSubscriptionVersionsAreReadAsTheNewestKnown() throws {
        var bytes = ByteBuffer()
        bytes.writeInteger(Int16(9))
        try ConsumerProtocolSubscription(topics: ["t"], generationId: 2, rackId: "r").write(into: &bytes, version: 3)
        bytes.writeBytes([0xAB, 0xCD])  // fields a future version appended
        let decoded = try ConsumerProtocolCodec.decodeSubscription(bytes, memberID: "m", groupInstanceID: nil)
        #expect(decoded.topics == ["t"])
        #expect(decoded.generationID == 2)
        #expect(decoded.rackID == "r")
    }

    @Test func assignmentRoundTripsAndEmptyBytesMeanNothingAssigned() throws {
        let partitions = [TopicPartition("b", 0), TopicPartition("a", 3), TopicPartition("a", 1)]
        let bytes = try ConsumerProtocolCodec.encode(assignment: partitions)
        #expect(try ConsumerProtocolCodec.decodeAssignment(bytes) == partitions.sorted())
        #expect(try ConsumerProtocolCodec.decodeAssignment(ByteBuffer()).isEmpty)
        #expect(throws: KafkaError.self) {
            try ConsumerProtocolCodec.decodeAssignment(ByteBuffer(bytes: [0, 3, 0, 0, 0]))
        }
    }

    @Test func cooperativeAssignmentWithholdsPartitionsThatChangeOwner() {
        let subscriptions = [
            "a": ConsumerGroupSubscription(memberID: "a", topics: ["t"], ownedPartitions: [TopicPartition("t", 0)]),
            "b": ConsumerGroupSubscription(memberID: "b", topics: ["t"], ownedPartitions: [TopicPartition("t", 1)]),
        ]
        let proposed = ["a": [TopicPartition("t", 0), TopicPartition("t", 1)], "b": [TopicPartition("t", 2)]]
        let cooperative = KafkaConsumer.finalAssignment(
            proposed,
            subscriptions: subscriptions,
            rebalanceProtocol: .cooperative
        )
        // t-1 moves from b to a: nobody gets it this round, b revokes it, the next round hands it out.
        #expect(cooperative["a"] == [TopicPartition("t", 0)])
        #expect(cooperative["b"] == [TopicPartition("t", 2)])
        #expect(
            KafkaConsumer.finalAssignment(proposed, subscriptions: subscriptions, rebalanceProtocol: .eager)
                == proposed
        )
    }
}

@Suite struct ConsumerGroupConfigurationTests {
    @Test func groupPropertiesUseJavaNamesAndDefaults() throws {
        let defaults = try KafkaConsumerConfiguration(properties: ["bootstrap.servers": "b:9092"])
        #expect(defaults.groupID == nil)
        #expect(defaults.partitionAssignmentStrategy.map(\.name) == ["range", "cooperative-sticky"])
        #expect(defaults.enableAutoCommit)
        #expect(defaults.autoCommitIntervalMs == 5_000)
        #expect(defaults.sessionTimeoutMs == 45_000)
        #expect(defaults.heartbeatIntervalMs == 3_000)
        #expect(defaults.maxPollIntervalMs == 300_000)
        let set = try KafkaConsumerConfiguration(properties: [
            "bootstrap.servers": "b:9092", "group.id": "g", "group.instance.id": "i",
            "partition.assignment.strategy": "org.apache.kafka.clients.consumer.RoundRobinAssignor, range",
            "enable.auto.commit": "false", "session.timeout.ms": "6000", "heartbeat.interval.ms": "500",
        ])
        #expect(set.groupID == "g")
        #expect(set.groupInstanceID == "i")
        #expect(set.partitionAssignmentStrategy.map(\.name) == ["roundrobin", "range"])
        #expect(!set.enableAutoCommit)
        #expect(throws: KafkaError.self) {
            try KafkaConsumerConfiguration(properties: [
                "bootstrap.servers": "b:9092", "session.timeout.ms": "1000", "heartbeat.interval.ms": "3000",
            ])
        }
    }
}
