import ConnectAPI

/// A worker's configuration (Kafka's `WorkerConfig` + `StandaloneConfig`): Kafka's keys and defaults,
/// parsed and validated with ``ConfigDef``.
///
/// Keys under `producer.`, `consumer.` and `admin.` configure the Kafka clients the worker creates
/// for tasks; `key.converter.*`, `value.converter.*` and `header.converter.*` configure the worker's
/// default converters; `config.providers.<alias>.*` declares config providers.
public struct WorkerConfig: Sendable {
    /// `bootstrap.servers`
    public static let bootstrapServersConfig = "bootstrap.servers"
    /// `key.converter`
    public static let keyConverterConfig = "key.converter"
    /// `value.converter`
    public static let valueConverterConfig = "value.converter"
    /// `header.converter`
    public static let headerConverterConfig = "header.converter"
    /// `offset.storage.file.filename` (standalone)
    public static let offsetStorageFileNameConfig = "offset.storage.file.filename"
    /// `offset.flush.interval.ms`
    public static let offsetFlushIntervalConfig = "offset.flush.interval.ms"
    /// `offset.flush.timeout.ms`
    public static let offsetFlushTimeoutConfig = "offset.flush.timeout.ms"
    /// `task.shutdown.graceful.timeout.ms`
    public static let taskShutdownGracefulTimeoutConfig = "task.shutdown.graceful.timeout.ms"
    /// `listeners`
    public static let listenersConfig = "listeners"
    /// `plugin.path`
    public static let pluginPathConfig = "plugin.path"
    /// `config.providers`
    public static let configProvidersConfig = "config.providers"
    /// `connector.client.config.override.policy`
    public static let overridePolicyConfig = "connector.client.config.override.policy"
    /// `topic.creation.enable`
    public static let topicCreationEnableConfig = "topic.creation.enable"
    /// `topic.tracking.enable`
    public static let topicTrackingEnableConfig = "topic.tracking.enable"
    /// `topic.tracking.allow.reset`
    public static let topicTrackingAllowResetConfig = "topic.tracking.allow.reset"
    /// Kafka's default header converter.
    public static let defaultHeaderConverter = "org.apache.kafka.connect.storage.SimpleHeaderConverter"

