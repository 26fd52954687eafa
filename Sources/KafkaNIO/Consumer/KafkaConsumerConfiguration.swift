/// Consumer settings, with the Java consumer's property names and defaults.
public struct KafkaConsumerConfiguration: Sendable {
    public enum OffsetReset: String, Sendable {
        case earliest, latest, none
    }

    public enum IsolationLevel: Int8, Sendable {
        case readUncommitted = 0
        case readCommitted = 1
    }

    public var client: KafkaClientConfiguration
    /// `fetch.min.bytes`: the broker waits until this much data is available. Default: 1.
    public var fetchMinBytes: Int = 1
    /// `fetch.max.wait.ms`: the longest the broker waits for `fetch.min.bytes`. Default: 500.
    public var fetchMaxWaitMs: Int = 500
    /// `max.partition.fetch.bytes`: data returned per partition per fetch. Default: 1048576.
    public var maxPartitionFetchBytes: Int = 1_048_576
    /// `fetch.max.bytes`: data returned per fetch. Default: 52428800.
    public var fetchMaxBytes: Int = 52_428_800
    /// `max.poll.records`: the most records one ``KafkaConsumer/poll()`` returns. Default: 500.
    public var maxPollRecords: Int = 500
    /// `auto.offset.reset`: where to start without a position, or after OFFSET_OUT_OF_RANGE. Default: latest.
    public var autoOffsetReset: OffsetReset = .latest
    /// `isolation.level`. Default: read_uncommitted.
    public var isolationLevel: IsolationLevel = .readUncommitted
    /// `check.crcs`: verify each batch's CRC-32C. Default: true.
    public var checkCRCs: Bool = true
    /// `client.rack`. Default: empty.
    public var clientRack: String = ""
    /// `group.id`: the consumer group that ``KafkaConsumer/subscribe(topics:listener:)`` joins.
    /// Default: none (assign mode only).
    public var groupID: String?
    /// `group.instance.id`: a static member id (KIP-345). Default: none (dynamic member).
    public var groupInstanceID: String?
    /// `partition.assignment.strategy`: the assignors offered to the group, most preferred first.
    /// Default: range, then cooperative-sticky (Kafka 3).
    public var partitionAssignmentStrategy: [any ConsumerPartitionAssignor] = [
        RangeAssignor(), CooperativeStickyAssignor(),
    ]
    /// `enable.auto.commit`: commit positions every `auto.commit.interval.ms`, on revocation and on
    /// close. Default: true.
    public var enableAutoCommit: Bool = true
    /// `auto.commit.interval.ms`. Default: 5000.
    public var autoCommitIntervalMs: Int = 5_000
    /// `session.timeout.ms`. Default: 45000.
    public var sessionTimeoutMs: Int = 45_000
    /// `heartbeat.interval.ms`. Default: 3000.
    public var heartbeatIntervalMs: Int = 3_000
    /// `max.poll.interval.ms`: a member that does not poll for this long leaves the group (and
    /// rejoins on its next poll); also the group's rebalance timeout. Default: 300000.
    public var maxPollIntervalMs: Int = 300_000

    public init(client: KafkaClientConfiguration) {
        self.client = client
    }

    /// Reads the Java consumer's property names; unknown properties are ignored.
    public init(properties: [String: String]) throws {
        self.client = try KafkaClientConfiguration(properties: properties)
        let reader = KafkaProperties(properties)
        self.fetchMinBytes = try reader.int("fetch.min.bytes", default: self.fetchMinBytes)
        self.fetchMaxWaitMs = try reader.int("fetch.max.wait.ms", default: self.fetchMaxWaitMs)
        self.maxPartitionFetchBytes = try reader.int(
            "max.partition.fetch.bytes",
            default: self.maxPartitionFetchBytes,
            in: 1...Int(Int32.max)
        )
        self.fetchMaxBytes = try reader.int("fetch.max.bytes", default: self.fetchMaxBytes, in: 1...Int(Int32.max))
        self.maxPollRecords = try reader.int("max.poll.records", default: self.maxPollRecords, in: 1...Int(Int32.max))
        let reset = try reader.choice("auto.offset.reset", default: "latest", allowed: ["earliest", "latest", "none"])
        self.autoOffsetReset = OffsetReset(rawValue: reset) ?? .latest
        let isolation = try reader.choice(
            "isolation.level",
            default: "read_uncommitted",
            allowed: ["read_uncommitted", "read_committed"]
        )
        self.isolationLevel = isolation == "read_committed" ? .readCommitted : .readUncommitted
        self.checkCRCs = try reader.bool("check.crcs", default: self.checkCRCs)
        self.clientRack = reader.string("client.rack", default: self.clientRack)
        self.groupID = reader.optionalString("group.id")
        self.groupInstanceID = reader.optionalString("group.instance.id")
        if let strategies = reader.optionalString("partition.assignment.strategy") {
            self.partitionAssignmentStrategy = try PartitionAssignmentStrategy.assignors(from: strategies)
        }
        self.enableAutoCommit = try reader.bool("enable.auto.commit", default: self.enableAutoCommit)
        self.autoCommitIntervalMs = try reader.int("auto.commit.interval.ms", default: self.autoCommitIntervalMs)
        self.sessionTimeoutMs = try reader.int(
            "session.timeout.ms",
            default: self.sessionTimeoutMs,
            in: 1...Int(Int32.max)
        )
        self.heartbeatIntervalMs = try reader.int(
            "heartbeat.interval.ms",
            default: self.heartbeatIntervalMs,
            in: 1...Int(Int32.max)
        )
        self.maxPollIntervalMs = try reader.int(
            "max.poll.interval.ms",
            default: self.maxPollIntervalMs,
            in: 1...Int(Int32.max)
        )
        guard self.heartbeatIntervalMs < self.sessionTimeoutMs else {
            throw KafkaError.invalidConfiguration(
                property: "heartbeat.interval.ms",
                reason: "must be lower than session.timeout.ms (\(self.sessionTimeoutMs)); a third of it is usual"
            )
        }
    }
}
