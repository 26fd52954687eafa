import KafkaNIO
import KafkaProtocol
import NIOCore
import Testing

/// The group side of the admin client against the fake broker: the test broker leaves member
/// metadata, assignments, client ids and hosts empty in DescribeGroups, so decoding them is shown
/// here.
@Suite struct AdminGroupsTests {
    /// Answers FindCoordinator with the broker itself, and the group APIs with `groups`.
    private static func script(port: Int, _ reply: @escaping FakeKafkaBroker.Script) -> FakeKafkaBroker.Script {
        { request in
            if request.api == .findCoordinator {
                return .coordinatorIsThisBroker(port: Int32(port))
            }
            return reply(request)
        }
    }

    private static func withAdmin<T>(
        apiVersions: [Int16: ClosedRange<Int16>] = FakeKafkaBroker.defaultApiVersions,
        requestTimeoutMs: Int = 5_000,
        _ reply: @escaping FakeKafkaBroker.Script,
        _ body: (KafkaAdminClient, FakeKafkaBroker) async throws -> T
    ) async throws -> T {
        try await withFakeBroker(topics: ["t": 3], apiVersions: apiVersions) { broker in
            broker.setScript(script(port: broker.port, reply))
            let cluster = KafkaCluster(
                configuration: clientConfiguration(broker, requestTimeoutMs: requestTimeoutMs)
            )
            do {
                let result = try await body(KafkaAdminClient(cluster: cluster), broker)
                await cluster.shutdown()
                return result
            } catch {
                await cluster.shutdown()
                throw error
            }
        }
    }

