/// A topic partition (Kafka's `TopicPartition`), as sink tasks see their assignment and offsets.
///
/// `KafkaNIO` has a type of the same name and shape; code importing both modules can disambiguate with
/// `ConnectAPI.TopicPartition` or a local `typealias`.
public struct TopicPartition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The topic.
    public var topic: String
    /// The partition number.
    public var partition: Int32

    /// Creates a topic partition.
    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    /// `<topic>-<partition>`, as Kafka's `toString()`.
    public var description: String { "\(topic)-\(partition)" }

    /// Orders by topic, then partition.
    public static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }
}
