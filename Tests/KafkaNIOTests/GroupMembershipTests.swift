import KafkaProtocol
import NIOCore
import Synchronization
import Testing

@testable import KafkaNIO

/// The membership shell against a scripted fake coordinator: the request sequence it sends for
/// MEMBER_ID_REQUIRED, NOT_COORDINATOR and fencing, and what it tells its handler.
@Suite struct GroupMembershipTests {
    final class Recorder: GroupMembershipHandler {
        let state = Mutex<(assigned: [GroupAssignment], lost: [String], starts: Int, views: [[GroupMember]])>(
            ([], [], 0, [])
        )

        func assign(protocolName: String, members: [GroupMember]) async throws -> [String: ByteBuffer] {
            self.state.withLock { $0.views.append(members) }
            return Dictionary(
                uniqueKeysWithValues: members.map { ($0.memberID, ByteBuffer(string: "for-\($0.memberID)")) }
            )
        }

        func rebalanceStarted(_ rebalance: GroupRebalanceStart) async -> [GroupProtocol]? {
            self.state.withLock { $0.starts += 1 }
            return nil
        }

        func assigned(_ assignment: GroupAssignment) async {
            self.state.withLock { $0.assigned.append(assignment) }
        }

        func membershipLost(_ error: KafkaError) async {
            self.state.withLock { $0.lost.append("\(error)") }
        }
    }

    @Test func joinsThroughMemberIdRequiredAndACoordinatorMoveThenRejoinsAfterFencing() async throws {
        try await withFakeBroker { broker in
            let port = Int32(broker.port)
            broker.setScript { request in
                switch request.api {
                case .findCoordinator:
                    return .coordinatorIsThisBroker(port: port)
                case .joinGroup:
                    switch request.index {
                    case 0:
                        return .response(
                            JoinGroupResponse(errorCode: KafkaErrorCode.memberIdRequired.rawValue, memberId: "m-1")
                        )
                    case 1: return .response(JoinGroupResponse(errorCode: KafkaErrorCode.notCoordinator.rawValue))
                    default:
                        let generation = Int32(request.index)
                        return .response(
                            JoinGroupResponse(
                                generationId: generation,
                                protocolType: "connect",
                                protocolName: "v1",
                                leader: "m-1",
                                memberId: "m-1",
                                members: [
                                    .init(memberId: "m-1", metadata: ByteBuffer(string: "meta-1")),
                                    .init(
                                        memberId: "m-2",
                                        groupInstanceId: "w-2",
                                        metadata: ByteBuffer(string: "meta-2")
                                    ),
                                ]
                            )
                        )
                    }
                case .syncGroup:
                    let sync = try? request.decode(SyncGroupRequest.self)
                    let mine = sync?.assignments.first { $0.memberId == "m-1" }?.assignment ?? ByteBuffer()
                    return .response(SyncGroupResponse(protocolType: "connect", protocolName: "v1", assignment: mine))
                case .heartbeat:
                    // The first heartbeat of the first generation is fenced.
                    return .response(
                        HeartbeatResponse(
                            errorCode: request.index == 0 ? KafkaErrorCode.unknownMemberId.rawValue : 0
                        )
                    )
                case .leaveGroup:
                    return .response(LeaveGroupResponse(members: [.init(memberId: "m-1")]))
                default:
                    return .standard
                }
            }
            let cluster = KafkaCluster(configuration: clientConfiguration(broker))
            var configuration = GroupMembershipConfiguration(
                groupID: "g",
                protocolType: "connect",
                protocols: [GroupProtocol(name: "v1", metadata: ByteBuffer(string: "meta-1"))]
            )
            configuration.sessionTimeoutMs = 2_000
            configuration.heartbeatIntervalMs = 20
            let recorder = Recorder()
            let membership = GroupMembership(cluster: cluster, configuration: configuration, handler: recorder)
            await membership.start()
            // Joined, fenced by the first heartbeat, joined again.
            try await eventually { recorder.state.withLock { $0.assigned.count >= 2 } }
            await membership.close()
            await cluster.shutdown()

            let joins = try broker.requests(.joinGroup).map { try $0.decode(JoinGroupRequest.self) }
            #expect(joins.count >= 4)
            // No id, then the id MEMBER_ID_REQUIRED gave (also after the coordinator move), then,
            // after UNKNOWN_MEMBER_ID, no id again.
            #expect(joins.prefix(4).map(\.memberId) == ["", "m-1", "m-1", ""])
            #expect(joins.allSatisfy { $0.protocolType == "connect" && $0.sessionTimeoutMs == 2_000 })
            #expect(joins.first?.protocols.map(\.name) == ["v1"])
            // NOT_COORDINATOR sent the member back to FindCoordinator.
            #expect(broker.requests(.findCoordinator).count >= 2)
            let state = recorder.state.withLock { $0 }
            #expect(state.assigned.first?.assignment == ByteBuffer(string: "for-m-1"))
            #expect(state.assigned.first?.isLeader == true)
            #expect(state.assigned.first?.generation == 2)
            #expect(state.views.first?.map(\.groupInstanceID) == [nil, "w-2"])
            #expect(state.views.first?.map { String(buffer: $0.metadata) } == ["meta-1", "meta-2"])
            #expect(state.lost.count == 1)
            // The hook ran before the first join and again after the lost membership.
            #expect(state.starts >= 2)
            let syncs = try broker.requests(.syncGroup).map { try $0.decode(SyncGroupRequest.self) }
            #expect(syncs.first?.assignments.map(\.memberId).sorted() == ["m-1", "m-2"])
            #expect(syncs.first?.protocolType == "connect")
            #expect(syncs.first?.protocolName == "v1")
            // close() left the group with the member list (LeaveGroup v3+).
            let leave = try #require(try broker.requests(.leaveGroup).last?.decode(LeaveGroupRequest.self))
            #expect(leave.members.map(\.memberId) == ["m-1"])
        }
    }

