import KafkaProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// What a group consumer subscribes to.
enum ConsumerSubscription: Sendable, Equatable {
    case topics([String])
    /// A regular expression that must match a whole topic name (internal topics excluded).
    case pattern(String)
}

/// A requested asynchronous commit: the offsets (taken when it was requested) and who to tell.
struct PendingCommit: Sendable {
    var offsets: [TopicPartition: Int64]
    var completion: (@Sendable (Result<Void, KafkaError>) -> Void)?
}

/// The consumer's group state (subscribe mode), guarded by the consumer's `group` lock.
struct ConsumerGroupState: Sendable {
    var membership: GroupMembership?
    var subscription: ConsumerSubscription?
    /// The topics subscribed to now (a pattern resolved against the cluster's topics), sorted.
    var subscribedTopics: [String] = []
    var topicsResolvedAt: ContinuousClock.Instant?
    var listener: any ConsumerRebalanceListener = NoRebalanceListener()
    var rebalanceProtocol: RebalanceProtocol = .eager
    /// The partitions assigned by the last completed rebalance (and not revoked since).
    var owned: Set<TopicPartition> = []
    /// Generation and member id of the last assignment: commits carry them, so a fenced member's
    /// commit fails instead of overwriting the new owner's progress.
    var generation: Int32 = -1
    var memberID = ""
    var activePolls = 0
    var lastPollActivity = ContinuousClock.now
    var leftForPollTimeout = false
    /// Set by poll() after a poll timeout: the maintenance task rejoins.
    var pendingRejoin: GroupMembership?
    var lastAutoCommit = ContinuousClock.now
    var pendingCommits: [PendingCommit] = []
    var maintenanceTask: Task<Void, Never>?
    var isClosed = false
}

/// Forwards the membership's calls to the consumer; weak, so the consumer (which owns the
/// membership) is not kept alive by its own group.
final class ConsumerGroupHandler: GroupMembershipHandler {
    weak let consumer: KafkaConsumer?

    init(consumer: KafkaConsumer) {
        self.consumer = consumer
    }

    func assign(protocolName: String, members: [GroupMember]) async throws -> [String: ByteBuffer] {
        guard let consumer else { return [:] }
        return try await consumer.leaderAssignment(protocolName: protocolName, members: members)
    }

    func rebalanceStarted(_ rebalance: GroupRebalanceStart) async -> [GroupProtocol]? {
        await self.consumer?.prepareRejoin(rebalance)
    }

    func assigned(_ assignment: GroupAssignment) async {
        await self.consumer?.assignmentReceived(assignment)
    }

    func membershipLost(_ error: KafkaError) async {
        await self.consumer?.membershipLost(error)
    }

    func failed(_ error: KafkaError) async {
        self.consumer?.failPoll(error)
    }
}

extension KafkaConsumer {
    // MARK: Subscribing

    /// Joins the group `group.id` and reads the partitions the group assigns this member among
    /// `topics`. Replaces an earlier subscription (and rejoins).
    public func subscribe(topics: [String], listener: (any ConsumerRebalanceListener)? = nil) async throws {
        try await self.subscribe(.topics(Array(Set(topics)).sorted()), listener: listener)
    }

    /// Like ``subscribe(topics:listener:)`` for every topic whose whole name matches `pattern`
    /// (a regular expression); topics created or deleted later are picked up when metadata is
    /// refreshed (`metadata.max.age.ms`).
    public func subscribe(pattern: String, listener: (any ConsumerRebalanceListener)? = nil) async throws {
        do {
            _ = try Regex(pattern)
        } catch {
            throw KafkaError.invalidArgument("'\(pattern)' is not a valid regular expression: \(error)")
        }
        try await self.subscribe(.pattern(pattern), listener: listener)
    }

    /// The topics the consumer subscribes to now (empty in assign mode).
    public var subscription: [String] {
        self.group.withLockedValue { $0.subscribedTopics }
    }

