import Crypto
import Foundation

/// The signature of an internal REST request between workers (Kafka's `InternalRequestSignature`):
/// an HMAC of the request body with the cluster's session key, sent Base64-encoded in
/// `X-Connect-Authorization` with the algorithm in `X-Connect-Request-Signature-Algorithm`.
///
/// The receiving side parses it with ``init(body:headers:)`` and the herder checks it with
/// ``isValid(key:)``; the sender adds the headers with ``sign(body:key:algorithm:)``.
public struct InternalRequestSignature: Sendable, Hashable {
    /// The header that carries the Base64 signature.
    public static let signatureHeader = "X-Connect-Authorization"
    /// The header that names the algorithm (a JCA name such as `HmacSHA256`).
    public static let algorithmHeader = "X-Connect-Request-Signature-Algorithm"
    /// Kafka's default (`inter.worker.signature.algorithm`).
    public static let defaultAlgorithm = "HmacSHA256"
    /// The JCA MAC algorithms that can sign and verify (Kafka allows what the JVM provides; these are
    /// the ones every JVM has).
    public static let supportedAlgorithms = ["HmacSHA1", "HmacSHA256", "HmacSHA512"]

    /// The algorithm the request was signed with.
    public var algorithm: String
    /// The decoded signature.
    public var signature: [UInt8]
    /// The request body the signature covers.
    public var body: [UInt8]

    /// A signature as received.
    /// - Throws: ``HerderRequestError`` `badRequest` when `algorithm` is not supported.
    public init(algorithm: String, signature: [UInt8], body: [UInt8]) throws(HerderRequestError) {
        guard Self.supportedAlgorithms.contains(algorithm) else { throw Self.unsupported(algorithm) }
        self.algorithm = algorithm
        self.signature = signature
        self.body = body
    }

    /// The signature of a request, or `nil` when either header is missing (names match without regard
    /// to case, as HTTP's do).
    /// - Throws: ``HerderRequestError`` `badRequest` for an unsupported algorithm or a signature that is
    ///   not Base64 (Kafka's `BadRequestException`).
    public init?(body: [UInt8], headers: [(name: String, value: String)]) throws(HerderRequestError) {
        func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
        guard let algorithm = header(Self.algorithmHeader), let encoded = header(Self.signatureHeader) else {
            return nil
        }
        guard Self.supportedAlgorithms.contains(algorithm) else { throw Self.unsupported(algorithm) }
        guard let decoded = Data(base64Encoded: encoded) else {
            throw HerderRequestError(.badRequest, "The \(Self.signatureHeader) header is not valid Base64")
        }
        try self.init(algorithm: algorithm, signature: Array(decoded), body: body)
    }

    /// Whether the signature is the MAC of the body with `key` (compared in constant time).
    public func isValid(key: [UInt8]) -> Bool {
        let key = SymmetricKey(data: key)
        switch algorithm {
        case "HmacSHA1":
            return HMAC<Insecure.SHA1>.isValidAuthenticationCode(signature, authenticating: body, using: key)
        case "HmacSHA256": return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: body, using: key)
        case "HmacSHA512": return HMAC<SHA512>.isValidAuthenticationCode(signature, authenticating: body, using: key)
        default: return false
        }
    }

    /// The MAC of `body` with `key`.
    /// - Throws: ``HerderRequestError`` `badRequest` when `algorithm` is not supported.
    public static func mac(body: [UInt8], key: [UInt8], algorithm: String) throws(HerderRequestError) -> [UInt8] {
        let key = SymmetricKey(data: key)
        switch algorithm {
        case "HmacSHA1": return Array(HMAC<Insecure.SHA1>.authenticationCode(for: body, using: key))
        case "HmacSHA256": return Array(HMAC<SHA256>.authenticationCode(for: body, using: key))
        case "HmacSHA512": return Array(HMAC<SHA512>.authenticationCode(for: body, using: key))
        default: throw unsupported(algorithm)
        }
    }

    /// The headers that sign a request with `body` (Kafka's `addToRequest`).
    /// - Throws: ``HerderRequestError`` `badRequest` when `algorithm` is not supported.
    public static func sign(
        body: [UInt8],
        key: [UInt8],
        algorithm: String = defaultAlgorithm
    ) throws(HerderRequestError) -> [(name: String, value: String)] {
        let signature = try mac(body: body, key: key, algorithm: algorithm)
        return [(signatureHeader, Data(signature).base64EncodedString()), (algorithmHeader, algorithm)]
    }

    /// The headers that sign a request with `body` using the cluster's session key and `algorithm`
    /// (`inter.worker.signature.algorithm`).
    public static func sign(
        body: [UInt8],
        sessionKey: SessionKey,
        algorithm: String = defaultAlgorithm
    ) throws(HerderRequestError) -> [(name: String, value: String)] {
        try sign(body: body, key: sessionKey.key, algorithm: algorithm)
    }

    /// `headers` with the signature headers of `body` replacing any present.
    public static func adding(
        to headers: [(name: String, value: String)],
        body: [UInt8],
        key: [UInt8],
        algorithm: String = defaultAlgorithm
    ) throws(HerderRequestError) -> [(name: String, value: String)] {
        let signed = try sign(body: body, key: key, algorithm: algorithm)
        return headers.filter { !isSignatureHeader($0.name) } + signed
    }

    /// Whether `name` is one of the two signature headers (which a forwarded request carries along).
    public static func isSignatureHeader(_ name: String) -> Bool {
        name.caseInsensitiveCompare(signatureHeader) == .orderedSame
            || name.caseInsensitiveCompare(algorithmHeader) == .orderedSame
    }

    private static func unsupported(_ algorithm: String) -> HerderRequestError {
        // The JVM's NoSuchAlgorithmException message, which Kafka answers with.
        HerderRequestError(.badRequest, "Algorithm \(algorithm) not available")
    }
}
