import ConnectAPI
import Foundation

/// A key of the config topic (`config.storage.topic`), as Kafka Connect's `KafkaConfigBackingStore`
/// names its records.
public enum ConfigTopicKey: Sendable, Hashable, CustomStringConvertible {
    /// `connector-<name>`: a connector's configuration.
    case connector(String)
    /// `target-state-<name>`: what the user asked the connector to be.
    case targetState(String)
    /// `task-<name>-<n>`: one task's configuration, waiting for its `commit-<name>`.
    case task(ConnectorTaskID)
    /// `commit-<name>`: the task configurations written before it are complete.
    case commit(String)
    /// `restart-connector-<name>`: a restart request from the REST API.
    case restart(String)
    /// `tasks-fencing-<name>`: the task count record of exactly-once source support.
    case taskCount(String)
    /// `session-key`: the key that signs worker-to-worker requests.
    case sessionKey
    /// `logger-cluster-<namespace>`: a cluster-wide logger level.
    case loggerLevel(String)

    static let targetStatePrefix = "target-state-"
    static let connectorPrefix = "connector-"
    static let taskPrefix = "task-"
    static let commitPrefix = "commit-"
    static let restartPrefix = "restart-connector-"
    static let taskCountPrefix = "tasks-fencing-"
    static let sessionKeyKey = "session-key"
    static let loggerPrefix = "logger-cluster-"

    /// Parses a key with Kafka's rules: prefixes tested in Kafka's order, task keys split on `-` with
    /// the last part the task number and the parts between re-joined (connector names may contain
    /// `-`). `nil` for keys Kafka would discard.
    public init?(_ key: String) {
        if let name = key.dropPrefix(Self.targetStatePrefix) {
            self = .targetState(name)
        } else if let name = key.dropPrefix(Self.connectorPrefix) {
            self = .connector(name)
        } else if key.utf8.starts(with: Self.taskPrefix.utf8) {
            guard let id = parseTaskID(key, leadingParts: 1) else { return nil }
            self = .task(id)
        } else if let name = key.dropPrefix(Self.commitPrefix) {
            self = .commit(name)
        } else if let name = key.dropPrefix(Self.restartPrefix) {
            self = .restart(name)
        } else if let name = key.dropPrefix(Self.taskCountPrefix) {
            self = .taskCount(name)
        } else if key == Self.sessionKeyKey {
            self = .sessionKey
        } else if let namespace = key.dropPrefix(Self.loggerPrefix) {
            self = .loggerLevel(namespace)
        } else {
            return nil
        }
    }

    /// The key as written to the topic.
    public var description: String {
        switch self {
        case .connector(let name): Self.connectorPrefix + name
        case .targetState(let name): Self.targetStatePrefix + name
        case .task(let id): "\(Self.taskPrefix)\(id.connector)-\(id.task)"
        case .commit(let name): Self.commitPrefix + name
        case .restart(let name): Self.restartPrefix + name
        case .taskCount(let name): Self.taskCountPrefix + name
        case .sessionKey: Self.sessionKeyKey
        case .loggerLevel(let namespace): Self.loggerPrefix + namespace
        }
    }
}

/// A restart request as the config topic carries it (Kafka's `RestartRequest`).
public struct RestartRequest: Sendable, Hashable, CustomStringConvertible {
    /// The connector to restart.
    public var connector: String
    /// Restart only instances that are FAILED.
    public var onlyFailed: Bool
    /// Restart the tasks too.
    public var includeTasks: Bool

    /// Creates a request.
    public init(connector: String, onlyFailed: Bool = false, includeTasks: Bool = false) {
        self.connector = connector
        self.onlyFailed = onlyFailed
        self.includeTasks = includeTasks
    }

    /// Kafka's impact rank: of two pending requests for one connector the herder keeps the one that
    /// restarts more (all instances over failed ones, tasks included over connector only).
    public var impactRank: Int {
        switch (onlyFailed, includeTasks) {
        case (true, false): 0
        case (true, true): 1
        case (false, false): 2
        case (false, true): 3
        }
    }

