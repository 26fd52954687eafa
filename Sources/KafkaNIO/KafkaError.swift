import KafkaProtocol

/// An error from the Kafka client.
///
/// Broker error codes arrive as ``broker(_:message:)``; everything else says what went wrong on
/// this side. Descriptions never contain credentials.
public enum KafkaError: Error, Sendable, CustomStringConvertible {
    /// The broker answered with an error code.
    case broker(KafkaErrorCode, message: String?)
    /// No connection could be made to any of the addresses.
    case connectionFailed(String)
    /// The connection closed while requests were outstanding.
    case connectionClosed(String)
    /// No response arrived within `request.timeout.ms`.
    case requestTimedOut(api: ApiKey, timeoutMs: Int)
    /// The broker sent bytes this client cannot understand.
    case protocolViolation(KafkaProtocolError)
    /// The broker does not support any version of an API this client can speak.
    case unsupportedAPI(ApiKey)
    /// A configuration property is invalid; the message names the property and the fix.
    case invalidConfiguration(property: String, reason: String)
    /// The topic or partition is not known to the cluster.
    case unknownTopicOrPartition(topic: String, partition: Int32?)
    /// A request could not be completed within its retry budget (`delivery.timeout.ms` and the like).
    case retriesExhausted(last: String)
    /// The client has been shut down.
    case shutDown
    /// The caller used the API incorrectly; the message says how.
    case invalidArgument(String)
    /// TLS or SASL authentication with a broker failed (untrusted certificate, host name mismatch,
    /// wrong credentials, mechanism not enabled). Not retriable: the settings must change. The
    /// message names the setting to check and never contains a password.
    case authenticationFailed(String)
    /// The call is not allowed in the client's current state (a transactional producer's calls
    /// out of order, for example); the message says which call must come first.
    case illegalState(String)

    public var description: String {
        switch self {
        case .broker(let code, let message):
            if let message, !message.isEmpty { return "broker error \(code): \(message)" }
            return "broker error \(code)"
        case .connectionFailed(let reason): return "connection failed: \(reason)"
        case .connectionClosed(let reason): return "connection closed: \(reason)"
        case .requestTimedOut(let api, let timeout): return "\(api) request timed out after \(timeout) ms"
        case .protocolViolation(let error): return "protocol violation: \(error)"
        case .unsupportedAPI(let api): return "the broker supports no version of \(api) that this client speaks"
        case .invalidConfiguration(let property, let reason): return "invalid configuration \(property): \(reason)"
        case .unknownTopicOrPartition(let topic, let partition):
            if let partition { return "unknown topic or partition \(topic)-\(partition)" }
            return "unknown topic \(topic)"
        case .retriesExhausted(let last): return "gave up after retries: \(last)"
        case .shutDown: return "the client has been shut down"
        case .invalidArgument(let reason): return "invalid argument: \(reason)"
        case .authenticationFailed(let reason): return "authentication failed: \(reason)"
        case .illegalState(let reason): return "illegal state: \(reason)"
        }
    }

    /// Whether retrying the same operation may succeed.
    public var isRetriable: Bool {
        switch self {
        case .broker(let code, _): return code.isRetriable
        case .connectionFailed, .connectionClosed, .requestTimedOut: return true
        case .unknownTopicOrPartition: return true
        default: return false
        }
    }

    /// Throws ``broker(_:message:)`` for a non-zero error code.
    static func check(_ code: Int16, message: String? = nil) throws {
        if code != 0 { throw KafkaError.broker(KafkaErrorCode(rawValue: code), message: message) }
    }
}
