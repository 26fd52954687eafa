import ConnectAPI

/// A key of the status topic (`status.storage.topic`), as Kafka's `KafkaStatusBackingStore` names them.
public enum StatusTopicKey: Sendable, Hashable, CustomStringConvertible {
    /// `status-connector-<name>`.
    case connector(String)
    /// `status-task-<name>-<n>`.
    case task(ConnectorTaskID)
    /// `status-topic-<topic>:connector-<name>`: a topic the connector used (KIP-558).
    case topic(topic: String, connector: String)

    static let connectorPrefix = "status-connector-"
    static let taskPrefix = "status-task-"
    static let topicPrefix = "status-topic-"
    static let topicSeparator = ":connector-"

    /// Parses a key with Kafka's rules; `nil` for keys Kafka discards (unknown prefix, empty
    /// connector or topic, a task key without a number).
    public init?(_ key: String) {
        if let name = key.dropPrefix(Self.connectorPrefix) {
            guard !name.isEmpty else { return nil }
            self = .connector(name)
        } else if key.utf8.starts(with: Self.taskPrefix.utf8) {
            guard let id = parseTaskID(key, leadingParts: 2) else { return nil }
            self = .task(id)
        } else if let rest = key.dropPrefix(Self.topicPrefix) {
            // Kafka: the topic ends at the first ':', the connector starts after ":connector-".
            // Like Java, it skips the separator's length in UTF-16 units without checking it.
            let units = Array(rest.utf16)
            guard let colon = units.firstIndex(of: UInt16(UInt8(ascii: ":"))) else { return nil }
            let topic = String(decoding: units[..<colon], as: UTF16.self)
            let connectorStart = colon + Self.topicSeparator.utf16.count
            guard !topic.isEmpty, connectorStart <= units.count else { return nil }
            let connector = String(decoding: units[connectorStart...], as: UTF16.self)
            guard !connector.isEmpty else { return nil }
            self = .topic(topic: topic, connector: connector)
        } else {
            return nil
        }
    }

    /// The key as written to the topic.
    public var description: String {
        switch self {
        case .connector(let name): Self.connectorPrefix + name
        case .task(let id): "\(Self.taskPrefix)\(id.connector)-\(id.task)"
        case .topic(let topic, let connector): Self.topicPrefix + topic + Self.topicSeparator + connector
        }
    }
}

/// A connector or task status as the status topic stores it.
public struct StatusRecordValue: Sendable, Hashable {
    /// The state.
    public var state: ConnectState
    /// The failure trace; written as JSON `null` when absent.
    public var trace: String?
    /// The writer's worker id (`host:port`).
    public var workerID: String
    /// The writer's group generation when it wrote the status (0 in standalone).
    public var generation: Int32

    /// Creates a value.
    public init(state: ConnectState, trace: String? = nil, workerID: String, generation: Int32) {
        self.state = state
        self.trace = trace
        self.workerID = workerID
        self.generation = generation
    }
}

/// A topic a connector's task used (Kafka's `TopicStatus`).
public struct TopicStatusValue: Sendable, Hashable {
    /// The topic.
    public var topic: String
    /// The connector.
    public var connector: String
    /// The task that first used it.
    public var task: Int32
    /// When, in milliseconds since the epoch.
    public var discoverTimestamp: Int64

    /// Creates a value.
    public init(topic: String, connector: String, task: Int32, discoverTimestamp: Int64) {
        self.topic = topic
        self.connector = connector
        self.task = task
        self.discoverTimestamp = discoverTimestamp
    }
}

/// A decoded status topic record; a `nil` value is a tombstone (Kafka's DESTROYED, a reset topic).
public enum StatusRecord: Sendable, Hashable {
    /// A connector's status.
    case connector(String, StatusRecordValue?)
    /// A task's status.
    case task(ConnectorTaskID, StatusRecordValue?)
    /// An active topic of a connector.
    case topic(topic: String, connector: String, TopicStatusValue?)

    /// The record's key.
    public var key: StatusTopicKey {
        switch self {
        case .connector(let name, _): .connector(name)
        case .task(let id, _): .task(id)
        case .topic(let topic, let connector, _): .topic(topic: topic, connector: connector)
        }
    }
}

/// The result of reading one status topic record.
public enum StatusRecordDecoding: Sendable, Hashable {
    /// A record Kafka would apply.
    case record(StatusRecord)
    /// A record Kafka logs and discards.
    case skipped(reason: String)
}

/// Status topic records as Kafka Connect writes them (JsonConverter, schemas disabled).
public enum StatusRecordCodec {
    /// The key and value bytes (`nil` value: tombstone).
    public static func encode(_ record: StatusRecord) throws -> (key: String, value: [UInt8]?) {
        let key = record.key.description
        switch record {
        case .connector(_, let status), .task(_, let status):
            guard let status else { return (key, nil) }
            return (
                key,
                try ConfigRecordCodec.object([
                    ("state", .string(status.state.rawValue)),
                    ("trace", status.trace.map(ConnectValue.string) ?? .null),
                    ("worker_id", .string(status.workerID)),
                    ("generation", .int32(status.generation)),
                ])
            )
        case .topic(_, _, let status):
            guard let status else { return (key, nil) }
            let inner = ConnectMap([
                (ConnectValue.string("name"), ConnectValue.string(status.topic)),
                (.string("connector"), .string(status.connector)),
                (.string("task"), .int32(status.task)),
                (.string("discoverTimestamp"), .int64(status.discoverTimestamp)),
            ])
            return (key, try ConfigRecordCodec.object([("topic", .map(inner))]))
        }
    }