    public var description: String {
        "restart request for \(connector) (onlyFailed=\(onlyFailed), includeTasks=\(includeTasks))"
    }
}

/// The session key that signs internal REST requests (Kafka's `SessionKey`).
public struct SessionKey: Sendable, Hashable, CustomStringConvertible {
    /// The key's bytes.
    public var key: [UInt8]
    /// The JCA algorithm name, `HmacSHA256` by default (`inter.worker.key.generation.algorithm`).
    public var algorithm: String
    /// When the leader created it, in milliseconds since the epoch.
    public var creationTimestamp: Int64

    /// Creates a key.
    public init(key: [UInt8], algorithm: String, creationTimestamp: Int64) {
        self.key = key
        self.algorithm = algorithm
        self.creationTimestamp = creationTimestamp
    }

    /// Never prints the key itself.
    public var description: String { "session key (\(algorithm), created \(creationTimestamp))" }
}

/// A decoded config topic record.
public enum ConfigRecord: Sendable, Hashable {
    /// A connector's raw configuration (with `name`), or `nil` for the tombstone that deletes it.
    case connectorConfig(String, [String: String]?)
    /// A target state, or `nil` for the tombstone written on delete.
    case targetState(String, TargetState?)
    /// One task's configuration.
    case taskConfig(ConnectorTaskID, [String: String])
    /// The commit of a task-configuration batch of `taskCount` tasks.
    case commit(String, taskCount: Int)
    /// A restart request.
    case restart(RestartRequest)
    /// An exactly-once task count record.
    case taskCount(String, count: Int)
    /// The session key.
    case sessionKey(SessionKey)
    /// A cluster-wide logger level for a namespace.
    case loggerLevel(namespace: String, level: String)

    /// The record's key.
    public var key: ConfigTopicKey {
        switch self {
        case .connectorConfig(let name, _): .connector(name)
        case .targetState(let name, _): .targetState(name)
        case .taskConfig(let id, _): .task(id)
        case .commit(let name, _): .commit(name)
        case .restart(let request): .restart(request.connector)
        case .taskCount(let name, _): .taskCount(name)
        case .sessionKey: .sessionKey
        case .loggerLevel(let namespace, _): .loggerLevel(namespace)
        }
    }
}

/// The result of reading one config topic record.
public enum ConfigRecordDecoding: Sendable, Hashable {
    /// A record Kafka would act on.
    case record(ConfigRecord)
    /// A record Kafka logs and skips: the reason, and the key if it parsed.
    case skipped(key: ConfigTopicKey?, reason: String)
    /// The value was not JSON at all: Kafka skips it *without* advancing its config offset.
    case unreadable(reason: String)
}

/// Config topic records as Kafka Connect writes them: UTF-8 keys, values serialized by the
/// JsonConverter with schemas disabled (a Struct's fields in schema order, compact), `null` for
/// tombstones.
public enum ConfigRecordCodec {
    /// The key and value bytes for a record (`nil` value: tombstone).
    ///
    /// Configuration maps are written with their keys sorted, so equal configs give equal bytes
    /// (Kafka writes its map's iteration order; readers do not depend on it).
    public static func encode(_ record: ConfigRecord) throws -> (key: String, value: [UInt8]?) {
        let key = record.key.description
        switch record {
        case .connectorConfig(_, let config):
            guard let config else { return (key, nil) }
            return (key, try object([("properties", properties(config))]))
        case .targetState(_, let state):
            guard let state else { return (key, nil) }
            // Workers before KIP-875 know no STOPPED: they read `state`, which says PAUSED.
            let legacy: TargetState = state == .stopped ? .paused : state
            return (key, try object([("state", .string(legacy.rawValue)), ("state.v2", .string(state.rawValue))]))
        case .taskConfig(_, let config):
            return (key, try object([("properties", properties(config))]))
        case .commit(_, let taskCount):
            return (key, try object([("tasks", .int32(Int32(clamping: taskCount)))]))
        case .restart(let request):
            return (
                key,
                try object([
                    ("include-tasks", .boolean(request.includeTasks)), ("only-failed", .boolean(request.onlyFailed)),
                ])
            )
        case .taskCount(_, let count):
            return (key, try object([("task-count", .int32(Int32(clamping: count)))]))
        case .sessionKey(let sessionKey):
            return (
                key,
                try object([
                    ("key", .string(Data(sessionKey.key).base64EncodedString())),
                    ("algorithm", .string(sessionKey.algorithm)),
                    ("creation-timestamp", .int64(sessionKey.creationTimestamp)),
                ])
            )
        case .loggerLevel(_, let level):
            return (key, try object([("level", .string(level))]))
        }
    }

