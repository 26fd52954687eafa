/// What the config topic says at one offset (Kafka's `ClusterConfigState`): the view the herder,
/// the assignor and the REST API work from.
public struct ClusterConfigSnapshot: Sendable, Hashable {
    /// The next config-topic offset to read; -1 before any record (Kafka's initial value).
    public internal(set) var offset: Int64 = -1
    /// The latest session key, if one was written.
    public internal(set) var sessionKey: SessionKey?
    /// Raw connector configurations (config providers not yet applied), by connector.
    public internal(set) var connectorConfigs: [String: [String: String]] = [:]
    /// Target states; every configured connector has one (STARTED if none was written).
    public internal(set) var targetStates: [String: TargetState] = [:]
    /// The task count of each connector's last committed batch (also set by an inconsistent one).
    public internal(set) var taskCounts: [String: Int] = [:]
    /// Raw task configurations that were committed. Compaction may leave entries with ids at or
    /// beyond the task count; ``tasks(of:)`` never lists them.
    public internal(set) var taskConfigs: [ConnectorTaskID: [String: String]] = [:]
    /// Exactly-once task count records (`tasks-fencing-<name>`).
    public internal(set) var taskCountRecords: [String: Int] = [:]
    /// Per connector, how many complete task-config batches were applied, from 0.
    public internal(set) var taskConfigGenerations: [String: Int] = [:]
    /// The connector config in force when its current task configs were committed.
    public internal(set) var appliedConnectorConfigs: [String: [String: String]] = [:]
    /// Connectors whose task configs were committed after their last task count record.
    public internal(set) var connectorsPendingFencing: Set<String> = []
    /// Connectors whose last commit found task configs missing (compaction, a leader that died
    /// mid-batch): their tasks must not run until the leader writes a fresh batch.
    public internal(set) var inconsistentConnectors: Set<String> = []

    /// An empty snapshot.
    public init() {}

    /// The configured connectors, sorted.
    public var connectors: [String] { connectorConfigs.keys.sorted() }

    /// Whether `connector` is configured.
    public func contains(_ connector: String) -> Bool { connectorConfigs[connector] != nil }

    /// The target state of a connector.
    public func targetState(_ connector: String) -> TargetState? { targetStates[connector] }

    /// The tasks a connector should run: ids `0..<taskCount`, none while it is inconsistent.
    public func tasks(of connector: String) -> [ConnectorTaskID] {
        guard !inconsistentConnectors.contains(connector), let count = taskCounts[connector] else { return [] }
        return (0..<count).map { ConnectorTaskID(connector: connector, task: $0) }
    }

    /// The number of tasks of a connector's last commit (0 if none).
    public func taskCount(_ connector: String) -> Int { taskCounts[connector] ?? 0 }

    /// A task's raw configuration.
    public func taskConfig(_ id: ConnectorTaskID) -> [String: String]? { taskConfigs[id] }
}

/// What applying one record changed, for the herder to react to (Kafka's `UpdateListener` calls).
public enum ConfigLogEvent: Sendable, Hashable {
    /// A connector was created or its config changed.
    case connectorConfigUpdated(String)
    /// A connector was deleted.
    case connectorConfigRemoved(String)
    /// A configured connector's target state changed.
    case targetStateChanged(String)
    /// Task configs were committed; the tasks whose configs were replaced (empty if none were, or if
    /// the batch was incomplete and the connector is now inconsistent).
    case taskConfigsUpdated(connector: String, tasks: [ConnectorTaskID], consistent: Bool)
    /// A restart request (only after ``ConfigLogState/markStarted()``: Kafka ignores old ones).
    case restartRequested(RestartRequest)
    /// A new session key.
    case sessionKeyUpdated
    /// A cluster logger level (only after ``ConfigLogState/markStarted()``).
    case loggerLevelChanged(namespace: String, level: String)
    /// Nothing the herder must act on (a deferred task config, a task count record, an unchanged
    /// target state, a record read before start-up completed).
    case none
    /// A record Kafka logs and skips.
    case skipped(reason: String)
}

/// Kafka's `KafkaConfigBackingStore` read side as a value: apply config-topic records in offset
/// order, read the ``snapshot``.
///
/// Task configs are held back per connector until their `commit-<name>` arrives; the commit applies
/// them only if every id below its task count is present (compaction can leave extra ids behind,
/// which is fine), else the connector is marked inconsistent. The deferred configs are dropped at
/// every commit either way.
public struct ConfigLogState: Sendable {
    /// The current view.
    public private(set) var snapshot = ClusterConfigSnapshot()
    /// Task configs read but not yet committed, per connector.
    public private(set) var deferredTaskConfigs: [String: [Int: [String: String]]] = [:]
    /// Restart requests read since start-up and not yet taken, at most one per connector (the one
    /// with the highest impact, as Kafka's herder keeps them).
    public private(set) var pendingRestarts: [String: RestartRequest] = [:]
    /// Whether the first read to the end finished (Kafka's `started`): before, restart and logger
    /// records are history and not acted on.
    public private(set) var isStarted = false

    /// An empty log.
    public init() {}