    /// The keys every worker has (Kafka's `WorkerConfig.baseConfigDef()`, the subset this runtime reads
    /// plus the common keys it accepts and ignores).
    public static let commonDefinition = ConfigDef([
        ConfigKey(
            bootstrapServersConfig,
            type: .list,
            default: "localhost:9092",
            importance: .high,
            documentation: "A list of host/port pairs used to establish the initial connection to the Kafka cluster."
        ),
        ConfigKey(
            keyConverterConfig,
            type: .class,
            importance: .high,
            documentation: "Converter class used to convert between Kafka Connect format and the serialized form that "
                + "is written to Kafka (record keys)."
        ),
        ConfigKey(
            valueConverterConfig,
            type: .class,
            importance: .high,
            documentation: "Converter class used to convert between Kafka Connect format and the serialized form that "
                + "is written to Kafka (record values)."
        ),
        ConfigKey(
            headerConverterConfig,
            type: .class,
            default: .value(.class(defaultHeaderConverter)),
            importance: .low,
            documentation: "HeaderConverter class used to convert between Kafka Connect format and the serialized "
                + "form that is written to Kafka (record headers)."
        ),
        ConfigKey(
            taskShutdownGracefulTimeoutConfig,
            type: .long,
            default: 5000,
            importance: .low,
            documentation: "Amount of time to wait for tasks to shutdown gracefully, in total across all tasks."
        ),
        ConfigKey(
            offsetFlushIntervalConfig,
            type: .long,
            default: 60000,
            importance: .low,
            documentation: "Interval at which to try committing offsets for tasks."
        ),
        ConfigKey(
            offsetFlushTimeoutConfig,
            type: .long,
            default: 5000,
            importance: .low,
            documentation: "Maximum number of milliseconds to wait for records to flush and partition offset data to "
                + "be committed to offset storage before cancelling the process and restoring the offset data to be "
                + "committed in a future attempt."
        ),
        ConfigKey(
            listenersConfig,
            type: .list,
            default: "http://:8083",
            importance: .low,
            documentation: "List of comma-separated URIs the REST API will listen on."
        ),
        ConfigKey(
            pluginPathConfig,
            type: .list,
            default: nil,
            importance: .low,
            documentation:
                "List of comma-separated directories holding plugin folders (each with a plugin.json and "
                + "its library), loaded at start-up; see docs/plugins.md."
        ),
        ConfigKey(
            configProvidersConfig,
            type: .list,
            default: "",
            importance: .low,
            documentation: "Comma-separated names of ConfigProvider classes, loaded and used in the order specified."
        ),
        ConfigKey(
            overridePolicyConfig,
            type: .string,
            default: "All",
            validator: ConnectorClientConfigOverridePolicy.validator,
            importance: .medium,
            documentation: "Which client configurations connectors may override: All, None or Principal."
        ),
        ConfigKey(
            topicCreationEnableConfig,
            type: .boolean,
            default: true,
            importance: .low,
            documentation: "Whether to allow automatic creation of topics used by source connectors."
        ),
        ConfigKey(
            topicTrackingEnableConfig,
            type: .boolean,
            default: true,
            importance: .low,
            documentation: "Enable tracking the set of active topics per connector during runtime."
        ),
        ConfigKey(
            topicTrackingAllowResetConfig,
            type: .boolean,
            default: true,
            importance: .low,
            documentation: "If set to true, it allows user requests to reset the set of active topics per connector."
        ),
    ])

    /// The standalone worker's keys: ``commonDefinition`` plus `offset.storage.file.filename`.
    public static let standaloneDefinition: ConfigDef = {
        var definition = commonDefinition
        try? definition.define(
            ConfigKey(
                offsetStorageFileNameConfig,
                type: .string,
                importance: .high,
                documentation: "File to store offset data in."
            )
        )
        return definition
    }()

    /// The configuration as given (after config-provider placeholders were resolved).
    public let originals: [String: String]
    /// `bootstrap.servers`, as given.
    public let bootstrapServers: [String]
    /// `key.converter` (class name or alias).
    public let keyConverter: String
    /// `value.converter` (class name or alias).
    public let valueConverter: String
    /// `header.converter` (class name or alias). Default: SimpleHeaderConverter.
    public let headerConverter: String
    /// `offset.storage.file.filename`; `nil` outside standalone mode.
    public let offsetStorageFileName: String?
    /// `offset.flush.interval.ms`. Default: 60 s.
    public let offsetFlushInterval: Duration
    /// `offset.flush.timeout.ms`. Default: 5 s.
    public let offsetFlushTimeout: Duration
    /// `task.shutdown.graceful.timeout.ms`. Default: 5 s.
    public let taskShutdownGracefulTimeout: Duration
    /// `listeners`. Default: `http://:8083`.
    public let listeners: [String]
    /// `plugin.path`: directories of plugin folders. Default: none.
    public let pluginPath: [String]
    /// `connector.client.config.override.policy`. Default: `All`.
    public let overridePolicy: ConnectorClientConfigOverridePolicy
    /// `topic.creation.enable`. Default: true.
    public let topicCreationEnabled: Bool
    /// `config.providers`.
    public let configProviders: [String]
    /// `topic.tracking.enable`. Default: true.
    public let topicTrackingEnabled: Bool
    /// `topic.tracking.allow.reset`. Default: true.
    public let topicTrackingResetAllowed: Bool

    /// Parses a standalone worker's configuration.
    /// - Throws: ``ConfigError`` naming the first missing or invalid key.
    public init(standalone props: [String: String]) throws(ConfigError) {
        try self.init(props, definition: Self.standaloneDefinition)
    }

