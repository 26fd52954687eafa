import KafkaProtocol
import NIOCore

extension KafkaAdminClient {
    /// A group as ListGroups reports it.
    public struct GroupListing: Sendable, Hashable {
        public var groupID: String
        /// `consumer` for consumer groups, `connect` for Connect workers; empty for a group that only
        /// stores offsets (a "simple" group).
        public var protocolType: String
        /// `Stable`, `Empty`, `PreparingRebalance`, ...; nil when the broker's ListGroups version
        /// (below 4) does not report it.
        public var state: String?
    }

    /// A group as DescribeGroups reports it.
    public struct GroupDescription: Sendable, Hashable {
        public var groupID: String
        public var state: String
        public var protocolType: String
        /// The chosen protocol: the assignor's name for a consumer group (`range`, ...).
        public var protocolName: String
        public var members: [Member]

        /// One member of a group.
        public struct Member: Sendable, Hashable {
            public var memberID: String
            public var groupInstanceID: String?
            public var clientID: String
            public var clientHost: String
            /// The member's JoinGroup metadata for the chosen protocol, as sent.
            public var metadata: ByteBuffer
            /// The assignment the leader gave the member, as sent.
            public var assignment: ByteBuffer
            /// For a consumer group: the topics the member subscribes to (nil when undecodable).
            public var subscribedTopics: [String]?
            /// For a consumer group: the partitions assigned to the member (empty while the
            /// group rebalances; nil when undecodable or not a consumer group).
            public var assignedPartitions: [TopicPartition]?
        }
    }

    /// A group's committed offset of a partition.
    public struct CommittedOffset: Sendable, Hashable {
        public var offset: Int64
        /// -1 when unknown.
        public var leaderEpoch: Int32
        public var metadata: String?

        public init(offset: Int64, leaderEpoch: Int32 = -1, metadata: String? = nil) {
            self.offset = offset
            self.leaderEpoch = leaderEpoch
            self.metadata = metadata
        }
    }

    /// Every group on every broker (ListGroups to each broker in the metadata), sorted by id.
    public func listGroups() async throws -> [GroupListing] {
        let metadata = try await self.cluster.refreshMetadata(topics: [])
        var groups: [String: GroupListing] = [:]
        for node in metadata.brokers.keys.sorted() {
            let connection = try await self.cluster.connection(to: node)
            guard let version = connection.apiVersions.version(for: ListGroupsRequest.self) else {
                throw KafkaError.unsupportedAPI(.listGroups)
            }
            let response = try await connection.send(ListGroupsRequest(), version: version)
            try KafkaError.check(response.errorCode, message: "ListGroups on broker \(node)")
            for group in response.groups {
                groups[group.groupId] = GroupListing(
                    groupID: group.groupId,
                    protocolType: group.protocolType,
                    state: version >= 4 ? group.groupState : nil
                )
            }
        }
        return groups.values.sorted { $0.groupID < $1.groupID }
    }

    /// Describes groups, each asked of its coordinator, in the order given.
    ///
    /// A group that does not exist is described with state `Dead` and no members, as Kafka does.
    public func describeGroups(_ groupIDs: [String]) async throws -> [GroupDescription] {
        var descriptions: [GroupDescription] = []
        for groupID in groupIDs {
            // Checked inside, so that NOT_COORDINATOR and the like are retried.
            let group = try await self.withCoordinator(of: groupID) { connection in
                let response = try await connection.send(DescribeGroupsRequest(groups: [groupID]))
                guard let group = response.groups.first(where: { $0.groupId == groupID }) else {
                    throw KafkaError.broker(
                        .unknownServerError,
                        message: "DescribeGroups did not answer for \(groupID)"
                    )
                }
                try KafkaError.check(group.errorCode, message: "DescribeGroups \(groupID)")
                return group
            }
            let isConsumer = group.protocolType == "consumer"
            descriptions.append(
                GroupDescription(
                    groupID: groupID,
                    state: group.groupState,
                    protocolType: group.protocolType,
                    protocolName: group.protocolData,
                    members: group.members.map { member in
                        GroupDescription.Member(
                            memberID: member.memberId,
                            groupInstanceID: member.groupInstanceId,
                            clientID: member.clientId,
                            clientHost: member.clientHost,
                            metadata: member.memberMetadata,
                            assignment: member.memberAssignment,
                            subscribedTopics: isConsumer
                                ? ConsumerProtocolData.subscription(member.memberMetadata)?.topics : nil,
                            assignedPartitions: isConsumer
                                ? ConsumerProtocolData.assignment(member.memberAssignment) : nil
                        )
                    }
                )
            )
        }
        return descriptions
    }