    /// The member id and generation of the last rebalance, nil before the first.
    public var groupGeneration: (memberID: String, generation: Int32)? {
        self.group.withLockedValue { $0.generation >= 0 ? ($0.memberID, $0.generation) : nil }
    }

    private func subscribe(
        _ subscription: ConsumerSubscription,
        listener: (any ConsumerRebalanceListener)?
    ) async throws {
        guard let groupID = self.configuration.groupID else {
            throw KafkaError.invalidConfiguration(
                property: "group.id",
                reason: "subscribe needs a consumer group; set group.id, or use assign() instead"
            )
        }
        let assignors = self.configuration.partitionAssignmentStrategy
        guard !assignors.isEmpty else {
            throw KafkaError.invalidConfiguration(
                property: "partition.assignment.strategy",
                reason: "no assignor; use range, roundrobin or cooperative-sticky"
            )
        }
        // The group rebalances cooperatively only if every assignor offered supports it (Kafka's rule).
        let rebalanceProtocol = try PartitionAssignmentStrategy.rebalanceProtocol(for: assignors)
        let topics = try await self.resolveTopics(subscription)
        let (existing, isClosed) = self.group.withLockedValue { group -> (GroupMembership?, Bool) in
            group.subscription = subscription
            group.subscribedTopics = topics
            group.topicsResolvedAt = .now
            if let listener { group.listener = listener }
            group.rebalanceProtocol = rebalanceProtocol
            group.lastPollActivity = .now
            return (group.membership, group.isClosed)
        }
        guard !isClosed else { throw KafkaError.shutDown }
        if let existing {
            await existing.requestRejoin(reason: "the subscription changed")
            return
        }
        var membershipConfiguration = GroupMembershipConfiguration(
            groupID: groupID,
            protocolType: "consumer",
            protocols: try self.joinProtocols()
        )
        membershipConfiguration.sessionTimeoutMs = self.configuration.sessionTimeoutMs
        membershipConfiguration.rebalanceTimeoutMs = self.configuration.maxPollIntervalMs
        membershipConfiguration.heartbeatIntervalMs = self.configuration.heartbeatIntervalMs
        membershipConfiguration.groupInstanceID = self.configuration.groupInstanceID
        let membership = GroupMembership(
            cluster: self.cluster,
            configuration: membershipConfiguration,
            handler: ConsumerGroupHandler(consumer: self),
            logger: self.logger
        )
        let task = Task { [self] in await self.runGroupMaintenance() }
        self.group.withLockedValue {
            $0.membership = membership
            $0.maintenanceTask = task
        }
        await membership.start()
    }

    private func resolveTopics(_ subscription: ConsumerSubscription) async throws -> [String] {
        switch subscription {
        case .topics(let topics):
            return topics
        case .pattern(let pattern):
            let regex = try Regex(pattern)
            let metadata = try await self.cluster.refreshMetadata(topics: nil)
            return metadata.topics.values
                .filter { !$0.isInternal && !$0.name.hasPrefix("__") && $0.name.wholeMatch(of: regex) != nil }
                .map(\.name)
                .sorted()
        }
    }

    /// JoinGroup's protocols: one per assignor, each with this member's subscription (and, under
    /// the cooperative protocol, the partitions it keeps owning).
    func joinProtocols() throws -> [GroupProtocol] {
        let subscription = self.group.withLockedValue { group in
            ConsumerGroupSubscription(
                memberID: group.memberID,
                groupInstanceID: self.configuration.groupInstanceID,
                topics: group.subscribedTopics,
                ownedPartitions: group.rebalanceProtocol == .cooperative ? group.owned.sorted() : [],
                generationID: group.generation,
                rackID: self.configuration.clientRack.isEmpty ? nil : self.configuration.clientRack
            )
        }
        let metadata = try ConsumerProtocolCodec.encode(subscription)
        return self.configuration.partitionAssignmentStrategy.map { GroupProtocol(name: $0.name, metadata: metadata) }
    }

    // MARK: Rebalance steps (called by the membership, awaited before it goes on)

