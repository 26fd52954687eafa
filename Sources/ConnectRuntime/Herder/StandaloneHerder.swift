import ConnectAPI
import ConnectTransforms
import KafkaNIO
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

    /// Creates an info.
    public init(name: String, config: [String: String], tasks: [ConnectorTaskID], type: ConnectorPlugin.PluginType?) {
        self.name = name
        self.config = config
        self.tasks = tasks
        self.type = type
    }
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

    /// Creates a status.
    public init(
        name: String,
        connector: StatusInfo,
        tasks: [(id: Int, status: StatusInfo)],
        type: ConnectorPlugin.PluginType?
    ) {
        self.name = name
        self.connector = connector
        self.tasks = tasks
        self.type = type
    }

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
/// Its methods are shaped after the REST endpoints they serve (`ConnectREST`): create/update
/// (``putConnectorConfig(name:config:allowReplace:initialState:)``), `PATCH` config, delete, pause,
/// resume, stop (target state STOPPED), restarts (connector; with `includeTasks`/`onlyFailed`; one
/// task), connector list, info, config, task configs, status, validation, source offsets (get, alter,
/// reset through the connector's `alterOffsets`), active topics, and task reconfiguration requested
/// by connectors.
public actor StandaloneHerder: Herder {
    /// The worker running the connectors.
    public nonisolated let worker: Worker
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
    public init(
        worker: Worker,
        logger: Logger = Logger(label: "org.apache.kafka.connect.runtime.standalone.StandaloneHerder")
    ) {
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
        allowReplace: Bool,
        initialState: TargetState? = nil
    ) async throws -> ConnectorInfo {
        var config = submitted
        config[ConnectorConfig.nameConfig] = name
        if states[name] != nil && !allowReplace {
            throw ConnectError("Connector \(name) already exists", code: .alreadyExists)
        }
        try await worker.requireValidConnectorConfig(config)
        let targetState = states[name]?.targetState ?? initialState ?? .started
        if states[name] != nil {
            await stopConnectorAndTasks(name)
        } else {
            names.append(name)
        }
        states[name] = ConnectorState(config: config, targetState: targetState, taskConfigs: [])
        await startConnectorAndTasks(name)
        return try connectorInfo(name)
    }

    /// Stops and removes a connector and its tasks (`DELETE /connectors/<name>`).
    /// - Throws: ``ConnectError`` `notFound`.
    public func deleteConnector(_ name: String) async throws {
        guard states[name] != nil else { throw ConnectError.connectorNotFound(name) }
        await stopConnectorAndTasks(name)
        states[name] = nil
        names.removeAll { $0 == name }
        worker.activeTopics.reset(name)
    }

    /// Pauses a connector and its tasks (`PUT /connectors/<name>/pause`).
    /// - Throws: ``ConnectError`` `notFound`.
    public func pauseConnector(_ name: String) async throws {
        guard states[name] != nil else { throw ConnectError.connectorNotFound(name) }
        states[name]?.targetState = .paused
        await worker.setTargetState(name, .paused)
    }

    /// Resumes a paused or stopped connector and its tasks (`PUT /connectors/<name>/resume`); a
    /// stopped connector is asked for task configurations again.
    /// - Throws: ``ConnectError`` `notFound`.
    public func resumeConnector(_ name: String) async throws {
        guard let previous = states[name]?.targetState else { throw ConnectError.connectorNotFound(name) }
        states[name]?.targetState = .started
        await worker.setTargetState(name, .started)
        if previous == .stopped {
            do {
                try await updateTasks(name)
            } catch {
                logger.error("Failed to create the tasks of \(name): \(error)")
            }
        }
    }

    /// Stops a connector (`PUT /connectors/<name>/stop`, target state STOPPED): its tasks are stopped
    /// and its task configurations emptied, as Kafka 3.5+ does; resume starts it again.
    /// - Throws: ``ConnectError`` `notFound`.
    public func stopConnector(_ name: String) async throws {
        guard states[name] != nil else { throw ConnectError.connectorNotFound(name) }
        await worker.stopTasks(await worker.taskIDs(of: name))
        states[name]?.taskConfigs = []
        states[name]?.targetState = .stopped
        await worker.setTargetState(name, .stopped)
    }

    /// Restarts a connector instance (`POST /connectors/<name>/restart`): its tasks keep running
    /// unless the restarted connector produces different task configurations.
    /// - Throws: ``ConnectError`` `notFound`.
    public func restartConnector(_ name: String) async throws {
        guard states[name] != nil else { throw ConnectError.connectorNotFound(name) }
        await worker.stopConnector(name)
        await startConnectorAndTasks(name)
    }

    /// Restarts a connector and/or its tasks (`POST /connectors/<name>/restart?includeTasks=&onlyFailed=`,
    /// KIP-745): the connector if `!onlyFailed` or it FAILED; with `includeTasks`, each task if
    /// `!onlyFailed` or it FAILED.
    /// - Returns: The status before the restart with every restarted instance shown RESTARTING (the
    ///   body of Kafka's `202` answer).
    /// - Throws: ``ConnectError`` `notFound`.
    public func restartConnectorAndTasks(
        _ name: String,
        includeTasks: Bool,
        onlyFailed: Bool
    ) async throws -> ConnectorStateInfo {
        guard let state = states[name] else { throw ConnectError.connectorNotFound(name) }
        var plan = try await connectorStatus(name)
        let restartConnector = !onlyFailed || plan.connector.state == .failed
        var restartTasks: [ConnectorTaskID] = []
        if restartConnector { plan.connector = StatusInfo(state: .restarting, workerID: worker.workerID) }
        for index in plan.tasks.indices where includeTasks && (!onlyFailed || plan.tasks[index].status.state == .failed)
        {
            plan.tasks[index].status = StatusInfo(state: .restarting, workerID: worker.workerID)
            restartTasks.append(ConnectorTaskID(connector: name, task: plan.tasks[index].id))
        }
        await worker.stopTasks(restartTasks)
        if restartConnector {
            await worker.stopConnector(name)
            await worker.startConnector(name: name, config: state.config, targetState: state.targetState)
        }
        for id in restartTasks { await startTask(id) }
        if restartConnector {
            do {
                try await updateTasks(name)
            } catch {
                logger.error("Failed to update the tasks of \(name): \(error)")
            }
        }
        return plan
    }

    /// Restarts one task with its current configuration (`POST /connectors/<name>/tasks/<id>/restart`).
    /// - Throws: ``ConnectError`` `notFound` ("Unknown connector: …" / "Unknown task: …").
    public func restartTask(_ id: ConnectorTaskID) async throws {
        guard let state = states[id.connector] else {
            throw ConnectError("Unknown connector: \(id.connector)", code: .notFound)
        }
        guard state.taskConfigs.indices.contains(id.task) else {
            throw ConnectError("Unknown task: \(id)", code: .notFound)
        }
        await worker.stopTasks([id])
        await startTask(id)
    }

    /// Merges `patch` into a connector's configuration (`PATCH /connectors/<name>/config`, KIP-477):
    /// a value replaces or adds its key, `nil` removes it; then as ``putConnectorConfig(name:config:allowReplace:initialState:)``.
    /// - Throws: ``ConnectError`` `notFound`; what `putConnectorConfig` throws.
    @discardableResult
    public func patchConnectorConfig(_ name: String, patch: [String: String?]) async throws -> ConnectorInfo {
        guard var config = states[name]?.config else { throw ConnectError.connectorNotFound(name) }
        for (key, value) in patch { config[key] = value }
        return try await putConnectorConfig(name: name, config: config, allowReplace: true)
    }

    // MARK: Offsets and topics

    /// A connector's committed offsets (`GET /connectors/<name>/offsets`): a source connector's from
    /// the offset store, sorted by partition JSON for a stable answer; a sink connector's are its
    /// consumer group's (``SinkConnectorOffsets``), sorted by topic and partition.
    /// - Throws: ``ConnectError`` `notFound`; ``KafkaError`` when the group's offsets cannot be read.
    public func connectorOffsets(
        _ name: String
    ) async throws -> [(partition: [String: ConnectValue], offset: [String: ConnectValue])] {
        guard let state = states[name] else { throw ConnectError.connectorNotFound(name) }
        return try await ConnectorOffsetsAdmin(worker: worker).offsets(name, config: state.config)
    }

    /// Alters a stopped connector's offsets (`PATCH /connectors/<name>/offsets`, KIP-875): the
    /// connector's `alterOffsets` is asked first, then the offsets are written (a sink connector's to
    /// its consumer group); a `nil` offset removes the partition's offset.
    /// - Returns: Whether the connector handled the change itself (`alterOffsets` returned true).
    /// - Throws: ``ConnectError`` `notFound`; ``HerderRequestError`` `badRequest` when the connector is
    ///   not STOPPED, no offsets are given, or a partition or offset is not a map of primitives.
    public func alterConnectorOffsets(
        _ name: String,
        offsets: [(partition: [String: ConnectValue], offset: [String: ConnectValue]?)]
    ) async throws -> Bool {
        guard let state = states[name] else { throw ConnectError.connectorNotFound(name) }
        try requireStopped(name, state)
        return try await ConnectorOffsetsAdmin(worker: worker).alter(name, config: state.config, offsets: offsets)
    }

    /// Removes every offset of a stopped connector (`DELETE /connectors/<name>/offsets`); for a sink
    /// connector, every committed offset of its group (OffsetDelete; Kafka deletes the whole group).
    /// - Returns: Whether the connector handled the change itself.
    /// - Throws: ``ConnectError`` `notFound`; ``HerderRequestError`` `badRequest` when not STOPPED.
    public func resetConnectorOffsets(_ name: String) async throws -> Bool {
        guard let state = states[name] else { throw ConnectError.connectorNotFound(name) }
        try requireStopped(name, state)
        return try await ConnectorOffsetsAdmin(worker: worker).reset(name, config: state.config)
    }

    /// The topics a connector's tasks used (`GET /connectors/<name>/topics`); like Kafka, an unknown
    /// connector has none.
    /// - Throws: ``HerderRequestError`` `forbidden` when `topic.tracking.enable` is false.
    public func connectorActiveTopics(_ name: String) throws -> [String] {
        guard worker.config.topicTrackingEnabled else {
            throw HerderRequestError(.forbidden, "Topic tracking is disabled.")
        }
        return worker.activeTopics.topics(of: name)
    }

    /// Forgets the topics a connector used (`PUT /connectors/<name>/topics/reset`).
    /// - Throws: ``HerderRequestError`` `forbidden` when tracking or its reset is disabled.
    public func resetConnectorActiveTopics(_ name: String) throws {
        guard worker.config.topicTrackingEnabled else {
            throw HerderRequestError(.forbidden, "Topic tracking is disabled.")
        }
        guard worker.config.topicTrackingResetAllowed else {
            throw HerderRequestError(.forbidden, "Topic tracking reset is disabled.")
        }
        worker.activeTopics.reset(name)
    }

    private func requireStopped(_ name: String, _ state: ConnectorState) throws {
        try ConnectorOffsetsAdmin.requireStopped(name, state.targetState == .stopped && state.taskConfigs.isEmpty)
    }

    /// The connectors' names, in creation order (`GET /connectors`).
    public func connectorNames() -> [String] { names }

    /// Refused: only distributed workers hand task configurations to a leader (Kafka's standalone
    /// herder throws the same way).
    /// - Throws: ``HerderRequestError`` `badRequest`.
    public func putTaskConfigs(
        _ name: String,
        configs: [[String: String]],
        signature: InternalRequestSignature?
    ) throws {
        throw HerderRequestError(
            .badRequest,
            "Kafka Connect in standalone mode does not support externally setting task configurations; "
                + "POST /connectors/\(name)/tasks is only used by distributed workers."
        )
    }

    /// A connector's configuration and tasks (`GET /connectors/<name>`).
    /// - Throws: ``ConnectError`` `notFound`.
    public func connectorInfo(_ name: String) throws -> ConnectorInfo {
        guard let state = states[name] else { throw ConnectError.connectorNotFound(name) }
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
        guard let state = states[name] else { throw ConnectError.connectorNotFound(name) }
        return state.config
    }

    /// A connector's task configurations (`GET /connectors/<name>/tasks`).
    /// - Throws: ``ConnectError`` `notFound`.
    public func taskConfigs(_ name: String) throws -> [(id: ConnectorTaskID, config: [String: String])] {
        guard let state = states[name] else { throw ConnectError.connectorNotFound(name) }
        return state.taskConfigs.enumerated().map { (ConnectorTaskID(connector: name, task: $0.offset), $0.element) }
    }

    /// A connector's and its tasks' statuses (`GET /connectors/<name>/status`).
    /// - Throws: ``ConnectError`` `notFound`.
    public func connectorStatus(_ name: String) async throws -> ConnectorStateInfo {
        guard let state = states[name] else { throw ConnectError.connectorNotFound(name) }
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

    private func startTask(_ id: ConnectorTaskID) async {
        guard let state = states[id.connector], state.taskConfigs.indices.contains(id.task) else { return }
        await worker.startTask(
            id: id,
            connectorConfig: state.config,
            taskConfig: state.taskConfigs[id.task],
            targetState: state.targetState
        )
    }

    private func stopConnectorAndTasks(_ name: String) async {
        await worker.stopTasks(await worker.taskIDs(of: name))
        await worker.stopConnector(name)
    }
}

/// A request the herder refuses for a reason the REST API answers with a 4xx status other than 404
/// and 409 (Kafka's `BadRequestException` and the `403` of topic tracking).
public struct HerderRequestError: Error, Sendable, CustomStringConvertible {
    /// What kind of refusal.
    public enum Kind: Sendable, Hashable {
        /// `400 Bad Request`.
        case badRequest
        /// `403 Forbidden`.
        case forbidden
    }

    /// What kind of refusal.
    public var kind: Kind
    /// Kafka's message.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

extension Dictionary where Key == String, Value == ConnectValue {
    /// The map as compact JSON (a stable sort key for partitions).
    var jsonKey: String {
        let sorted = ConnectMap(self.sorted { $0.key < $1.key }.map { (ConnectValue.string($0.key), $0.value) })
        return (try? OffsetJSON.encode(.map(sorted))).map { String(decoding: $0, as: UTF8.self) } ?? "\(self)"
    }
}