    /// Reads a record the way Kafka's config consumer does: unknown keys and malformed values are
    /// reported as ``ConfigRecordDecoding/skipped(key:reason:)``, never thrown.
    public static func decode(key rawKey: String?, value bytes: [UInt8]?) -> ConfigRecordDecoding {
        let value: ConnectValue
        do {
            value = try bytes.map(OffsetJSON.decode) ?? .null
        } catch {
            return .unreadable(reason: "failed to convert config data to Kafka Connect format: \(error)")
        }
        guard let rawKey, let key = ConfigTopicKey(rawKey) else {
            return .skipped(key: nil, reason: "discarding config update record with invalid key: \(rawKey ?? "null")")
        }
        switch key {
        case .connector(let name):
            if value.isNull { return .record(.connectorConfig(name, nil)) }
            guard let fields = OffsetJSON.stringMap(value) else {
                return .skipped(key: key, reason: "configuration for connector '\(name)' is not a map")
            }
            guard let config = fields["properties"].flatMap(stringProperties) else {
                return .skipped(key: key, reason: "'properties' of connector '\(name)' should be a map")
            }
            return .record(.connectorConfig(name, config))
        case .targetState(let name):
            if value.isNull { return .record(.targetState(name, nil)) }
            guard let fields = OffsetJSON.stringMap(value) else {
                return .skipped(key: key, reason: "target state for connector '\(name)' is not a map")
            }
            // Prefer `state.v2` (knows STOPPED); records of older workers only have `state`.
            var text: String?
            if case .string(let v2)? = fields["state.v2"] { text = v2 }
            if text == nil, case .string(let v1)? = fields["state"] { text = v1 }
            guard let text else {
                return .skipped(key: key, reason: "target state for connector '\(name)' has no string 'state'")
            }
            guard let state = TargetState(rawValue: text) else {
                return .skipped(key: key, reason: "invalid target state for connector '\(name)': \(text)")
            }
            return .record(.targetState(name, state))
        case .task(let id):
            guard let fields = OffsetJSON.stringMap(value) else {
                return .skipped(key: key, reason: "task configuration for \(id) is null or not a map")
            }
            guard let config = fields["properties"].flatMap(stringProperties) else {
                return .skipped(key: key, reason: "'properties' of task \(id) should be a map")
            }
            return .record(.taskConfig(id, config))
        case .commit(let name):
            guard let fields = OffsetJSON.stringMap(value), let tasks = fields["tasks"].flatMap(intValue) else {
                return .skipped(key: key, reason: "task commit for connector '\(name)' lacks an integer 'tasks'")
            }
            return .record(.commit(name, taskCount: tasks))
        case .restart(let name):
            guard let fields = OffsetJSON.stringMap(value) else {
                return .skipped(key: key, reason: "restart request for connector '\(name)' is not a map")
            }
            // Kafka defaults a missing or non-boolean flag to false.
            var request = RestartRequest(connector: name)
            if case .boolean(let flag)? = fields["only-failed"] { request.onlyFailed = flag }
            if case .boolean(let flag)? = fields["include-tasks"] { request.includeTasks = flag }
            return .record(.restart(request))
        case .taskCount(let name):
            guard let fields = OffsetJSON.stringMap(value), let count = fields["task-count"].flatMap(intValue) else {
                return .skipped(key: key, reason: "task count record for '\(name)' lacks an integer 'task-count'")
            }
            return .record(.taskCount(name, count: count))
        case .sessionKey:
            guard let fields = OffsetJSON.stringMap(value) else {
                return .skipped(key: key, reason: "session key is null or not a map")
            }
            guard case .string(let encoded)? = fields["key"], let bytes = Data(base64Encoded: encoded) else {
                return .skipped(key: key, reason: "session key 'key' should be a Base64 string")
            }
            guard case .string(let algorithm)? = fields["algorithm"] else {
                return .skipped(key: key, reason: "session key 'algorithm' should be a string")
            }
            guard let created = fields["creation-timestamp"].flatMap(int64Value) else {
                return .skipped(key: key, reason: "session key 'creation-timestamp' should be a long")
            }
            return .record(.sessionKey(SessionKey(key: Array(bytes), algorithm: algorithm, creationTimestamp: created)))
        case .loggerLevel(let namespace):
            guard let fields = OffsetJSON.stringMap(value), case .string(let level)? = fields["level"] else {
                return .skipped(key: key, reason: "logging level for namespace \(namespace) lacks a string 'level'")
            }
            return .record(.loggerLevel(namespace: namespace, level: level))
        }
    }