    /// Runs on the leader: decodes every subscription, asks the chosen assignor, encodes the result.
    func leaderAssignment(protocolName: String, members: [GroupMember]) async throws -> [String: ByteBuffer] {
        guard let assignor = self.configuration.partitionAssignmentStrategy.first(where: { $0.name == protocolName })
        else {
            throw KafkaError.invalidArgument("the group chose assignor \(protocolName), which this consumer lacks")
        }
        var subscriptions: [String: ConsumerGroupSubscription] = [:]
        for member in members {
            subscriptions[member.memberID] = try ConsumerProtocolCodec.decodeSubscription(
                member.metadata,
                memberID: member.memberID,
                groupInstanceID: member.groupInstanceID
            )
        }
        let topics = Set(subscriptions.values.flatMap(\.topics)).sorted()
        var partitionCounts: [String: Int32] = [:]
        if !topics.isEmpty {
            let metadata = try await self.cluster.refreshMetadata(topics: topics)
            for (name, topic) in metadata.topics where topic.error == .noError && !topic.partitions.isEmpty {
                partitionCounts[name] = Int32(clamping: topic.partitions.count)
            }
        }
        let rebalanceProtocol = self.group.withLockedValue { $0.rebalanceProtocol }
        let assignment = Self.finalAssignment(
            assignor.assign(partitionCounts: partitionCounts, subscriptions: subscriptions),
            subscriptions: subscriptions,
            rebalanceProtocol: rebalanceProtocol
        )
        var encoded: [String: ByteBuffer] = [:]
        for memberID in subscriptions.keys {
            encoded[memberID] = try ConsumerProtocolCodec.encode(assignment: assignment[memberID] ?? [])
        }
        return encoded
    }

    /// The assignor's answer as sent to the members. Under the cooperative protocol a partition
    /// that changes owner is first only revoked (no member gets it), and handed out in the follow-up
    /// rebalance the revoking member triggers.
    static func finalAssignment(
        _ assignment: [String: [TopicPartition]],
        subscriptions: [String: ConsumerGroupSubscription],
        rebalanceProtocol: RebalanceProtocol
    ) -> [String: [TopicPartition]] {
        guard rebalanceProtocol == .cooperative else { return assignment }
        return CooperativeAssignment.withholdingTransfers(assignment: assignment, subscriptions: subscriptions)
            .assignment
    }

    /// Before (re)joining: refresh a pattern subscription; under the eager protocol give up every
    /// partition (commit, then tell the listener); return the metadata to join with.
    func prepareRejoin(_ rebalance: GroupRebalanceStart) async -> [GroupProtocol]? {
        let subscription = self.group.withLockedValue { $0.subscription }
        if let subscription, case .pattern = subscription,
            let topics = try? await self.resolveTopics(subscription)
        {
            self.group.withLockedValue {
                $0.subscribedTopics = topics
                $0.topicsResolvedAt = .now
            }
        }
        let (revoked, listener) = self.group.withLockedValue {
            group -> ([TopicPartition], any ConsumerRebalanceListener) in
            (group.rebalanceProtocol == .eager ? group.owned.sorted() : [], group.listener)
        }
        if !revoked.isEmpty {
            await self.revoke(revoked, listener: listener)
        }
        return try? self.joinProtocols()
    }

    /// Commits (with auto-commit, unless `autoCommit` is false) and revokes partitions: the
    /// listener runs before they stop being fetched, so it can still commit what it processed.
    private func revoke(
        _ partitions: [TopicPartition],
        listener: any ConsumerRebalanceListener,
        autoCommit: Bool = true
    ) async {
        if autoCommit && self.configuration.enableAutoCommit {
            do {
                try await self.commitSync(self.positions(of: partitions))
            } catch {
                self.logger.warning(
                    "auto-commit before revocation failed",
                    metadata: ["error": "\(error)", "partitions": "\(partitions)"]
                )
            }
        }
        await listener.partitionsRevoked(partitions)
        let keep = self.group.withLockedValue { group -> [TopicPartition] in
            group.owned.subtract(partitions)
            return group.owned.sorted()
        }
        let reset = self.defaultReset
        self.state.withLockedValue { $0.fetch.assign(keep, defaultReset: reset) }
    }

