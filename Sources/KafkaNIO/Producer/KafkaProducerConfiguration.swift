import KafkaProtocol

/// Producer settings, with the Java producer's property names and defaults.
public struct KafkaProducerConfiguration: Sendable {
    public var client: KafkaClientConfiguration
    /// `acks`: 0 (no response), 1 (leader), -1/`all` (all in-sync replicas). Default: `all`.
    public var acks: Int16 = -1
    /// `linger.ms`: how long a batch waits for more records before it is sent. Default: 5.
    public var lingerMs: Int = 5
    /// `batch.size`: the byte size at which a partition's batch is closed. Default: 16384.
    public var batchSize: Int = 16_384
    /// `compression.type`: none, gzip, snappy, lz4 or zstd. Default: none.
    public var compression: KafkaCompression = .none
    /// `max.in.flight.requests.per.connection`. Default: 5.
    public var maxInFlightRequestsPerConnection: Int = 5
    /// `delivery.timeout.ms`: the time a record may take from `send` to success or final failure,
    /// retries included. Default: 120000.
    public var deliveryTimeoutMs: Int = 120_000
    /// `retries`. Default: 2147483647 (bounded by `delivery.timeout.ms`).
    public var retries: Int = Int(Int32.max)
    /// `max.request.size`: the largest request (and so the largest record) sent. Default: 1048576.
    public var maxRequestSize: Int = 1_048_576
    /// `enable.idempotence`: the broker deduplicates retried batches by producer id and sequence
    /// number, and up to `max.in.flight.requests.per.connection` batches of a partition may be in
    /// flight without risk of reordering. Needs `acks=all` and at most 5 requests in flight.
    /// Default: true (as Kafka 3+), unless `acks` or `max.in.flight.requests.per.connection` conflict
    /// and it was not set explicitly.
    public var enableIdempotence: Bool = true
    /// `transactional.id`: makes the producer transactional (``KafkaProducer/initTransactions()``
    /// and friends). A second producer with the same id fences this one. Implies idempotence.
    /// Default: none.
    public var transactionalID: String?
    /// `transaction.timeout.ms`: how long the coordinator lets a transaction stay open before it
    /// aborts it. Default: 60000.
    public var transactionTimeoutMs: Int = 60_000
    /// `max.block.ms`: how long ``KafkaProducer/initTransactions()``, ``KafkaProducer/commitTransaction()``
    /// and ``KafkaProducer/abortTransaction()`` keep retrying the coordinator. Default: 60000.
    public var maxBlockMs: Int = 60_000

    /// Whether the idempotent producer is in use: enabled, and the settings allow it.
    var isIdempotent: Bool {
        self.enableIdempotence && self.acks == -1 && self.maxInFlightRequestsPerConnection <= 5
    }

    /// Whether the producer is transactional (`transactional.id` set).
    var isTransactional: Bool { self.transactionalID != nil }

    public init(client: KafkaClientConfiguration) {
        self.client = client
    }

    /// Reads the Java producer's property names; unknown properties are ignored.
    public init(properties: [String: String]) throws {
        self.client = try KafkaClientConfiguration(properties: properties)
        let reader = KafkaProperties(properties)
        switch try reader.choice("acks", default: "all", allowed: ["0", "1", "-1", "all"]) {
        case "0": self.acks = 0
        case "1": self.acks = 1
        default: self.acks = -1
        }
        self.lingerMs = try reader.int("linger.ms", default: self.lingerMs)
        self.batchSize = try reader.int("batch.size", default: self.batchSize)
        let codec = try reader.choice(
            "compression.type",
            default: "none",
            allowed: KafkaCompression.allCases.map(\.name)
        )
        self.compression = KafkaCompression(name: codec) ?? .none
        self.maxInFlightRequestsPerConnection = try reader.int(
            "max.in.flight.requests.per.connection",
            default: self.maxInFlightRequestsPerConnection,
            in: 1...Int(Int32.max)
        )
        self.deliveryTimeoutMs = try reader.int(
            "delivery.timeout.ms",
            default: self.deliveryTimeoutMs,
            in: 1...Int(Int32.max)
        )
        self.retries = try reader.int("retries", default: self.retries)
        self.maxRequestSize = try reader.int("max.request.size", default: self.maxRequestSize, in: 1...Int(Int32.max))
        let transactionalID = properties["transactional.id"]?.trimmingSpaces()
        self.transactionalID = transactionalID?.isEmpty == false ? transactionalID : nil
        self.transactionTimeoutMs = try reader.int(
            "transaction.timeout.ms",
            default: self.transactionTimeoutMs,
            in: 1...Int(Int32.max)
        )
        self.maxBlockMs = try reader.int("max.block.ms", default: self.maxBlockMs, in: 0...Int(Int32.max))
        // As Kafka 3.2+: idempotence is on by default, silently off when other settings conflict
        // and it was not asked for, and an error when it was asked for explicitly.
        if properties["enable.idempotence"] != nil {
            self.enableIdempotence = try reader.bool("enable.idempotence", default: true)
            if self.enableIdempotence && self.acks != -1 {
                throw KafkaError.invalidConfiguration(
                    property: "acks",
                    reason: "must be all (or -1) for the idempotent producer; set acks=all or enable.idempotence=false"
                )
            }
            if self.enableIdempotence && self.maxInFlightRequestsPerConnection > 5 {
                throw KafkaError.invalidConfiguration(
                    property: "max.in.flight.requests.per.connection",
                    reason: "must be at most 5 for the idempotent producer; lower it or set enable.idempotence=false"
                )
            }
        } else {
            self.enableIdempotence = self.acks == -1 && self.maxInFlightRequestsPerConnection <= 5
        }
        // A transactional producer is idempotent, so the same settings must allow it.
        if self.transactionalID != nil {
            if !self.enableIdempotence && properties["enable.idempotence"] != nil {
                throw KafkaError.invalidConfiguration(
                    property: "enable.idempotence",
                    reason:
                        "a transactional producer needs idempotence; remove enable.idempotence=false or transactional.id"
                )
            }
            if self.acks != -1 {
                throw KafkaError.invalidConfiguration(
                    property: "acks",
                    reason: "must be all (or -1) for a transactional producer; set acks=all or remove transactional.id"
                )
            }
            if self.maxInFlightRequestsPerConnection > 5 {
                throw KafkaError.invalidConfiguration(
                    property: "max.in.flight.requests.per.connection",
                    reason: "must be at most 5 for a transactional producer; lower it or remove transactional.id"
                )
            }
            self.enableIdempotence = true
        }
    }
}
