import NIOCore

/// How a consumer group moves partitions between members during a rebalance.
public enum RebalanceProtocol: String, Sendable, Hashable, Comparable {
    /// Every member gives up all its partitions before the new assignment (range, roundrobin).
    case eager = "EAGER"
    /// Members keep the partitions they still own; only moved partitions are revoked, then a
    /// second rebalance hands them out (cooperative-sticky).
    case cooperative = "COOPERATIVE"

    public static func < (lhs: RebalanceProtocol, rhs: RebalanceProtocol) -> Bool {
        lhs == .eager && rhs == .cooperative
    }
}

/// What one member of a consumer group told the leader in its JoinGroup metadata
/// (`ConsumerProtocolSubscription`).
public struct ConsumerGroupSubscription: Sendable, Hashable {
    public var memberID: String
    /// `group.instance.id` of a static member.
    public var groupInstanceID: String?
    public var topics: [String]
    public var userData: ByteBuffer?
    /// Partitions the member owns now (cooperative protocol, subscription v1+).
    public var ownedPartitions: [TopicPartition]
    /// The generation in which it owned them (subscription v2+; -1 when unknown).
    public var generationID: Int32
    public var rackID: String?

    public init(
        memberID: String,
        groupInstanceID: String? = nil,
        topics: [String],
        userData: ByteBuffer? = nil,
        ownedPartitions: [TopicPartition] = [],
        generationID: Int32 = -1,
        rackID: String? = nil
    ) {
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.topics = topics
        self.userData = userData
        self.ownedPartitions = ownedPartitions
        self.generationID = generationID
        self.rackID = rackID
    }
}

/// A partition assignment strategy (`partition.assignment.strategy`), run by the group leader.
///
/// Implementations are pure functions of their input, so they are tested without a broker.
public protocol ConsumerPartitionAssignor: Sendable {
    /// The protocol name sent in JoinGroup: `range`, `roundrobin`, `cooperative-sticky`.
    var name: String { get }
    /// Rebalance protocols this assignor supports; the group uses the newest that all chosen
    /// assignors support.
    var supportedProtocols: [RebalanceProtocol] { get }
    /// Assigns the partitions of the subscribed topics.
    ///
    /// - Parameters:
    ///   - partitionCounts: the number of partitions of every topic some member subscribes to
    ///     (topics that do not exist are absent).
    ///   - subscriptions: every member's subscription, keyed by member id.
    /// - Returns: each member's partitions, keyed by member id; every member of `subscriptions`
    ///   has an entry (possibly empty).
    func assign(
        partitionCounts: [String: Int32],
        subscriptions: [String: ConsumerGroupSubscription]
    ) -> [String: [TopicPartition]]
}
