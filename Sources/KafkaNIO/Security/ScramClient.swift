import Crypto
import Foundation

/// The client side of SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka uses it:
/// no channel binding, no SASLprep of the password (as the Java client), and at least 4096
/// iterations. A value type that turns server messages into the next client message.
struct ScramClient: Sendable {
    enum Hash: Sendable {
        case sha256
        case sha512

        func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
            switch self {
            case .sha256: ScramClient.hmac(SHA256.self, key: key, data)
            case .sha512: ScramClient.hmac(SHA512.self, key: key, data)
            }
        }

        func digest(_ data: [UInt8]) -> [UInt8] {
            switch self {
            case .sha256: Array(SHA256.hash(data: data))
            case .sha512: Array(SHA512.hash(data: data))
            }
        }

        func hi(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
            switch self {
            case .sha256: ScramClient.hi(SHA256.self, password: password, salt: salt, iterations: iterations)
            case .sha512: ScramClient.hi(SHA512.self, password: password, salt: salt, iterations: iterations)
            }
        }
    }

    /// Kafka's lowest accepted iteration count.
    static let minimumIterations = 4096
    /// Kafka stores credentials with at most 16384 iterations; refusing more keeps a hostile
    /// server from making the client spin.
    static let maximumIterations = 16384

    private enum State: Sendable {
        case initial
        case sentClientFinal(expectedServerSignature: [UInt8])
        case done
    }

    let hash: Hash
    let username: String
    let password: KafkaSecret
    let clientNonce: String
    private var state = State.initial

    init(hash: Hash, username: String, password: KafkaSecret, clientNonce: String = ScramClient.makeNonce()) {
        self.hash = hash
        self.username = username
        self.password = password
        self.clientNonce = clientNonce
    }

    /// 32 random alphanumeric characters (printable, no ',').
    static func makeNonce() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// `saslname` escaping of RFC 5802: `=` → `=3D`, `,` → `=2C`.
    static func escapeSaslName(_ name: String) -> String {
        var escaped = ""
        for character in name {
            switch character {
            case "=": escaped += "=3D"
            case ",": escaped += "=2C"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private var clientFirstBare: String { "n=\(Self.escapeSaslName(self.username)),r=\(self.clientNonce)" }

    /// `n,,n=user,r=nonce`: GS2 header without channel binding, then the bare message.
    var clientFirstMessage: [UInt8] { Array("n,,\(self.clientFirstBare)".utf8) }

    /// Checks the server-first message and answers with the client-final message (with proof).
    mutating func clientFinalMessage(serverFirst bytes: [UInt8]) throws -> [UInt8] {
        guard case .initial = self.state else { throw Self.failure("server-first message out of order") }
        guard let serverFirst = String(validating: bytes, as: UTF8.self) else {
            throw Self.failure("the server-first message is not UTF-8")
        }
        let attributes = Self.attributes(serverFirst)
        if attributes.first?.key == "m" { throw Self.failure("the server requires an unsupported extension") }
        guard let nonce = attributes.first(where: { $0.key == "r" })?.value,
            nonce.hasPrefix(self.clientNonce), nonce.count > self.clientNonce.count
        else { throw Self.failure("the server's nonce does not extend the client's") }
        guard let saltText = attributes.first(where: { $0.key == "s" })?.value,
            let salt = Data(base64Encoded: saltText), !salt.isEmpty
        else { throw Self.failure("the server-first message has no valid salt") }
        guard let iterationText = attributes.first(where: { $0.key == "i" })?.value,
            let iterations = Int(iterationText)
        else { throw Self.failure("the server-first message has no iteration count") }
        guard iterations >= Self.minimumIterations else {
            throw Self.failure(
                "the server asks for \(iterations) iterations, fewer than Kafka's minimum \(Self.minimumIterations)"
            )
        }
        guard iterations <= Self.maximumIterations else {
            throw Self.failure(
                "the server asks for \(iterations) iterations, more than Kafka's maximum \(Self.maximumIterations)"
            )
        }

        // "biws" is base64("n,,"), the GS2 header echoed without channel binding.
        let withoutProof = "c=biws,r=\(nonce)"
        let authMessage = Array("\(self.clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        let keys = Self.keys(
            self.hash,
            password: self.password,
            salt: Array(salt),
            iterations: iterations,
            authMessage: authMessage
        )
        self.state = .sentClientFinal(expectedServerSignature: keys.serverSignature)
        return Array("\(withoutProof),p=\(Data(keys.proof).base64EncodedString())".utf8)
    }

    /// Verifies the server-final message: the server proves it knows the credentials too.
    mutating func verifyServerFinal(_ bytes: [UInt8]) throws {
        guard case .sentClientFinal(let expected) = self.state else {
            throw Self.failure("server-final message out of order")
        }
        self.state = .done
        guard let serverFinal = String(validating: bytes, as: UTF8.self) else {
            throw Self.failure("the server-final message is not UTF-8")
        }
        let attributes = Self.attributes(serverFinal)
        if let error = attributes.first(where: { $0.key == "e" })?.value {
            throw Self.failure("the server rejected the authentication: \(error)")
        }
        guard let verifier = attributes.first(where: { $0.key == "v" })?.value,
            let signature = Data(base64Encoded: verifier)
        else { throw Self.failure("the server-final message has no server signature") }
        guard Self.constantTimeEqual(Array(signature), expected) else {
            throw Self.failure("the server's signature is wrong: it does not know the credentials")
        }
    }

    /// SaltedPassword = Hi(password, salt, i); ClientKey = HMAC(SaltedPassword, "Client Key");
    /// StoredKey = H(ClientKey); proof = ClientKey XOR HMAC(StoredKey, AuthMessage);
    /// ServerSignature = HMAC(HMAC(SaltedPassword, "Server Key"), AuthMessage).
    private static func keys(
        _ hash: Hash,
        password: KafkaSecret,
        salt: [UInt8],
        iterations: Int,
        authMessage: [UInt8]
    ) -> (proof: [UInt8], serverSignature: [UInt8]) {
        let salted = hash.hi(password: Array(password.revealed.utf8), salt: salt, iterations: iterations)
        let clientKey = hash.hmac(key: salted, Array("Client Key".utf8))
        let storedKey = hash.digest(clientKey)
        let clientSignature = hash.hmac(key: storedKey, authMessage)
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = hash.hmac(key: salted, Array("Server Key".utf8))
        return (proof, hash.hmac(key: serverKey, authMessage))
    }

    /// PBKDF2 with HMAC-H and one block of output (RFC 5802's Hi).
    static func hi<H: HashFunction>(_ hash: H.Type, password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        let keyed = HMAC<H>(key: SymmetricKey(data: password))
        var mac = keyed
        mac.update(data: salt + [0, 0, 0, 1])
        var block = Array(mac.finalize())
        var result = block
        for _ in 1..<max(iterations, 1) {
            mac = keyed
            mac.update(data: block)
            block = Array(mac.finalize())
            for index in result.indices { result[index] ^= block[index] }
        }
        return result
    }

    static func hmac<H: HashFunction>(_ hash: H.Type, key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        Array(HMAC<H>.authenticationCode(for: data, using: SymmetricKey(data: key)))
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// `k=value` attributes separated by ','; values may contain '='.
    private static func attributes(_ message: String) -> [(key: String, value: String)] {
        message.split(separator: ",", omittingEmptySubsequences: false).compactMap {
            (part: Substring) -> (key: String, value: String)? in
            // A key is one letter: "r=...", "s=...".
            guard part.count >= 2, part.dropFirst().first == "=" else { return nil }
            return (String(part.prefix(1)), String(part.dropFirst(2)))
        }
    }

    private static func failure(_ reason: String) -> KafkaError {
        .authenticationFailed("SCRAM: \(reason)")
    }
}
