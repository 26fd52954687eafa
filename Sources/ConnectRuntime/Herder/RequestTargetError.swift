/// A request that this worker cannot complete because it belongs elsewhere or must wait (Kafka's
/// `NotLeaderException`, `NotAssignedException` and `RebalanceNeededException`).
///
/// The REST layer forwards a request refused with a URL to that worker (Kafka's
/// `HerderRequestHandler.completeOrForwardRequest`) and answers 409 Conflict otherwise.
public enum RequestTargetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Only the group's leader can do this; `leaderURL` is its advertised REST URL
    /// (`http://host:port/`), `nil` while no leader is known.
    case notLeader(leaderURL: String?)
    /// Another worker runs the instance (restarts of one connector or task); `ownerURL` is its
    /// advertised REST URL, `nil` when unknown.
    case notAssigned(ownerURL: String?)
    /// This worker's view of the configuration is stale; the request can succeed after a rebalance.
    case rebalanceNeeded

    /// The URL the request should be forwarded to, if any.
    public var forwardURL: String? {
        switch self {
        case .notLeader(let url): url
        case .notAssigned(let url): url
        case .rebalanceNeeded: nil
        }
    }

    public var description: String {
        switch self {
        case .notLeader(let url): "This worker is not the leader; the leader is \(url ?? "not known")"
        case .notAssigned(let url): "This worker does not run the instance; its owner is \(url ?? "not known")"
        case .rebalanceNeeded: "The request needs a rebalance to complete"
        }
    }
}
