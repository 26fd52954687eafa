/// Settings every client (producer, consumer, admin) shares. Property names are the Java client's.
public struct KafkaClientConfiguration: Sendable {
    /// `bootstrap.servers`: brokers to ask for cluster metadata first.
    public var bootstrapServers: [KafkaBrokerAddress]
    /// `client.id`. Default: `swift-connect`.
    public var clientID: String = "swift-connect"
    /// `request.timeout.ms`: how long to wait for a response. Default: 30000.
    public var requestTimeoutMs: Int = 30_000
    /// `default.api.timeout.ms`: how long an operation (an admin call, a coordinator lookup, an
    /// offset lookup or commit) keeps retrying retriable errors, across all its requests; each
    /// request still has `request.timeout.ms`. Default: 60000, as in Java.
    public var defaultApiTimeoutMs: Int = 60_000
    /// `retry.backoff.ms`: the first wait before a retry. Default: 100.
    public var retryBackoffMs: Int = 100
    /// `retry.backoff.max.ms`: the longest wait between retries (exponential backoff). Default: 1000.
    public var retryBackoffMaxMs: Int = 1_000
    /// `metadata.max.age.ms`: metadata older than this is refreshed before use. Default: 300000.
    public var metadataMaxAgeMs: Int = 300_000
    /// `socket.connection.setup.timeout.ms`. Default: 10000.
    public var socketConnectionSetupTimeoutMs: Int = 10_000
    /// `max.response.size.bytes` (SwiftConnect only; the Java client has no bound): the largest
    /// response frame accepted, so a corrupt length prefix cannot make the client allocate
    /// gigabytes. Default: 268435456 (256 MiB).
    public var maximumResponseSize: Int = 256 << 20
    /// `security.protocol`: PLAINTEXT (the default), SSL, SASL_PLAINTEXT or SASL_SSL.
    public var securityProtocol: KafkaSecurityProtocol = .plaintext
    /// The `ssl.*` settings, used when `securityProtocol` is SSL or SASL_SSL.
    public var tls = KafkaTLSSettings()
    /// `sasl.mechanism` and the credentials of `sasl.jaas.config`; required when `securityProtocol`
    /// is SASL_PLAINTEXT or SASL_SSL.
    public var sasl: KafkaSASLSettings?

    public init(bootstrapServers: [KafkaBrokerAddress]) {
        self.bootstrapServers = bootstrapServers
    }

    /// Reads the Java client's property names; unknown properties are ignored.
    public init(properties: [String: String]) throws {
        let reader = KafkaProperties(properties)
        guard let servers = reader.optionalString("bootstrap.servers") else {
            throw KafkaError.invalidConfiguration(
                property: "bootstrap.servers",
                reason: "missing; set it to a comma-separated list of host:port"
            )
        }
        self.bootstrapServers = try Self.parseBootstrapServers(servers)
        self.clientID = reader.string("client.id", default: self.clientID)
        self.requestTimeoutMs = try reader.int(
            "request.timeout.ms",
            default: self.requestTimeoutMs,
            in: 1...Int(Int32.max)
        )
        self.defaultApiTimeoutMs = try reader.int(
            "default.api.timeout.ms",
            default: self.defaultApiTimeoutMs,
            in: 0...Int(Int32.max)
        )
        self.retryBackoffMs = try reader.int("retry.backoff.ms", default: self.retryBackoffMs)
        self.retryBackoffMaxMs = try reader.int("retry.backoff.max.ms", default: self.retryBackoffMaxMs)
        self.metadataMaxAgeMs = try reader.int("metadata.max.age.ms", default: self.metadataMaxAgeMs)
        self.socketConnectionSetupTimeoutMs = try reader.int(
            "socket.connection.setup.timeout.ms",
            default: self.socketConnectionSetupTimeoutMs,
            in: 1...Int(Int32.max)
        )
        self.maximumResponseSize = try reader.int(
            "max.response.size.bytes",
            default: self.maximumResponseSize,
            in: 1024...Int(Int32.max)
        )
        if let raw = reader.optionalString("security.protocol") {
            self.securityProtocol = try KafkaSecurityProtocol.parse(raw)
        }
        // Only the settings the protocol uses are read, as in Java, where a PLAINTEXT client ignores
        // leftover ssl.* and sasl.* properties.
        if self.securityProtocol.usesTLS { self.tls = try KafkaTLSSettings(reader) }
        if self.securityProtocol.usesSASL { self.sasl = try KafkaSASLSettings(reader) }
    }

    /// Parses `host:port,host:port`.
    public static func parseBootstrapServers(_ value: String) throws -> [KafkaBrokerAddress] {
        var addresses: [KafkaBrokerAddress] = []
        for part in value.split(separator: ",") where !part.allSatisfy(\.isWhitespace) {
            guard let address = KafkaBrokerAddress(part) else {
                throw KafkaError.invalidConfiguration(
                    property: "bootstrap.servers",
                    reason: "'\(part)' is not host:port"
                )
            }
            addresses.append(address)
        }
        guard !addresses.isEmpty else {
            throw KafkaError.invalidConfiguration(property: "bootstrap.servers", reason: "no address given")
        }
        return addresses
    }

    /// The wait before retry number `attempt` (1-based): exponential from `retry.backoff.ms` up to
    /// `retry.backoff.max.ms`, with up to 20 % jitter as in the Java client.
    func retryBackoff(attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 20)
        let base = min(
            Double(self.retryBackoffMs) * Double(1 << exponent),
            Double(max(self.retryBackoffMaxMs, self.retryBackoffMs))
        )
        let jittered = base * Double.random(in: 0.8...1.2)
        return .milliseconds(Int64(jittered))
    }
}