    /// A member whose JoinGroup the coordinator holds (a rebalance waiting for others) still leaves
    /// at once: the held join's connection is dropped and LeaveGroup goes through a connection of
    /// its own, so close() neither waits for the round nor loses the LeaveGroup.
    @Test func aMemberWithAHeldJoinLeavesAtOnce() async throws {
        try await withFakeBroker { broker in
            let port = Int32(broker.port)
            broker.setScript { request in
                switch request.api {
                case .findCoordinator:
                    return .coordinatorIsThisBroker(port: port)
                case .joinGroup:
                    guard request.index == 0 else { return .noAnswer }
                    return .response(
                        JoinGroupResponse(errorCode: KafkaErrorCode.memberIdRequired.rawValue, memberId: "m-1")
                    )
                case .leaveGroup:
                    return .response(LeaveGroupResponse(members: [.init(memberId: "m-1")]))
                default:
                    return .standard
                }
            }
            let cluster = KafkaCluster(configuration: clientConfiguration(broker, requestTimeoutMs: 60_000))
            let configuration = GroupMembershipConfiguration(
                groupID: "g",
                protocolType: "connect",
                protocols: [GroupProtocol(name: "v1", metadata: ByteBuffer(string: "meta-1"))]
            )
            let membership = GroupMembership(cluster: cluster, configuration: configuration, handler: Recorder())
            await membership.start()
            try await eventually { broker.requests(.joinGroup).count == 2 }
            let start = ContinuousClock.now
            try await withTimeout { await membership.close() }
            let elapsed = start.duration(to: .now)
            await cluster.shutdown()
            let leave = try #require(try broker.requests(.leaveGroup).last?.decode(LeaveGroupRequest.self))
            #expect(leave.members.map(\.memberId) == ["m-1"])
            // Far below the 60 s request timeout the held join would otherwise have run into.
            #expect(elapsed < .seconds(20), "close took \(elapsed)")
        }
    }

    @Test func aFencedMembersCommitFailsWithAnErrorThatSaysWhy() async throws {
        try await withFakeBroker(topics: ["t": 1]) { broker in
            let port = Int32(broker.port)
            broker.setScript { request in
                switch request.api {
                case .findCoordinator:
                    return .coordinatorIsThisBroker(port: port)
                case .offsetCommit:
                    return .response(
                        OffsetCommitResponse(topics: [
                            .init(
                                name: "t",
                                partitions: [
                                    .init(partitionIndex: 0, errorCode: KafkaErrorCode.illegalGeneration.rawValue)
                                ]
                            )
                        ])
                    )
                default:
                    return .standard
                }
            }
            var configuration = KafkaConsumerConfiguration(client: clientConfiguration(broker))
            configuration.groupID = "g"
            let consumer = KafkaConsumer(configuration: configuration)
            let error = await #expect(throws: KafkaError.self) {
                try await consumer.commitSync([TopicPartition("t", 0): 5])
            }
            #expect("\(error.map { "\($0)" } ?? "")".contains("ILLEGAL_GENERATION"))
            #expect("\(error.map { "\($0)" } ?? "")".contains("rejoin"))
            let commit = try #require(try broker.requests(.offsetCommit).first?.decode(OffsetCommitRequest.self))
            #expect(commit.groupId == "g")
            #expect(commit.topics.first?.partitions.first?.committedOffset == 5)
            await consumer.close()
        }
    }
}
