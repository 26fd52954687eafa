import ConnectAPI

/// The fixture plugin's version.
public let version = "1.2.3"

/// Registers the fixture's classes.
public func register(into registrar: ConnectPluginRegistrar) {
    registrar.register(source: CounterSourceConnector.self, className: "fixture.plugins.CounterSourceConnector")
    registrar.register(converter: PrefixConverter.self, className: "fixture.plugins.PrefixConverter")
    registrar.register(headerConverter: PrefixConverter.self, className: "fixture.plugins.PrefixConverter")
    registrar.register(transformation: UppercaseTopic.self, className: "fixture.plugins.UppercaseTopic")
    registrar.register(predicate: TopicIsCounter.self, className: "fixture.plugins.TopicIsCounter")
}

/// Emits `count` records `record-0`, `record-1`, … (string values) to `topic`, resuming after the last
/// committed offset.
public actor CounterSourceConnector: SourceConnector {
    public typealias TaskType = CounterSourceTask
    public static let version = TestConnectors.version
    public static let configDef = ConfigDef([
        ConfigKey("topic", type: .string, importance: .high, documentation: "Where the records go."),
        ConfigKey("count", type: .int, default: 10, importance: .medium, documentation: "How many."),
    ])
    private var configs: [String: String] = [:]

    public init() {}
    public func start(configs: [String: String]) async throws { self.configs = configs }
    public func taskConfigs(maxTasks: Int) async throws -> [[String: String]] { [configs] }
    public func stop() async {}
}

/// ``CounterSourceConnector``'s task.
public actor CounterSourceTask: SourceTask {
    public static let version = TestConnectors.version
    private var topic = ""
    private var next = 0
    private var count = 0
    private var context: (any SourceTaskContext)?

    public init() {}

    public func initialize(context: any SourceTaskContext) async { self.context = context }

    public func start(configs: [String: String]) async throws {
        guard let topic = configs["topic"], !topic.isEmpty else { throw ConfigError("Missing topic") }
        self.topic = topic
        count = configs["count"].flatMap { Int($0) } ?? 10
        if let offset = try await context?.offsetStorageReader.offset(for: ["counter": .string(topic)]),
            let stored = offset["next"]?.integerValue
        {
            next = Int(stored)
        }
    }

    public func poll() async throws -> [SourceRecord]? {
        guard next < count else {
            try await _Concurrency.Task.sleep(for: .milliseconds(50))
            return []
        }
        defer { next += 1 }
        return [
            SourceRecord(
                sourcePartition: ["counter": .string(topic)],
                sourceOffset: ["next": .int64(Int64(next + 1))],
                topic: topic,
                valueSchema: .string,
                value: .string("record-\(next)")
            )
        ]
    }

    public func stop() async {}
}

/// A string converter that prefixes values with `prefix` (default `plugin:`).
public final class PrefixConverter: Converter, HeaderConverter, @unchecked Sendable {
    public static let configDef = ConfigDef([
        ConfigKey("prefix", type: .string, default: "plugin:", importance: .low, documentation: "Prefix.")
    ])
    private var prefix = "plugin:"

    public init() {}

    public func close() {}

    public func configure(configs: [String: String], isKey: Bool) throws {
        prefix = configs["prefix"] ?? prefix
    }

    public func configure(configs: [String: String]) throws {
        prefix = configs["prefix"] ?? prefix
    }

    public func fromConnectData(
        topic: String,
        headers: Headers,
        schema: Schema?,
        value: ConnectValue
    ) throws
        -> [UInt8]?
    {
        guard case .string(let string) = value else { return nil }
        return Array((prefix + string).utf8)
    }

    public func toConnectData(topic: String, headers: Headers, bytes: [UInt8]?) throws -> SchemaAndValue {
        guard let bytes else { return SchemaAndValue(schema: .optionalString, value: .null) }
        return SchemaAndValue(schema: .optionalString, value: .string(String(decoding: bytes, as: UTF8.self)))
    }

    public func fromConnectHeader(
        topic: String,
        headerKey: String,
        schema: Schema?,
        value: ConnectValue
    ) throws
        -> [UInt8]?
    {
        try fromConnectData(topic: topic, headers: Headers(), schema: schema, value: value)
    }

    public func toConnectHeader(topic: String, headerKey: String, bytes: [UInt8]?) throws -> SchemaAndValue {
        try toConnectData(topic: topic, headers: Headers(), bytes: bytes)
    }
}

/// Upper-cases the record's topic.
public struct UppercaseTopic: Transformation {
    public static let configDef = ConfigDef([])
    public init(configs: [String: String]) throws {}
    public func apply<R: ConnectRecord>(_ record: R) throws -> R? {
        var copy = record
        copy.topic = record.topic.uppercased()
        return copy
    }
}

/// True for records whose topic starts with `counter`.
public struct TopicIsCounter: RecordPredicate {
    public static let configDef = ConfigDef([])
    public init(configs: [String: String]) throws {}
    public func test<R: ConnectRecord>(_ record: R) throws -> Bool { record.topic.hasPrefix("counter") }
}
