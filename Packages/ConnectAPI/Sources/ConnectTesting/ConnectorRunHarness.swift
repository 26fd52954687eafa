import ConnectAPI

/// A source connector and all its tasks, started the way the worker starts them: connector
/// `start`, `taskConfigs`, then one ``SourceTaskHarness`` per configuration, all reading and writing
/// one ``InMemoryOffsetStore``.
///
/// ```swift
/// let offsets = InMemoryOffsetStore()
/// let run = try await SourceConnectorHarness.start(MySourceConnector.self, configs: props, offsets: offsets)
/// let records = try await run.drainUntilEmpty()
/// try await run.stop()                  // tasks stop and flush offsets, then the connector stops
/// let again = try await SourceConnectorHarness.start(MySourceConnector.self, configs: props, offsets: offsets)
/// ```
public struct SourceConnectorHarness<C: SourceConnector>: Sendable {
    /// The connector.
    public let connector: ConnectorHarness<C>
    /// One harness per task configuration, in order.
    public let tasks: [SourceTaskHarness<C.TaskType>]
    /// The offsets the tasks share.
    public let offsets: InMemoryOffsetStore

    /// Starts the connector with `configs` (`tasks.max` included), then a task per configuration it
    /// returns.
    public static func start(
        _ type: C.Type = C.self,
        configs: [String: String],
        name: String = "test-connector",
        offsets: InMemoryOffsetStore = InMemoryOffsetStore(),
        acknowledgement: SourceTaskHarness<C.TaskType>.Acknowledgement = .automatic
    ) async throws -> SourceConnectorHarness {
        let connector = ConnectorHarness(C.self, name: name, offsets: offsets)
        try await connector.start(configs)
        var tasks: [SourceTaskHarness<C.TaskType>] = []
        for config in try await connector.taskConfigs() {
            let task = SourceTaskHarness(
                C.TaskType(),
                configs: config,
                offsets: offsets,
                acknowledgement: acknowledgement
            )
            try await task.start()
            tasks.append(task)
        }
        return SourceConnectorHarness(connector: connector, tasks: tasks, offsets: offsets)
    }

    /// Every task drained until a poll returns nothing, tasks in order.
    public func drainUntilEmpty(timeout: Duration = .seconds(30)) async throws -> [SourceRecord] {
        var records: [SourceRecord] = []
        for task in tasks { records += try await task.drainUntilEmpty(timeout: timeout) }
        return records
    }

    /// Flushes every task's committable offsets.
    public func commitOffsets() async throws {
        for task in tasks { try await task.commitOffsets() }
    }

    /// Stops every task (with its last offset flush), then the connector, as the worker does.
    public func stop() async throws {
        for task in tasks { try await task.stop() }
        await connector.stop()
    }
}

/// A sink connector and all its tasks: connector `start`, `taskConfigs` (with `topics` copied in),
/// then one started ``SinkTaskHarness`` per configuration. The `assignment` is spread over the tasks
/// round-robin (default: partition 0 of each topic in `topics`).
public struct SinkConnectorHarness<C: SinkConnector>: Sendable {
    /// The connector.
    public let connector: ConnectorHarness<C>
    /// One harness per task configuration, in order.
    public let tasks: [SinkTaskHarness<C.TaskType>]

    /// Starts the connector with `configs`, then a task per configuration it returns.
    public static func start(
        _ type: C.Type = C.self,
        configs: [String: String],
        name: String = "test-connector",
        assignment: [TopicPartition]? = nil,
        errantRecordReporter: SinkTaskHarness<C.TaskType>.ErrantRecordReporting = .fromConfigs
    ) async throws -> SinkConnectorHarness {
        let connector = ConnectorHarness(C.self, name: name)
        try await connector.start(configs)
        let taskConfigs = try await connector.taskConfigs()
        let partitions =
            assignment
            ?? (configs["topics"] ?? "").split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
            .map { TopicPartition($0, 0) }
        var tasks: [SinkTaskHarness<C.TaskType>] = []
        for (index, config) in taskConfigs.enumerated() {
            let mine = partitions.enumerated().filter { $0.offset % taskConfigs.count == index }.map(\.element)
            let task = SinkTaskHarness(
                C.TaskType(),
                configs: config,
                assignment: mine,
                errantRecordReporter: errantRecordReporter
            )
            try await task.start()
            tasks.append(task)
        }
        return SinkConnectorHarness(connector: connector, tasks: tasks)
    }

    /// The task assigned `partition`.
    public func task(for partition: TopicPartition) async -> SinkTaskHarness<C.TaskType>? {
        for task in tasks where await task.assignment.contains(partition) { return task }
        return nil
    }

    /// Stops every task (final commit, close), then the connector.
    public func stop() async throws {
        for task in tasks { try await task.stop() }
        await connector.stop()
    }
}
