import NIOSSL

/// `security.protocol`: how a connection to a broker is secured.
public enum KafkaSecurityProtocol: String, Sendable, CaseIterable {
    case plaintext = "PLAINTEXT"
    case ssl = "SSL"
    case saslPlaintext = "SASL_PLAINTEXT"
    case saslSSL = "SASL_SSL"

    /// Whether connections start with a TLS handshake.
    public var usesTLS: Bool { self == .ssl || self == .saslSSL }
    /// Whether connections authenticate with SASL after ApiVersions.
    public var usesSASL: Bool { self == .saslPlaintext || self == .saslSSL }

    /// Parses the value case-insensitively, as the Java client does.
    static func parse(_ raw: String) throws -> KafkaSecurityProtocol {
        guard let value = Self(rawValue: raw.trimmingSpaces().uppercased()) else {
            throw KafkaError.invalidConfiguration(
                property: "security.protocol",
                reason: "'\(raw)' is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL"
            )
        }
        return value
    }
}

/// `sasl.mechanism` values this client implements.
public enum KafkaSASLMechanism: String, Sendable, CaseIterable {
    case plain = "PLAIN"
    case scramSHA256 = "SCRAM-SHA-256"
    case scramSHA512 = "SCRAM-SHA-512"
}

/// SASL credentials: the mechanism and the username and password of `sasl.jaas.config`.
public struct KafkaSASLSettings: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public var mechanism: KafkaSASLMechanism
    public var username: String
    public var password: KafkaSecret

    public init(mechanism: KafkaSASLMechanism, username: String, password: KafkaSecret) {
        self.mechanism = mechanism
        self.username = username
        self.password = password
    }

    public var description: String {
        "SASL(\(self.mechanism.rawValue), username: \(self.username), password: [hidden])"
    }
    public var debugDescription: String { self.description }

    static let jaasExample =
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"USER\" password=\"PASSWORD\";"
    static let supportedList = "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"

    /// Reads `sasl.mechanism` and `sasl.jaas.config`.
    init(_ reader: KafkaProperties) throws {
        // Java's default mechanism is GSSAPI (Kerberos), which this client does not implement.
        let rawMechanism = reader.optionalString("sasl.mechanism")?.trimmingSpaces() ?? "GSSAPI"
        switch rawMechanism.uppercased() {
        case "PLAIN": self.mechanism = .plain
        case "SCRAM-SHA-256": self.mechanism = .scramSHA256
        case "SCRAM-SHA-512": self.mechanism = .scramSHA512
        case "GSSAPI", "OAUTHBEARER":
            let unset = reader.optionalString("sasl.mechanism") == nil ? " (the default when unset)" : ""
            throw KafkaError.invalidConfiguration(
                property: "sasl.mechanism",
                reason:
                    "\(rawMechanism.uppercased())\(unset) is not supported by SwiftConnect; set \(Self.supportedList)"
            )
        default:
            throw KafkaError.invalidConfiguration(
                property: "sasl.mechanism",
                reason: "'\(rawMechanism)' is not a known mechanism; set \(Self.supportedList)"
            )
        }
        guard let text = reader.optionalString("sasl.jaas.config") else {
            throw KafkaError.invalidConfiguration(
                property: "sasl.jaas.config",
                reason: "missing; SASL needs credentials, e.g. \(Self.jaasExample)"
            )
        }
        let jaas = try JAASConfig(parsing: text)
        // The Java client takes username and password from either module for either mechanism.
        let module = jaas.loginModule.split(separator: ".").last.map(String.init) ?? jaas.loginModule
        guard module == "PlainLoginModule" || module == "ScramLoginModule" else {
            throw KafkaError.invalidConfiguration(
                property: "sasl.jaas.config",
                reason: "login module \(jaas.loginModule) is not supported; use "
                    + "org.apache.kafka.common.security.plain.PlainLoginModule or "
                    + "org.apache.kafka.common.security.scram.ScramLoginModule"
            )
        }
        guard let username = jaas.options["username"], !username.isEmpty else {
            throw KafkaError.invalidConfiguration(
                property: "sasl.jaas.config",
                reason: "no username option; add username=\"USER\" before the ';'"
            )
        }
        guard let password = jaas.options["password"] else {
            throw KafkaError.invalidConfiguration(
                property: "sasl.jaas.config",
                reason: "no password option; add password=\"PASSWORD\" before the ';'"
            )
        }
        self.username = username
        self.password = KafkaSecret(password)
    }
}

