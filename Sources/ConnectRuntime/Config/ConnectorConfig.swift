import ConnectAPI
import ConnectTransforms

/// A connector's configuration as the runtime reads it (Kafka's `ConnectorConfig`,
/// `SourceConnectorConfig`, `SinkConnectorConfig`): the framework's keys with Kafka's names and
/// defaults. The connector's own keys pass through untouched in ``originals``.
public struct ConnectorConfig: Sendable {
    /// `name`
    public static let nameConfig = "name"
    /// `connector.class`
    public static let connectorClassConfig = "connector.class"
    /// `tasks.max`
    public static let tasksMaxConfig = "tasks.max"
    /// `tasks.max.enforce`
    public static let tasksMaxEnforceConfig = "tasks.max.enforce"
    /// `transforms`
    public static let transformsConfig = "transforms"
    /// `predicates`
    public static let predicatesConfig = "predicates"
    /// `errors.tolerance`
    public static let errorsToleranceConfig = "errors.tolerance"
    /// `task.class`, added to every task configuration.
    public static let taskClassConfig = "task.class"

    /// How record-level errors are handled (`errors.tolerance`).
    public enum ErrorTolerance: String, Sendable, Hashable {
        /// Any error fails the task.
        case none
        /// Problem records are skipped.
        case all
    }

