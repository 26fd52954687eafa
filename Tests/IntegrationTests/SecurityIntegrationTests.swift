import Foundation
import KafkaNIO
import KafkaProtocol
import NIOCore
import Testing

/// TLS and SASL against the real broker. The test broker speaks neither, so each test starts a
/// broker of its own behind scripts/interop/tls_proxy.py, which terminates TLS (optionally
/// requiring a client certificate) and answers SaslHandshake/SaslAuthenticate itself before
/// forwarding to the broker. The broker advertises the proxy, so every connection goes through it.
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct SecurityIntegrationTests {
    static let user = "alice"
    static let password = "Pa55-w0rd,=\"x\""
    static let jaasPassword = #"Pa55-w0rd,=\"x\""#

    static func tlsProxy(requireClientCertificate: Bool) -> [String] {
        ["--cert", Certificates.path("server.pem"), "--key", Certificates.path("server.key")]
            + (requireClientCertificate ? ["--client-ca", Certificates.path("ca.pem")] : [])
    }

    static func saslProxy(_ mechanisms: String = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512") -> [String] {
        ["--sasl", mechanisms, "--user", Self.user, "--password", Self.password]
    }

    static func sasl(_ mechanism: String, password: String = jaasPassword) -> [String: String] {
        let module = mechanism == "PLAIN" ? "plain.PlainLoginModule" : "scram.ScramLoginModule"
        return [
            "sasl.mechanism": mechanism,
            "sasl.jaas.config":
                "org.apache.kafka.common.security.\(module) required username=\"\(Self.user)\" password=\"\(password)\";",
        ]
    }

    static let trustCA = ["ssl.truststore.type": "PEM", "ssl.truststore.location": Certificates.path("ca.pem")]
    static let clientCertificate = [
        "ssl.keystore.type": "PEM", "ssl.keystore.location": Certificates.path("client-keystore-encrypted.pem"),
        "ssl.key.password": "keypass",
    ]

    // MARK: TLS

    @Test func produceAndConsumeOverMutualTLS() async throws {
        try await ProxiedBroker.with(proxy: Self.tlsProxy(requireClientCertificate: true)) { port in
            try await Self.roundTrip(
                ["bootstrap.servers": "127.0.0.1:\(port)", "security.protocol": "SSL"]
                    .merging(Self.trustCA) { $1 }.merging(Self.clientCertificate) { $1 }
            )
        }
    }

    @Test func aBrokerRequiringAClientCertificateRefusesAClientWithout() async throws {
        try await ProxiedBroker.with(proxy: Self.tlsProxy(requireClientCertificate: true)) { port in
            try await Self.expectAuthenticationFailure(
                ["bootstrap.servers": "127.0.0.1:\(port)", "security.protocol": "SSL"].merging(Self.trustCA) { $1 },
                naming: "ssl.keystore.location"
            )
        }
    }

    @Test func hostnameVerificationRejectsANameTheCertificateLacksUnlessTurnedOff() async throws {
        // The certificate names 127.0.0.1 and localhost, not 127.0.0.2.
        try await ProxiedBroker.with(
            proxy: Self.tlsProxy(requireClientCertificate: false),
            listenHosts: ["127.0.0.1", "127.0.0.2"]
        ) { port in
            let tls = ["security.protocol": "SSL"].merging(Self.trustCA) { $1 }
            try await Self.expectAuthenticationFailure(
                tls.merging(["bootstrap.servers": "127.0.0.2:\(port)"]) { $1 },
                naming: "ssl.endpoint.identification.algorithm"
            )
            try await Self.roundTrip(
                tls.merging(["bootstrap.servers": "127.0.0.2:\(port)", "ssl.endpoint.identification.algorithm": ""]) {
                    $1
                }
            )
            // A host name the certificate lists passes, verified by DNS name and sent as SNI.
            let cluster = KafkaCluster(
                configuration: try KafkaClientConfiguration(
                    properties: tls.merging(["bootstrap.servers": "localhost:\(port)"]) { $1 }
                )
            )
            do {
                _ = try await cluster.anyConnection()
            } catch {
                await cluster.shutdown()
                throw error
            }
            await cluster.shutdown()
        }
    }

    @Test func aBrokerCertificateFromAnotherCAIsNotTrusted() async throws {
        try await ProxiedBroker.with(proxy: Self.tlsProxy(requireClientCertificate: false)) { port in
            try await Self.expectAuthenticationFailure(
                [
                    "bootstrap.servers": "127.0.0.1:\(port)", "security.protocol": "SSL",
                    "ssl.truststore.location": Certificates.path("other-ca.pem"),
                ],
                naming: "ssl.truststore.location"
            )
        }
    }

    /// The reference client accepts the same certificates through the same proxy, and reads what
    /// ours wrote: the test set-up is standard TLS.
    @Test func confluentKafkaUsesTheSameMutualTLSProxy() async throws {
        try await ProxiedBroker.with(proxy: Self.tlsProxy(requireClientCertificate: true)) { port in
            let bootstrap = "127.0.0.1:\(port)"
            let topic = TestEnvironment.uniqueTopic("tls-ck")
            try await Self.roundTrip(
                ["bootstrap.servers": bootstrap, "security.protocol": "SSL"].merging(Self.trustCA) { $1 }
                    .merging(Self.clientCertificate) { $1 },
                topic: topic
            )
            let records = try ReferenceClient.consume(
                topic: topic,
                count: 20,
                bootstrap: bootstrap,
                properties: [
                    "security.protocol": "SSL", "ssl.ca.location": Certificates.path("ca.pem"),
                    "ssl.certificate.location": Certificates.path("client.pem"),
                    "ssl.key.location": Certificates.path("client.key"),
                ]
            )
            #expect(
                records.map { $0.valueBytes.map { String(decoding: $0, as: UTF8.self) } } == (0..<20).map { "r\($0)" }
            )
        }
    }

    // MARK: SASL

    @Test(arguments: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
    func produceAndConsumeOverSASL(mechanism: String) async throws {
        try await ProxiedBroker.with(proxy: Self.saslProxy()) { port in
            try await Self.roundTrip(
                ["bootstrap.servers": "127.0.0.1:\(port)", "security.protocol": "SASL_PLAINTEXT"]
                    .merging(Self.sasl(mechanism)) { $1 }
            )
        }
    }

    @Test(arguments: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
    func aWrongPasswordFailsWithoutRetriesOrThePassword(mechanism: String) async throws {
        try await ProxiedBroker.with(proxy: Self.saslProxy()) { port in
            try await Self.expectAuthenticationFailure(
                ["bootstrap.servers": "127.0.0.1:\(port)", "security.protocol": "SASL_PLAINTEXT"]
                    .merging(Self.sasl(mechanism, password: "Wr0ngPa55")) { $1 },
                naming: "sasl.jaas.config",
                secret: "Wr0ngPa55"
            )
            // A producer's send fails with the same error at once instead of retrying.
            let configuration = try KafkaClientConfiguration(
                properties: ["bootstrap.servers": "127.0.0.1:\(port)", "security.protocol": "SASL_PLAINTEXT"]
                    .merging(Self.sasl(mechanism, password: "Wr0ngPa55")) { $1 }
            )
            let cluster = KafkaCluster(configuration: configuration)
            let producer = KafkaProducer(
                configuration: KafkaProducerConfiguration(client: configuration),
                cluster: cluster
            )
            let started = ContinuousClock.now
            let results = await producer.send(
                contentsOf: [KafkaProducerRecord(topic: "secure", value: ByteBuffer(string: "x"))]
            )
            await producer.close()
            await cluster.shutdown()
            guard case .failure(KafkaError.authenticationFailed(let reason))? = results.first else {
                Issue.record("expected authenticationFailed, got \(results)")
                return
            }
            #expect(!reason.contains("Wr0ngPa55"))
            // Retrying would take at least request.timeout.ms (30 s); the bound is loose for busy machines.
            #expect(ContinuousClock.now - started < .seconds(20))
        }
    }

    @Test func aMechanismTheBrokerDoesNotEnableNamesTheEnabledOnes() async throws {
        try await ProxiedBroker.with(proxy: Self.saslProxy("PLAIN")) { port in
            try await Self.expectAuthenticationFailure(
                ["bootstrap.servers": "127.0.0.1:\(port)", "security.protocol": "SASL_PLAINTEXT"]
                    .merging(Self.sasl("SCRAM-SHA-256")) { $1 },
                naming: "sasl.mechanism"
            )
        }
    }

    @Test func saslSSLWithScramRoundTrip() async throws {
        try await ProxiedBroker.with(proxy: Self.tlsProxy(requireClientCertificate: false) + Self.saslProxy()) { port in
            try await Self.roundTrip(
                ["bootstrap.servers": "127.0.0.1:\(port)", "security.protocol": "sasl_ssl"]
                    .merging(Self.trustCA) { $1 }.merging(Self.sasl("SCRAM-SHA-512")) { $1 }
            )
        }
    }

    // MARK: Helpers

    /// Creates a topic, produces 20 records and reads them back, all through the proxy.
    static func roundTrip(
        _ properties: [String: String],
        topic: String = TestEnvironment.uniqueTopic("secure")
    )
        async throws
    {
        var configuration = try KafkaClientConfiguration(properties: properties)
        configuration.requestTimeoutMs = 15_000
        let cluster = KafkaCluster(configuration: configuration)
        do {
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 1, replicationFactor: 1)
            ])
            let producer = KafkaProducer(
                configuration: KafkaProducerConfiguration(client: configuration),
                cluster: cluster
            )
            let results = await producer.send(
                contentsOf: (0..<20).map {
                    KafkaProducerRecord(topic: topic, partition: 0, value: ByteBuffer(string: "r\($0)"))
                }
            )
            await producer.close()
            for result in results { _ = try result.get() }
            let values = try await ClientIntegrationTests.readValues(
                cluster: cluster,
                topic: topic,
                partition: 0,
                from: .earliest,
                count: 20
            )
            #expect(values == (0..<20).map { "r\($0)" })
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }

    /// Connecting must fail with a non-retriable authentication error that names `property` and
    /// does not contain `secret`.
    static func expectAuthenticationFailure(
        _ properties: [String: String],
        naming property: String,
        secret: String = password
    ) async throws {
        let cluster = KafkaCluster(configuration: try KafkaClientConfiguration(properties: properties))
        let started = ContinuousClock.now
        do {
            _ = try await cluster.anyConnection()
            Issue.record("connecting succeeded; expected an authentication failure")
        } catch let error as KafkaError {
            guard case .authenticationFailed(let reason) = error else {
                Issue.record("expected authenticationFailed, got \(error)")
                await cluster.shutdown()
                return
            }
            #expect(reason.contains(property), "\(reason)")
            #expect(!"\(error)".contains(secret), "\(error)")
            #expect(!error.isRetriable)
            // request.timeout.ms is 30 s; the bound is loose for busy machines.
            #expect(ContinuousClock.now - started < .seconds(20), "the failure must not wait for a timeout")
        }
        await cluster.shutdown()
    }
}

/// A broker of its own behind scripts/interop/tls_proxy.py with `proxy` arguments.
enum ProxiedBroker {
    static func with(
        proxy arguments: [String],
        listenHosts: [String] = ["127.0.0.1"],
        _ body: (Int) async throws -> Void
    ) async throws {
        try await BrokerBehindProxy.with(proxy: "tls_proxy.py", arguments, listenHosts: listenHosts, body)
    }
}

/// Certificates from scripts/interop/gen-test-certs.sh, generated once per test run.
enum Certificates {
    static let directory: String = {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("swiftconnect-certs-\(UUID())")
        let process = Process()
        process.executableURL = TestEnvironment.repositoryRoot.appendingPathComponent(
            "scripts/interop/gen-test-certs.sh"
        )
        process.arguments = [output.path]
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            return "/nonexistent: \(error)"
        }
        return output.path
    }()

    static func path(_ name: String) -> String { "\(directory)/\(name)" }
}