    /// Every offset the group has committed (OffsetFetch for all partitions).
    public func listCommittedOffsets(group groupID: String) async throws -> [TopicPartition: CommittedOffset] {
        try await self.withCoordinator(of: groupID) { connection in
            guard let version = connection.apiVersions.version(for: OffsetFetchRequest.self) else {
                throw KafkaError.unsupportedAPI(.offsetFetch)
            }
            // v0 and v1 cannot ask for all partitions (null topics arrived in v2).
            guard version >= 2 else { throw KafkaError.unsupportedAPI(.offsetFetch) }
            var offsets: [TopicPartition: CommittedOffset] = [:]
            func add(
                topic: String,
                partition: Int32,
                offset: Int64,
                epoch: Int32,
                metadata: String?,
                error: Int16
            ) throws {
                try KafkaError.check(error, message: "OffsetFetch \(groupID) \(topic)-\(partition)")
                // -1: no offset committed for this partition.
                guard offset >= 0 else { return }
                offsets[TopicPartition(topic, partition)] = CommittedOffset(
                    offset: offset,
                    leaderEpoch: epoch,
                    metadata: metadata
                )
            }
            if version >= 8 {
                let request = OffsetFetchRequest(groups: [.init(groupId: groupID, topics: nil)])
                let response = try await connection.send(request, version: version)
                guard let group = response.groups.first(where: { $0.groupId == groupID }) else {
                    throw KafkaError.broker(.unknownServerError, message: "OffsetFetch did not answer for \(groupID)")
                }
                try KafkaError.check(group.errorCode, message: "OffsetFetch \(groupID)")
                for topic in group.topics {
                    for partition in topic.partitions {
                        try add(
                            topic: topic.name,
                            partition: partition.partitionIndex,
                            offset: partition.committedOffset,
                            epoch: partition.committedLeaderEpoch,
                            metadata: partition.metadata,
                            error: partition.errorCode
                        )
                    }
                }
            } else {
                let response = try await connection.send(
                    OffsetFetchRequest(groupId: groupID, topics: nil),
                    version: version
                )
                try KafkaError.check(response.errorCode, message: "OffsetFetch \(groupID)")
                for topic in response.topics {
                    for partition in topic.partitions {
                        try add(
                            topic: topic.name,
                            partition: partition.partitionIndex,
                            offset: partition.committedOffset,
                            epoch: partition.committedLeaderEpoch,
                            metadata: partition.metadata,
                            error: partition.errorCode
                        )
                    }
                }
            }
            return offsets
        }
    }

    /// Commits `offsets` for a group that has no active members (Kafka's `alterConsumerGroupOffsets`):
    /// an OffsetCommit outside any generation (generation -1, no member id), which the coordinator
    /// accepts only while the group is empty.
    /// - Throws: ``KafkaError`` `broker` with the first partition error; `UNKNOWN_MEMBER_ID` means the
    ///   group still has members (stop them first).
    public func alterCommittedOffsets(group groupID: String, offsets: [TopicPartition: Int64]) async throws {
        guard !offsets.isEmpty else { return }
        let byTopic = Dictionary(grouping: offsets.keys, by: \.topic)
        let request = OffsetCommitRequest(
            groupId: groupID,
            generationIdOrMemberEpoch: -1,
            memberId: "",
            groupInstanceId: nil,
            topics: byTopic.keys.sorted().map { topic in
                .init(
                    name: topic,
                    partitions: (byTopic[topic] ?? []).sorted().map {
                        .init(partitionIndex: $0.partition, committedOffset: offsets[$0] ?? 0)
                    }
                )
            }
        )
        try await self.withCoordinator(of: groupID) { connection in
            let response = try await connection.send(request)
            for topic in response.topics {
                for partition in topic.partitions {
                    try KafkaError.check(
                        partition.errorCode,
                        message: "OffsetCommit \(groupID) \(topic.name)-\(partition.partitionIndex)"
                            + (partition.errorCode == KafkaErrorCode.unknownMemberId.rawValue
                                ? ": the group has active members; stop them before altering its offsets" : "")
                    )
                }
            }
        }
    }

    /// Removes a group's committed offsets of `partitions` (Kafka's `deleteConsumerGroupOffsets`,
    /// the OffsetDelete API, Kafka 2.4+).
    /// - Throws: ``KafkaError`` `unsupportedAPI` when the broker lacks OffsetDelete; `broker` with
    ///   the group or first partition error (`GROUP_SUBSCRIBED_TO_TOPIC` while members consume it).
    public func deleteCommittedOffsets(group groupID: String, partitions: Set<TopicPartition>) async throws {
        guard !partitions.isEmpty else { return }
        let byTopic = Dictionary(grouping: partitions, by: \.topic)
        let request = OffsetDeleteRequest(
            groupId: groupID,
            topics: byTopic.keys.sorted().map { topic in
                .init(
                    name: topic,
                    partitions: (byTopic[topic] ?? []).sorted().map { .init(partitionIndex: $0.partition) }
                )
            }
        )
        try await self.withCoordinator(of: groupID) { connection in
            guard let version = connection.apiVersions.version(for: OffsetDeleteRequest.self) else {
                throw KafkaError.unsupportedAPI(.offsetDelete)
            }
            let response = try await connection.send(request, version: version)
            try KafkaError.check(response.errorCode, message: "OffsetDelete \(groupID)")
            for topic in response.topics {
                for partition in topic.partitions {
                    try KafkaError.check(
                        partition.errorCode,
                        message: "OffsetDelete \(groupID) \(topic.name)-\(partition.partitionIndex)"
                    )
                }
            }
        }
    }

