/// Orderings the Java client's assignors use, so that our leader hands out the same partitions a
/// Java leader would for the same group.
enum AssignorOrdering {
    /// `String.compareTo` in Java compares UTF-16 code units; Swift's `<` compares scalars
    /// canonically, which differs outside ASCII.
    static func javaLess(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf16.lexicographicallyPrecedes(rhs.utf16)
    }

    /// `AbstractPartitionAssignor.MemberInfo.compareTo`: static members (with a
    /// `group.instance.id`) first, ordered by instance id, then dynamic members by member id.
    /// Static members sort by instance id because their member id changes on every restart.
    static func memberLess(_ lhs: (id: String, instance: String?), _ rhs: (id: String, instance: String?)) -> Bool {
        switch (lhs.instance, rhs.instance) {
        case (let left?, let right?): return javaLess(left, right)
        case (.some, .none): return true
        case (.none, .some): return false
        case (.none, .none): return javaLess(lhs.id, rhs.id)
        }
    }

    /// The member ids of `subscriptions` in ``memberLess(_:_:)`` order.
    static func sortedMembers(_ subscriptions: [String: ConsumerGroupSubscription]) -> [String] {
        subscriptions.map { (id: $0.key, instance: $0.value.groupInstanceID) }
            .sorted(by: memberLess)
            .map(\.id)
    }

    /// Topic, then partition, with Java's string order for topics.
    static func partitionLess(_ lhs: TopicPartition, _ rhs: TopicPartition) -> Bool {
        if lhs.topic != rhs.topic { return javaLess(lhs.topic, rhs.topic) }
        return lhs.partition < rhs.partition
    }
}
