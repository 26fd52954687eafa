/// Kafka's `RoundRobinAssignor` (`roundrobin`): all subscribed partitions, sorted by topic and
/// partition, are dealt to the members in Kafka's member order, skipping members that do not
/// subscribe to the partition's topic.
public struct RoundRobinAssignor: ConsumerPartitionAssignor {
    public var name: String { "roundrobin" }
    public var supportedProtocols: [RebalanceProtocol] { [.eager] }

    public init() {}

    public func assign(
        partitionCounts: [String: Int32],
        subscriptions: [String: ConsumerGroupSubscription]
    ) -> [String: [TopicPartition]] {
        var assignment = subscriptions.mapValues { _ in [TopicPartition]() }
        let members = AssignorOrdering.sortedMembers(subscriptions)
        let topicsOf = subscriptions.mapValues { Set($0.topics) }
        let topics = Set(topicsOf.values.joined()).sorted(by: AssignorOrdering.javaLess)
        // The position of the next member to receive a partition; it carries over between topics.
        var next = 0
        for topic in topics {
            guard let count = partitionCounts[topic], count > 0 else { continue }
            for partition in 0..<count {
                // Some member subscribes to `topic` (that is how it got into `topics`), so this
                // finds one within a full turn.
                while topicsOf[members[next]]?.contains(topic) != true { next = (next + 1) % members.count }
                assignment[members[next], default: []].append(TopicPartition(topic, partition))
                next = (next + 1) % members.count
            }
        }
        return assignment
    }
}