    /// The keys of every connector (Kafka's `ConnectorConfig.configDef()`).
    public static let commonDefinition = ConfigDef([
        ConfigKey(
            nameConfig,
            type: .string,
            validator: .nonEmptyStringWithoutControlChars,
            importance: .high,
            documentation: "Globally unique name to use for this connector.",
            group: "Common",
            orderInGroup: 1,
            width: .medium,
            displayName: "Connector name"
        ),
        ConfigKey(
            connectorClassConfig,
            type: .string,
            importance: .high,
            documentation: "Name or alias of the class for this connector.",
            group: "Common",
            orderInGroup: 2,
            width: .long,
            displayName: "Connector class"
        ),
        ConfigKey(
            tasksMaxConfig,
            type: .int,
            default: 1,
            validator: .atLeast(1),
            importance: .high,
            documentation: "Maximum number of tasks to use for this connector.",
            group: "Common",
            orderInGroup: 3,
            width: .short,
            displayName: "Tasks max"
        ),
        ConfigKey(
            tasksMaxEnforceConfig,
            type: .boolean,
            default: true,
            importance: .low,
            documentation: "(Deprecated) Whether to enforce that the tasks.max property is respected.",
            group: "Common",
            orderInGroup: 4,
            isInternal: true
        ),
        ConfigKey(
            "key.converter",
            type: .class,
            default: nil,
            importance: .low,
            documentation: "Converter class used for record keys; overrides the worker's.",
            group: "Common",
            orderInGroup: 5,
            displayName: "Key converter class"
        ),
        ConfigKey(
            "value.converter",
            type: .class,
            default: nil,
            importance: .low,
            documentation: "Converter class used for record values; overrides the worker's.",
            group: "Common",
            orderInGroup: 6,
            displayName: "Value converter class"
        ),
        ConfigKey(
            "header.converter",
            type: .class,
            default: nil,
            importance: .low,
            documentation: "HeaderConverter class used for record headers; overrides the worker's.",
            group: "Common",
            orderInGroup: 7,
            displayName: "Header converter class"
        ),
        ConfigKey(
            "config.action.reload",
            type: .string,
            default: "restart",
            validator: .validString(in: ["none", "restart"]),
            importance: .low,
            documentation: "The action Connect performs when a config provider reports a change (none or restart).",
            group: "Common",
            orderInGroup: 8
        ),
        ConfigKey(
            transformsConfig,
            type: .list,
            default: "",
            validator: uniqueAliases,
            importance: .low,
            documentation: "Aliases for the transformations to be applied to records.",
            group: "Transforms",
            displayName: "Transforms"
        ),
        ConfigKey(
            predicatesConfig,
            type: .list,
            default: "",
            validator: uniqueAliases,
            importance: .low,
            documentation: "Aliases for the predicates used by transformations.",
            group: "Predicates",
            displayName: "Predicates"
        ),
        ConfigKey(
            "errors.retry.timeout",
            type: .long,
            default: 0,
            importance: .medium,
            documentation: "The maximum duration in milliseconds that a failed operation will be reattempted; 0 "
                + "means no retries, -1 infinite.",
            group: "Error Handling",
            orderInGroup: 1
        ),
        ConfigKey(
            "errors.retry.delay.max.ms",
            type: .long,
            default: 60000,
            importance: .medium,
            documentation: "The maximum duration in milliseconds between consecutive retry attempts.",
            group: "Error Handling",
            orderInGroup: 2
        ),
        ConfigKey(
            errorsToleranceConfig,
            type: .string,
            default: "none",
            validator: .validString(in: ["none", "all"]),
            importance: .medium,
            documentation: "Behavior for tolerating errors during connector operation: 'none' fails the task, 'all' "
                + "skips problematic records.",
            group: "Error Handling",
            orderInGroup: 3
        ),
        ConfigKey(
            "errors.log.enable",
            type: .boolean,
            default: false,
            importance: .medium,
            documentation: "If true, write each error and the details of the failed operation to the log.",
            group: "Error Handling",
            orderInGroup: 4
        ),
        ConfigKey(
            "errors.log.include.messages",
            type: .boolean,
            default: false,
            importance: .medium,
            documentation: "Whether to include in the log the Connect record that resulted in a failure.",
            group: "Error Handling",
            orderInGroup: 5
        ),
        // SwiftConnect: automatic restart of FAILED tasks (not in Kafka).
        ConfigKey(
            "errors.task.restart.enable",
            type: .boolean,
            default: false,
            importance: .medium,
            documentation: "(SwiftConnect) Restart a FAILED task automatically, with exponential backoff, up to "
                + "errors.task.restart.max.attempts times; the task status shows the restarts.",
            group: "Error Handling",
            orderInGroup: 9
        ),
        ConfigKey(
            "errors.task.restart.max.attempts",
            type: .int,
            default: 3,
            validator: .atLeast(0),
            importance: .low,
            documentation: "(SwiftConnect) How many times a task is restarted automatically before it stays FAILED.",
            group: "Error Handling",
            orderInGroup: 10
        ),
        ConfigKey(
            "errors.task.restart.backoff.initial.ms",
            type: .long,
            default: 1000,
            validator: .atLeast(0),
            importance: .low,
            documentation: "(SwiftConnect) The wait before the first automatic restart; doubled for each further one.",
            group: "Error Handling",
            orderInGroup: 11
        ),
        ConfigKey(
            "errors.task.restart.backoff.max.ms",
            type: .long,
            default: 60000,
            validator: .atLeast(0),
            importance: .low,
            documentation: "(SwiftConnect) The longest wait between automatic restarts.",
            group: "Error Handling",
            orderInGroup: 12
        ),
    ])

    /// The dead letter queue keys: Kafka's for sink connectors, SwiftConnect's also for source ones.
    static let deadLetterQueueKeys = [
        ConfigKey(
            "errors.deadletterqueue.topic.name",
            type: .string,
            default: "",
            importance: .medium,
            documentation: "The name of the topic to be used as the dead letter queue.",
            group: "Error Handling",
            orderInGroup: 6
        ),
        ConfigKey(
            "errors.deadletterqueue.topic.replication.factor",
            type: .short,
            default: 3,
            importance: .medium,
            documentation: "Replication factor used to create the dead letter queue topic.",
            group: "Error Handling",
            orderInGroup: 7
        ),
        ConfigKey(
            "errors.deadletterqueue.context.headers.enable",
            type: .boolean,
            default: false,
            importance: .medium,
            documentation: "If true, add headers containing error context to the dead letter queue messages.",
            group: "Error Handling",
            orderInGroup: 8
        ),
    ]