/// TLS settings for `security.protocol` SSL and SASL_SSL, read from the Java client's PEM-based
/// `ssl.*` properties.
public struct KafkaTLSSettings: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The certificate authorities to trust; `nil` trusts the system's default store.
    public var trustRoots: [NIOSSLCertificate]?
    /// The client certificate chain (leaf first) for mutual TLS; empty for none.
    public var certificateChain: [NIOSSLCertificate] = []
    /// The client certificate's private key, for mutual TLS.
    public var privateKey: NIOSSLPrivateKey?
    /// `ssl.endpoint.identification.algorithm=https` (the default): the broker's certificate must
    /// name the host (or IP address) connected to. Empty turns it off; the chain is still verified.
    public var hostnameVerification = true
    /// The oldest TLS version offered (the lowest of `ssl.enabled.protocols`).
    public var minimumTLSVersion: TLSVersion = .tlsv12
    /// The newest TLS version offered, `nil` for the newest supported.
    public var maximumTLSVersion: TLSVersion?

    public init() {}

    public var description: String {
        let trust = self.trustRoots.map { "\($0.count) CA certificate(s)" } ?? "system default"
        let client = self.privateKey == nil ? "none" : "\(self.certificateChain.count) certificate(s) and a key"
        return "TLS(trust: \(trust), client certificate: \(client), "
            + "hostname verification: \(self.hostnameVerification ? "on" : "off"), "
            + "versions: \(Self.name(self.minimumTLSVersion))...\(self.maximumTLSVersion.map(Self.name) ?? "newest"))"
    }

    public var debugDescription: String { self.description }

    /// The NIOSSL context for one client; built when a connection is opened.
    func makeSSLContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = self.minimumTLSVersion
        configuration.maximumTLSVersion = self.maximumTLSVersion
        configuration.trustRoots = self.trustRoots.map { .certificates($0) } ?? .default
        configuration.certificateChain = self.certificateChain.map { .certificate($0) }
        configuration.privateKey = self.privateKey.map { .privateKey($0) }
        configuration.certificateVerification = self.hostnameVerification ? .fullVerification : .noHostnameVerification
        return try NIOSSLContext(configuration: configuration)
    }

    // MARK: Reading ssl.* properties

    private static let versions: [(name: String, version: TLSVersion, rank: Int)] = [
        ("TLSv1", .tlsv1, 0), ("TLSv1.1", .tlsv11, 1), ("TLSv1.2", .tlsv12, 2), ("TLSv1.3", .tlsv13, 3),
    ]

    private static func name(_ version: TLSVersion) -> String {
        self.versions.first { $0.version == version }?.name ?? "\(version)"
    }

    private static func protocolVersion(_ raw: Substring, property: String) throws -> (TLSVersion, Int) {
        let name = raw.trimmingSpaces()
        guard let match = self.versions.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw KafkaError.invalidConfiguration(
                property: property,
                reason: "'\(name)' is not a supported TLS version; use TLSv1.2 or TLSv1.3"
            )
        }
        return (match.version, match.rank)
    }

    /// Reads the `ssl.*` properties; certificate and key files are read now, so that a missing or
    /// malformed file fails at configuration time.
    init(_ reader: KafkaProperties) throws {
        try Self.requirePEM(reader, type: "ssl.truststore.type", location: "ssl.truststore.location")
        try Self.requirePEM(reader, type: "ssl.keystore.type", location: "ssl.keystore.location")
        if reader.optionalString("ssl.truststore.password") != nil {
            throw KafkaError.invalidConfiguration(
                property: "ssl.truststore.password",
                reason: "a PEM trust store has no password; remove it"
            )
        }
        if reader.optionalString("ssl.keystore.password") != nil {
            throw KafkaError.invalidConfiguration(
                property: "ssl.keystore.password",
                reason: "a PEM key store has no store password; remove it and set ssl.key.password "
                    + "if the private key is encrypted"
            )
        }

        // Trust store: a CA file or inline PEM; neither trusts the system's CAs.
        switch (reader.optionalString("ssl.truststore.location"), reader.optionalString("ssl.truststore.certificates"))
        {
        case (.some, .some):
            throw KafkaError.invalidConfiguration(
                property: "ssl.truststore.certificates",
                reason: "set either ssl.truststore.location or ssl.truststore.certificates, not both"
            )
        case (let path?, nil):
            self.trustRoots = try Self.certificates(file: path, property: "ssl.truststore.location")
        case (nil, let pem?):
            self.trustRoots = try Self.certificates(pem: pem, property: "ssl.truststore.certificates")
        case (nil, nil):
            self.trustRoots = nil
        }

        // Key store: one PEM file with key and chain, or both inline.
        let keyPassword = reader.optionalString("ssl.key.password").map { KafkaSecret($0) }
        let inlineChain = reader.optionalString("ssl.keystore.certificate.chain")
        let inlineKey = reader.optionalString("ssl.keystore.key").map { KafkaSecret($0) }
        if let path = reader.optionalString("ssl.keystore.location") {
            guard inlineChain == nil, inlineKey == nil else {
                throw KafkaError.invalidConfiguration(
                    property: "ssl.keystore.location",
                    reason: "set either ssl.keystore.location or ssl.keystore.certificate.chain and "
                        + "ssl.keystore.key, not both"
                )
            }
            self.certificateChain = try Self.certificates(file: path, property: "ssl.keystore.location")
            self.privateKey = try Self.privateKey(file: path, password: keyPassword)
        } else if let inlineChain, let inlineKey {
            self.certificateChain = try Self.certificates(pem: inlineChain, property: "ssl.keystore.certificate.chain")
            self.privateKey = try Self.privateKey(pem: inlineKey, password: keyPassword)
        } else if inlineChain != nil || inlineKey != nil {
            throw KafkaError.invalidConfiguration(
                property: inlineChain == nil ? "ssl.keystore.certificate.chain" : "ssl.keystore.key",
                reason: "missing; ssl.keystore.certificate.chain and ssl.keystore.key must be set together"
            )
        }

        let algorithm = reader.string("ssl.endpoint.identification.algorithm", default: "https").trimmingSpaces()
        switch algorithm.lowercased() {
        case "https": self.hostnameVerification = true
        case "": self.hostnameVerification = false
        default:
            throw KafkaError.invalidConfiguration(
                property: "ssl.endpoint.identification.algorithm",
                reason: "'\(algorithm)' is not supported; use https (verify the broker's host name) or an "
                    + "empty value (do not)"
            )
        }

        let enabled = try reader.string("ssl.enabled.protocols", default: "TLSv1.2,TLSv1.3")
            .split(separator: ",")
            .filter { !$0.allSatisfy(\.isWhitespace) }
            .map { try Self.protocolVersion($0, property: "ssl.enabled.protocols") }
        guard let lowest = enabled.min(by: { $0.1 < $1.1 }), let highest = enabled.max(by: { $0.1 < $1.1 }) else {
            throw KafkaError.invalidConfiguration(
                property: "ssl.enabled.protocols",
                reason: "no protocol given; use TLSv1.2,TLSv1.3"
            )
        }
        // `ssl.protocol` picks the SSLContext in Java, which caps the newest version; "TLS" caps none.
        let sslProtocol = reader.string("ssl.protocol", default: "TLSv1.3").trimmingSpaces()
        var ceiling = highest
        if sslProtocol.uppercased() != "TLS" {
            let capped = try Self.protocolVersion(Substring(sslProtocol), property: "ssl.protocol")
            if capped.1 < ceiling.1 { ceiling = capped }
        }
        guard ceiling.1 >= lowest.1 else {
            throw KafkaError.invalidConfiguration(
                property: "ssl.protocol",
                reason: "\(sslProtocol) is older than every version in ssl.enabled.protocols; "
                    + "use TLSv1.3 or an older ssl.enabled.protocols"
            )
        }
        self.minimumTLSVersion = lowest.0
        self.maximumTLSVersion = ceiling.0
    }

    private static func requirePEM(_ reader: KafkaProperties, type: String, location: String) throws {
        guard let raw = reader.optionalString(type) else { return }
        let value = raw.trimmingSpaces().uppercased()
        guard value != "PEM" else { return }
        let isTrust = type.hasPrefix("ssl.truststore")
        let how: String
        switch (value, isTrust) {
        case ("JKS", true):
            how = "convert it with `keytool -exportcert -rfc -keystore truststore.jks -alias CARoot -file ca.pem`"
        case ("PKCS12", true):
            how = "convert it with `openssl pkcs12 -in truststore.p12 -nokeys -out ca.pem`"
        case ("JKS", false):
            how =
                "convert it with `keytool -importkeystore -srckeystore keystore.jks -destkeystore keystore.p12 "
                + "-deststoretype PKCS12` and then `openssl pkcs12 -in keystore.p12 -out keystore.pem`"
        case ("PKCS12", false):
            how =
                "convert it with `openssl pkcs12 -in keystore.p12 -out keystore.pem` (add -nodes for an "
                + "unencrypted key, else set ssl.key.password)"
        default:
            how = "provide PEM files"
        }
        throw KafkaError.invalidConfiguration(
            property: type,
            reason: "'\(raw)' is not supported, only PEM is; \(how), then set \(type)=PEM and \(location)"
        )
    }

    private static func certificates(file path: String, property: String) throws -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw KafkaError.invalidConfiguration(
                property: property,
                reason: "cannot read PEM certificates from '\(path)' (\(error)); only PEM files are supported"
            )
        }
        guard !certificates.isEmpty else {
            throw KafkaError.invalidConfiguration(
                property: property,
                reason: "'\(path)' holds no PEM certificate (-----BEGIN CERTIFICATE-----); only PEM files are supported"
            )
        }
        return certificates
    }

    private static func certificates(pem: String, property: String) throws -> [NIOSSLCertificate] {
        let certificates = (try? NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))) ?? []
        guard !certificates.isEmpty else {
            throw KafkaError.invalidConfiguration(
                property: property,
                reason: "holds no PEM certificate; paste the -----BEGIN CERTIFICATE----- blocks"
            )
        }
        return certificates
    }

    private static func privateKey(file path: String, password: KafkaSecret?) throws -> NIOSSLPrivateKey {
        do {
            // Always with a callback: without one BoringSSL would prompt on stdin for an encrypted key.
            return try NIOSSLPrivateKey(file: path, format: .pem, passphraseCallback: Self.passphrase(password))
        } catch {
            throw Self.keyError(property: "ssl.keystore.location", source: "'\(path)'", password: password)
        }
    }

    private static func privateKey(pem: KafkaSecret, password: KafkaSecret?) throws -> NIOSSLPrivateKey {
        do {
            return try NIOSSLPrivateKey(
                bytes: Array(pem.revealed.utf8),
                format: .pem,
                passphraseCallback: Self.passphrase(password)
            )
        } catch {
            throw Self.keyError(property: "ssl.keystore.key", source: "the value", password: password)
        }
    }

    private static func passphrase(_ password: KafkaSecret?) -> NIOSSLPassphraseCallback<[UInt8]> {
        { setter in setter(Array((password?.revealed ?? "").utf8)) }
    }

    /// The error for an unreadable key; BoringSSL's own message is left out as it says no more.
    private static func keyError(property: String, source: String, password: KafkaSecret?) -> KafkaError {
        .invalidConfiguration(
            property: property,
            reason: "cannot read a PEM private key from \(source); "
                + (password == nil
                    ? "if the key is encrypted set ssl.key.password"
                    : "check ssl.key.password and that the key is PEM (PKCS#8 or traditional)")
        )
    }
}
