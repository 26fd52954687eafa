import ConnectAPI

// Small connectors for the kit's own tests: what a connector author would write, reduced to the
// behaviours the harnesses must drive.

/// Emits `records.per.partition` numbered records for each of `partitions` source partitions,
/// resuming after the committed offset (`{"n": <last emitted>}`); tasks split the partitions.
actor CountingSourceConnector: SourceConnector {
    typealias TaskType = CountingSourceTask
    static let version = "1.0.0"
    static let configDef = ConfigDef([
        ConfigKey("topic", type: .string, validator: .nonEmptyString, importance: .high, documentation: "Topic."),
        ConfigKey(
            "partitions",
            type: .int,
            default: 1,
            validator: .atLeast(1),
            importance: .low,
            documentation: "Count."
        ),
        ConfigKey(
            "records.per.partition",
            type: .int,
            default: 3,
            validator: .atLeast(0),
            importance: .low,
            documentation: "Records."
        ),
        ConfigKey("tasks.ignore.max", type: .boolean, default: false, importance: .low, documentation: "Misbehave."),
    ])

    private var configs: [String: String] = [:]
    private var context: (any SourceConnectorContext)?

    init() {}

    func initialize(context: any SourceConnectorContext) async { self.context = context }

    func start(configs: [String: String]) async throws {
        _ = try ParsedConfig(definition: Self.configDef, originals: configs)
        self.configs = configs
    }

    func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        let parsed = try ParsedConfig(definition: Self.configDef, originals: configs)
        let partitions = Int(try parsed.int("partitions"))
        let taskCount = try parsed.bool("tasks.ignore.max") ? maxTasks + 1 : min(maxTasks, partitions)
        return (0..<taskCount).map { task in
            var config = configs
            config["assigned"] = stride(from: task, to: partitions, by: taskCount).map(String.init).joined(
                separator: ","
            )
            return config
        }
    }

    func stop() async {}

    func requestReconfiguration() { context?.requestTaskReconfiguration() }
}

actor CountingSourceTask: SourceTask {
    static let version = "1.0.0"

    private var topic = ""
    private var perPartition = 0
    /// The next number to emit per source partition name.
    private var next: [String: Int] = [:]
    private var context: (any SourceTaskContext)?
    private(set) var commits = 0
    private(set) var committedRecords: [(value: String, offset: Int64?)] = []
    private(set) var isStopped = false

    init() {}

    func initialize(context: any SourceTaskContext) async { self.context = context }

    func start(configs: [String: String]) async throws {
        let parsed = try ParsedConfig(definition: CountingSourceConnector.configDef, originals: configs)
        topic = try parsed.string("topic") ?? ""
        perPartition = Int(try parsed.int("records.per.partition"))
        let names = (configs["assigned"] ?? "0").split(separator: ",").map { "p\($0)" }
        let stored =
            try await context?.offsetStorageReader.offsets(for: names.map { ["partition": .string($0)] }) ?? [:]
        for name in names {
            // Offsets read back as int64 whatever the task wrote.
            if case .int64(let last)? = stored[["partition": .string(name)]]?["n"] {
                next[name] = Int(last) + 1
            } else {
                next[name] = 0
            }
        }
    }

    func poll() async throws -> [SourceRecord]? {
        var records: [SourceRecord] = []
        for name in next.keys.sorted() {
            guard let number = next[name], number < perPartition else { continue }
            next[name] = number + 1
            records.append(
                SourceRecord(
                    sourcePartition: ["partition": .string(name)],
                    sourceOffset: ["n": .int32(Int32(number))],
                    topic: topic,
                    valueSchema: .string,
                    value: .string("\(name)-\(number)")
                )
            )
        }
        return records.isEmpty ? nil : records
    }

    func commit() async throws { commits += 1 }

    func commitRecord(_ record: SourceRecord, metadata: RecordMetadata?) async throws {
        committedRecords.append((record.value.stringValue ?? "", metadata?.offset))
    }

    func stop() async { isStopped = true }
}

