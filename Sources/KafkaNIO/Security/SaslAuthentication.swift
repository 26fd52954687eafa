import KafkaProtocol
import NIOCore

/// The client's side of one SASL exchange, independent of I/O: the first token, then one token
/// per server challenge until the mechanism is done.
struct SaslClientExchange: Sendable {
    private enum Mechanism: Sendable {
        case plain(done: Bool)
        case scram(ScramClient, finished: Bool)
    }

    private var mechanism: Mechanism
    private let settings: KafkaSASLSettings

    init(settings: KafkaSASLSettings, scramNonce: String = ScramClient.makeNonce()) {
        self.settings = settings
        switch settings.mechanism {
        case .plain:
            self.mechanism = .plain(done: false)
        case .scramSHA256:
            let client = ScramClient(
                hash: .sha256,
                username: settings.username,
                password: settings.password,
                clientNonce: scramNonce
            )
            self.mechanism = .scram(client, finished: false)
        case .scramSHA512:
            let client = ScramClient(
                hash: .sha512,
                username: settings.username,
                password: settings.password,
                clientNonce: scramNonce
            )
            self.mechanism = .scram(client, finished: false)
        }
    }

    /// The first token: PLAIN's `\0user\0password` (no authorization id) or SCRAM's client-first.
    var initialResponse: [UInt8] {
        switch self.mechanism {
        case .plain:
            return [0] + Array(self.settings.username.utf8) + [0] + Array(self.settings.password.revealed.utf8)
        case .scram(let client, _):
            return client.clientFirstMessage
        }
    }

    /// The answer to the server's token, or nil once authentication is complete.
    mutating func respond(to challenge: [UInt8]) throws -> [UInt8]? {
        switch self.mechanism {
        case .plain(let done):
            // PLAIN is one round: a success response ends it (its token is empty).
            guard !done else { throw KafkaError.authenticationFailed("PLAIN: unexpected extra challenge") }
            self.mechanism = .plain(done: true)
            return nil
        case .scram(var client, let finished):
            if finished {
                try client.verifyServerFinal(challenge)
                self.mechanism = .scram(client, finished: true)
                return nil
            }
            let final = try client.clientFinalMessage(serverFirst: challenge)
            self.mechanism = .scram(client, finished: true)
            return final
        }
    }
}

extension BrokerConnection {
    /// SaslHandshake v1 with the mechanism, then SaslAuthenticate rounds, as the Java client does
    /// after ApiVersions. Failures are ``KafkaError/authenticationFailed(_:)``.
    static func authenticate(
        _ writer: RequestWriter,
        versions: ApiVersionsTable,
        settings: KafkaSASLSettings,
        broker: KafkaBrokerAddress
    ) async throws {
        let mechanism = settings.mechanism.rawValue
        // v0 sends raw tokens instead of SaslAuthenticate requests; Kafka 1.0+ has v1.
        guard let range = versions.ranges[ApiKey.saslHandshake.rawValue], range.contains(1),
            let authenticateVersion = versions.version(for: SaslAuthenticateRequest.self)
        else {
            throw KafkaError.authenticationFailed(
                "broker \(broker) does not offer SaslHandshake v1 and SaslAuthenticate; check that "
                    + "security.protocol matches the broker's listener"
            )
        }
        let handshake = try await writer.send(SaslHandshakeRequest(mechanism: mechanism), version: 1)
        if handshake.errorCode == KafkaErrorCode.unsupportedSaslMechanism.rawValue {
            throw KafkaError.authenticationFailed(
                "broker \(broker) does not enable SASL mechanism \(mechanism) (it enables "
                    + "\(handshake.mechanisms.joined(separator: ", "))); set sasl.mechanism to one of them"
            )
        }
        if handshake.errorCode != 0 {
            throw KafkaError.authenticationFailed(
                "broker \(broker) refused the SASL handshake: \(KafkaErrorCode(rawValue: handshake.errorCode))"
            )
        }

        var exchange = SaslClientExchange(settings: settings)
        var token = exchange.initialResponse
        while true {
            let response = try await writer.send(
                SaslAuthenticateRequest(authBytes: ByteBuffer(bytes: token)),
                version: authenticateVersion
            )
            if response.errorCode != 0 {
                let message = response.errorMessage.map { ": \($0)" } ?? ""
                throw KafkaError.authenticationFailed(
                    "broker \(broker) rejected SASL/\(mechanism) for user '\(settings.username)' "
                        + "(\(KafkaErrorCode(rawValue: response.errorCode))\(message)); check sasl.jaas.config"
                )
            }
            let next: [UInt8]?
            do {
                next = try exchange.respond(to: Array(response.authBytes.readableBytesView))
            } catch KafkaError.authenticationFailed(let reason) {
                throw KafkaError.authenticationFailed(
                    "broker \(broker), SASL/\(mechanism) for user '\(settings.username)': \(reason); "
                        + "check sasl.jaas.config"
                )
            }
            guard let next else { return }
            token = next
        }
    }
}
