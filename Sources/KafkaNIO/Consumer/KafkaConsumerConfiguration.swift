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
    }
}