    // MARK: Helpers

    static func object(_ fields: [(String, ConnectValue)]) throws -> [UInt8] {
        try OffsetJSON.encode(.map(ConnectMap(fields.map { (ConnectValue.string($0.0), $0.1) })))
    }

    static func properties(_ config: [String: String]) -> ConnectValue {
        .map(ConnectMap(config.keys.sorted().map { (ConnectValue.string($0), ConnectValue.string(config[$0] ?? "")) }))
    }

    /// A `properties` map. Kafka's schema allows null values (corrupt data only); they are dropped,
    /// as are values that are not strings.
    static func stringProperties(_ value: ConnectValue) -> [String: String]? {
        guard let fields = OffsetJSON.stringMap(value) else { return nil }
        var config: [String: String] = [:]
        for (name, value) in fields {
            if case .string(let text) = value { config[name] = text }
        }
        return config
    }

    /// Integers arrive as Integer or Long depending on the writer; both are accepted.
    static func intValue(_ value: ConnectValue) -> Int? {
        int64Value(value).flatMap { Int(exactly: $0) }
    }

    static func int64Value(_ value: ConnectValue) -> Int64? {
        switch value {
        case .int8(let v): Int64(v)
        case .int16(let v): Int64(v)
        case .int32(let v): Int64(v)
        case .int64(let v): v
        default: nil
        }
    }
}

/// Kafka's task-key parsing: `String.split("-")` (trailing empty parts dropped), at least
/// `leadingParts + 2` parts, the last a Java int, the middle re-joined as the connector name.
/// Works on bytes like Java (a combining mark after a `-` must not hide it).
func parseTaskID(_ key: String, leadingParts: Int) -> ConnectorTaskID? {
    var parts = key.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
    while let last = parts.last, last.isEmpty { parts.removeLast() }
    guard parts.count >= leadingParts + 2,
        let task = Int32(String(decoding: parts[parts.count - 1], as: UTF8.self))
    else { return nil }
    let connector = parts[leadingParts..<(parts.count - 1)].map { String(decoding: $0, as: UTF8.self) }
        .joined(separator: "-")
    return ConnectorTaskID(connector: connector, task: Int(task))
}

extension String {
    /// The rest of the string after `prefix`, or `nil` if it does not start with it. Compares bytes
    /// like Java's `startsWith` (Swift's `hasPrefix` compares characters, so a combining mark right
    /// after the prefix would make it fail).
    func dropPrefix(_ prefix: String) -> String? {
        guard utf8.starts(with: prefix.utf8) else { return nil }
        return String(decoding: utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
    }
}