    /// After SyncGroup: revoke what is no longer ours, start the new partitions at their committed
    /// offsets, tell the listener; under the cooperative protocol rejoin if anything was revoked.
    func assignmentReceived(_ assignment: GroupAssignment) async {
        let assigned: Set<TopicPartition>
        do {
            assigned = Set(try ConsumerProtocolCodec.decodeAssignment(assignment.assignment))
        } catch {
            self.logger.error("undecodable assignment from the group leader", metadata: ["error": "\(error)"])
            assigned = []
        }
        let (owned, listener, rebalanceProtocol) = self.group.withLockedValue {
            ($0.owned, $0.listener, $0.rebalanceProtocol)
        }
        let revoked = owned.subtracting(assigned).sorted()
        if !revoked.isEmpty { await self.revoke(revoked, listener: listener) }
        let added = assigned.subtracting(owned).sorted()
        self.group.withLockedValue {
            $0.generation = assignment.generation
            $0.memberID = assignment.memberID
        }
        var committed: [TopicPartition: Int64] = [:]
        if !added.isEmpty {
            do {
                committed = try await self.committed(added)
            } catch {
                self.logger.warning(
                    "could not read committed offsets; starting per auto.offset.reset",
                    metadata: ["error": "\(error)"]
                )
            }
        }
        let reset = self.defaultReset
        self.state.withLockedValue { state in
            state.fetch.assign(assigned.sorted(), defaultReset: reset)
            for partition in added {
                if let offset = committed[partition] { state.fetch.seek(partition, to: offset) }
            }
        }
        self.group.withLockedValue { $0.owned = assigned }
        self.fetcherWakeup.signal()
        await listener.partitionsAssigned(added)
        if rebalanceProtocol == .cooperative, !revoked.isEmpty {
            // The revoked partitions are handed out in a second rebalance (KIP-429).
            let membership = self.group.withLockedValue { $0.membership }
            await membership?.requestRejoin(reason: "partitions were revoked in a cooperative rebalance")
        }
    }

    func membershipLost(_ error: KafkaError) async {
        let (lost, listener) = self.group.withLockedValue {
            group -> ([TopicPartition], any ConsumerRebalanceListener) in
            defer {
                group.owned = []
                group.generation = -1
                group.memberID = ""
            }
            return (group.owned.sorted(), group.listener)
        }
        self.logger.info("lost group membership", metadata: ["error": "\(error)", "partitions": "\(lost)"])
        self.state.withLockedValue { $0.fetch.assign([], defaultReset: nil) }
        if !lost.isEmpty { await listener.partitionsLost(lost) }
    }

    // MARK: Poll bookkeeping (max.poll.interval.ms, auto-commit)

    func pollStarted() {
        let now = ContinuousClock.now
        let autoCommit = self.configuration.enableAutoCommit
        let interval = Duration.milliseconds(self.configuration.autoCommitIntervalMs)
        let (membership, rejoin, commitDue) = self.group.withLockedValue {
            group -> (GroupMembership?, Bool, Bool) in
            group.activePolls += 1
            group.lastPollActivity = now
            let rejoin = group.leftForPollTimeout
            group.leftForPollTimeout = false
            let due = autoCommit && group.membership != nil && group.lastAutoCommit.duration(to: now) >= interval
            if due { group.lastAutoCommit = now }
            return (group.membership, rejoin, due)
        }
        guard let membership else { return }
        if commitDue {
            // Positions before this poll cover records the application processed since the last
            // poll: committing them is Kafka's at-least-once auto-commit.
            let offsets = self.positions(of: self.group.withLockedValue { $0.owned.sorted() })
            self.enqueueCommit(PendingCommit(offsets: offsets, completion: nil))
        }
        if rejoin {
            self.group.withLockedValue { $0.pendingRejoin = membership }
            self.groupWakeup.signal()
        }
    }