    /// The keys of source connectors (Kafka's `SourceConnectorConfig`): the common keys plus topic
    /// creation and exactly-once keys.
    public static let sourceDefinition: ConfigDef = {
        var definition = commonDefinition
        let keys =
            [
                ConfigKey(
                    "topic.creation.groups",
                    type: .list,
                    default: "",
                    importance: .low,
                    documentation: "Groups of configurations for topics created by source connectors.",
                    group: "Topic Creation"
                ),
                ConfigKey(
                    "exactly.once.support",
                    type: .string,
                    default: "requested",
                    validator: .validString(in: ["requested", "required"]),
                    importance: .medium,
                    documentation: "Whether exactly-once support is required (not available in standalone mode).",
                    group: "Exactly Once Support"
                ),
                ConfigKey(
                    "transaction.boundary",
                    type: .string,
                    default: "poll",
                    validator: .validString(in: ["poll", "interval", "connector"]),
                    importance: .medium,
                    documentation: "How transactions are defined (exactly-once only).",
                    group: "Exactly Once Support"
                ),
                ConfigKey(
                    "transaction.boundary.interval.ms",
                    type: .long,
                    default: nil,
                    importance: .low,
                    documentation: "Transaction commit interval with transaction.boundary=interval.",
                    group: "Exactly Once Support"
                ),
                ConfigKey(
                    "offsets.storage.topic",
                    type: .string,
                    default: nil,
                    importance: .low,
                    documentation: "A separate offsets topic for this connector (distributed mode only).",
                    group: "Offsets Topic"
                ),
            ] + deadLetterQueueKeys
        for key in keys { try? definition.define(key) }
        return definition
    }()

    /// The keys of sink connectors (Kafka's `SinkConnectorConfig`).
    public static let sinkDefinition: ConfigDef = {
        var definition = commonDefinition
        let keys =
            [
                ConfigKey(
                    "topics",
                    type: .list,
                    default: "",
                    importance: .high,
                    documentation: "List of topics to consume, separated by commas.",
                    group: "Common",
                    orderInGroup: 4
                ),
                ConfigKey(
                    "topics.regex",
                    type: .string,
                    default: "",
                    importance: .high,
                    documentation: "Regular expression giving topics to consume.",
                    group: "Common",
                    orderInGroup: 4
                ),
            ] + deadLetterQueueKeys
        for key in keys { try? definition.define(key) }
        return definition
    }()

    private static let uniqueAliases = ConfigValidator(description: "unique aliases") {
        name,
        value throws(ConfigError) in
        guard case .list(let aliases)? = value, Set(aliases).count != aliases.count else { return }
        throw ConfigError(name: name, parsedValue: value, reason: "Duplicate alias provided.")
    }

    /// The configuration as given.
    public let originals: [String: String]
    /// `name`.
    public let name: String
    /// `connector.class` as given.
    public let connectorClass: String
    /// `tasks.max`. Default: 1.
    public let tasksMax: Int
    /// `tasks.max.enforce`. Default: true.
    public let tasksMaxEnforce: Bool
    /// `errors.tolerance`. Default: none.
    public let errorTolerance: ErrorTolerance

    /// Parses the framework's keys with `definition` (``sourceDefinition`` or ``sinkDefinition``).
    /// - Throws: ``ConfigError`` naming the first missing or invalid key.
    public init(_ props: [String: String], definition: ConfigDef = ConnectorConfig.commonDefinition) throws(ConfigError)
    {
        let config = try ParsedConfig(definition: definition, originals: props)
        originals = props
        name = try config.string(Self.nameConfig) ?? ""
        connectorClass = try config.string(Self.connectorClassConfig) ?? ""
        tasksMax = Int(try config.int(Self.tasksMaxConfig))
        tasksMaxEnforce = try config.bool(Self.tasksMaxEnforceConfig)
        errorTolerance = ErrorTolerance(rawValue: try config.string(Self.errorsToleranceConfig) ?? "none") ?? .none
    }

