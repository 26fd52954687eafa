import ConnectAPI
import Testing

// Minimal plugins written the way connector authors would: actors for state, defaults for the rest.

actor CountingSourceTask: SourceTask {
    static let version = "1.0"
    private var next: Int64 = 0
    private var topic = ""
    private(set) var committed: [Int64] = []

    init() {}

    func start(configs: [String: String]) async throws { topic = configs["topic"] ?? "numbers" }

    func poll() async throws -> [SourceRecord]? {
        defer { next += 1 }
        return [
            SourceRecord(
                sourcePartition: ["source": "counter"],
                sourceOffset: ["next": .int64(next + 1)],
                topic: topic,
                valueSchema: .int64,
                value: .int64(next)
            )
        ]
    }

    func commitRecord(_ record: SourceRecord, metadata: RecordMetadata?) async throws {
        if case .int64(let value) = record.value { committed.append(value) }
    }

    func stop() async {}
}

actor CountingSourceConnector: SourceConnector {
    typealias TaskType = CountingSourceTask
    static let version = "1.0"
    static let configDef = ConfigDef([
        ConfigKey("topic", type: .string, validator: .nonEmptyString, importance: .high, documentation: "Target topic.")
    ])
    private var configs: [String: String] = [:]

    init() {}

    func start(configs: [String: String]) async throws { self.configs = configs }

    func taskConfigs(maxTasks: Int) async throws -> [[String: String]] { [configs] }

    func stop() async {}

    func exactlyOnceSupport(configs: [String: String]) async -> ExactlyOnceSupport? { .supported }
}

actor CollectingSinkTask: SinkTask {
    static let version = "1.0"
    private(set) var received: [SinkRecord] = []
    private(set) var flushed = 0

    init() {}

    func start(configs: [String: String]) async throws {}

    func put(_ records: [SinkRecord]) async throws {
        guard !records.contains(where: { $0.value == "retry" }) else { throw RetriableError("try again") }
        received.append(contentsOf: records)
    }

    func flush(currentOffsets: [TopicPartition: OffsetAndMetadata]) async throws { flushed += 1 }

    func stop() async {}
}

final class CollectingSinkConnector: SinkConnector {
    typealias TaskType = CollectingSinkTask
    static let version = "1.0"
    static let configDef = ConfigDef()

    init() {}

    func start(configs: [String: String]) async throws {}

    func taskConfigs(maxTasks: Int) async throws -> [[String: String]] { Array(repeating: [:], count: maxTasks) }

    func stop() async {}
}

/// Prefixes topics; works on source and sink records.
struct PrefixTopic: Transformation {
    static let configDef = ConfigDef([
        ConfigKey("prefix", type: .string, importance: .high, documentation: "Prefix.")
    ])
    let prefix: String

    init(configs: [String: String]) throws {
        prefix = try ParsedConfig(definition: Self.configDef, originals: configs).string("prefix") ?? ""
    }

    func apply<R: ConnectRecord>(_ record: R) throws -> R? {
        var copy = record
        copy.topic = prefix + record.topic
        return copy
    }
}

struct IsTombstone: RecordPredicate {
    static let configDef = ConfigDef()

    init(configs: [String: String]) throws {}

    func test<R: ConnectRecord>(_ record: R) throws -> Bool { record.value.isNull }
}

@Suite struct PluginContractTests {
    @Test func sourceConnectorLifecycle() async throws {
        let connector = CountingSourceConnector()
        let validation = await connector.validate(configs: ["topic": ""])
        #expect(
            validation["topic"]?.errorMessages == ["Invalid value  for configuration topic: String must be non-empty"]
        )
        try await connector.start(configs: ["topic": "numbers"])
        let taskConfigs = try await connector.taskConfigs(maxTasks: 4)
        #expect(taskConfigs == [["topic": "numbers"]])
        #expect(await connector.exactlyOnceSupport(configs: [:]) == .supported)
        #expect(await connector.canDefineTransactionBoundaries(configs: [:]) == .unsupported)
        #expect(try await connector.alterOffsets(configs: [:], offsets: [["source": "counter"]: nil]) == false)

        let task = CountingSourceConnector.taskType.init()
        try await task.start(configs: taskConfigs[0])
        let batch = try #require(try await task.poll())
        #expect(batch.first?.value == .int64(0))
        #expect(batch.first?.sourceOffset == ["next": .int64(1)])
        try await task.commitRecord(batch[0], metadata: RecordMetadata(topic: "numbers", partition: 0, offset: 0))
        try await task.commit()
        #expect(await task.committed == [0])
        await task.stop()
        await connector.stop()
    }

    @Test func sinkTaskDefaults() async throws {
        let connector = CollectingSinkConnector()
        #expect(try await connector.taskConfigs(maxTasks: 2).count == 2)
        let task = type(of: connector).taskType.init()
        let partition = TopicPartition("orders", 0)
        try await task.open(partitions: [partition])
        try await task.put([SinkRecord(topic: "orders", partition: 0, valueSchema: nil, value: "v", kafkaOffset: 5)])
        let offsets = [partition: OffsetAndMetadata(6)]
        #expect(try await task.preCommit(currentOffsets: offsets) == offsets)
        #expect(await task.flushed == 1)
        await #expect(throws: RetriableError.self) {
            try await task.put([
                SinkRecord(topic: "orders", partition: 0, valueSchema: nil, value: "retry", kafkaOffset: 6)
            ])
        }
        #expect(await task.received.count == 1)
        try await task.close(partitions: [partition])
    }

    @Test func existentialsWork() async throws {
        let connectors: [any Connector.Type] = [CountingSourceConnector.self, CollectingSinkConnector.self]
        #expect(connectors.map { $0.version } == ["1.0", "1.0"])
        let source: any SourceConnector = CountingSourceConnector()
        let taskType: any SourceTask.Type = type(of: source).taskType
        #expect(taskType.version == "1.0")
    }

    @Test func transformationsAndPredicates() throws {
        let transform = try PrefixTopic(configs: ["prefix": "mirror."])
        let sink = SinkRecord(topic: "t", partition: 0, valueSchema: nil, value: .null, kafkaOffset: 0)
        let source = SourceRecord(sourcePartition: nil, sourceOffset: nil, topic: "s", valueSchema: nil, value: "x")
        #expect(try transform.apply(sink)?.topic == "mirror.t")
        #expect(try transform.apply(source)?.topic == "mirror.s")
        #expect(throws: ConfigError.self) { try PrefixTopic(configs: [:]) }
        let predicate = try IsTombstone(configs: [:])
        #expect(try predicate.test(sink))
        #expect(try !predicate.test(source))
    }

    @Test func errorsAreDistinguishableByType() {
        func classify(_ error: any Error) -> String {
            switch error {
            case is RetriableError: "retriable"
            case is DataError: "data"
            case is ConfigError: "config"
            case let error as ConnectError where error.code == .notFound: "not found"
            case is ConnectError: "connect"
            default: "other"
            }
        }
        #expect(classify(RetriableError("r")) == "retriable")
        #expect(classify(DataError("d")) == "data")
        #expect(classify(ConfigError("c")) == "config")
        #expect(classify(ConnectError("n", code: .notFound)) == "not found")
        #expect(classify(ConnectError("g")) == "connect")
        #expect(ConnectError("outer", underlying: DataError("inner")).description == "outer (caused by: inner)")
    }
}
