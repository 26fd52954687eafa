/// An offset to commit for a partition, with optional metadata (Kafka's `OffsetAndMetadata`): the
/// next offset to consume.
public struct OffsetAndMetadata: Sendable, Hashable, CustomStringConvertible {
    /// The next offset to consume.
    public var offset: Int64
    /// Metadata stored with the commit.
    public var metadata: String
    /// The leader epoch of the last consumed record, if known.
    public var leaderEpoch: Int32?

    /// Creates an offset.
    public init(_ offset: Int64, metadata: String = "", leaderEpoch: Int32? = nil) {
        self.offset = offset
        self.metadata = metadata
        self.leaderEpoch = leaderEpoch
    }

    /// `OffsetAndMetadata{offset=…, leaderEpoch=…, metadata='…'}`.
    public var description: String {
        "OffsetAndMetadata{offset=\(offset), leaderEpoch=\(leaderEpoch.map(String.init) ?? "null"), metadata='\(metadata)'}"
    }
}