    /// The connector's settings under `prefix`, prefix removed.
    public func originals(withPrefix prefix: String) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in originals where key.hasPrefix(prefix) {
            result[String(key.dropFirst(prefix.count))] = value
        }
        return result
    }

    // MARK: Validation

    /// Validates a connector configuration as Kafka's `AbstractHerder.validateConnectorConfig` does,
    /// collecting every problem: the framework's keys (source or sink), the connector's own
    /// ``Connector/configDef``, the transforms and predicates, connector-level converters and their
    /// prefixed settings, and the client overrides allowed by the worker's policy.
    /// - Returns: One ``ConfigValue`` per key; ``ConfigValidation/firstError`` gives the first problem.
    public static func validate(
        _ props: [String: String],
        plugin: ConnectorPlugin,
        plugins: PluginRegistry,
        overridePolicy: ConnectorClientConfigOverridePolicy
    ) async -> ConfigValidation {
        let framework = plugin.type == .source ? sourceDefinition : sinkDefinition
        var values = framework.validate(props)
        values += await plugin.validate(props).configValues.filter { framework[$0.name] == nil }
        let transforms = plugins.transformations.configDef(forConnectorConfig: props)
        values += transforms.validate(props)
        for role in ["key", "value", "header"] {
            let classKey = "\(role).converter"
            guard let className = props[classKey] else { continue }
            let definition: ConfigDef?
            if role == "header" {
                definition = plugins.converters.headerConverterType(named: className)?.configDef
            } else {
                definition = plugins.converters.converterType(named: className)?.configDef
            }
            guard let definition else {
                if let index = values.firstIndex(where: { $0.name == classKey }) {
                    values[index].addErrorMessage(
                        ConfigError(name: classKey, value: className, reason: "Class \(className) could not be found.")
                            .message
                    )
                }
                continue
            }
            var settings: [String: String] = [:]
            for (key, value) in props where key.hasPrefix(classKey + ".") {
                settings[String(key.dropFirst(classKey.count + 1))] = value
            }
            settings[ConverterConfig.typeConfig] = role
            for var value in definition.validate(settings) where value.name != ConverterConfig.typeConfig {
                value.name = classKey + "." + value.name
                values.append(value)
            }
        }
        if plugin.type == .sink {
            let topics = props["topics"].map { !$0.allSatisfy(\.isWhitespace) } ?? false
            let regex = props["topics.regex"].map { !$0.allSatisfy(\.isWhitespace) } ?? false
            let message: String? =
                topics && regex
                ? "topics and topics.regex are mutually exclusive options, but both are set."
                : (!topics && !regex ? "Must configure one of topics or topics.regex" : nil)
            if let message {
                for index in values.indices where values[index].name == "topics" || values[index].name == "topics.regex"
                {
                    values[index].addErrorMessage(message)
                }
            }
        }
        for prefix in ["producer.override.", "consumer.override.", "admin.override."] {
            for key in props.keys.sorted() where key.hasPrefix(prefix) {
                let clientKey = String(key.dropFirst(prefix.count))
                guard !overridePolicy.allows(clientKey) else { continue }
                var value = ConfigValue(name: key, value: props[key].map { .string($0) })
                value.addErrorMessage(
                    "The '\(overridePolicy.rawValue)' policy does not allow '\(clientKey)' to be overridden in the "
                        + "connector configuration."
                )
                values.append(value)
            }
        }
        return ConfigValidation(values: values)
    }
}

/// The result of validating a connector configuration.
public struct ConfigValidation: Sendable, Hashable {
    /// One result per key.
    public var values: [ConfigValue]

    /// The number of error messages.
    public var errorCount: Int { values.reduce(0) { $0 + $1.errorMessages.count } }

    /// The first problem as a ``ConfigError`` naming its key, or `nil` when the configuration is valid.
    public var firstError: ConfigError? {
        guard let value = values.first(where: { !$0.errorMessages.isEmpty }) else { return nil }
        return ConfigError(value.errorMessages[0], name: value.name)
    }

    /// Kafka's message for a rejected configuration:
    /// `Connector configuration is invalid and contains the following N error(s): …`.
    public var errorMessage: String? {
        guard errorCount > 0 else { return nil }
        var message = "Connector configuration is invalid and contains the following \(errorCount) error(s):"
        for value in values { for error in value.errorMessages { message += "\n" + error } }
        message +=
            "\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"
        return message
    }
}
