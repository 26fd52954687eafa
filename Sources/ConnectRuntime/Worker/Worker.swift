import ConnectAPI
import ConnectTransforms
import KafkaNIO
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Something a connector asked of the herder through its context.
public enum WorkerEvent: Sendable {
    /// `ConnectorContext.requestTaskReconfiguration()`.
    case taskReconfigurationRequested(connector: String)
    /// `ConnectorContext.raiseError(_:)`.
    case connectorFailed(connector: String, trace: String)
}

/// Runs connectors and tasks in this process (Kafka's `Worker`): creates them from configurations,
/// keeps their status, applies target states and stops them. It does not decide *what* runs — the
/// herder does.
///
/// Source tasks run as ``WorkerSourceTask``s, each with its own producer (client id
/// `connector-producer-<connector>-<task>`); sink tasks as ``WorkerSinkTask``s, each with its own
/// consumer in the group `connect-<connector>`. With `errors.deadletterqueue.topic.name` a task also
/// gets a dead letter queue producer (`connector-dlq-producer-<connector>-<task>`).
///
/// With `errors.task.restart.enable=true` (SwiftConnect) a task that FAILED is restarted
/// automatically after `errors.task.restart.backoff.initial.ms`, doubling up to
/// `errors.task.restart.backoff.max.ms`, at most `errors.task.restart.max.attempts` times; its status
/// counts the restarts (``StatusInfo/restarts``).
public actor Worker {
    /// The worker's id in statuses (`host:port` of its REST listener in Kafka).
    public nonisolated let workerID: String
    /// The worker's configuration.
    public nonisolated let config: WorkerConfig
    /// The plugins it can run.
    public nonisolated let plugins: PluginRegistry
    /// Where source offsets are kept.
    public nonisolated let offsetStore: any OffsetBackingStore
    /// The topics each connector's tasks used (`topic.tracking.enable`).
    public nonisolated let activeTopics = ActiveTopics()
    /// What connectors ask through their contexts; the herder consumes it.
    public nonisolated let events: AsyncStream<WorkerEvent>
    private let eventContinuation: AsyncStream<WorkerEvent>.Continuation
    private let configTransformer: ConfigTransformer?
    /// Set on a distributed worker with `exactly.once.source.support=enabled`: source tasks then run
    /// with transactional producers (WorkerSourceTask+ExactlyOnce.swift).
    public nonisolated let exactlyOnceSource: ExactlyOnceSourceWorkerSettings?
    private let logger: Logger

    private struct RunningConnector {
        /// `nil` when the connector could not be created (its status says why).
        var connector: (any Connector)?
        var plugin: ConnectorPlugin?
        var config: [String: String]
        var status: StatusInfo
        var isStarted: Bool
    }

    private struct RunningTask {
        var runner: (any WorkerTaskRunner)?
        var run: Task<Void, Never>?
        var finished: CompletionSignal
        /// The status of a task that never got a runner (failed to be created).
        var failedStatus: StatusInfo?
        /// What the task was started with, for automatic restarts.
        var connectorConfig: [String: String] = [:]
        var taskConfig: [String: String] = [:]
        var targetState: TargetState = .started
        var errorConfig = ErrorHandlingConfig()
        var history = RestartHistory()
        /// The pending automatic restart.
        var restartTimer: Task<Void, Never>?
        /// Its counters for `GET /metrics` (`nil` when the task could not be created).
        var metrics: TaskMetrics?
        var errorHandler: RetryWithToleranceOperator?
        var isSource: Bool?
    }

    /// The automatic restarts of a task so far.
    struct RestartHistory: Sendable {
        var count = 0
        var lastRestartMs: Int64?
        var lastTrace: String?
    }

    private var connectors: [String: RunningConnector] = [:]
    private var tasks: [ConnectorTaskID: RunningTask] = [:]

    /// Creates a worker; call ``start()`` before anything else.
    /// - Throws: ``ConfigError`` when the worker's config providers are invalid.
    public init(
        config: WorkerConfig,
        plugins: PluginRegistry,
        offsetStore: any OffsetBackingStore,
        workerID: String? = nil,
        exactlyOnceSource: ExactlyOnceSourceWorkerSettings? = nil,
        logger: Logger = Logger(label: "org.apache.kafka.connect.runtime.Worker")
    ) throws(ConfigError) {
        self.config = config
        self.exactlyOnceSource = exactlyOnceSource
        self.plugins = plugins
        self.offsetStore = offsetStore
        self.workerID = workerID ?? Self.defaultWorkerID(config.listeners)
        self.logger = logger
        self.configTransformer = try ConfigProviders.transformer(for: config.originals)
        (events, eventContinuation) = AsyncStream.makeStream(of: WorkerEvent.self)
    }

    private static func defaultWorkerID(_ listeners: [String]) -> String {
        // `http://:8083` → `localhost:8083`, as Kafka's advertised URL without a host.
        guard let first = listeners.first, let colon = first.lastIndex(of: ":") else { return "localhost:8083" }
        let port = first[first.index(after: colon)...]
        return "localhost:\(port)"
    }

    /// Loads the offsets.
    /// - Throws: When the offset store cannot be read (e.g. a corrupt offset file).
    public func start() async throws {
        try await offsetStore.start()
        logger.info("Worker started", metadata: ["worker": "\(workerID)"])
    }

    /// Stops every task (sharing `task.shutdown.graceful.timeout.ms`) and connector, and the offset store.
    public func stop() async {
        await stopTasks(Array(tasks.keys))
        for name in Array(connectors.keys) { await stopConnector(name) }
        await offsetStore.stop()
        eventContinuation.finish()
        logger.info("Worker stopped")
    }

    // MARK: Configurations

    /// `props` with config-provider placeholders resolved.
    func resolve(_ props: [String: String]) async throws -> [String: String] {
        guard let configTransformer else { return props }
        return try await configTransformer.transform(props).data
    }

    // MARK: Connectors

    /// Creates, initializes and starts a connector (PAUSED: created but not started). A failure is
    /// recorded in its status (FAILED with the reason) and returned.
    @discardableResult
    public func startConnector(
        name: String,
        config rawConfig: [String: String],
        targetState: TargetState
    ) async
        -> StatusInfo
    {
        if connectors[name] != nil { await stopConnector(name) }
        let plugin: ConnectorPlugin
        let config: [String: String]
        do {
            config = try await resolve(rawConfig)
            plugin = try plugins.requireConnectorPlugin(named: config[ConnectorConfig.connectorClassConfig] ?? "")
        } catch {
            logger.error("Failed to create connector \(name): \(error)")
            let status = StatusInfo.failed(error, workerID: workerID)
            // Kept so that the status shows why, though no instance exists.
            connectors[name] = RunningConnector(
                connector: nil,
                plugin: nil,
                config: rawConfig,
                status: status,
                isStarted: false
            )
            return status
        }
        let connector = plugin.makeConnector()
        var running = RunningConnector(
            connector: connector,
            plugin: plugin,
            config: config,
            status: StatusInfo(state: .unassigned, workerID: workerID),
            isStarted: false
        )
        let context = WorkerConnectorContext(
            connector: name,
            events: eventContinuation,
            offsetStorageReader: WorkerOffsetStorageReader(namespace: name, store: offsetStore)
        )
        if let source = connector as? any SourceConnector {
            await source.initialize(context: context)
        } else if let sink = connector as? any SinkConnector {
            await sink.initialize(context: context)
        }
        if targetState == .started {
            do {
                try await connector.start(configs: config)
                running.isStarted = true
                running.status.state = .running
                logger.info("Connector \(name) started")
            } catch {
                logger.error("Connector \(name) failed to start: \(error)")
                running.status = .failed(error, workerID: workerID)
            }
        } else {
            running.status.state = targetState == .paused ? .paused : .stopped
        }
        connectors[name] = running
        return running.status
    }

    /// The task configurations of a running connector, each with `task.class` added (Kafka's
    /// `Worker.connectorTaskConfigs`).
    /// - Throws: ``ConnectError`` when the connector is not running or returns more than `tasks.max`
    ///   configurations while `tasks.max.enforce` is true (the connector is then FAILED).
    public func connectorTaskConfigs(name: String, connectorConfig: ConnectorConfig) async throws -> [[String: String]]
    {
        guard let running = connectors[name], running.isStarted, let connector = running.connector,
            let plugin = running.plugin
        else {
            throw ConnectError("Connector \(name) is not running", code: .notFound)
        }
        let configs: [[String: String]]
        do {
            configs = try await connector.taskConfigs(maxTasks: connectorConfig.tasksMax)
        } catch {
            connectors[name]?.status = .failed(error, workerID: workerID)
            throw error
        }
        if configs.count > connectorConfig.tasksMax {
            let error = ConnectError(
                "The connector \(name) has generated \(configs.count) tasks, which is greater than "
                    + "\(connectorConfig.tasksMax), the maximum number of tasks it is configured to create."
            )
            if connectorConfig.tasksMaxEnforce {
                connectors[name]?.status = .failed(error, workerID: workerID)
                throw error
            }
            logger.warning("\(error.message)")
        }
        return configs.map { config in
            var config = config
            config[ConnectorConfig.taskClassConfig] = plugin.taskClassName
            // Kafka copies the sink connector's topics into every task configuration.
            if plugin.type == .sink {
                for key in ["topics", "topics.regex"] {
                    if let value = running.config[key] { config[key] = value }
                }
            }
            return config
        }
    }

    /// Stops a connector (`stop()`), forgetting it.
    public func stopConnector(_ name: String) async {
        guard let running = connectors.removeValue(forKey: name) else { return }
        if running.isStarted { await running.connector?.stop() }
        logger.info("Connector \(name) stopped")
    }

    /// Applies a target state to a connector and its tasks: PAUSED stops the connector instance and
    /// pauses the tasks; STARTED starts it again and resumes them.
    public func setTargetState(_ name: String, _ state: TargetState) async {
        // In a cluster the tasks may run on a worker that does not run their connector.
        if var running = connectors[name], let connector = running.connector {
            await Self.apply(state, to: connector, &running, workerID: workerID)
            connectors[name] = running
        }
        for (id, task) in tasks where id.connector == name {
            tasks[id]?.targetState = state
            await task.runner?.transition(to: state)
        }
    }

    private static func apply(
        _ state: TargetState,
        to connector: any Connector,
        _ running: inout RunningConnector,
        workerID: String
    ) async {
        switch state {
        case .paused:
            if running.isStarted { await connector.stop() }
            running.isStarted = false
            if running.status.state != .failed { running.status.state = .paused }
        case .started:
            if !running.isStarted && running.status.state != .failed {
                do {
                    try await connector.start(configs: running.config)
                    running.isStarted = true
                    running.status.state = .running
                } catch {
                    running.status = .failed(error, workerID: workerID)
                }
            }
        case .stopped:
            if running.isStarted { await connector.stop() }
            running.isStarted = false
            if running.status.state != .failed { running.status.state = .stopped }
        }
    }

    /// Records a failure a connector raised through its context.
    public func connectorFailed(_ name: String, trace: String) {
        connectors[name]?.status = StatusInfo(state: .failed, trace: trace, workerID: workerID)
    }

    /// A connector's status, if the worker knows it.
    public func connectorStatus(_ name: String) -> StatusInfo? {
        connectors[name]?.status
    }

    /// A connector's plugin type, if the worker knows it.
    public func connectorType(_ name: String) -> ConnectorPlugin.PluginType? {
        connectors[name]?.plugin?.type
    }

    // MARK: Tasks

    /// Creates and starts a task of a connector; a failure to create it is recorded as the task's
    /// FAILED status.
    public func startTask(
        id: ConnectorTaskID,
        connectorConfig rawConnectorConfig: [String: String],
        taskConfig rawTaskConfig: [String: String],
        targetState: TargetState
    ) async {
        await startTask(
            id: id,
            connectorConfig: rawConnectorConfig,
            taskConfig: rawTaskConfig,
            targetState: targetState,
            history: RestartHistory()
        )
    }

    private func startTask(
        id: ConnectorTaskID,
        connectorConfig rawConnectorConfig: [String: String],
        taskConfig rawTaskConfig: [String: String],
        targetState: TargetState,
        history: RestartHistory
    ) async {
        if tasks[id] != nil { await stopTasks([id]) }
        var entry = RunningTask(
            runner: nil,
            run: nil,
            finished: CompletionSignal(),
            failedStatus: nil,
            connectorConfig: rawConnectorConfig,
            taskConfig: rawTaskConfig,
            targetState: targetState,
            history: history
        )
        do {
            let connectorProps = try await resolve(rawConnectorConfig)
            let taskConfig = try await resolve(rawTaskConfig)
            let plugin = try plugins.requireConnectorPlugin(
                named: connectorProps[ConnectorConfig.connectorClassConfig] ?? ""
            )
            let definition = plugin.type == .source ? ConnectorConfig.sourceDefinition : ConnectorConfig.sinkDefinition
            let errorConfig = try ErrorHandlingConfig(connectorProps, definition: definition)
            entry.errorConfig = errorConfig
            let metrics = TaskMetrics()
            let (runner, errorHandler) = try makeRunner(
                id: id,
                plugin: plugin,
                connectorProps: connectorProps,
                taskConfig: taskConfig,
                errorConfig: errorConfig,
                targetState: targetState,
                metrics: metrics
            )
            entry.metrics = metrics
            entry.errorHandler = errorHandler
            entry.isSource = plugin.type == .source
            let finished = entry.finished
            entry.runner = runner
            entry.run = Task {
                await runner.run()
                finished.signal()
                await self.taskEnded(id, runner: ObjectIdentifier(runner))
            }
            tasks[id] = entry
        } catch {
            logger.error("Failed to create task \(id): \(error)")
            entry.finished.signal()
            entry.failedStatus = .failed(error, workerID: workerID)
            tasks[id] = entry
        }
    }

    private func makeRunner(
        id: ConnectorTaskID,
        plugin: ConnectorPlugin,
        connectorProps: [String: String],
        taskConfig: [String: String],
        errorConfig: ErrorHandlingConfig,
        targetState: TargetState,
        metrics: TaskMetrics
    ) throws -> (any WorkerTaskRunner, RetryWithToleranceOperator) {
        let isSource = plugin.type == .source
        let connectorConfig = try ConnectorConfig(
            connectorProps,
            definition: isSource ? ConnectorConfig.sourceDefinition : ConnectorConfig.sinkDefinition
        )
        let converters = try TaskConverters(worker: config, connector: connectorProps, registry: plugins.converters)
        let transformations = try plugins.transformations.makeChain(connectorConfig: connectorProps)
        let taskLogger = {
            var taskLogger = logger
            taskLogger[metadataKey: "connector"] = "\(id.connector)"
            taskLogger[metadataKey: "task"] = "\(id.task)"
            return taskLogger
        }()
        let errorHandler = RetryWithToleranceOperator(
            config: errorConfig,
            reporters: errorConfig.logEnable
                ? [LogReporter(includeMessages: errorConfig.logIncludeMessages, logger: taskLogger)] : []
        )
        var makeDeadLetterQueue: (@Sendable () async throws -> any ErrorReporter)?
        if !errorConfig.deadLetterQueueTopic.isEmpty {
            let producerConfiguration = try KafkaProducerConfiguration(
                properties: ClientConfigs.deadLetterQueueProducerProperties(
                    worker: config,
                    connector: connectorConfig,
                    taskID: id
                )
            )
            makeDeadLetterQueue = {
                try await DeadLetterQueueReporter.make(
                    config: errorConfig,
                    producerConfiguration: producerConfiguration,
                    logger: taskLogger,
                    metrics: metrics
                )
            }
        }
        if isSource, let makeTask = plugin.makeSourceTask {
            var producerProperties = ClientConfigs.sourceProducerProperties(
                worker: config,
                connector: connectorConfig,
                taskID: id
            )
            let exactlyOnce = try exactlyOnceSource.map { settings throws(ConfigError) in
                // Kafka's exactlyOnceSourceTaskProducerConfigs: these win over any override.
                producerProperties["transactional.id"] = settings.transactionalID(id)
                producerProperties["enable.idempotence"] = "true"
                producerProperties["acks"] = "all"
                return ExactlyOnceTaskSettings(
                    offsetsTopic: settings.offsetsTopic,
                    transactions: try SourceTransactionConfig(
                        connectorProps: connectorProps,
                        workerFlushInterval: config.offsetFlushInterval
                    )
                )
            }
            let producerConfiguration = try KafkaProducerConfiguration(properties: producerProperties)
            let runner = WorkerSourceTask(
                id: id,
                task: makeTask(),
                taskConfig: taskConfig,
                connectorConfig: connectorConfig,
                converters: converters,
                transformations: transformations,
                producer: KafkaProducer(configuration: producerConfiguration, logger: logger),
                offsetStore: offsetStore,
                workerConfig: config,
                workerID: workerID,
                targetState: targetState,
                logger: logger,
                activeTopics: config.topicTrackingEnabled ? activeTopics : nil,
                topicCreation: try TopicCreation(
                    workerEnabled: config.topicCreationEnabled,
                    connectorProps: connectorProps
                ),
                errorHandler: errorHandler,
                makeDeadLetterQueue: makeDeadLetterQueue,
                metrics: metrics,
                exactlyOnce: exactlyOnce
            )
            return (runner, errorHandler)
        }
        guard let makeTask = plugin.makeSinkTask else {
            throw ConnectError("Connector \(plugin.className) has no task class")
        }
        let consumerConfiguration = try KafkaConsumerConfiguration(
            properties: ClientConfigs.sinkConsumerProperties(worker: config, connector: connectorConfig, taskID: id)
        )
        let runner = WorkerSinkTask(
            id: id,
            task: makeTask(),
            taskClassName: plugin.taskClassName,
            taskConfig: taskConfig,
            converters: converters,
            transformations: transformations,
            consumer: KafkaConsumer(configuration: consumerConfiguration, logger: logger),
            errorHandler: errorHandler,
            makeDeadLetterQueue: makeDeadLetterQueue,
            flushInterval: config.offsetFlushInterval,
            workerID: workerID,
            targetState: targetState,
            logger: logger,
            metrics: metrics
        )
        return (runner, errorHandler)
    }

    // MARK: Automatic restarts

    /// A task's run ended: if it FAILED and automatic restarts are on and not used up, schedules one.
    private func taskEnded(_ id: ConnectorTaskID, runner: ObjectIdentifier) async {
        guard let entry = tasks[id], let current = entry.runner, ObjectIdentifier(current) == runner else { return }
        let status = await current.status
        // A fenced exactly-once task is never restarted automatically: its restart would fence the
        // instance that fenced it, and the two would take turns.
        if status.state == .failed, let source = current as? WorkerSourceTask, await source.wasFencedOut {
            logger.warning("Task \(id) was fenced out by another instance; not restarting it automatically")
            return
        }
        guard status.state == .failed, var entry = tasks[id], entry.runner.map(ObjectIdentifier.init) == runner,
            entry.errorConfig.taskRestartEnable, entry.history.count < entry.errorConfig.taskRestartMaxAttempts
        else { return }
        let attempt = entry.history.count + 1
        let delay = entry.errorConfig.taskRestartBackoff(attempt: attempt)
        logger.warning(
            "Task \(id) failed; automatic restart \(attempt) of \(entry.errorConfig.taskRestartMaxAttempts) in \(delay)"
        )
        entry.restartTimer = Task {
            do {
                try await Task.sleep(for: delay)
            } catch {
                return
            }
            await self.restartFailedTask(id, runner: runner, trace: status.trace)
        }
        tasks[id] = entry
    }

    private func restartFailedTask(_ id: ConnectorTaskID, runner: ObjectIdentifier, trace: String?) async {
        guard var entry = tasks[id], entry.runner.map(ObjectIdentifier.init) == runner else { return }
        // This timer is running now: forget it so that stopping the old run does not await it.
        entry.restartTimer = nil
        tasks[id] = entry
        var history = entry.history
        history.count += 1
        history.lastRestartMs = currentTimeMillis()
        history.lastTrace = trace
        logger.info("Restarting failed task \(id) automatically (restart \(history.count))")
        await startTask(
            id: id,
            connectorConfig: entry.connectorConfig,
            taskConfig: entry.taskConfig,
            targetState: entry.targetState,
            history: history
        )
    }

    /// Stops tasks: all are asked to stop at once, then awaited for at most
    /// `task.shutdown.graceful.timeout.ms` in total; a task still running then is cancelled (its
    /// `poll()` and waits end) and awaited.
    public func stopTasks(_ ids: [ConnectorTaskID]) async {
        let stopping = ids.compactMap { id in tasks.removeValue(forKey: id).map { (id, $0) } }
        guard !stopping.isEmpty else { return }
        for (_, task) in stopping {
            task.restartTimer?.cancel()
            await task.runner?.stop()
        }
        let deadline = ContinuousClock.now + config.taskShutdownGracefulTimeout
        for (id, task) in stopping {
            let remaining = deadline - ContinuousClock.now
            if !(await task.finished.wait(timeout: max(remaining, .zero))) {
                logger.warning("Graceful stop of task \(id) failed; cancelling it")
                task.run?.cancel()
            }
            await task.run?.value
            await task.restartTimer?.value
        }
    }

    /// A task's status, if the worker runs it.
    public func taskStatus(_ id: ConnectorTaskID) async -> StatusInfo? {
        guard let task = tasks[id] else { return nil }
        var status = task.failedStatus
        if status == nil { status = await task.runner?.status }
        guard var status else { return nil }
        status.restarts = task.history.count
        status.lastRestartMs = task.history.lastRestartMs
        status.lastRestartTrace = task.history.lastTrace
        return status
    }

    /// The connectors and tasks the worker runs with their counters, for `GET /metrics`.
    public func metricsSnapshot() async -> WorkerMetricsSnapshot {
        var snapshot = WorkerMetricsSnapshot(connectors: connectors.keys.sorted(), tasks: [])
        for id in tasks.keys.sorted() {
            guard let entry = tasks[id], let status = await taskStatus(id) else { continue }
            snapshot.tasks.append(
                WorkerMetricsSnapshot.Task(
                    id: id,
                    isSource: entry.isSource,
                    state: status.state,
                    values: entry.metrics?.values,
                    errors: entry.errorHandler?.counts
                )
            )
        }
        return snapshot
    }

    /// The ids of the tasks of a connector the worker runs.
    public func taskIDs(of connector: String) -> [ConnectorTaskID] {
        tasks.keys.filter { $0.connector == connector }.sorted()
    }

    /// The runner of a task (tests use it to force an offset flush).
    public func sourceTask(_ id: ConnectorTaskID) -> WorkerSourceTask? {
        tasks[id]?.runner as? WorkerSourceTask
    }

    /// The runner of a sink task.
    public func sinkTask(_ id: ConnectorTaskID) -> WorkerSinkTask? {
        tasks[id]?.runner as? WorkerSinkTask
    }
}

/// The context of a connector: forwards requests to the herder through the worker's event stream.
struct WorkerConnectorContext: SourceConnectorContext, SinkConnectorContext {
    let connector: String
    let events: AsyncStream<WorkerEvent>.Continuation
    let offsetStorageReader: any OffsetStorageReader

    func requestTaskReconfiguration() {
        events.yield(.taskReconfigurationRequested(connector: connector))
    }

    func raiseError(_ error: any Error) {
        events.yield(.connectorFailed(connector: connector, trace: traceString(error)))
    }
}

/// Milliseconds since the epoch.
func currentTimeMillis() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
}
