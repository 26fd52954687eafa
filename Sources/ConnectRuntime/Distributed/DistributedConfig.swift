import ConnectAPI
import KafkaNIO
import Logging

/// A distributed worker's configuration (Kafka's `DistributedConfig`): the common worker keys plus
/// the group and the three internal topics, with Kafka's names and defaults.
///
/// The group protocol's keys (`connect.protocol`, `scheduled.rebalance.max.delay.ms`, the session,
/// heartbeat and rebalance timeouts), the advertised REST address and the inter-worker key settings
/// are here too, with Kafka's defaults.
public struct DistributedConfig: Sendable {
    /// `group.id`
    public static let groupIDConfig = "group.id"
    /// `config.storage.topic`
    public static let configTopicConfig = "config.storage.topic"
    /// `config.storage.replication.factor`
    public static let configTopicReplicationFactorConfig = "config.storage.replication.factor"
    /// `offset.storage.topic`
    public static let offsetTopicConfig = "offset.storage.topic"
    /// `offset.storage.partitions`
    public static let offsetTopicPartitionsConfig = "offset.storage.partitions"
    /// `offset.storage.replication.factor`
    public static let offsetTopicReplicationFactorConfig = "offset.storage.replication.factor"
    /// `status.storage.topic`
    public static let statusTopicConfig = "status.storage.topic"
    /// `status.storage.partitions`
    public static let statusTopicPartitionsConfig = "status.storage.partitions"
    /// `status.storage.replication.factor`
    public static let statusTopicReplicationFactorConfig = "status.storage.replication.factor"

    /// `connect.protocol`
    public static let connectProtocolConfig = "connect.protocol"
    /// `scheduled.rebalance.max.delay.ms`
    public static let scheduledRebalanceMaxDelayConfig = "scheduled.rebalance.max.delay.ms"
    /// `session.timeout.ms`
    public static let sessionTimeoutConfig = "session.timeout.ms"
    /// `heartbeat.interval.ms`
    public static let heartbeatIntervalConfig = "heartbeat.interval.ms"
    /// `rebalance.timeout.ms`
    public static let rebalanceTimeoutConfig = "rebalance.timeout.ms"
    /// `rest.advertised.host.name`
    public static let advertisedHostNameConfig = "rest.advertised.host.name"
    /// `rest.advertised.port`
    public static let advertisedPortConfig = "rest.advertised.port"
    /// `inter.worker.key.generation.algorithm`
    public static let keyGenerationAlgorithmConfig = "inter.worker.key.generation.algorithm"
    /// `inter.worker.key.ttl.ms`
    public static let keyTTLConfig = "inter.worker.key.ttl.ms"
    /// `inter.worker.signature.algorithm`
    public static let signatureAlgorithmConfig = "inter.worker.signature.algorithm"
    /// `exactly.once.source.support` (KIP-618)
    public static let exactlyOnceSourceSupportConfig = "exactly.once.source.support"

    /// Kafka's check: a positive number, or -1 for the broker's default.
    private static func positiveOrBrokerDefault(_ what: String) -> ConfigValidator {
        ConfigValidator(description: "Positive number, or -1 to use the broker's default") {
            name,
            value throws(ConfigError) in
            let number: Int64? =
                switch value {
                case .int(let int)?: Int64(int)
                case .short(let short)?: Int64(short)
                case .long(let long)?: long
                default: nil
                }
            guard let number, number == -1 || number >= 1 else {
                throw ConfigError(
                    name: name,
                    parsedValue: value,
                    reason: "\(what) must be positive, or -1 to use the broker's default"
                )
            }
        }
    }