/// A source task whose polls are scripted: each poll takes the next step.
actor ScriptedSourceTask: SourceTask {
    enum Step: Sendable {
        case records([SourceRecord])
        case nothing
        case retriable
        case fail
        case hang
    }

    static let version = "1.0.0"
    private var steps: [Step]

    init() { steps = [] }

    init(_ steps: [Step]) { self.steps = steps }

    func start(configs: [String: String]) async throws {}

    func poll() async throws -> [SourceRecord]? {
        guard !steps.isEmpty else { return nil }
        switch steps.removeFirst() {
        case .records(let records): return records
        case .nothing: return nil
        case .retriable: throw RetriableError("source unavailable")
        case .fail: throw ConnectError("broken")
        case .hang:
            try await Task.sleep(for: .seconds(3600))
            return nil
        }
    }

    func stop() async {}
}

/// Collects records; its behaviour is driven by configuration keys so one type covers every test.
///
/// - `retriable.failures`: the first N `put` calls with records throw `RetriableError` (after setting a
///   timeout of 250 ms).
/// - `precommit`: `lag` commits one less than current, `beyond` one more, `opt-out` nothing, `throw`
///   throws.
/// - `open.seek`: on `open`, seeks every opened partition to this offset.
/// - Records whose value is the string `bad` go to the errant record reporter (its error swallowed);
///   `pause` pauses the record's partition; `commit-please` requests a commit.
actor CollectingSinkTask: SinkTask {
    static let version = "1.0.0"

    private var context: (any SinkTaskContext)?
    private var configs: [String: String] = [:]
    private var failuresLeft = 0
    private(set) var received: [SinkRecord] = []
    private(set) var flushed: [[TopicPartition: OffsetAndMetadata]] = []
    private(set) var opened: [TopicPartition] = []
    private(set) var closed: [TopicPartition] = []
    private(set) var isStopped = false

    init() {}

    func initialize(context: any SinkTaskContext) async { self.context = context }

    func start(configs: [String: String]) async throws {
        self.configs = configs
        failuresLeft = Int(configs["retriable.failures"] ?? "0") ?? 0
    }

    func open(partitions: [TopicPartition]) async throws {
        opened += partitions
        if let seek = configs["open.seek"].flatMap({ Int64($0) }) {
            for partition in partitions { context?.offset(partition, seek) }
        }
    }

    func put(_ records: [SinkRecord]) async throws {
        if !records.isEmpty && failuresLeft > 0 {
            failuresLeft -= 1
            context?.timeout(250)
            throw RetriableError("external system busy")
        }
        for record in records {
            switch record.value.stringValue {
            case "bad":
                try? await context?.errantRecordReporter?.report(record, error: DataError("bad record"))
                continue
            case "pause":
                try context?.pause([record.originalTopicPartition])
            case "commit-please":
                context?.requestCommit()
            default:
                break
            }
            received.append(record)
        }
    }

    func flush(currentOffsets: [TopicPartition: OffsetAndMetadata]) async throws {
        flushed.append(currentOffsets)
    }

    func preCommit(
        currentOffsets: [TopicPartition: OffsetAndMetadata]
    ) async throws -> [TopicPartition: OffsetAndMetadata] {
        try await flush(currentOffsets: currentOffsets)
        switch configs["precommit"] {
        case "lag": return currentOffsets.mapValues { OffsetAndMetadata($0.offset - 1) }
        case "beyond": return currentOffsets.mapValues { OffsetAndMetadata($0.offset + 1) }
        case "opt-out": return [:]
        case "throw": throw ConnectError("cannot flush")
        default: return currentOffsets
        }
    }

    func close(partitions: [TopicPartition]) async throws { closed += partitions }

    func stop() async { isStopped = true }

    func resume(_ partitions: [TopicPartition]) throws { try context?.resume(partitions) }

    func pauseDirectly(_ partitions: [TopicPartition]) throws { try context?.pause(partitions) }
}

actor CollectingSinkConnector: SinkConnector {
    typealias TaskType = CollectingSinkTask
    static let version = "1.0.0"
    static let configDef = ConfigDef([
        ConfigKey("url", type: .string, validator: .nonEmptyString, importance: .high, documentation: "Where."),
        ConfigKey(
            "batch.size",
            type: .int,
            default: 10,
            validator: .atLeast(1),
            importance: .low,
            documentation: "Size."
        ),
    ])

    private var configs: [String: String] = [:]

    init() {}

    func start(configs: [String: String]) async throws { self.configs = configs }

    func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        // Drops `topics` on purpose: the worker copies it into every task configuration.
        var config = configs
        config["topics"] = nil
        return Array(repeating: config, count: maxTasks)
    }

    func stop() async {}
}