    func pollEnded() {
        self.group.withLockedValue { group in
            group.activePolls -= 1
            group.lastPollActivity = .now
        }
    }

    // MARK: Commits

    /// The positions (next offsets to read) of these partitions, where known.
    func positions(of partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        self.state.withLockedValue { state in
            var offsets: [TopicPartition: Int64] = [:]
            for partition in partitions {
                if let position = state.fetch.partitions[partition]?.position { offsets[partition] = position }
            }
            return offsets
        }
    }

    /// Commits offsets for the group and waits for the coordinator's answer.
    ///
    /// - Parameter offsets: the next offset to read per partition; nil commits the current
    ///   positions of every assigned partition.
    /// - Throws: ``KafkaError/broker(_:message:)`` with ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID or
    ///   REBALANCE_IN_PROGRESS when the group moved on without this member (its partitions may
    ///   belong to another member now; the next ``poll()`` rejoins).
    public func commitSync(_ offsets: [TopicPartition: Int64]? = nil) async throws {
        let offsets = offsets ?? self.positions(of: self.assignment)
        guard !offsets.isEmpty else { return }
        try await self.sendOffsetCommit(offsets)
    }

    /// Commits like ``commitSync(_:)`` without waiting; the offsets are taken now. `completion`
    /// gets the outcome (failures are also logged). Commits are sent in the order requested.
    public func commitAsync(
        _ offsets: [TopicPartition: Int64]? = nil,
        completion: (@Sendable (Result<Void, KafkaError>) -> Void)? = nil
    ) {
        let offsets = offsets ?? self.positions(of: self.assignment)
        self.enqueueCommit(PendingCommit(offsets: offsets, completion: completion))
    }

    private func enqueueCommit(_ commit: PendingCommit) {
        let accepted = self.group.withLockedValue { group -> Bool in
            guard group.maintenanceTask != nil, !group.isClosed else { return false }
            group.pendingCommits.append(commit)
            return true
        }
        if accepted {
            self.groupWakeup.signal()
        } else {
            commit.completion?(
                .failure(
                    self.configuration.groupID == nil
                        ? .invalidConfiguration(property: "group.id", reason: "commits need a consumer group")
                        : .shutDown
                )
            )
        }
    }

    private func sendOffsetCommit(_ offsets: [TopicPartition: Int64]) async throws {
        guard let groupID = self.configuration.groupID else {
            throw KafkaError.invalidConfiguration(property: "group.id", reason: "commits need a consumer group")
        }
        let (generation, memberID) = self.group.withLockedValue { ($0.generation, $0.memberID) }
        let byTopic = Dictionary(grouping: offsets.keys, by: \.topic)
        let request = OffsetCommitRequest(
            groupId: groupID,
            generationIdOrMemberEpoch: generation,
            memberId: memberID,
            groupInstanceId: self.configuration.groupInstanceID,
            topics: byTopic.keys.sorted().map { topic in
                .init(
                    name: topic,
                    partitions: (byTopic[topic] ?? []).sorted().map {
                        .init(partitionIndex: $0.partition, committedOffset: offsets[$0] ?? 0)
                    }
                )
            }
        )
        try await self.withCoordinatorRetries(groupID: groupID) { connection in
            let response = try await connection.send(request)
            var firstError: KafkaErrorCode?
            for topic in response.topics {
                for partition in topic.partitions where partition.errorCode != 0 {
                    firstError = firstError ?? KafkaErrorCode(rawValue: partition.errorCode)
                }
            }
            guard let code = firstError else { return }
            switch code {
            case .illegalGeneration, .unknownMemberId, .rebalanceInProgress, .fencedInstanceId:
                throw KafkaError.broker(
                    code,
                    message:
                        "offset commit for group \(groupID) rejected: this member's generation \(generation) is no longer current (the group rebalanced and the partitions may belong to another member); poll again to rejoin, then commit what you still own"
                )
            default:
                throw KafkaError.broker(code, message: "offset commit for group \(groupID)")
            }
        }
    }