    /// The distributed worker's keys: ``WorkerConfig/commonDefinition`` plus the group and topics.
    public static let definition: ConfigDef = {
        var definition = WorkerConfig.commonDefinition
        let keys = [
            ConfigKey(
                groupIDConfig,
                type: .string,
                validator: .nonEmptyString,
                importance: .high,
                documentation: "A unique string that identifies the Connect cluster group this worker belongs to."
            ),
            ConfigKey(
                configTopicConfig,
                type: .string,
                validator: .nonEmptyString,
                importance: .high,
                documentation: "The name of the Kafka topic where connector configurations are stored"
            ),
            ConfigKey(
                configTopicReplicationFactorConfig,
                type: .short,
                default: 3,
                validator: positiveOrBrokerDefault("Replication factor"),
                importance: .low,
                documentation: "Replication factor used when creating the configuration storage topic"
            ),
            ConfigKey(
                offsetTopicConfig,
                type: .string,
                validator: .nonEmptyString,
                importance: .high,
                documentation: "The name of the Kafka topic where source connector offsets are stored"
            ),
            ConfigKey(
                offsetTopicPartitionsConfig,
                type: .int,
                default: 25,
                validator: positiveOrBrokerDefault("Number of partitions"),
                importance: .low,
                documentation: "The number of partitions used when creating the offset storage topic"
            ),
            ConfigKey(
                offsetTopicReplicationFactorConfig,
                type: .short,
                default: 3,
                validator: positiveOrBrokerDefault("Replication factor"),
                importance: .low,
                documentation: "Replication factor used when creating the offset storage topic"
            ),
            ConfigKey(
                statusTopicConfig,
                type: .string,
                validator: .nonEmptyString,
                importance: .high,
                documentation: "The name of the Kafka topic where connector and task status are stored"
            ),
            ConfigKey(
                statusTopicPartitionsConfig,
                type: .int,
                default: 5,
                validator: positiveOrBrokerDefault("Number of partitions"),
                importance: .low,
                documentation: "The number of partitions used when creating the status storage topic"
            ),
            ConfigKey(
                statusTopicReplicationFactorConfig,
                type: .short,
                default: 3,
                validator: positiveOrBrokerDefault("Replication factor"),
                importance: .low,
                documentation: "Replication factor used when creating the status storage topic"
            ),
            ConfigKey(
                exactlyOnceSourceSupportConfig,
                type: .string,
                default: "disabled",
                validator: .caseInsensitiveValidString(in: ExactlyOnceSourceSupport.allCases.map(\.rawValue)),
                importance: .high,
                documentation: "Whether to enable exactly-once support for source connectors in the cluster by using "
                    + "transactions to write source records and their source offsets, and by proactively fencing out "
                    + "old task generations before bringing up new ones."
            ),
            ConfigKey(
                connectProtocolConfig,
                type: .string,
                default: "sessioned",
                validator: .caseInsensitiveValidString(in: ConnectProtocolCompatibility.allCases.map(\.configName)),
                importance: .low,
                documentation: "Compatibility mode for Kafka Connect Protocol"
            ),
            ConfigKey(
                scheduledRebalanceMaxDelayConfig,
                type: .int,
                default: 300_000,
                validator: .atLeast(0),
                importance: .low,
                documentation: "The maximum delay that is scheduled in order to wait for the return of one or more "
                    + "departed workers before rebalancing and reassigning their connectors and tasks to the group."
            ),
            ConfigKey(
                sessionTimeoutConfig,
                type: .int,
                default: 10_000,
                importance: .high,
                documentation: "The timeout used to detect worker failures."
            ),
            ConfigKey(
                heartbeatIntervalConfig,
                type: .int,
                default: 3_000,
                importance: .high,
                documentation: "The expected time between heartbeats to the group coordinator."
            ),
            ConfigKey(
                rebalanceTimeoutConfig,
                type: .int,
                default: 60_000,
                importance: .high,
                documentation: "The maximum allowed time for each worker to join the group once a rebalance has begun."
            ),
            ConfigKey(
                advertisedHostNameConfig,
                type: .string,
                default: .null,
                importance: .low,
                documentation:
                    "If this is set, this is the hostname that will be given out to other workers to connect to."
            ),
            ConfigKey(
                advertisedPortConfig,
                type: .int,
                default: .null,
                importance: .low,
                documentation: "If this is set, this is the port that will be given out to other workers to connect to."
            ),
            ConfigKey(
                keyGenerationAlgorithmConfig,
                type: .string,
                default: "HmacSHA256",
                validator: .validString(in: ["HmacSHA1", "HmacSHA256", "HmacSHA512"]),
                importance: .low,
                documentation: "The algorithm to use for generating internal request keys."
            ),
            ConfigKey(
                keyTTLConfig,
                type: .long,
                default: 3_600_000,
                validator: .atLeast(0),
                importance: .low,
                documentation:
                    "The TTL of generated session keys used for internal request validation (in milliseconds)"
            ),
            ConfigKey(
                signatureAlgorithmConfig,
                type: .string,
                default: "HmacSHA256",
                validator: .validString(in: ["HmacSHA1", "HmacSHA256", "HmacSHA512"]),
                importance: .low,
                documentation: "The algorithm used to sign internal requests"
            ),
        ]
        for key in keys { try? definition.define(key) }
        return definition
    }()

