import ConnectAPI
import Logging

/// A connector as the REST API shows it (`GET /connectors/<name>`).
public struct ConnectorInfo: Sendable, Hashable {
    /// The name.
    public var name: String
    /// The configuration as submitted (placeholders unresolved).
    public var config: [String: String]
    /// The tasks.
    public var tasks: [ConnectorTaskID]
    /// Source or sink.
    public var type: ConnectorPlugin.PluginType?
}

/// A connector's and its tasks' statuses (`GET /connectors/<name>/status`).
public struct ConnectorStateInfo: Sendable, Hashable {
    /// The name.
    public var name: String
    /// The connector's status.
    public var connector: StatusInfo
    /// Each task's status, by task index.
    public var tasks: [(id: Int, status: StatusInfo)]
    /// Source or sink.
    public var type: ConnectorPlugin.PluginType?

    public static func == (lhs: ConnectorStateInfo, rhs: ConnectorStateInfo) -> Bool {
        lhs.name == rhs.name && lhs.connector == rhs.connector && lhs.type == rhs.type
            && lhs.tasks.map(\.id) == rhs.tasks.map(\.id) && lhs.tasks.map(\.status) == rhs.tasks.map(\.status)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(connector)
    }
}

/// Runs connectors in one process from configurations held in memory (Kafka's `StandaloneHerder`):
/// the command line (and later the REST API) hands it configurations; it validates them, starts the
/// connectors, asks them for task configurations, starts the tasks and answers status queries.
///
/// Its methods are shaped after the REST endpoints they will serve. Implemented now: create/update
/// (``putConnectorConfig(name:config:allowReplace:)``), delete, pause, resume, restart (connector and
/// all its tasks), connector list, info, config, task configs, status, validation, and task
/// reconfiguration requested by connectors.
///
/// Not implemented yet (REST issue): `PUT …/stop` (target state STOPPED), restart with
/// `includeTasks`/`onlyFailed`, single-task restart, `…/offsets` GET/PATCH/DELETE (through
/// `alterOffsets`), `…/topics`, `PATCH …/config`, connector plugin listing.
public actor StandaloneHerder {
    /// The worker running the connectors.
    public let worker: Worker
    private let logger: Logger

    private struct ConnectorState {
        var config: [String: String]
        var targetState: TargetState
        var taskConfigs: [[String: String]]
    }

    /// Connector names in creation order.
    private var names: [String] = []
    private var states: [String: ConnectorState] = [:]
    private var eventTask: Task<Void, Never>?

    /// A herder for `worker`; call ``start()`` next.
    public init(worker: Worker, logger: Logger = Logger(label: "swift-connect.herder")) {
        self.worker = worker
        self.logger = logger
    }

    /// Starts the worker (loads offsets) and begins handling connector requests.
    /// - Throws: When the worker cannot start, e.g. a corrupt offset file.
    public func start() async throws {
        try await worker.start()
        let events = worker.events
        eventTask = Task {
            for await event in events { await self.handle(event) }
        }
    }

    /// Stops every connector and task (offsets flushed) and the worker.
    public func stop() async {
        for name in names.reversed() { await stopConnectorAndTasks(name) }
        await worker.stop()
        await eventTask?.value
        eventTask = nil
        logger.info("Herder stopped")
    }

    private func handle(_ event: WorkerEvent) async {
        switch event {
        case .taskReconfigurationRequested(let name):
            guard let state = states[name], state.targetState == .started else { return }
            do {
                try await updateTasks(name)
            } catch {
                logger.error("Task reconfiguration of \(name) failed: \(error)")
            }
        case .connectorFailed(let name, let trace):
            await worker.connectorFailed(name, trace: trace)
        }
    }

    // MARK: Connectors

    /// Creates a connector, or replaces its configuration (`POST /connectors`, `PUT
    /// /connectors/<name>/config`): validates, starts the connector and its tasks.
    /// - Parameters:
    ///   - allowReplace: Whether an existing connector may be reconfigured (else `alreadyExists`).
    /// - Returns: The connector with its tasks.
    /// - Throws: ``ConfigError`` naming the first invalid key (message: Kafka's list of all errors);
    ///   ``ConnectError`` with code `alreadyExists`.
    @discardableResult
    public func putConnectorConfig(
        name: String,
        config submitted: [String: String],
        allowReplace: Bool
    ) async throws -> ConnectorInfo {
        var config = submitted
        config[ConnectorConfig.nameConfig] = name
        if states[name] != nil && !allowReplace {
            throw ConnectError("Connector \(name) already exists", code: .alreadyExists)
        }
        let validation = try await validateConnectorConfig(config)
        if var error = validation.firstError, let message = validation.errorMessage {
            error.message = message
            throw error
        }
        let targetState = states[name]?.targetState ?? .started
        if states[name] != nil {
            await stopConnectorAndTasks(name)
        } else {
            names.append(name)
        }
        states[name] = ConnectorState(config: config, targetState: targetState, taskConfigs: [])
        await startConnectorAndTasks(name)
        return try connectorInfo(name)
    }

    /// Validates a configuration (`PUT /connector-plugins/<class>/config/validate`).
    /// - Throws: ``ConfigError`` on `connector.class` when it names no known connector.
    public func validateConnectorConfig(_ config: [String: String]) async throws -> ConfigValidation {
        let className = config[ConnectorConfig.connectorClassConfig] ?? ""
        guard !className.isEmpty else { throw ConfigError.missingRequired(ConnectorConfig.connectorClassConfig) }
        let plugin = try worker.plugins.requireConnectorPlugin(named: className)
        let resolved = try await worker.resolve(config)
        return await ConnectorConfig.validate(
            resolved,
            plugin: plugin,
            plugins: worker.plugins,
            overridePolicy: worker.config.overridePolicy
        )
    }

    /// Stops and removes a connector and its tasks (`DELETE /connectors/<name>`).
    /// - Throws: ``ConnectError`` `notFound`.
    public func deleteConnector(_ name: String) async throws {
        guard states[name] != nil else { throw notFound(name) }
        await stopConnectorAndTasks(name)
        states[name] = nil
        names.removeAll { $0 == name }
    }

    /// Pauses a connector and its tasks (`PUT /connectors/<name>/pause`).
    /// - Throws: ``ConnectError`` `notFound`.
    public func pauseConnector(_ name: String) async throws {
        guard states[name] != nil else { throw notFound(name) }
        states[name]?.targetState = .paused
        await worker.setTargetState(name, .paused)
    }

    /// Resumes a paused connector and its tasks (`PUT /connectors/<name>/resume`).
    /// - Throws: ``ConnectError`` `notFound`.
    public func resumeConnector(_ name: String) async throws {
        guard states[name] != nil else { throw notFound(name) }
        states[name]?.targetState = .started
        await worker.setTargetState(name, .started)
    }

    /// Restarts a connector and all its tasks (offsets flushed in between).
    /// - Throws: ``ConnectError`` `notFound`.
    public func restartConnector(_ name: String) async throws {
        guard states[name] != nil else { throw notFound(name) }
        await stopConnectorAndTasks(name)
        await startConnectorAndTasks(name)
    }

    /// The connectors' names, in creation order (`GET /connectors`).
    public func connectorNames() -> [String] { names }

    /// A connector's configuration and tasks (`GET /connectors/<name>`).
    /// - Throws: ``ConnectError`` `notFound`.
    public func connectorInfo(_ name: String) throws -> ConnectorInfo {
        guard let state = states[name] else { throw notFound(name) }
        let type = worker.plugins.connectorPlugin(named: state.config[ConnectorConfig.connectorClassConfig] ?? "")?.type
        return ConnectorInfo(
            name: name,
            config: state.config,
            tasks: state.taskConfigs.indices.map { ConnectorTaskID(connector: name, task: $0) },
            type: type
        )
    }

    /// A connector's configuration (`GET /connectors/<name>/config`).
    /// - Throws: ``ConnectError`` `notFound`.
    public func connectorConfig(_ name: String) throws -> [String: String] {
        guard let state = states[name] else { throw notFound(name) }
        return state.config
    }

    /// A connector's task configurations (`GET /connectors/<name>/tasks`).
    /// - Throws: ``ConnectError`` `notFound`.
    public func taskConfigs(_ name: String) throws -> [(id: ConnectorTaskID, config: [String: String])] {
        guard let state = states[name] else { throw notFound(name) }
        return state.taskConfigs.enumerated().map { (ConnectorTaskID(connector: name, task: $0.offset), $0.element) }
    }

    /// A connector's and its tasks' statuses (`GET /connectors/<name>/status`).
    /// - Throws: ``ConnectError`` `notFound`.
    public func connectorStatus(_ name: String) async throws -> ConnectorStateInfo {
        guard let state = states[name] else { throw notFound(name) }
        let connector =
            await worker.connectorStatus(name) ?? StatusInfo(state: .unassigned, workerID: worker.workerID)
        var tasks: [(id: Int, status: StatusInfo)] = []
        for index in state.taskConfigs.indices {
            let id = ConnectorTaskID(connector: name, task: index)
            let status = await worker.taskStatus(id) ?? StatusInfo(state: .unassigned, workerID: worker.workerID)
            tasks.append((index, status))
        }
        return ConnectorStateInfo(
            name: name,
            connector: connector,
            tasks: tasks,
            type: await worker.connectorType(name)
        )
    }

    // MARK: Steps

    private func startConnectorAndTasks(_ name: String) async {
        guard let state = states[name] else { return }
        let status = await worker.startConnector(name: name, config: state.config, targetState: state.targetState)
        guard status.state != .failed else { return }
        do {
            try await updateTasks(name)
        } catch {
            logger.error("Failed to create the tasks of \(name): \(error)")
        }
    }

    /// Asks the connector for task configurations and, if they changed, restarts the tasks with them.
    private func updateTasks(_ name: String) async throws {
        guard let state = states[name] else { return }
        let resolved = try await worker.resolve(state.config)
        let connectorConfig = try ConnectorConfig(resolved)
        // A paused connector is not running; keep its tasks as they are.
        guard state.targetState == .started else { return }
        let configs = try await worker.connectorTaskConfigs(name: name, connectorConfig: connectorConfig)
        let running = await worker.taskIDs(of: name)
        if configs == state.taskConfigs && running.count == configs.count { return }
        await worker.stopTasks(running)
        states[name]?.taskConfigs = configs
        for (index, taskConfig) in configs.enumerated() {
            await worker.startTask(
                id: ConnectorTaskID(connector: name, task: index),
                connectorConfig: state.config,
                taskConfig: taskConfig,
                targetState: state.targetState
            )
        }
    }

    private func stopConnectorAndTasks(_ name: String) async {
        await worker.stopTasks(await worker.taskIDs(of: name))
        await worker.stopConnector(name)
    }

    private func notFound(_ name: String) -> ConnectError {
        ConnectError("Connector \(name) not found", code: .notFound)
    }
}
