/// Kafka's `RangeAssignor` (`range`): per topic, the members subscribed to it get contiguous ranges
/// of partitions; the first `partitions % members` members (in Kafka's member order) get one more.
///
/// Like the Java client it makes co-partitioned topics line up: with the same members and partition
/// counts, partition `n` of every topic goes to the same member. Rack-aware assignment
/// (`client.rack`) is not implemented; racks are ignored.
public struct RangeAssignor: ConsumerPartitionAssignor {
    public var name: String { "range" }
    public var supportedProtocols: [RebalanceProtocol] { [.eager] }

    public init() {}

    public func assign(
        partitionCounts: [String: Int32],
        subscriptions: [String: ConsumerGroupSubscription]
    ) -> [String: [TopicPartition]] {
        var assignment = subscriptions.mapValues { _ in [TopicPartition]() }
        var membersByTopic: [String: [String]] = [:]
        for member in AssignorOrdering.sortedMembers(subscriptions) {
            guard let subscription = subscriptions[member] else { continue }
            for topic in Set(subscription.topics) { membersByTopic[topic, default: []].append(member) }
        }
        for (topic, members) in membersByTopic {
            guard let count = partitionCounts[topic], count > 0 else { continue }
            let perMember = Int(count) / members.count
            let extra = Int(count) % members.count
            for (index, member) in members.enumerated() {
                let start = perMember * index + min(index, extra)
                let length = perMember + (index < extra ? 1 : 0)
                for partition in start..<(start + length) {
                    assignment[member, default: []].append(TopicPartition(topic, Int32(partition)))
                }
            }
        }
        return assignment.mapValues { $0.sorted(by: AssignorOrdering.partitionLess) }
    }
}