    /// The high watermark (log end offset for `read_uncommitted` readers) of each partition, from
    /// a Fetch to its leader.
    ///
    /// Returns the same as ``listOffsets(_:)`` with `.latest` on Kafka; it exists because the
    /// Tansu test broker answers ListOffsets(latest) wrongly while its Fetch high watermark is
    /// right. Each Fetch starts at the log start and asks for one byte, so at most one batch per
    /// broker comes back with the answer.
    ///
    /// With `isolationLevel` `.readCommitted` the answer is each partition's last stable offset
    /// instead (where a `read_committed` reader's data ends: before the first open transaction), as
    /// ListOffsets(latest) answers a read_committed request on Kafka.
    public func highWatermarks(
        _ partitions: Set<TopicPartition>,
        isolationLevel: KafkaConsumerConfiguration.IsolationLevel = .readUncommitted
    ) async throws -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        let starts = try await self.listOffsets(Dictionary(uniqueKeysWithValues: partitions.map { ($0, .earliest) }))
        let metadata = try await self.cluster.metadata(for: Array(Set(partitions.map(\.topic))))
        var byLeader: [Int32: [TopicPartition]] = [:]
        for partition in partitions {
            guard let leader = metadata.leader(of: partition) else {
                throw KafkaError.unknownTopicOrPartition(topic: partition.topic, partition: partition.partition)
            }
            byLeader[leader.nodeID, default: []].append(partition)
        }
        var result: [TopicPartition: Int64] = [:]
        for (node, leaderPartitions) in byLeader {
            let byTopic = Dictionary(grouping: leaderPartitions, by: \.topic)
            let request = FetchRequest(
                // Kafka answers at once anyway (some partition has data, or none does and the wait
                // is short); the test broker answers a zero wait with no partitions at all.
                maxWaitMs: 100,
                minBytes: 1,
                maxBytes: 1,
                isolationLevel: isolationLevel.rawValue,
                topics: byTopic.keys.sorted().map { topic in
                    FetchRequest.FetchTopic(
                        topic: topic,
                        partitions: (byTopic[topic] ?? []).map {
                            .init(partition: $0.partition, fetchOffset: starts[$0] ?? 0, partitionMaxBytes: 1)
                        }
                    )
                }
            )
            let response = try await self.cluster.connection(to: node).send(request)
            try KafkaError.check(response.errorCode, message: "Fetch from broker \(node)")
            for topic in response.responses {
                for partition in topic.partitions {
                    let topicPartition = TopicPartition(topic.topic, partition.partitionIndex)
                    try KafkaError.check(partition.errorCode, message: "Fetch \(topicPartition)")
                    result[topicPartition] =
                        isolationLevel == .readCommitted && partition.lastStableOffset >= 0
                        ? partition.lastStableOffset : partition.highWatermark
                }
            }
        }
        return result
    }

    /// Runs `body` against the group's coordinator, finding it again after NOT_COORDINATOR and
    /// retrying retriable errors until `default.api.timeout.ms` passes.
    private func withCoordinator<T: Sendable>(
        of groupID: String,
        _ body: (BrokerConnection) async throws -> T
    ) async throws -> T {
        let configuration = self.cluster.configuration
        let deadline = ContinuousClock.now + .milliseconds(configuration.defaultApiTimeoutMs)
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await body(try await self.cluster.coordinator(for: groupID, type: .group))
            } catch let error as KafkaError where error.isRetriable {
                await self.cluster.coordinatorMoved(key: groupID, type: .group)
                if ContinuousClock.now >= deadline { throw error }
            }
            try await Task.sleep(for: configuration.retryBackoff(attempt: attempt))
        }
    }
}

/// Decodes the consumer protocol's embedded structures: an Int16 version, then the body.
enum ConsumerProtocolData {
    /// Kafka reads a newer version than it knows with its newest reader (later versions only
    /// append fields), so this does too.
    private static func decode<M: KafkaMessage>(_ type: M.Type, _ bytes: ByteBuffer) -> M? {
        var buffer = bytes
        guard buffer.readableBytes >= 2, let version: Int16 = buffer.readInteger(), version >= 0 else { return nil }
        return try? M(from: &buffer, version: min(version, M.validVersions.upperBound))
    }

    static func subscription(_ bytes: ByteBuffer) -> ConsumerProtocolSubscription? {
        decode(ConsumerProtocolSubscription.self, bytes)
    }

    /// The assigned partitions, sorted; empty for an empty buffer (no assignment yet).
    static func assignment(_ bytes: ByteBuffer) -> [TopicPartition]? {
        if bytes.readableBytes == 0 { return [] }
        guard let assignment = decode(ConsumerProtocolAssignment.self, bytes) else { return nil }
        return assignment.assignedPartitions.flatMap { topic in topic.partitions.map { TopicPartition(topic.topic, $0) }
        }
        .sorted()
    }
}
