import ConnectAPI
import Synchronization

/// Drives a connector the way the worker does: `initialize(context:)`, `start(configs:)` with the
/// runtime's keys added, `taskConfigs(maxTasks:)` with `task.class` (and a sink's `topics`) copied in,
/// `stop()`; and `validate(configs:)` on a fresh instance.
///
/// ```swift
/// let connector = ConnectorHarness(MySourceConnector.self)
/// try await connector.start(["directory": path, "topic": "t", "tasks.max": "2"])
/// let taskConfigs = try await connector.taskConfigs()
/// ```
public actor ConnectorHarness<C: Connector> {
    /// The connector instance.
    public nonisolated let connector: C
    /// The connector's name (the worker's `name` key).
    public nonisolated let name: String
    /// The class name the connector is registered under (`connector.class`); its tasks get
    /// `task.class` derived from it as the worker derives it.
    public nonisolated let className: String
    /// What the connector asked of the runtime.
    public nonisolated let context: TestConnectorContext

    private var startedConfigs: [String: String]?

    /// A harness around a new connector instance.
    /// - Parameters:
    ///   - name: The connector's name.
    ///   - className: Its class name; defaults to the Swift type's name.
    ///   - offsets: The connector's committed source offsets (`SourceConnectorContext`).
    public init(
        _ type: C.Type = C.self,
        name: String = "test-connector",
        className: String? = nil,
        offsets: InMemoryOffsetStore = InMemoryOffsetStore()
    ) {
        self.connector = C()
        self.name = name
        self.className = className ?? String(reflecting: C.self)
        self.context = TestConnectorContext(offsetStorageReader: offsets)
    }

    /// The configuration the connector was started with (with `name`, `connector.class` and
    /// `tasks.max` filled in), or `nil` before ``start(_:)``.
    public var configs: [String: String]? { startedConfigs }

    /// The class name of the connector's tasks: `…Connector` becomes `…Task` (the worker's rule).
    public nonisolated var taskClassName: String {
        className.hasSuffix("Connector") ? String(className.dropLast("Connector".count)) + "Task" : className + "Task"
    }

    /// `initialize(context:)` then `start(configs:)` with `configs` plus `name`, `connector.class`
    /// and `tasks.max` (1) where absent, as the worker passes them.
    public func start(_ configs: [String: String]) async throws {
        guard startedConfigs == nil else { throw ConnectTestingError("The connector was started already") }
        var configs = configs
        if configs["name"] == nil { configs["name"] = name }
        if configs["connector.class"] == nil { configs["connector.class"] = className }
        if configs["tasks.max"] == nil { configs["tasks.max"] = "1" }
        if let source = connector as? any SourceConnector {
            await source.initialize(context: context)
        } else if let sink = connector as? any SinkConnector {
            await sink.initialize(context: context)
        }
        try await connector.start(configs: configs)
        startedConfigs = configs
    }

    /// The connector's task configurations for `tasks.max` (or `maxTasks`), each with `task.class`
    /// and, for sinks, the connector's `topics`/`topics.regex`, as the worker hands them to tasks.
    /// - Throws: ``ConnectTestingError`` when the connector returns more configurations than allowed
    ///   (the worker fails the connector, `tasks.max.enforce=true`), or what the connector throws.
    public func taskConfigs(maxTasks: Int? = nil) async throws -> [[String: String]] {
        guard let startedConfigs else { throw ConnectTestingError("Call start(_:) before taskConfigs()") }
        guard let limit = maxTasks ?? Int(startedConfigs["tasks.max"] ?? "1"), limit >= 1 else {
            throw ConnectTestingError("tasks.max must be a positive integer")
        }
        let configs = try await connector.taskConfigs(maxTasks: limit)
        if configs.count > limit {
            throw ConnectTestingError(
                "The connector \(name) has generated \(configs.count) tasks, which is greater than \(limit), "
                    + "the maximum number of tasks it is configured to create."
            )
        }
        let isSink = connector is any SinkConnector
        return configs.map { config in
            var config = config
            config["task.class"] = taskClassName
            if isSink {
                for key in ["topics", "topics.regex"] {
                    if let value = startedConfigs[key] { config[key] = value }
                }
            }
            return config
        }
    }

    /// `stop()`, once.
    public func stop() async {
        guard startedConfigs != nil else { return }
        startedConfigs = nil
        await connector.stop()
    }

    /// Validates `configs` with a fresh connector instance, as `PUT /connector-plugins/…/config/validate`
    /// does for the connector's own keys (the worker adds its framework keys: `name`, `tasks.max`,
    /// converters, transforms…; an embedded worker checks those).
    public static func validate(_ configs: [String: String]) async -> ConfigValidation {
        ConfigValidation(await C().validate(configs: configs))
    }
}

/// The result of a connector's `validate(configs:)`, with the errors by key.
public struct ConfigValidation: Sendable {
    /// What `validate(configs:)` returned.
    public let config: Config

    /// Wraps a validation result.
    public init(_ config: Config) {
        self.config = config
    }

    /// The error messages of every key that has some.
    public var errors: [String: [String]] {
        var errors: [String: [String]] = [:]
        for value in config.configValues where !value.errorMessages.isEmpty {
            errors[value.name, default: []] += value.errorMessages
        }
        return errors
    }

    /// Whether no key has an error.
    public var isValid: Bool { config.errorCount == 0 }

    /// The error messages of one key (empty when it is valid or unknown).
    public subscript(key: String) -> [String] { errors[key] ?? [] }
}

/// The context a harnessed connector gets; records what the connector asks of the runtime.
public final class TestConnectorContext: SourceConnectorContext, SinkConnectorContext {
    private struct State {
        var reconfigurationRequests = 0
        var raisedErrors: [any Error] = []
    }

    /// The committed source offsets.
    public let offsetStorageReader: any OffsetStorageReader
    private let state = Mutex(State())

    /// A context reading `offsetStorageReader`.
    public init(offsetStorageReader: any OffsetStorageReader = InMemoryOffsetStore()) {
        self.offsetStorageReader = offsetStorageReader
    }

    /// How many times the connector called `requestTaskReconfiguration()`.
    public var reconfigurationRequests: Int { state.withLock { $0.reconfigurationRequests } }

    /// The errors the connector raised (the worker would mark it FAILED).
    public var raisedErrors: [any Error] { state.withLock { $0.raisedErrors } }

    public func requestTaskReconfiguration() {
        state.withLock { $0.reconfigurationRequests += 1 }
    }

    public func raiseError(_ error: any Error) {
        state.withLock { $0.raisedErrors.append(error) }
    }
}
