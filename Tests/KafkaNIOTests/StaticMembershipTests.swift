import KafkaProtocol
import NIOCore
import Synchronization
import Testing

@testable import KafkaNIO

/// Static membership (`group.instance.id`, KIP-345) of the consumer against a fake coordinator
/// that answers as Kafka does for a known static member (the test broker treats a restarted static
/// member as a new one: see docs/compatibility.md).
@Suite struct StaticMembershipTests {
    static let topic = "t"
    static let instance = "instance-a"

    /// Kafka's answers: every join with this instance id gets a fresh member id in the same stable
    /// generation, led by another member ("b-1"), and SyncGroup hands back the partitions the
    /// instance owned (0, 1, 2 of 6).
    static func coordinator(port: Int32) -> FakeKafkaBroker.Script {
        { request in
            switch request.api {
            case .findCoordinator:
                return .coordinatorIsThisBroker(port: port)
            case .joinGroup:
                guard let join = try? request.decode(JoinGroupRequest.self), join.groupInstanceId == Self.instance
                else {
                    return .response(JoinGroupResponse(errorCode: KafkaErrorCode.invalidRequest.rawValue))
                }
                return .response(
                    JoinGroupResponse(
                        generationId: 7,
                        protocolType: "consumer",
                        protocolName: "range",
                        leader: "b-1",
                        memberId: "a-\(request.index + 1)"
                    )
                )
            case .syncGroup:
                let partitions = (0..<Int32(3)).map { TopicPartition(Self.topic, $0) }
                let assignment = (try? ConsumerProtocolCodec.encode(assignment: partitions)) ?? ByteBuffer()
                return .response(
                    SyncGroupResponse(protocolType: "consumer", protocolName: "range", assignment: assignment)
                )
            case .heartbeat:
                return .response(HeartbeatResponse())
            case .offsetFetch:
                guard let fetch = try? request.decode(OffsetFetchRequest.self) else { return .close }
                return .response(
                    OffsetFetchResponse(
                        topics: (fetch.topics ?? []).map { topic in
                            .init(
                                name: topic.name,
                                partitions: topic.partitionIndexes.map { .init(partitionIndex: $0, committedOffset: 0) }
                            )
                        }
                    )
                )
            case .fetch:
                guard let fetch = try? request.decode(FetchRequest.self) else { return .close }
                let response = FetchResponse(
                    responses: fetch.topics.map { topic in
                        .init(
                            topic: topic.topic,
                            partitions: topic.partitions.map {
                                .init(partitionIndex: $0.partition, highWatermark: 0, lastStableOffset: 0, records: nil)
                            }
                        )
                    }
                )
                return .after(.milliseconds(Int64(fetch.maxWaitMs)), .response(response))
            case .leaveGroup:
                return .response(LeaveGroupResponse())
            default:
                return .standard
            }
        }
    }

    @Test func aRestartedStaticMemberRejoinsByInstanceIDWithoutLeaving() async throws {
        var versions = FakeKafkaBroker.defaultApiVersions
        // OffsetFetch with the topics in the request body (before v8's groups).
        versions[ApiKey.offsetFetch.rawValue] = 0...7
        try await withFakeBroker(topics: [Self.topic: 6], apiVersions: versions) { broker in
            broker.setScript(Self.coordinator(port: Int32(broker.port)))
            let cluster = KafkaCluster(configuration: clientConfiguration(broker))
            var configuration = KafkaConsumerConfiguration(client: cluster.configuration)
            configuration.groupID = "g"
            configuration.groupInstanceID = Self.instance
            configuration.partitionAssignmentStrategy = [RangeAssignor()]
            configuration.enableAutoCommit = false
            configuration.sessionTimeoutMs = 2_000
            configuration.heartbeatIntervalMs = 50
            let expected = (0..<Int32(3)).map { TopicPartition(Self.topic, $0) }

            let first = KafkaConsumer(configuration: configuration, cluster: cluster)
            try await first.subscribe(topics: [Self.topic])
            try await eventually { first.assignment == expected }
            #expect(first.groupGeneration?.memberID == "a-1")
            await first.close()
            // A static member leaves by vanishing: the coordinator keeps its partitions for it
            // until the session timeout.
            #expect(broker.requests(.leaveGroup).isEmpty)

            let restarted = KafkaConsumer(configuration: configuration, cluster: cluster)
            try await restarted.subscribe(topics: [Self.topic])
            try await eventually { restarted.assignment == expected }
            #expect(restarted.groupGeneration?.generation == 7)
            await restarted.close()
            await cluster.shutdown()

            let joins = try broker.requests(.joinGroup).map { try $0.decode(JoinGroupRequest.self) }
            // Each run joins once, by instance id, without a member id: no MEMBER_ID_REQUIRED
            // round (KIP-394 exempts static members) and no rebalance of the other members.
            #expect(joins.count == 2)
            #expect(joins.allSatisfy { $0.groupInstanceId == Self.instance && $0.memberId.isEmpty })
            let syncs = try broker.requests(.syncGroup).map { try $0.decode(SyncGroupRequest.self) }
            #expect(syncs.map(\.groupInstanceId) == [Self.instance, Self.instance])
            // A follower sends no assignments.
            #expect(syncs.allSatisfy { $0.assignments.isEmpty })
            #expect(broker.requests(.leaveGroup).isEmpty)
        }
    }
}
