/// Kafka's `CooperativeStickyAssignor` (`cooperative-sticky`): a balanced assignment that leaves as
/// many partitions as possible with the member that owns them now.
///
/// Follows the rules of Kafka's `AbstractStickyAssignor` without reproducing its exact output:
/// - A member's claim to a partition (its subscription's `ownedPartitions`) counts only if it still
///   subscribes to the topic and the partition exists. When several members claim the same
///   partition, the claim from the highest `generationID` wins; claims tied at the highest
///   generation cancel each other (neither member keeps the partition), as in Kafka.
/// - When every member subscribes to the same topics, member sizes differ by at most one, and each
///   member keeps up to its quota of the partitions it owns.
/// - Otherwise, unowned partitions go to the least loaded subscribed member (partitions with the
///   fewest possible members first), then partitions move from a member to a subscribed member
///   with at least two fewer partitions until no such move exists; newly assigned partitions move
///   before owned ones.
///
/// The result is the target assignment. Under the cooperative protocol, the group leader then
/// withholds partitions that change owner (``CooperativeAssignment/withholdingTransfers(assignment:subscriptions:)``)
/// until their previous owner has revoked them.
public struct CooperativeStickyAssignor: ConsumerPartitionAssignor {
    public var name: String { "cooperative-sticky" }
    /// Both, like Kafka's: a group that also lists an eager-only assignor runs it eagerly.
    public var supportedProtocols: [RebalanceProtocol] { [.eager, .cooperative] }

    public init() {}

    public func assign(
        partitionCounts: [String: Int32],
        subscriptions: [String: ConsumerGroupSubscription]
    ) -> [String: [TopicPartition]] {
        let members = AssignorOrdering.sortedMembers(subscriptions)
        guard !members.isEmpty else { return [:] }
        // Each member's subscribed topics that exist.
        let topicsOf = subscriptions.mapValues { subscription in
            Set(subscription.topics.filter { (partitionCounts[$0] ?? 0) > 0 })
        }
        let owned = Self.validOwnedPartitions(
            members: members,
            subscriptions: subscriptions,
            topicsOf: topicsOf,
            partitionCounts: partitionCounts
        )
        let allTopics = Set(topicsOf.values.joined()).sorted(by: AssignorOrdering.javaLess)
        let allPartitions = allTopics.flatMap { topic in
            (0..<(partitionCounts[topic] ?? 0)).map { TopicPartition(topic, $0) }
        }
        let sameSubscriptions = members.allSatisfy { topicsOf[$0] == topicsOf[members[0]] }
        var assignment: [String: [TopicPartition]]
        if sameSubscriptions {
            assignment = Self.constrainedAssign(members: members, partitions: allPartitions, owned: owned)
        } else {
            assignment = Self.generalAssign(
                members: members,
                partitions: allPartitions,
                owned: owned,
                topicsOf: topicsOf
            )
        }
        for member in members {
            assignment[member] = (assignment[member] ?? []).sorted(by: AssignorOrdering.partitionLess)
        }
        return assignment
    }

    /// The partitions each member may keep: claims to subscribed, existing partitions, with
    /// conflicts resolved by generation.
    static func validOwnedPartitions(
        members: [String],
        subscriptions: [String: ConsumerGroupSubscription],
        topicsOf: [String: Set<String>],
        partitionCounts: [String: Int32]
    ) -> [String: [TopicPartition]] {
        struct Claim {
            var member: String
            var generation: Int32
            var contested: Bool
        }
        var claims: [TopicPartition: Claim] = [:]
        for member in members {
            guard let subscription = subscriptions[member], let topics = topicsOf[member] else { continue }
            for partition in subscription.ownedPartitions {
                guard topics.contains(partition.topic), partition.partition >= 0,
                    partition.partition < (partitionCounts[partition.topic] ?? 0)
                else { continue }
                let generation = subscription.generationID
                if let existing = claims[partition] {
                    if existing.member == member { continue }
                    if generation > existing.generation {
                        claims[partition] = Claim(member: member, generation: generation, contested: false)
                    } else if generation == existing.generation {
                        claims[partition]?.contested = true
                    }
                } else {
                    claims[partition] = Claim(member: member, generation: generation, contested: false)
                }
            }
        }
        var owned: [String: [TopicPartition]] = [:]
        for (partition, claim) in claims where !claim.contested { owned[claim.member, default: []].append(partition) }
        return owned.mapValues { $0.sorted(by: AssignorOrdering.partitionLess) }
    }