    private static func embedded(
        _ message: some KafkaMessage,
        version: Int16,
        encodedAs: Int16? = nil
    ) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(encodedAs ?? version)
        try message.write(into: &buffer, version: version)
        return buffer
    }

    @Test(arguments: [Int16(3), 5])
    func listGroupsReportsStateFromVersion4(maxVersion: Int16) async throws {
        var versions = FakeKafkaBroker.defaultApiVersions
        versions[ApiKey.listGroups.rawValue] = 0...maxVersion
        let reply: FakeKafkaBroker.Script = { request in
            guard request.api == .listGroups else { return .standard }
            return .response(
                ListGroupsResponse(groups: [
                    .init(groupId: "b", protocolType: "consumer", groupState: "Stable"),
                    .init(groupId: "a", protocolType: "", groupState: "Empty"),
                ])
            )
        }
        let groups = try await Self.withAdmin(apiVersions: versions, reply) { admin, _ in try await admin.listGroups() }
        #expect(groups.map(\.groupID) == ["a", "b"])
        #expect(groups.map(\.protocolType) == ["", "consumer"])
        #expect(groups.map(\.state) == (maxVersion >= 4 ? ["Empty", "Stable"] : [nil, nil]))
    }

    @Test func describeGroupsDecodesConsumerMembers() async throws {
        let subscription = ConsumerProtocolSubscription(topics: ["t"], generationId: 4)
        let assignment = ConsumerProtocolAssignment(assignedPartitions: [.init(topic: "t", partitions: [2, 0])])
        // A member on a newer client writes a version this client does not know; Kafka reads it
        // with its newest reader, since later versions only append fields.
        let newerAssignment = ConsumerProtocolAssignment(assignedPartitions: [.init(topic: "t", partitions: [1])])
        let members: [DescribeGroupsResponse.DescribedGroup.DescribedGroupMember] = [
            .init(
                memberId: "m1",
                groupInstanceId: "instance-1",
                clientId: "client-1",
                clientHost: "/10.0.0.1",
                memberMetadata: try Self.embedded(subscription, version: 3),
                memberAssignment: try Self.embedded(assignment, version: 3)
            ),
            .init(
                memberId: "m2",
                clientId: "client-2",
                clientHost: "/10.0.0.2",
                memberMetadata: try Self.embedded(subscription, version: 1),
                memberAssignment: try Self.embedded(newerAssignment, version: 3, encodedAs: 7)
            ),
        ]
        let reply: FakeKafkaBroker.Script = { request in
            guard request.api == .describeGroups else { return .standard }
            return .response(
                DescribeGroupsResponse(groups: [
                    .init(
                        groupId: "g",
                        groupState: "Stable",
                        protocolType: "consumer",
                        protocolData: "range",
                        members: members
                    )
                ])
            )
        }
        let descriptions = try await Self.withAdmin(reply) { admin, _ in try await admin.describeGroups(["g"]) }
        let group = try #require(descriptions.first)
        #expect(group.state == "Stable")
        #expect(group.protocolName == "range")
        #expect(group.members.map(\.memberID) == ["m1", "m2"])
        #expect(group.members[0].groupInstanceID == "instance-1")
        #expect(group.members[0].clientHost == "/10.0.0.1")
        #expect(group.members[0].subscribedTopics == ["t"])
        #expect(group.members[0].assignedPartitions == [TopicPartition("t", 0), TopicPartition("t", 2)])
        #expect(group.members[1].assignedPartitions == [TopicPartition("t", 1)])
    }

    @Test func describeGroupsLeavesOtherProtocolsUndecoded() async throws {
        let reply: FakeKafkaBroker.Script = { request in
            guard request.api == .describeGroups else { return .standard }
            return .response(
                DescribeGroupsResponse(groups: [
                    .init(
                        groupId: "g",
                        groupState: "Stable",
                        protocolType: "connect",
                        protocolData: "sessioned",
                        members: [.init(memberId: "w1", memberMetadata: ByteBuffer(string: "opaque"))]
                    )
                ])
            )
        }
        let descriptions = try await Self.withAdmin(reply) { admin, _ in try await admin.describeGroups(["g"]) }
        #expect(descriptions.first?.members.first?.assignedPartitions == nil)
        #expect(descriptions.first?.members.first?.metadata == ByteBuffer(string: "opaque"))
    }

    @Test func describeGroupsFindsTheCoordinatorAgainAfterNotCoordinator() async throws {
        let reply: FakeKafkaBroker.Script = { request in
            guard request.api == .describeGroups else { return .standard }
            let code = request.index == 0 ? KafkaErrorCode.notCoordinator.rawValue : 0
            return .response(
                DescribeGroupsResponse(groups: [.init(errorCode: code, groupId: "g", groupState: "Empty")])
            )
        }
        let descriptions = try await Self.withAdmin(reply) { admin, broker in
            let result = try await admin.describeGroups(["g"])
            #expect(broker.requests(.findCoordinator).count == 2)
            return result
        }
        #expect(descriptions.map(\.state) == ["Empty"])
    }

    /// Retries run until `default.api.timeout.ms`, not `request.timeout.ms`: a first attempt that
    /// used up a whole request timeout (a coordinator that did not answer, a stalled machine) is
    /// retried all the same, as in Java.
    @Test func anAttemptThatTimedOutIsRetriedWithinTheApiTimeout() async throws {
        let reply: FakeKafkaBroker.Script = { request in
            guard request.api == .describeGroups else { return .standard }
            if request.index == 0 { return .noAnswer }
            return .response(DescribeGroupsResponse(groups: [.init(errorCode: 0, groupId: "g", groupState: "Empty")]))
        }
        let descriptions = try await Self.withAdmin(requestTimeoutMs: 300, reply) { admin, broker in
            let result = try await admin.describeGroups(["g"])
            #expect(broker.requests(.describeGroups).count == 2)
            return result
        }
        #expect(descriptions.map(\.state) == ["Empty"])
    }

    /// OffsetFetch asks for all partitions with null topics: in the request body up to v7, in
    /// the groups array from v8.
    @Test(arguments: [Int16(7), 9])
    func committedOffsetsOfAllPartitions(maxVersion: Int16) async throws {
        var versions = FakeKafkaBroker.defaultApiVersions
        versions[ApiKey.offsetFetch.rawValue] = 0...maxVersion
        let reply: FakeKafkaBroker.Script = { request in
            guard request.api == .offsetFetch, let fetch = try? request.decode(OffsetFetchRequest.self) else {
                return .standard
            }
            if request.version >= 8 {
                guard fetch.groups.count == 1, fetch.groups[0].groupId == "g", fetch.groups[0].topics == nil else {
                    return .close
                }
                return .response(
                    OffsetFetchResponse(groups: [
                        .init(
                            groupId: "g",
                            topics: [
                                .init(
                                    name: "t",
                                    partitions: [
                                        .init(
                                            partitionIndex: 0,
                                            committedOffset: 42,
                                            committedLeaderEpoch: 3,
                                            metadata: "m"
                                        ),
                                        .init(partitionIndex: 1, committedOffset: -1),
                                    ]
                                )
                            ]
                        )
                    ])
                )
            }
            guard fetch.groupId == "g", fetch.topics == nil else { return .close }
            return .response(
                OffsetFetchResponse(topics: [
                    .init(
                        name: "t",
                        partitions: [
                            .init(partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 3, metadata: "m"),
                            .init(partitionIndex: 1, committedOffset: -1),
                        ]
                    )
                ])
            )
        }
        let offsets = try await Self.withAdmin(apiVersions: versions, reply) { admin, broker in
            let offsets = try await admin.listCommittedOffsets(group: "g")
            #expect(broker.requests(.offsetFetch).map(\.version) == [maxVersion])
            return offsets
        }
        let expectedEpoch: Int32 = maxVersion >= 5 ? 3 : -1
        #expect(offsets == [TopicPartition("t", 0): .init(offset: 42, leaderEpoch: expectedEpoch, metadata: "m")])
    }
}