    /// The common worker settings.
    public let worker: WorkerConfig
    /// `group.id`.
    public let groupID: String
    /// `config.storage.topic` and its settings (always one partition).
    public let configTopic: InternalTopicSettings
    /// `offset.storage.topic` and its settings. Default: 25 partitions, replication factor 3.
    public let offsetTopic: InternalTopicSettings
    /// `status.storage.topic` and its settings. Default: 5 partitions, replication factor 3.
    public let statusTopic: InternalTopicSettings

    /// `connect.protocol`. Default: `sessioned`.
    public let connectProtocol: ConnectProtocolCompatibility
    /// `scheduled.rebalance.max.delay.ms`. Default: 300000 (Kafka's; see docs/distributed.md).
    public let scheduledRebalanceMaxDelayMs: Int
    /// `session.timeout.ms`. Default: 10000.
    public let sessionTimeoutMs: Int
    /// `heartbeat.interval.ms`. Default: 3000.
    public let heartbeatIntervalMs: Int
    /// `rebalance.timeout.ms`. Default: 60000.
    public let rebalanceTimeoutMs: Int
    /// `rest.advertised.host.name`, if set.
    public let advertisedHostName: String?
    /// `rest.advertised.port`, if set.
    public let advertisedPort: Int?
    /// `inter.worker.key.generation.algorithm`. Default: `HmacSHA256`.
    public let keyGenerationAlgorithm: String
    /// `inter.worker.key.ttl.ms`. Default: one hour.
    public let keyTTLMs: Int64
    /// `inter.worker.signature.algorithm`. Default: `HmacSHA256`.
    public let signatureAlgorithm: String
    /// `exactly.once.source.support`: `disabled` (default), `preparing` or `enabled`.
    public let exactlyOnceSourceSupport: ExactlyOnceSourceSupport

    /// Parses a distributed worker's configuration.
    /// - Throws: ``ConfigError`` naming the first missing or invalid key, e.g. a missing `group.id`.
    public init(_ props: [String: String]) throws(ConfigError) {
        worker = try WorkerConfig(props, definition: Self.definition)
        let config = try ParsedConfig(definition: Self.definition, originals: props)
        groupID = try config.string(Self.groupIDConfig) ?? ""
        connectProtocol =
            ConnectProtocolCompatibility(configName: (try config.string(Self.connectProtocolConfig) ?? "").lowercased())
            ?? .sessioned
        scheduledRebalanceMaxDelayMs = Int(try config.int(Self.scheduledRebalanceMaxDelayConfig))
        sessionTimeoutMs = Int(try config.int(Self.sessionTimeoutConfig))
        heartbeatIntervalMs = Int(try config.int(Self.heartbeatIntervalConfig))
        rebalanceTimeoutMs = Int(try config.int(Self.rebalanceTimeoutConfig))
        advertisedHostName = try config.string(Self.advertisedHostNameConfig)
        advertisedPort =
            if case .int(let port)? = try config.value(Self.advertisedPortConfig) { Int(port) } else { nil }
        keyGenerationAlgorithm = try config.string(Self.keyGenerationAlgorithmConfig) ?? "HmacSHA256"
        keyTTLMs = try config.long(Self.keyTTLConfig)
        signatureAlgorithm = try config.string(Self.signatureAlgorithmConfig) ?? "HmacSHA256"
        exactlyOnceSourceSupport =
            ExactlyOnceSourceSupport(
                rawValue: (try config.string(Self.exactlyOnceSourceSupportConfig) ?? "").lowercased()
            )
            ?? .disabled
        configTopic = InternalTopicSettings(
            name: try config.string(Self.configTopicConfig) ?? "",
            partitions: 1,
            replicationFactor: try config.short(Self.configTopicReplicationFactorConfig),
            configs: try Self.topicConfigs(props, prefix: "config.storage."),
            setting: Self.configTopicConfig,
            purpose: "connector configurations",
            requiresSinglePartition: true
        )
        offsetTopic = InternalTopicSettings(
            name: try config.string(Self.offsetTopicConfig) ?? "",
            partitions: try config.int(Self.offsetTopicPartitionsConfig),
            replicationFactor: try config.short(Self.offsetTopicReplicationFactorConfig),
            configs: try Self.topicConfigs(props, prefix: "offset.storage."),
            setting: Self.offsetTopicConfig,
            purpose: "source connector offsets"
        )
        statusTopic = InternalTopicSettings(
            name: try config.string(Self.statusTopicConfig) ?? "",
            partitions: try config.int(Self.statusTopicPartitionsConfig),
            replicationFactor: try config.short(Self.statusTopicReplicationFactorConfig),
            configs: try Self.topicConfigs(props, prefix: "status.storage."),
            setting: Self.statusTopicConfig,
            purpose: "connector and task statuses"
        )
    }

