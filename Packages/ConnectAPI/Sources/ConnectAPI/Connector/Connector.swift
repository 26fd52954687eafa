/// A connector: the plugin that validates a configuration, splits the work into task configurations
/// and watches the external system for changes (Kafka's `Connector`). Implement ``SourceConnector`` or
/// ``SinkConnector``.
///
/// The runtime creates a connector with ``init()``, calls `initialize(context:)`, then
/// ``start(configs:)`` with the resolved configuration (config-provider placeholders substituted,
/// including `name` and `connector.class`), then ``taskConfigs(maxTasks:)`` — again whenever the
/// connector calls ``ConnectorContext/requestTaskReconfiguration()`` — and ``stop()`` when the
/// connector is paused, stopped, deleted, reconfigured or moved. ``validate(configs:)`` and
/// `alterOffsets` may be called on a fresh instance that was never started.
///
/// Connectors are `Sendable` and their methods non-mutating: keep state in an `actor` (its isolated
/// `async` methods satisfy the requirements) or behind a lock.
///
/// ```swift
/// actor FileStreamSourceConnector: SourceConnector {
///     typealias TaskType = FileStreamSourceTask
///     static let version = "1.0.0"
///     static let configDef = ConfigDef([…])
///     private var configs: [String: String] = [:]
///     init() {}
///     func start(configs: [String: String]) async throws { self.configs = configs }
///     func taskConfigs(maxTasks: Int) async throws -> [[String: String]] { [configs] }
///     func stop() async {}
/// }
/// ```
public protocol Connector: Sendable {
    /// The task implementation this connector's task configurations are for.
    associatedtype TaskType: ConnectorTask

    /// Creates an unstarted connector (the runtime does this for every lifecycle and for validation).
    init()

    /// The plugin's version, shown by `GET /connector-plugins`.
    static var version: String { get }

    /// The connector's own configuration keys (Kafka's `config()`); the runtime adds the framework's
    /// keys (`name`, `connector.class`, `tasks.max`, …) when validating.
    static var configDef: ConfigDef { get }

    /// The task type (Kafka's `taskClass()`); defaults to `TaskType.self`.
    static var taskType: TaskType.Type { get }

    /// Validates a configuration before it is accepted (Kafka's `validate`). The default validates
    /// against ``configDef`` with ``ConfigDef/validate(_:)``; override to add cross-key checks.
    func validate(configs: [String: String]) async -> Config

    /// Starts the connector with its resolved configuration.
    /// - Throws: Any error; the connector goes to `FAILED`.
    func start(configs: [String: String]) async throws

    /// Applies a new configuration (Kafka's `reconfigure`); the default stops and starts again. The
    /// runtime normally restarts the connector instead of calling this.
    func reconfigure(configs: [String: String]) async throws

    /// Splits the work into at most `maxTasks` task configurations; each is given to one task's
    /// ``ConnectorTask/start(configs:)``.
    func taskConfigs(maxTasks: Int) async throws -> [[String: String]]

    /// Stops the connector and releases its resources.
    func stop() async
}

extension Connector {
    /// `TaskType.self`.
    public static var taskType: TaskType.Type { TaskType.self }

    /// Validates against ``configDef``.
    public func validate(configs: [String: String]) async -> Config {
        Config(configValues: Self.configDef.validate(configs))
    }

    /// Stops, then starts with the new configuration.
    public func reconfigure(configs: [String: String]) async throws {
        await stop()
        try await start(configs: configs)
    }
}
