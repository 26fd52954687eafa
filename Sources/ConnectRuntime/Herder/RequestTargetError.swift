/// A request this worker cannot complete itself, and where it should go instead (Kafka's
/// `RequestTargetException` subclasses). The REST layer forwards it, or answers 409.
public enum RequestTargetError: Error, Sendable, Hashable {
    /// Only the leader may do this (Kafka's `NotLeaderException`); `nil` while no leader is known.
    case notLeader(leaderURL: String?)
    /// Another worker runs the instance to restart (Kafka's `NotAssignedException`).
    case notAssigned(ownerURL: String?)
    /// This worker's view of the configuration is stale (Kafka's `RebalanceNeededException`).
    case rebalanceNeeded
}
