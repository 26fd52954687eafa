import KafkaProtocol

/// The API versions one broker supports, from its ApiVersions response, and the version this
/// client uses for each request type: the highest both sides support.
public struct ApiVersionsTable: Sendable, Equatable {
    public private(set) var ranges: [Int16: ClosedRange<Int16>]

    public init(ranges: [Int16: ClosedRange<Int16>]) {
        self.ranges = ranges
    }

    /// The newest versions this client uses, where it deliberately stays below what it can encode
    /// (Fetch v13+ addresses topics by id only; the client keeps to names for now).
    static let clientMaximum: [ApiKey: Int16] = [
        .fetch: 12,
        // v4+ is the brokers' batched form; v5 and EndTxn v5 belong to transactions v2 (KIP-890),
        // where the coordinator bumps the epoch per transaction: this client speaks v1 semantics.
        .addPartitionsToTxn: 3,
        .endTxn: 4,
    ]

    /// The highest version of `R` both this client and the broker support, or nil if none.
    public func version<R: KafkaRequest>(for request: R.Type) -> Int16? {
        guard let broker = self.ranges[R.apiKey.rawValue] else { return nil }
        let ours = R.validVersions
        let ourMax = min(ours.upperBound, Self.clientMaximum[R.apiKey] ?? ours.upperBound)
        let high = min(ourMax, broker.upperBound)
        let low = max(ours.lowerBound, broker.lowerBound)
        return high >= low ? high : nil
    }
}
