/// The group leader's adjustment of an assignment under the cooperative rebalance protocol.
public enum CooperativeAssignment {
    /// Withholds every partition that would move to a member while another member still claims
    /// it in its `ownedPartitions`.
    ///
    /// Under the cooperative protocol a partition must never be owned by two members at once: the
    /// previous owner first revokes it (its new assignment no longer contains it), and a follow-up
    /// rebalance hands it to the new owner. Kafka's `ConsumerCoordinator` rejects an assignment
    /// that breaks this rule; the leader uses this function so that it never produces one.
    ///
    /// Any other member's claim counts, even one a sticky assignor discarded as stale (lower
    /// generation): that member may still be consuming the partition. Such a claim only costs one
    /// extra rebalance, because the member drops it once it receives an assignment without it.
    ///
    /// - Returns: the assignment without the moving partitions, and those partitions; when
    ///   `withheld` is not empty the leader must trigger another rebalance after this one.
    public static func withholdingTransfers(
        assignment: [String: [TopicPartition]],
        subscriptions: [String: ConsumerGroupSubscription]
    ) -> (assignment: [String: [TopicPartition]], withheld: Set<TopicPartition>) {
        var claimants: [TopicPartition: Set<String>] = [:]
        for (member, subscription) in subscriptions {
            for partition in subscription.ownedPartitions { claimants[partition, default: []].insert(member) }
        }
        var withheld = Set<TopicPartition>()
        var adjusted: [String: [TopicPartition]] = [:]
        for (member, partitions) in assignment {
            adjusted[member] = partitions.filter { partition in
                guard let owners = claimants[partition], owners.contains(where: { $0 != member }) else { return true }
                withheld.insert(partition)
                return false
            }
        }
        return (adjusted, withheld)
    }
}