    /// The committed offsets of the group for these partitions (partitions without one are absent).
    public func committed(_ partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        guard let groupID = self.configuration.groupID else {
            throw KafkaError.invalidConfiguration(property: "group.id", reason: "committed offsets need a group")
        }
        guard !partitions.isEmpty else { return [:] }
        let byTopic = Dictionary(grouping: partitions, by: \.topic)
        let topics = byTopic.keys.sorted()
        return try await self.withCoordinatorRetries(groupID: groupID) { connection in
            guard let version = connection.apiVersions.version(for: OffsetFetchRequest.self) else {
                throw KafkaError.unsupportedAPI(.offsetFetch)
            }
            // v8 moved the topics into a list of groups.
            let request =
                version >= 8
                ? OffsetFetchRequest(
                    groups: [
                        .init(
                            groupId: groupID,
                            topics: topics.map {
                                .init(name: $0, partitionIndexes: (byTopic[$0] ?? []).map(\.partition))
                            }
                        )
                    ],
                    requireStable: self.configuration.isolationLevel == .readCommitted
                )
                : OffsetFetchRequest(
                    groupId: groupID,
                    topics: topics.map { .init(name: $0, partitionIndexes: (byTopic[$0] ?? []).map(\.partition)) },
                    requireStable: self.configuration.isolationLevel == .readCommitted
                )
            let response = try await connection.send(request, version: version)
            var result: [TopicPartition: Int64] = [:]
            var errors: [KafkaErrorCode] = []
            if version >= 8 {
                for group in response.groups {
                    errors.append(KafkaErrorCode(rawValue: group.errorCode))
                    for topic in group.topics {
                        for partition in topic.partitions {
                            errors.append(KafkaErrorCode(rawValue: partition.errorCode))
                            if partition.committedOffset >= 0 {
                                result[TopicPartition(topic.name, partition.partitionIndex)] = partition.committedOffset
                            }
                        }
                    }
                }
            } else {
                errors.append(KafkaErrorCode(rawValue: response.errorCode))
                for topic in response.topics {
                    for partition in topic.partitions {
                        errors.append(KafkaErrorCode(rawValue: partition.errorCode))
                        if partition.committedOffset >= 0 {
                            result[TopicPartition(topic.name, partition.partitionIndex)] = partition.committedOffset
                        }
                    }
                }
            }
            if let code = errors.first(where: { $0 != .noError && $0 != .unknownTopicOrPartition }) {
                throw KafkaError.broker(code, message: "offset fetch for group \(groupID)")
            }
            return result
        }
    }

    /// Runs `body` against the group's coordinator, finding it again after NOT_COORDINATOR,
    /// COORDINATOR_NOT_AVAILABLE or a lost connection, and retrying retriable errors, until
    /// `default.api.timeout.ms` passes.
    private func withCoordinatorRetries<T: Sendable>(
        groupID: String,
        _ body: (BrokerConnection) async throws -> T
    ) async throws -> T {
        let deadline = ContinuousClock.now + .milliseconds(self.configuration.client.defaultApiTimeoutMs)
        var attempt = 0
        while true {
            attempt += 1
            do {
                let connection = try await self.cluster.coordinator(for: groupID, type: .group)
                return try await body(connection)
            } catch let error as KafkaError where error.isRetriable {
                switch error {
                case .broker(.notCoordinator, _), .broker(.coordinatorNotAvailable, _), .connectionClosed,
                    .connectionFailed, .requestTimedOut:
                    await self.cluster.coordinatorMoved(key: groupID, type: .group)
                default:
                    break
                }
                if ContinuousClock.now >= deadline { throw error }
            }
            try await Task.sleep(for: self.configuration.client.retryBackoff(attempt: attempt))
        }
    }

    // MARK: Maintenance task

