import ConnectAPI
import ConnectJSON
import ConnectTransforms

/// A connector plugin the runtime can instantiate: its class name, kind, version, configuration keys
/// and factories for the connector and its tasks.
public struct ConnectorPlugin: Sendable {
    /// Source or sink (`GET /connector-plugins` shows `source`/`sink`).
    public enum PluginType: String, Sendable, Hashable, Codable {
        /// A source connector.
        case source
        /// A sink connector.
        case sink
    }

    /// The class name, e.g. `org.apache.kafka.connect.file.FileStreamSourceConnector`.
    public let className: String
    /// Source or sink.
    public let type: PluginType
    /// The plugin's version.
    public let version: String
    /// The connector's own configuration keys.
    public let configDef: ConfigDef
    /// A new, unstarted source connector (source plugins).
    let makeSourceConnector: (@Sendable () -> any SourceConnector)?
    /// A new, unstarted source task (source plugins).
    let makeSourceTask: (@Sendable () -> any SourceTask)?
    /// A new, unstarted sink connector (sink plugins).
    let makeSinkConnector: (@Sendable () -> any SinkConnector)?
    /// A new, unstarted sink task (sink plugins).
    let makeSinkTask: (@Sendable () -> any SinkTask)?

    /// A new, unstarted connector.
    public func makeConnector() -> any Connector {
        if let makeSourceConnector { return makeSourceConnector() }
        return makeSinkConnector!()
    }

    /// Validates with a fresh connector instance (``Connector/validate(configs:)``).
    func validate(_ props: [String: String]) async -> Config {
        await makeConnector().validate(configs: props)
    }

    /// The `task.class` given to tasks: the class name with its `Connector` suffix replaced by `Task`
    /// (`…FileStreamSourceConnector` → `…FileStreamSourceTask`, as Kafka's task class is named).
    public var taskClassName: String {
        className.hasSuffix("Connector") ? String(className.dropLast("Connector".count)) + "Task" : className + "Task"
    }

    /// Kafka's aliases: the simple class name, and the simple name without a `Connector` suffix.
    public var aliases: [String] {
        let simple = className.split(whereSeparator: { $0 == "." || $0 == "$" }).last.map(String.init) ?? className
        var aliases = [simple]
        if simple.hasSuffix("Connector") && simple.count > "Connector".count {
            aliases.append(String(simple.dropLast("Connector".count)))
        }
        return aliases
    }
}

/// The plugins a worker can use (Kafka's plugin scanning, as a value): connectors by class name and
/// alias, converters (``ConverterRegistry``) and transforms/predicates (``TransformationRegistry``).
/// The runtime knows no connector by itself; the CLI registers the built-ins, tests their fakes.
///
/// ```swift
/// var plugins = PluginRegistry.kafkaBuiltIns
/// plugins.register(source: FileStreamSourceConnector.self, className: FileStreamSourceConnector.className)
/// ```
public struct PluginRegistry: Sendable {
    /// Converters and header converters.
    public var converters: ConverterRegistry
    /// Transforms and predicates.
    public var transformations: TransformationRegistry
    private var plugins: [ConnectorPlugin] = []
    /// Versions of converters, transforms and predicates that came from plugins (built-ins report
    /// ``ConnectVersion/version``).
    private var classVersions: [String: String] = [:]

    /// A registry with the given converters and transforms and no connectors.
    public init(
        converters: ConverterRegistry = .kafkaBuiltIns(),
        transformations: TransformationRegistry = .kafkaBuiltIns
    ) {
        self.converters = converters
        self.transformations = transformations
    }

    /// Every converter and transform Kafka ships, no connectors.
    public static var kafkaBuiltIns: PluginRegistry { PluginRegistry() }

    /// The registered connectors, in registration order.
    public var connectorPlugins: [ConnectorPlugin] { plugins }

    /// Registers a source connector under a class name (replacing an earlier registration of it).
    public mutating func register<C: SourceConnector>(source type: C.Type, className: String) {
        plugins.removeAll { $0.className == className }
        plugins.append(
            ConnectorPlugin(
                className: className,
                type: .source,
                version: C.version,
                configDef: C.configDef,
                makeSourceConnector: { C() },
                makeSourceTask: { C.TaskType() },
                makeSinkConnector: nil,
                makeSinkTask: nil
            )
        )
    }

    /// Registers a sink connector under a class name (replacing an earlier registration of it).
    public mutating func register<C: SinkConnector>(sink type: C.Type, className: String) {
        plugins.removeAll { $0.className == className }
        plugins.append(
            ConnectorPlugin(
                className: className,
                type: .sink,
                version: C.version,
                configDef: C.configDef,
                makeSourceConnector: nil,
                makeSourceTask: nil,
                makeSinkConnector: { C() },
                makeSinkTask: { C.TaskType() }
            )
        )
    }

    /// Sets the version reported for a converter, transform or predicate class (one from a plugin).
    public mutating func setPluginVersion(_ version: String, forClass className: String) {
        classVersions[className] = version
    }

    /// The version reported for a converter, transform or predicate class: its plugin's version, or
    /// ``ConnectVersion/version`` for built-ins.
    public func version(ofClass className: String) -> String {
        classVersions[className] ?? ConnectVersion.version
    }

    /// The connector registered under a class name or an alias that only one plugin has.
    public func connectorPlugin(named name: String) -> ConnectorPlugin? {
        if let exact = plugins.first(where: { $0.className == name }) { return exact }
        let matches = plugins.filter { $0.aliases.contains(name) }
        return matches.count == 1 ? matches[0] : nil
    }

    /// Like ``connectorPlugin(named:)`` but throws Kafka's error for an unknown name.
    /// - Throws: ``ConfigError`` on `connector.class`.
    public func requireConnectorPlugin(named name: String) throws(ConfigError) -> ConnectorPlugin {
        guard let plugin = connectorPlugin(named: name) else {
            let known = plugins.flatMap { [$0.className] + $0.aliases }.joined(separator: ", ")
            throw ConfigError(
                name: ConnectorConfig.connectorClassConfig,
                value: name,
                reason: "Failed to find any class that implements Connector and which name matches \(name); "
                    + "available connectors are: \(known)"
            )
        }
        return plugin
    }
}
