import ConnectAPI
import KafkaNIO
import Logging

/// A distributed worker's configuration (Kafka's `DistributedConfig`): the common worker keys plus
/// the group and the three internal topics, with Kafka's names and defaults.
///
/// Only the keys the internal topic stores use are defined so far; the group protocol's keys
/// (`connect.protocol`, `scheduled.rebalance.max.delay.ms`, session and heartbeat timeouts, ...)
/// come with the worker coordinator (docs/distributed.md).
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

    /// Parses a distributed worker's configuration.
    /// - Throws: ``ConfigError`` naming the first missing or invalid key, e.g. a missing `group.id`.
    public init(_ props: [String: String]) throws(ConfigError) {
        worker = try WorkerConfig(props, definition: Self.definition)
        let config = try ParsedConfig(definition: Self.definition, originals: props)
        groupID = try config.string(Self.groupIDConfig) ?? ""
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

    /// A ``KafkaBasedLog`` on `topic` with this worker's client settings, `acks=all`, idempotence
    /// and `delivery.timeout.ms` = `deliveryTimeoutMs`.
    /// - Throws: ``KafkaError/invalidConfiguration(property:reason:)`` for client settings the
    ///   Kafka client refuses.
    public func makeLog(
        _ topic: InternalTopicSettings,
        clientIDSuffix: String,
        deliveryTimeoutMs: Int = Int(Int32.max),
        logger: Logger,
        consumed: @escaping @Sendable (KafkaConsumerRecord) -> Void
    ) throws -> KafkaBasedLog {
        var props = clientProperties(clientIDSuffix: clientIDSuffix)
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