    /// Kafka's KIP-605 topic settings: `<prefix><topic config>` keys other than the worker's own
    /// (`topic`, `partitions`, `replication.factor`) go into the topic's creation; a cleanup policy
    /// other than `compact` is refused.
    private static func topicConfigs(_ props: [String: String], prefix: String) throws(ConfigError) -> [String: String]
    {
        var configs: [String: String] = [:]
        for (key, value) in props where key.hasPrefix(prefix) {
            let name = String(key.dropFirst(prefix.count))
            guard !["topic", "partitions", "replication.factor", "file.filename"].contains(name) else { continue }
            configs[name] = value
        }
        if let policy = configs["cleanup.policy"], policy.lowercased() != "compact" {
            throw ConfigError(
                name: prefix + "cleanup.policy",
                value: policy,
                reason: "Connect's internal topics must be compacted; remove the setting or set it to compact"
            )
        }
        return configs
    }

    /// The Kafka client settings of an internal topic's producer and consumer (Kafka's
    /// `KafkaConfigBackingStore`/`...OffsetBackingStore`/`...StatusBackingStore`): the worker's
    /// top-level settings (not its `producer.`/`consumer.` ones, which are for tasks), with
    /// `client.id` = `<group.id>[-<client.id>]-<suffix>`.
    public func clientProperties(clientIDSuffix suffix: String) -> [String: String] {
        var props = worker.originals
        let base = [groupID, props["client.id"]].compactMap { $0?.isEmpty == false ? $0 : nil }
        props["client.id"] = (base + [suffix]).joined(separator: "-")
        return props
    }

    /// A ``KafkaBasedLog`` on `topic` with this worker's client settings (plus `extraProperties`),
    /// `acks=all`, idempotence and `delivery.timeout.ms` = `deliveryTimeoutMs`.
    /// - Throws: ``KafkaError/invalidConfiguration(property:reason:)`` for client settings the
    ///   Kafka client refuses.
    public func makeLog(
        _ topic: InternalTopicSettings,
        clientIDSuffix: String,
        deliveryTimeoutMs: Int = Int(Int32.max),
        extraProperties: [String: String] = [:],
        logger: Logger,
        consumed: @escaping @Sendable (KafkaConsumerRecord) -> Void
    ) throws -> KafkaBasedLog {
        var props = clientProperties(clientIDSuffix: clientIDSuffix).merging(extraProperties) { _, extra in extra }
        // Kafka's internal producers never give up on a write by themselves (Int32.max); the config
        // store gives up after its 30 s, since our sends cannot be abandoned while in flight.
        props["delivery.timeout.ms"] = String(deliveryTimeoutMs)
        props["acks"] = "all"
        props["enable.idempotence"] = "true"
        props["auto.offset.reset"] = "earliest"
        props["enable.auto.commit"] = "false"
        props["group.id"] = nil
        return KafkaBasedLog(
            topic: topic,
            producerConfiguration: try KafkaProducerConfiguration(properties: props),
            consumerConfiguration: try KafkaConsumerConfiguration(properties: props),
            logger: logger,
            consumed: consumed
        )
    }
}