    /// Every member can take every partition: quotas of `n / m` and `n / m + 1` partitions, the
    /// larger one for `n % m` members, and each member keeps owned partitions up to its quota.
    static func constrainedAssign(
        members: [String],
        partitions: [TopicPartition],
        owned: [String: [TopicPartition]]
    ) -> [String: [TopicPartition]] {
        let minQuota = partitions.count / members.count
        var largerQuotasLeft = partitions.count % members.count
        var assignment: [String: [TopicPartition]] = [:]
        var taken = Set<TopicPartition>()
        for member in members {
            let mine = owned[member] ?? []
            let keep: Int
            if mine.count > minQuota && largerQuotasLeft > 0 {
                keep = minQuota + 1
                largerQuotasLeft -= 1
            } else {
                keep = min(mine.count, minQuota)
            }
            assignment[member] = Array(mine.prefix(keep))
            taken.formUnion(mine.prefix(keep))
        }
        var free = partitions.filter { !taken.contains($0) }[...]
        for member in members where (assignment[member]?.count ?? 0) < minQuota {
            let missing = minQuota - (assignment[member]?.count ?? 0)
            assignment[member, default: []].append(contentsOf: free.prefix(missing))
            free = free.dropFirst(missing)
        }
        for member in members where largerQuotasLeft > 0 && (assignment[member]?.count ?? 0) == minQuota {
            guard let partition = free.popFirst() else { break }
            assignment[member, default: []].append(partition)
            largerQuotasLeft -= 1
        }
        // Unreachable by the arithmetic above; kept so a mistake loses no partition silently.
        assert(free.isEmpty, "cooperative-sticky left partitions unassigned: \(Array(free))")
        return assignment
    }

    /// Members subscribe to different topics.
    static func generalAssign(
        members: [String],
        partitions: [TopicPartition],
        owned: [String: [TopicPartition]],
        topicsOf: [String: Set<String>]
    ) -> [String: [TopicPartition]] {
        let order = Dictionary(uniqueKeysWithValues: members.enumerated().map { ($1, $0) })
        var membersOfTopic: [String: [String]] = [:]
        for member in members {
            for topic in topicsOf[member] ?? [] { membersOfTopic[topic, default: []].append(member) }
        }
        var assignment = Dictionary(uniqueKeysWithValues: members.map { ($0, owned[$0] ?? []) })
        let kept = Set(owned.values.joined())

        // The member of `candidates` with the fewest partitions, earliest in member order on ties.
        func leastLoaded(_ candidates: [String], excluding excluded: String? = nil) -> String? {
            var best: String?
            for candidate in candidates where candidate != excluded {
                guard let current = best else {
                    best = candidate
                    continue
                }
                if (assignment[candidate]?.count ?? 0) < (assignment[current]?.count ?? 0) { best = candidate }
            }
            return best
        }

        let unowned = partitions.filter { !kept.contains($0) }.sorted { lhs, rhs in
            let left = membersOfTopic[lhs.topic]?.count ?? 0
            let right = membersOfTopic[rhs.topic]?.count ?? 0
            return left != right ? left < right : AssignorOrdering.partitionLess(lhs, rhs)
        }
        for partition in unowned {
            guard let member = leastLoaded(membersOfTopic[partition.topic] ?? []) else { continue }
            assignment[member, default: []].append(partition)
        }

        // Move one partition at a time from a member to a subscribed member with at least two
        // fewer; each move lowers the sum of squared sizes, so the loop ends.
        var moved = true
        while moved {
            moved = false
            let byLoad = members.sorted { lhs, rhs in
                let left = assignment[lhs]?.count ?? 0
                let right = assignment[rhs]?.count ?? 0
                return left != right ? left > right : (order[lhs] ?? 0) < (order[rhs] ?? 0)
            }
            search: for donor in byLoad {
                let donorPartitions = assignment[donor] ?? []
                // Partitions the donor did not own before this rebalance move first.
                let candidates =
                    donorPartitions.filter { !kept.contains($0) } + donorPartitions.filter { kept.contains($0) }
                for partition in candidates {
                    guard let receiver = leastLoaded(membersOfTopic[partition.topic] ?? [], excluding: donor),
                        (assignment[receiver]?.count ?? 0) + 1 < donorPartitions.count
                    else { continue }
                    assignment[donor]?.removeAll { $0 == partition }
                    assignment[receiver, default: []].append(partition)
                    moved = true
                    break search
                }
            }
        }
        return assignment
    }
}
