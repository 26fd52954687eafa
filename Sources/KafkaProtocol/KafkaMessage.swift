import NIOCore

/// A versioned Kafka protocol message: a request or response body, a header, or a data structure
/// such as `ConsumerProtocolSubscription`. Generated types conform; see Tools/KafkaProtocolGenerator.
public protocol KafkaMessage: Sendable, Equatable {
    /// The versions the spec defines.
    static var validVersions: ClosedRange<Int16> { get }
    /// The first version that uses the flexible (compact, tagged-field) encoding, if any.
    static var lowestFlexibleVersion: Int16? { get }

    /// Appends this message's encoding at `version` to `buffer`.
    /// - Throws: ``KafkaProtocolError/unsupportedVersion(api:version:)`` outside ``validVersions``,
    ///   ``KafkaProtocolError/unexpectedNull(field:)`` for a nil where the version forbids null.
    func write(into buffer: inout ByteBuffer, version: Int16) throws

    /// Reads a message encoded at `version` from the front of `buffer`.
    init(from buffer: inout ByteBuffer, version: Int16) throws
}

extension KafkaMessage {
    /// True when `version` uses the flexible encoding.
    public static func isFlexible(_ version: Int16) -> Bool {
        guard let lowest = lowestFlexibleVersion else { return false }
        return version >= lowest
    }
}

/// A request body; `Response` is the body the broker answers with.
public protocol KafkaRequest: KafkaMessage {
    associatedtype Response: KafkaResponse
    static var apiKey: ApiKey { get }
}

/// A response body.
public protocol KafkaResponse: KafkaMessage {}