    /// Sends asynchronous commits in order, leaves the group when the application stops polling
    /// for `max.poll.interval.ms`, rejoins when it polls again, and re-resolves a pattern
    /// subscription every `metadata.max.age.ms`.
    private func runGroupMaintenance() async {
        let maxPollInterval = Duration.milliseconds(self.configuration.maxPollIntervalMs)
        let metadataMaxAge = Duration.milliseconds(self.configuration.client.metadataMaxAgeMs)
        while !Task.isCancelled {
            let (commits, rejoin) = self.group.withLockedValue { group -> ([PendingCommit], GroupMembership?) in
                defer {
                    group.pendingCommits = []
                    group.pendingRejoin = nil
                }
                return (group.pendingCommits, group.pendingRejoin)
            }
            for commit in commits {
                do {
                    try await self.sendOffsetCommit(commit.offsets)
                    commit.completion?(.success(()))
                } catch {
                    let kafkaError = error as? KafkaError ?? .connectionFailed("\(error)")
                    self.logger.warning("asynchronous offset commit failed", metadata: ["error": "\(kafkaError)"])
                    commit.completion?(.failure(kafkaError))
                }
            }
            if let rejoin {
                await rejoin.requestRejoin(reason: "the application polled again after max.poll.interval.ms")
            }
            let now = ContinuousClock.now
            let (expired, membership, subscription, resolvedAt) = self.group.withLockedValue {
                group -> (Bool, GroupMembership?, ConsumerSubscription?, ContinuousClock.Instant?) in
                let expired =
                    group.activePolls == 0 && !group.leftForPollTimeout
                    && group.lastPollActivity.duration(to: now) > maxPollInterval
                if expired { group.leftForPollTimeout = true }
                return (expired, group.membership, group.subscription, group.topicsResolvedAt)
            }
            if expired, let membership {
                self.logger.warning(
                    "poll() was not called within max.poll.interval.ms; leaving the group until the next poll (process records faster, lower max.poll.records or raise max.poll.interval.ms)"
                )
                let (owned, listener) = self.group.withLockedValue { ($0.owned.sorted(), $0.listener) }
                // No auto-commit: the application may still be processing what it polled last
                // (Java commits nothing here either).
                if !owned.isEmpty { await self.revoke(owned, listener: listener, autoCommit: false) }
                self.group.withLockedValue {
                    $0.generation = -1
                    $0.memberID = ""
                }
                await membership.leave(reason: "consumer poll timeout has expired")
            }
            if let subscription, case .pattern = subscription, let membership,
                resolvedAt.map({ $0.duration(to: now) >= metadataMaxAge }) ?? true,
                let topics = try? await self.resolveTopics(subscription)
            {
                let changed = self.group.withLockedValue { group -> Bool in
                    group.topicsResolvedAt = .now
                    defer { group.subscribedTopics = topics }
                    return group.subscribedTopics != topics
                }
                if changed { await membership.requestRejoin(reason: "topics matching the pattern changed") }
            }
            await self.groupWakeup.wait(timeout: min(.seconds(1), maxPollInterval / 4))
        }
    }

    /// On close: stop the maintenance task, commit (auto-commit), revoke, leave the group.
    func closeGroup() async {
        let (membership, task) = self.group.withLockedValue { group -> (GroupMembership?, Task<Void, Never>?) in
            group.isClosed = true
            return (group.membership, group.maintenanceTask)
        }
        guard let membership else { return }
        task?.cancel()
        self.groupWakeup.signal()
        await task?.value
        // Asynchronous commits requested before close still go out, in order.
        let leftover = self.group.withLockedValue { group -> [PendingCommit] in
            defer { group.pendingCommits = [] }
            return group.pendingCommits
        }
        for commit in leftover {
            do {
                try await self.sendOffsetCommit(commit.offsets)
                commit.completion?(.success(()))
            } catch {
                commit.completion?(.failure(error as? KafkaError ?? .connectionFailed("\(error)")))
            }
        }
        let (owned, listener) = self.group.withLockedValue { ($0.owned.sorted(), $0.listener) }
        if !owned.isEmpty { await self.revoke(owned, listener: listener) }
        await membership.close()
    }
}