    /// Parses a worker configuration with the given definition.
    /// - Throws: ``ConfigError`` naming the first missing or invalid key.
    public init(_ props: [String: String], definition: ConfigDef) throws(ConfigError) {
        let config = try ParsedConfig(definition: definition, originals: props)
        originals = props
        bootstrapServers = try config.list(Self.bootstrapServersConfig)
        keyConverter = try config.className(Self.keyConverterConfig) ?? ""
        valueConverter = try config.className(Self.valueConverterConfig) ?? ""
        headerConverter = try config.className(Self.headerConverterConfig) ?? Self.defaultHeaderConverter
        offsetStorageFileName =
            definition[Self.offsetStorageFileNameConfig] == nil
            ? nil : try config.string(Self.offsetStorageFileNameConfig)
        offsetFlushInterval = .milliseconds(try config.long(Self.offsetFlushIntervalConfig))
        offsetFlushTimeout = .milliseconds(try config.long(Self.offsetFlushTimeoutConfig))
        taskShutdownGracefulTimeout = .milliseconds(try config.long(Self.taskShutdownGracefulTimeoutConfig))
        listeners = try config.list(Self.listenersConfig)
        // Kafka's default is null (no plugin directories).
        if case .list(let entries) = try config.value(Self.pluginPathConfig) {
            pluginPath = entries.filter { !$0.isEmpty }
        } else {
            pluginPath = []
        }
        overridePolicy =
            ConnectorClientConfigOverridePolicy(name: try config.string(Self.overridePolicyConfig) ?? "")
            ?? .all
        topicCreationEnabled = try config.bool(Self.topicCreationEnableConfig)
        configProviders = try config.list(Self.configProvidersConfig)
        topicTrackingEnabled = try config.bool(Self.topicTrackingEnableConfig)
        topicTrackingResetAllowed = try config.bool(Self.topicTrackingAllowResetConfig)
    }

    /// The worker's settings under `prefix` (e.g. `producer.`), prefix removed.
    public func originals(withPrefix prefix: String) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in originals where key.hasPrefix(prefix) {
            result[String(key.dropFirst(prefix.count))] = value
        }
        return result
    }
}

/// Which Kafka client settings a connector may override with `producer.override.*`,
/// `consumer.override.*` and `admin.override.*` (Kafka's `ConnectorClientConfigOverridePolicy`).
public enum ConnectorClientConfigOverridePolicy: String, Sendable, Hashable, CaseIterable {
    /// Every setting (the default).
    case all = "All"
    /// No setting.
    case none = "None"
    /// Only `sasl.jaas.config`, `sasl.mechanism` and `security.protocol`.
    case principal = "Principal"

    /// The policy for a pruned name (`All`), simple class name (`AllConnectorClientConfigOverridePolicy`)
    /// or Kafka's full class name.
    public init?(name: String) {
        let simple = name.split(separator: ".").last.map(String.init) ?? name
        let pruned =
            simple.hasSuffix("ConnectorClientConfigOverridePolicy")
            ? String(simple.dropLast("ConnectorClientConfigOverridePolicy".count)) : simple
        self.init(rawValue: pruned)
    }

    static let validator = ConfigValidator(description: "[All, None, Principal]") { name, value throws(ConfigError) in
        guard let value, ConnectorClientConfigOverridePolicy(name: value.description) != nil else {
            throw ConfigError(
                name: name,
                parsedValue: value,
                reason: "Class \(value?.description ?? "null") could not be found; use All, None or Principal"
            )
        }
    }

    /// Whether the policy lets a connector set `key` (without its `*.override.` prefix).
    public func allows(_ key: String) -> Bool {
        switch self {
        case .all: true
        case .none: false
        case .principal: ["sasl.jaas.config", "sasl.mechanism", "security.protocol"].contains(key)
        }
    }
}
