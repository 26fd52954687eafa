import Foundation
import Testing

@testable import KafkaNIO

@Suite struct ScramTests {
    // RFC 7677, section 3.
    static let rfcServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
    static let rfcClientFinal =
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
    static let rfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

    static func rfcClient() -> ScramClient {
        ScramClient(hash: .sha256, username: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
    }

    @Test func rfc7677TestVectorProducesTheClientFinalMessageAndVerifiesTheServer() throws {
        var client = Self.rfcClient()
        #expect(String(decoding: client.clientFirstMessage, as: UTF8.self) == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let final = try client.clientFinalMessage(serverFirst: Array(Self.rfcServerFirst.utf8))
        #expect(String(decoding: final, as: UTF8.self) == Self.rfcClientFinal)
        try client.verifyServerFinal(Array(Self.rfcServerFinal.utf8))
    }

    @Test func aWrongServerSignatureFails() throws {
        var client = Self.rfcClient()
        _ = try client.clientFinalMessage(serverFirst: Array(Self.rfcServerFirst.utf8))
        #expect(throws: KafkaError.self) {
            try client.verifyServerFinal(Array("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8))
        }
    }

    @Test func aServerErrorAttributeFailsWithItsReasonAndNotThePassword() throws {
        var client = Self.rfcClient()
        _ = try client.clientFinalMessage(serverFirst: Array(Self.rfcServerFirst.utf8))
        do {
            try client.verifyServerFinal(Array("e=invalid-proof".utf8))
            Issue.record("expected a failure")
        } catch let error as KafkaError {
            guard case .authenticationFailed(let reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(reason.contains("invalid-proof"))
            #expect(!"\(error)".contains("pencil"))
            #expect(!error.isRetriable)
        }
    }

    @Test(arguments: [
        ("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4095", "fewer than Kafka's minimum"),
        ("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=100000", "more than Kafka's maximum"),
        ("r=someoneElsesNonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "nonce"),
        ("r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "nonce"),
        ("r=rOprNGfwEbeRWgbNEkqOxyz,s=!!!,i=4096", "salt"),
        ("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==", "iteration"),
        ("m=ext,r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "extension"),
    ])
    func badServerFirstMessagesAreRejected(message: String, expected: String) throws {
        var client = Self.rfcClient()
        do {
            _ = try client.clientFinalMessage(serverFirst: Array(message.utf8))
            Issue.record("expected \(message) to be rejected")
        } catch KafkaError.authenticationFailed(let reason) {
            #expect(reason.contains(expected), "\(reason)")
        }
    }

    @Test func usernamesAreSaslnameEscaped() {
        #expect(ScramClient.escapeSaslName("a=b,c") == "a=3Db=2Cc")
        let client = ScramClient(hash: .sha512, username: "x,y", password: "p", clientNonce: "N")
        #expect(String(decoding: client.clientFirstMessage, as: UTF8.self) == "n,,n=x=2Cy,r=N")
    }

    @Test func nonceIsPrintableWithoutCommas() {
        let nonce = ScramClient.makeNonce()
        #expect(nonce.count == 32)
        #expect(nonce.allSatisfy { $0.isLetter || $0.isNumber })
        #expect(nonce != ScramClient.makeNonce())
    }

    @Test(arguments: [KafkaSASLMechanism.scramSHA512, .scramSHA256])
    func roundTripAgainstATestScramServer(mechanism: KafkaSASLMechanism) throws {
        let settings = KafkaSASLSettings(mechanism: mechanism, username: "al=ice", password: "s3cr,et")
        let server = TestScramServer(
            hash: mechanism == .scramSHA512 ? .sha512 : .sha256,
            username: "al=ice",
            password: "s3cr,et"
        )
        var exchange = SaslClientExchange(settings: settings)
        let serverFirst = try server.serverFirst(clientFirst: exchange.initialResponse)
        let clientFinal = try #require(try exchange.respond(to: serverFirst))
        let serverFinal = try server.serverFinal(clientFinal: clientFinal)
        #expect(try exchange.respond(to: serverFinal) == nil)
    }

    @Test func aWrongPasswordIsRejectedByTheTestServer() throws {
        let settings = KafkaSASLSettings(mechanism: .scramSHA512, username: "alice", password: "wrong")
        let server = TestScramServer(hash: .sha512, username: "alice", password: "right")
        var exchange = SaslClientExchange(settings: settings)
        let serverFirst = try server.serverFirst(clientFirst: exchange.initialResponse)
        let clientFinal = try #require(try exchange.respond(to: serverFirst))
        #expect(throws: TestScramServer.Rejected.self) { try server.serverFinal(clientFinal: clientFinal) }
    }

    @Test func plainSendsAuthorizationIDUserAndPassword() throws {
        var exchange = SaslClientExchange(settings: KafkaSASLSettings(mechanism: .plain, username: "u", password: "p"))
        #expect(exchange.initialResponse == [0, UInt8(ascii: "u"), 0, UInt8(ascii: "p")])
        #expect(try exchange.respond(to: []) == nil)
    }
}

/// The server side of SCRAM, written from RFC 5802 to check the client against: it keeps only
/// StoredKey and ServerKey, as a broker does, and verifies the proof by recovering ClientKey.
final class TestScramServer: @unchecked Sendable {
    struct Rejected: Error {}

    let hash: ScramClient.Hash
    let username: String
    let salt: [UInt8] = (0..<16).map { _ in UInt8.random(in: 0...255) }
    let iterations = 4096
    let storedKey: [UInt8]
    let serverKey: [UInt8]
    private var clientFirstBare = ""
    private var serverFirst = ""
    private var nonce = ""

    init(hash: ScramClient.Hash, username: String, password: String) {
        self.hash = hash
        self.username = username
        let salted = hash.hi(password: Array(password.utf8), salt: self.salt, iterations: self.iterations)
        self.storedKey = hash.digest(hash.hmac(key: salted, Array("Client Key".utf8)))
        self.serverKey = hash.hmac(key: salted, Array("Server Key".utf8))
    }

    func serverFirst(clientFirst: [UInt8]) throws -> [UInt8] {
        let message = String(decoding: clientFirst, as: UTF8.self)
        guard message.hasPrefix("n,,") else { throw Rejected() }
        self.clientFirstBare = String(message.dropFirst(3))
        let fields = Self.fields(self.clientFirstBare)
        let user = fields["n"]?.replacingOccurrences(of: "=2C", with: ",").replacingOccurrences(of: "=3D", with: "=")
        guard user == self.username, let clientNonce = fields["r"] else { throw Rejected() }
        self.nonce = clientNonce + "srvNonce"
        self.serverFirst = "r=\(self.nonce),s=\(Data(self.salt).base64EncodedString()),i=\(self.iterations)"
        return Array(self.serverFirst.utf8)
    }

    func serverFinal(clientFinal: [UInt8]) throws -> [UInt8] {
        let message = String(decoding: clientFinal, as: UTF8.self)
        guard let proofRange = message.range(of: ",p=") else { throw Rejected() }
        let withoutProof = String(message[..<proofRange.lowerBound])
        let fields = Self.fields(withoutProof)
        guard fields["c"] == "biws", fields["r"] == self.nonce,
            let proof = Data(base64Encoded: String(message[proofRange.upperBound...]))
        else { throw Rejected() }
        let authMessage = Array("\(self.clientFirstBare),\(self.serverFirst),\(withoutProof)".utf8)
        let clientSignature = self.hash.hmac(key: self.storedKey, authMessage)
        let clientKey = zip(proof, clientSignature).map { $0 ^ $1 }
        guard self.hash.digest(clientKey) == self.storedKey else { throw Rejected() }
        let signature = self.hash.hmac(key: self.serverKey, authMessage)
        return Array("v=\(Data(signature).base64EncodedString())".utf8)
    }

    private static func fields(_ message: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in message.split(separator: ",") {
            guard let equals = part.firstIndex(of: "=") else { continue }
            result[String(part[..<equals])] = String(part[part.index(after: equals)...])
        }
        return result
    }
}
