import Foundation
import NIOSSL
import Testing

@testable import KafkaNIO

/// Certificates from scripts/interop/gen-test-certs.sh, generated once per test run.
enum TestCertificates {
    static let directory: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("swiftconnect-certs-\(UUID())")
        let process = Process()
        process.executableURL = root.appendingPathComponent("scripts/interop/gen-test-certs.sh")
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
    static func contents(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }
}

@Suite struct SecurityConfigurationTests {
    static let base = ["bootstrap.servers": "broker:9093"]

    static func configuration(_ properties: [String: String]) throws -> KafkaClientConfiguration {
        try KafkaClientConfiguration(properties: base.merging(properties) { $1 })
    }

    /// The error for `properties`, which must be invalid.
    static func failure(_ properties: [String: String]) -> (property: String, reason: String)? {
        do {
            _ = try configuration(properties)
        } catch KafkaError.invalidConfiguration(let property, let reason) {
            return (property, reason)
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    static let plainJAAS =
        #"org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="Sup3r$ecret";"#

    // MARK: security.protocol

    @Test func plaintextIsTheDefaultAndIgnoresLeftoverSecuritySettings() throws {
        let configuration = try Self.configuration(["ssl.truststore.type": "JKS", "sasl.mechanism": "GSSAPI"])
        #expect(configuration.securityProtocol == .plaintext)
        #expect(configuration.sasl == nil)
    }

    @Test(arguments: [
        ("PLAINTEXT", KafkaSecurityProtocol.plaintext), ("ssl", .ssl), ("Sasl_Plaintext", .saslPlaintext),
        (" sasl_ssl ", .saslSSL),
    ])
    func securityProtocolIsCaseInsensitive(raw: String, expected: KafkaSecurityProtocol) throws {
        let configuration = try Self.configuration([
            "security.protocol": raw, "sasl.mechanism": "PLAIN", "sasl.jaas.config": Self.plainJAAS,
        ])
        #expect(configuration.securityProtocol == expected)
        #expect(configuration.tls.hostnameVerification)
    }

    @Test func anUnknownSecurityProtocolNamesTheChoices() throws {
        let failure = try #require(Self.failure(["security.protocol": "TLS"]))
        #expect(failure.property == "security.protocol")
        #expect(failure.reason.contains("SASL_SSL"))
    }

    // MARK: ssl.*

    @Test func sslDefaultsTrustTheSystemStoreWithHostnameVerificationAndTLS12To13() throws {
        let tls = try Self.configuration(["security.protocol": "SSL"]).tls
        #expect(tls.trustRoots == nil)
        #expect(tls.privateKey == nil)
        #expect(tls.hostnameVerification)
        #expect(tls.minimumTLSVersion == .tlsv12)
        #expect(tls.maximumTLSVersion == .tlsv13)
        _ = try tls.makeSSLContext()
    }

    @Test func truststoreAndKeystoreFromPEMFiles() throws {
        let tls = try Self.configuration([
            "security.protocol": "SSL", "ssl.truststore.type": "pem",
            "ssl.truststore.location": TestCertificates.path("ca.pem"), "ssl.keystore.type": "PEM",
            "ssl.keystore.location": TestCertificates.path("client-keystore.pem"),
        ]).tls
        #expect(tls.trustRoots?.count == 1)
        #expect(tls.certificateChain.count == 1)
        #expect(tls.privateKey != nil)
        _ = try tls.makeSSLContext()
    }

    @Test func inlineTruststoreAndKeystore() throws {
        let tls = try Self.configuration([
            "security.protocol": "SSL", "ssl.truststore.type": "PEM",
            "ssl.truststore.certificates": try TestCertificates.contents("ca.pem"),
            "ssl.keystore.type": "PEM", "ssl.keystore.certificate.chain": try TestCertificates.contents("client.pem"),
            "ssl.keystore.key": try TestCertificates.contents("client.key"),
        ]).tls
        #expect(tls.trustRoots?.count == 1)
        #expect(tls.certificateChain.count == 1)
        #expect(tls.privateKey != nil)
        #expect(!"\(tls)".contains("PRIVATE KEY"))
    }

    @Test func anEncryptedKeyNeedsItsPassword() throws {
        let keystore = [
            "security.protocol": "SSL", "ssl.keystore.location": TestCertificates.path("client-keystore-encrypted.pem"),
        ]
        let tls = try Self.configuration(keystore.merging(["ssl.key.password": "keypass"]) { $1 }).tls
        #expect(tls.privateKey != nil)

        let missing = try #require(Self.failure(keystore))
        #expect(missing.property == "ssl.keystore.location")
        #expect(missing.reason.contains("set ssl.key.password"))

        let wrong = try #require(Self.failure(keystore.merging(["ssl.key.password": "N0tThePassw0rd"]) { $1 }))
        #expect(wrong.reason.contains("check ssl.key.password"))
        #expect(!wrong.reason.contains("N0tThePassw0rd"))

        let inline = try Self.configuration([
            "security.protocol": "SSL", "ssl.keystore.certificate.chain": try TestCertificates.contents("client.pem"),
            "ssl.keystore.key": try TestCertificates.contents("client-encrypted.key"), "ssl.key.password": "keypass",
        ])
        #expect(inline.tls.privateKey != nil)
    }

    @Test(arguments: [
        ("ssl.truststore.type", "JKS", "keytool"), ("ssl.truststore.type", "PKCS12", "openssl pkcs12"),
        ("ssl.keystore.type", "jks", "keytool -importkeystore"), ("ssl.keystore.type", "PKCS12", "openssl pkcs12"),
    ])
    func javaKeystoreTypesAreRejectedWithAConversionHint(property: String, type: String, hint: String) throws {
        let failure = try #require(Self.failure(["security.protocol": "SSL", property: type]))
        #expect(failure.property == property)
        #expect(failure.reason.contains("only PEM"))
        #expect(failure.reason.contains(hint))
    }

    @Test func badTLSSettingsNameTheProperty() throws {
        let cases: [([String: String], String, String)] = [
            (["ssl.truststore.location": "/nonexistent/ca.pem"], "ssl.truststore.location", "/nonexistent/ca.pem"),
            (["ssl.truststore.location": TestCertificates.path("client.key")], "ssl.truststore.location", "PEM"),
            (["ssl.truststore.certificates": "not a certificate"], "ssl.truststore.certificates", "BEGIN CERTIFICATE"),
            (
                [
                    "ssl.truststore.location": TestCertificates.path("ca.pem"),
                    "ssl.truststore.certificates": try TestCertificates.contents("ca.pem"),
                ], "ssl.truststore.certificates", "not both"
            ),
            (["ssl.keystore.location": TestCertificates.path("client.pem")], "ssl.keystore.location", "private key"),
            (
                ["ssl.keystore.key": try TestCertificates.contents("client.key")], "ssl.keystore.certificate.chain",
                "together"
            ),
            (["ssl.truststore.password": "x"], "ssl.truststore.password", "PEM"),
            (["ssl.keystore.password": "x"], "ssl.keystore.password", "ssl.key.password"),
            (["ssl.endpoint.identification.algorithm": "ldaps"], "ssl.endpoint.identification.algorithm", "https"),
            (["ssl.enabled.protocols": "SSLv3"], "ssl.enabled.protocols", "TLSv1.2"),
            (["ssl.enabled.protocols": " , "], "ssl.enabled.protocols", "no protocol"),
            (["ssl.enabled.protocols": "TLSv1.3", "ssl.protocol": "TLSv1.2"], "ssl.protocol", "older"),
            (["ssl.protocol": "SSL"], "ssl.protocol", "TLSv1.3"),
        ]
        for (properties, property, fragment) in cases {
            let failure = try #require(Self.failure(properties.merging(["security.protocol": "SSL"]) { $1 }))
            #expect(failure.property == property, "\(properties)")
            #expect(failure.reason.contains(fragment), "\(failure.reason)")
        }
    }

    @Test func hostnameVerificationAndProtocolVersions() throws {
        let off = try Self.configuration(["security.protocol": "SSL", "ssl.endpoint.identification.algorithm": ""])
        #expect(!off.tls.hostnameVerification)
        let tls13 = try Self.configuration(["security.protocol": "SSL", "ssl.enabled.protocols": "TLSv1.3"])
        #expect(tls13.tls.minimumTLSVersion == .tlsv13)
        #expect(tls13.tls.maximumTLSVersion == .tlsv13)
        let capped = try Self.configuration(["security.protocol": "SSL", "ssl.protocol": "TLSv1.2"])
        #expect(capped.tls.minimumTLSVersion == .tlsv12)
        #expect(capped.tls.maximumTLSVersion == .tlsv12)
        let any = try Self.configuration([
            "security.protocol": "SSL", "ssl.protocol": "TLS", "ssl.enabled.protocols": "tlsv1.2",
        ])
        #expect(any.tls.maximumTLSVersion == .tlsv12)
    }

    // MARK: sasl.*

    @Test(arguments: [
        ("PLAIN", KafkaSASLMechanism.plain, "plain.PlainLoginModule"),
        ("SCRAM-SHA-256", .scramSHA256, "scram.ScramLoginModule"),
        ("scram-sha-512", .scramSHA512, "scram.ScramLoginModule"),
    ])
    func saslMechanismsAndJAAS(raw: String, mechanism: KafkaSASLMechanism, module: String) throws {
        let configuration = try Self.configuration([
            "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": raw,
            "sasl.jaas.config": "org.apache.kafka.common.security.\(module) required username=\"bob\" password=\"pw\";",
        ])
        let sasl = try #require(configuration.sasl)
        #expect(sasl.mechanism == mechanism)
        #expect(sasl.username == "bob")
        #expect(sasl.password.revealed == "pw")
    }

    @Test func badSASLSettingsNameTheFixWithoutThePassword() throws {
        let sasl = ["security.protocol": "SASL_SSL"]
        let cases: [([String: String], String, String)] = [
            ([:], "sasl.mechanism", "GSSAPI (the default when unset) is not supported"),
            (["sasl.mechanism": "GSSAPI"], "sasl.mechanism", "not supported"),
            (["sasl.mechanism": "OAUTHBEARER"], "sasl.mechanism", "SCRAM-SHA-512"),
            (["sasl.mechanism": "DIGEST-MD5"], "sasl.mechanism", "not a known mechanism"),
            (["sasl.mechanism": "PLAIN"], "sasl.jaas.config", "PlainLoginModule required username="),
            (
                [
                    "sasl.mechanism": "PLAIN",
                    "sasl.jaas.config":
                        #"com.sun.security.auth.module.Krb5LoginModule required password="Sup3r$ecret";"#,
                ], "sasl.jaas.config", "not supported"
            ),
            (
                [
                    "sasl.mechanism": "PLAIN",
                    "sasl.jaas.config": #"x.PlainLoginModule required password="Sup3r$ecret";"#,
                ],
                "sasl.jaas.config", "no username"
            ),
            (
                ["sasl.mechanism": "PLAIN", "sasl.jaas.config": #"x.PlainLoginModule required username="u";"#],
                "sasl.jaas.config", "no password"
            ),
            (
                [
                    "sasl.mechanism": "PLAIN",
                    "sasl.jaas.config": #"x.PlainLoginModule required password="Sup3r$ecret""#,
                ],
                "sasl.jaas.config", "missing ';'"
            ),
            (
                [
                    "sasl.mechanism": "PLAIN",
                    "sasl.jaas.config": #"x.PlainLoginModule required password="Sup3r$ecret;"#,
                ],
                "sasl.jaas.config", "no closing"
            ),
            (
                ["sasl.mechanism": "PLAIN", "sasl.jaas.config": #"x.PlainLoginModule maybe password="Sup3r$ecret";"#],
                "sasl.jaas.config", "control flag"
            ),
            (
                ["sasl.mechanism": "PLAIN", "sasl.jaas.config": "\(Self.plainJAAS) \(Self.plainJAAS)"],
                "sasl.jaas.config", "2 login modules"
            ),
        ]
        for (properties, property, fragment) in cases {
            let failure = try #require(Self.failure(properties.merging(sasl) { $1 }))
            #expect(failure.property == property, "\(properties)")
            #expect(failure.reason.contains(fragment), "\(failure.reason)")
            #expect(!failure.reason.contains("Sup3r"), "the password leaked: \(failure.reason)")
        }
    }

    @Test func aSASLProtocolSetInCodeWithoutCredentialsFailsBeforeConnecting() async throws {
        var configuration = try Self.configuration([:])
        configuration.securityProtocol = .saslPlaintext
        do {
            _ = try await BrokerConnection.connect(
                to: configuration.bootstrapServers[0],
                nodeID: -1,
                configuration: configuration
            )
            Issue.record("expected a configuration error")
        } catch KafkaError.invalidConfiguration(let property, _) {
            #expect(property == "sasl.jaas.config")
        }
    }

    @Test func passwordsNeverShowInDescriptions() throws {
        let configuration = try Self.configuration([
            "security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-256", "sasl.jaas.config": Self.plainJAAS,
            "ssl.keystore.location": TestCertificates.path("client-keystore-encrypted.pem"),
            "ssl.key.password": "keypass",
        ])
        let texts = [
            "\(configuration)", String(reflecting: configuration), "\(configuration.sasl as Any)",
            "\(try #require(configuration.sasl).password)", String(reflecting: try #require(configuration.sasl)),
            {
                var text = ""
                dump(configuration, to: &text)
                return text
            }(),
        ]
        for text in texts {
            #expect(!text.contains("Sup3r"), "\(text)")
            #expect(!text.contains("keypass"), "\(text)")
        }
        #expect("\(KafkaSecret("x"))" == "[hidden]")
        #expect("\(configuration)".contains("alice"))
    }
}

@Suite struct JAASConfigTests {
    @Test func quotedValuesWithEscapesBareWordsAndComments() throws {
        let jaas = try JAASConfig(
            parsing: """
                /* a comment */ org.apache.kafka.common.security.scram.ScramLoginModule  Required
                  username=bob // trailing comment
                  password="p\\"a\\\\ss;w=rd"
                  tokenauth=true
                  empty="";
                """
        )
        #expect(jaas.loginModule == "org.apache.kafka.common.security.scram.ScramLoginModule")
        #expect(jaas.controlFlag == "required")
        #expect(jaas.options == ["username": "bob", "password": #"p"a\ss;w=rd"#, "tokenauth": "true", "empty": ""])
    }

    @Test func escapesForControlCharacters() throws {
        let jaas = try JAASConfig(parsing: #"M optional a="x\ty\nz";"#)
        #expect(jaas.options["a"] == "x\ty\nz")
        #expect(jaas.controlFlag == "optional")
    }

    @Test(arguments: [
        "", "M required", "M required a;", "M required a=;", "M required = x;", "M required \"q\"=x;",
        "M required a=\"x;", "/* open M required;", "M required; N required;",
    ])
    func malformedTextIsRejected(text: String) {
        #expect(throws: KafkaError.self) { _ = try JAASConfig(parsing: text) }
    }
}