    /// The first read to the end of the topic is complete.
    public mutating func markStarted() { isStarted = true }

    /// Removes and returns the pending restart requests, sorted by connector.
    public mutating func takePendingRestarts() -> [RestartRequest] {
        defer { pendingRestarts = [:] }
        return pendingRestarts.values.sorted { $0.connector < $1.connector }
    }

    /// Applies the record at `offset`.
    @discardableResult
    public mutating func apply(key: String?, value: [UInt8]?, offset: Int64) -> ConfigLogEvent {
        let decoding = ConfigRecordCodec.decode(key: key, value: value)
        // Kafka advances its offset only for records whose value it could convert.
        if case .unreadable(let reason) = decoding { return .skipped(reason: reason) }
        snapshot.offset = offset + 1
        switch decoding {
        case .record(let record):
            return apply(record)
        case .skipped(let parsedKey, let reason):
            // A commit for a connector that is gone clears what is left of it, even if unreadable.
            if case .commit(let name)? = parsedKey, !snapshot.contains(name) { removeConnector(name) }
            return .skipped(reason: reason)
        case .unreadable(let reason):
            return .skipped(reason: reason)
        }
    }

    /// Applies a decoded record (offsets unchanged).
    @discardableResult
    public mutating func apply(_ record: ConfigRecord) -> ConfigLogEvent {
        switch record {
        case .connectorConfig(let name, let config?):
            snapshot.connectorConfigs[name] = config
            // Connectors created before target states existed start as STARTED.
            if snapshot.targetStates[name] == nil { snapshot.targetStates[name] = .started }
            return isStarted ? .connectorConfigUpdated(name) : .none
        case .connectorConfig(let name, nil):
            removeConnector(name)
            return isStarted ? .connectorConfigRemoved(name) : .none
        case .targetState(let name, let state?):
            let previous = snapshot.targetStates.updateValue(state, forKey: name)
            // A target state may precede its connector (created with an initial state): no event yet.
            guard isStarted, previous != state, snapshot.contains(name) else { return .none }
            return .targetStateChanged(name)
        case .targetState(let name, nil):
            // Every configured connector keeps a target state.
            snapshot.targetStates[name] = snapshot.contains(name) ? .started : nil
            return .none
        case .taskConfig(let id, let config):
            deferredTaskConfigs[id.connector, default: [:]][id.task] = config
            return .none
        case .commit(let name, let taskCount):
            return commit(name, taskCount: taskCount)
        case .restart(let request):
            guard isStarted else { return .none }
            if let existing = pendingRestarts[request.connector], existing.impactRank >= request.impactRank {
                return .restartRequested(request)
            }
            pendingRestarts[request.connector] = request
            return .restartRequested(request)
        case .taskCount(let name, let count):
            snapshot.taskCountRecords[name] = count
            snapshot.connectorsPendingFencing.remove(name)
            return .none
        case .sessionKey(let key):
            snapshot.sessionKey = key
            return isStarted ? .sessionKeyUpdated : .none
        case .loggerLevel(let namespace, let level):
            return isStarted ? .loggerLevelChanged(namespace: namespace, level: level) : .none
        }
    }

    private mutating func commit(_ name: String, taskCount: Int) -> ConfigLogEvent {
        guard let connectorConfig = snapshot.connectorConfigs[name] else {
            // Deleted, and compaction removed both its config and the tombstone: ignore the batch.
            removeConnector(name)
            return .none
        }
        let deferred = deferredTaskConfigs[name] ?? [:]
        let complete = taskCount >= 0 && (0..<taskCount).allSatisfy { deferred[$0] != nil }
        var updated: [ConnectorTaskID] = []
        if complete {
            if !deferred.isEmpty {
                for (task, config) in deferred {
                    let id = ConnectorTaskID(connector: name, task: task)
                    snapshot.taskConfigs[id] = config
                    updated.append(id)
                }
                snapshot.taskConfigGenerations[name] = snapshot.taskConfigGenerations[name].map { $0 + 1 } ?? 0
            }
            snapshot.inconsistentConnectors.remove(name)
            snapshot.appliedConnectorConfigs[name] = connectorConfig
        } else {
            snapshot.inconsistentConnectors.insert(name)
        }
        deferredTaskConfigs[name] = nil
        snapshot.taskCounts[name] = taskCount
        snapshot.connectorsPendingFencing.insert(name)
        guard isStarted else { return .none }
        return .taskConfigsUpdated(connector: name, tasks: updated.sorted(), consistent: complete)
    }

    /// Kafka's `processConnectorRemoval`: config, task count, task configs, deferred and applied
    /// configs go; the target state is tombstoned separately, and the inconsistent flag stays until
    /// the next commit (as in Kafka).
    private mutating func removeConnector(_ name: String) {
        snapshot.connectorConfigs[name] = nil
        snapshot.taskCounts[name] = nil
        snapshot.taskConfigs = snapshot.taskConfigs.filter { $0.key.connector != name }
        deferredTaskConfigs[name] = nil
        snapshot.appliedConnectorConfigs[name] = nil
    }
}