    /// Reads a record as Kafka's status consumer does: what it cannot use is skipped, never thrown.
    public static func decode(key rawKey: String?, value bytes: [UInt8]?) -> StatusRecordDecoding {
        guard let rawKey, let key = StatusTopicKey(rawKey) else {
            return .skipped(reason: "discarding record with invalid key \(rawKey ?? "null")")
        }
        guard let bytes else {
            switch key {
            case .connector(let name): return .record(.connector(name, nil))
            case .task(let id): return .record(.task(id, nil))
            case .topic(let topic, let connector): return .record(.topic(topic: topic, connector: connector, nil))
            }
        }
        let fields: [String: ConnectValue]
        do {
            guard let map = OffsetJSON.stringMap(try OffsetJSON.decode(bytes)) else {
                return .skipped(reason: "status for \(key) is not a map")
            }
            fields = map
        } catch {
            return .skipped(reason: "failed to deserialize status for \(key): \(error)")
        }
        switch key {
        case .connector(let name):
            return status(fields, key: key).map { .record(.connector(name, $0)) } ?? skippedStatus(key)
        case .task(let id):
            return status(fields, key: key).map { .record(.task(id, $0)) } ?? skippedStatus(key)
        case .topic(let topic, let connector):
            // Kafka takes the value's own fields, not the key's.
            guard let inner = fields["topic"].flatMap(OffsetJSON.stringMap),
                case .string(let name)? = inner["name"],
                case .string(let owner)? = inner["connector"],
                let task = inner["task"].flatMap(ConfigRecordCodec.int64Value).flatMap({ Int32(exactly: $0) }),
                let discovered = inner["discoverTimestamp"].flatMap(ConfigRecordCodec.int64Value)
            else {
                return .skipped(reason: "failed to parse topic status with key \(key)")
            }
            let value = TopicStatusValue(topic: name, connector: owner, task: task, discoverTimestamp: discovered)
            return .record(.topic(topic: topic, connector: connector, value))
        }
    }

    private static func status(_ fields: [String: ConnectValue], key: StatusTopicKey) -> StatusRecordValue? {
        guard case .string(let stateText)? = fields["state"], let state = ConnectState(rawValue: stateText),
            case .string(let workerID)? = fields["worker_id"],
            let generation = fields["generation"].flatMap(ConfigRecordCodec.int64Value)
        else { return nil }
        var trace: String?
        switch fields["trace"] {
        case .string(let text)?: trace = text
        case .null?, nil: trace = nil
        default: return nil
        }
        // Kafka reads a Long and keeps its low 32 bits (`intValue()`).
        return StatusRecordValue(
            state: state,
            trace: trace,
            workerID: workerID,
            generation: Int32(truncatingIfNeeded: generation)
        )
    }

    private static func skippedStatus(_ key: StatusTopicKey) -> StatusRecordDecoding {
        .skipped(reason: "failed to parse status with key \(key)")
    }
}

/// The status topic's view as a worker caches it: last status per connector and task, active topics
/// per connector, with Kafka's rule that a stale UNASSIGNED never hides a newer RUNNING.
public struct StatusCache: Sendable, Hashable {
    /// Connector statuses.
    public private(set) var connectors: [String: StatusRecordValue] = [:]
    /// Task statuses.
    public private(set) var tasks: [ConnectorTaskID: StatusRecordValue] = [:]
    /// Active topics per connector, by topic name.
    public private(set) var topics: [String: [String: TopicStatusValue]] = [:]
    /// The last task record of each key as written, the ignored ones included: what each worker
    /// said last, for ``hasActiveStatus(of:)``.
    private var lastWrittenTasks: [ConnectorTaskID: StatusRecordValue] = [:]

    /// An empty cache.
    public init() {}

    /// Applies a record in topic order. Returns `false` if Kafka's reading rule ignored it: a task
    /// UNASSIGNED of a generation not newer than a cached RUNNING (a worker that had not yet seen
    /// the new owner's status during a rebalance).
    @discardableResult
    public mutating func apply(_ record: StatusRecord) -> Bool {
        switch record {
        case .connector(let name, let status):
            connectors[name] = status
        case .task(let id, let status):
            lastWrittenTasks[id] = status
            if let status, status.state == .unassigned, let cached = tasks[id], cached.state == .running,
                cached.generation >= status.generation
            {
                return false
            }
            tasks[id] = status
        case .topic(let topic, let connector, let status):
            topics[connector, default: [:]][topic] = status
            if topics[connector]?.isEmpty == true { topics[connector] = nil }
        }
        return true
    }

    /// Whether the last record of any connector or task is by `workerID` and says something other
    /// than UNASSIGNED: a worker that shut down cleanly wrote UNASSIGNED for all its work last (a task
    /// UNASSIGNED that Kafka's reading rule hides from ``tasks`` counts here); one that crashed did not.
    public func hasActiveStatus(of workerID: String) -> Bool {
        connectors.values.contains { $0.workerID == workerID && $0.state != .unassigned }
            || lastWrittenTasks.values.contains { $0.workerID == workerID && $0.state != .unassigned }
    }

    /// Whether a *safe* write (Kafka's `putSafe`, used for UNASSIGNED and FAILED) of `status` may
    /// go out: not if the cached entry was written by another worker at a newer generation.
    public func allowsSafeWrite(_ key: StatusTopicKey, _ status: StatusRecordValue) -> Bool {
        let cached: StatusRecordValue?
        switch key {
        case .connector(let name): cached = connectors[name]
        case .task(let id): cached = tasks[id]
        case .topic: return true
        }
        guard let cached else { return true }
        return !(cached.workerID != status.workerID && cached.generation > status.generation)
    }
}
