import Foundation
import Logging
import Synchronization

/// Kafka's (log4j's) log levels, as `/admin/loggers` accepts and shows them.
public enum KafkaLogLevel: String, Sendable, Hashable, CaseIterable {
    /// Nothing is logged.
    case off = "OFF"
    /// swift-log's `critical`.
    case fatal = "FATAL"
    /// `error`.
    case error = "ERROR"
    /// `warning`.
    case warn = "WARN"
    /// `info` (and `notice`).
    case info = "INFO"
    /// `debug`.
    case debug = "DEBUG"
    /// `trace`.
    case trace = "TRACE"
    /// Everything (`trace`).
    case all = "ALL"

    /// The level named `name`, case-insensitively.
    public init?(name: String) {
        self.init(rawValue: name.uppercased())
    }

    /// The lowest swift-log level logged (`OFF`: `critical`; the handler also drops those).
    public var swiftLogLevel: Logger.Level {
        switch self {
        case .off, .fatal: .critical
        case .error: .error
        case .warn: .warning
        case .info: .info
        case .debug: .debug
        case .trace, .all: .trace
        }
    }
}

/// Per-logger-name log levels that can change while the worker runs (`/admin/loggers`, Kafka's
/// `Loggers`). Names form log4j's hierarchy by dots: a logger without a level of its own uses its
/// nearest ancestor's (`org.apache.kafka.connect` covers `org.apache.kafka.connect.runtime.Worker`),
/// then the root's. Loggers made by ``LevelControlledLogHandler`` consult it at every log call, and a
/// level set for a connector's name applies to every logger carrying that connector in its
/// `connector` metadata (task and connector loggers).
public final class LoggerLevels: Sendable {
    /// The process-wide levels the CLI bootstraps swift-log with.
    public static let shared = LoggerLevels()
    /// The root logger's name in the API.
    public static let rootName = "root"

    /// A logger's level and when the API last set it (epoch milliseconds; `nil` if never).
    public struct Entry: Sendable, Hashable {
        /// The level.
        public var level: KafkaLogLevel
        /// When the API last set it.
        public var lastModified: Int64?
    }

    private struct State {
        var root: Entry
        var explicit: [String: Entry] = [:]
        var known: Set<String> = []
    }

    private let state: Mutex<State>

    /// Levels with only a root level.
    public init(rootLevel: KafkaLogLevel = .info) {
        state = Mutex(State(root: Entry(level: rootLevel, lastModified: nil)))
    }

    /// Notes that a logger of this name exists (``LevelControlledLogHandler`` does).
    public func register(_ name: String) {
        state.withLock { _ = $0.known.insert(name) }
    }

    /// The level in force for a logger, with the level set for `connector` taking precedence.
    public func effectiveLevel(for name: String, connector: String? = nil) -> KafkaLogLevel {
        state.withLock { state in
            if let connector, let entry = state.explicit[connector] { return entry.level }
            return Self.effective(name, in: state).level
        }
    }

    private static func effective(_ name: String, in state: State) -> Entry {
        var candidate = Substring(name)
        while true {
            if let entry = state.explicit[String(candidate)] { return entry }
            guard let dot = candidate.lastIndex(of: ".") else { return state.root }
            candidate = candidate[..<dot]
        }
    }

    /// The root and every logger with a level set through the API, sorted by name
    /// (`GET /admin/loggers`).
    public func explicitLevels() -> [(name: String, entry: Entry)] {
        state.withLock { state in
            [(Self.rootName, state.root)] + state.explicit.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
    }

    /// A known logger's level, its own or inherited (`GET /admin/loggers/<name>`); `nil` for a
    /// logger that does not exist.
    public func level(of name: String) -> Entry? {
        state.withLock { state in
            if name.lowercased() == Self.rootName { return state.root }
            if let entry = state.explicit[name] { return entry }
            guard state.known.contains(name) else { return nil }
            return Entry(level: Self.effective(name, in: state).level, lastModified: nil)
        }
    }

    /// Sets the level of `namespace` and of every known logger under it (`PUT /admin/loggers/<name>`).
    /// - Returns: The affected logger names, sorted.
    @discardableResult
    public func setLevel(_ namespace: String, to level: KafkaLogLevel) -> [String] {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        return state.withLock { state in
            let entry = Entry(level: level, lastModified: now)
            if namespace.lowercased() == Self.rootName {
                // Like log4j, the root level reaches every logger without a level of its own.
                state.root = entry
                let affected = state.known.union(state.explicit.keys).sorted()
                for name in state.explicit.keys { state.explicit[name] = entry }
                return [Self.rootName] + affected
            }
            var affected: Set<String> = [namespace]
            for name in state.known.union(state.explicit.keys) where name.hasPrefix(namespace + ".") {
                affected.insert(name)
            }
            for name in affected { state.explicit[name] = entry }
            return affected.sorted()
        }
    }
}

/// A log handler whose level comes from ``LoggerLevels`` by logger label (and `connector` metadata),
/// so `/admin/loggers` changes the level of loggers already handed out. Wraps the handler that
/// writes.
///
/// ```swift
/// LoggingSystem.bootstrap { label in
///     LevelControlledLogHandler(label: label, levels: .shared, base: StreamLogHandler.standardError(label: label))
/// }
/// ```
public struct LevelControlledLogHandler: LogHandler {
    /// The logger's name.
    public let label: String
    private let levels: LoggerLevels
    private var base: any LogHandler
    private var override: Logger.Level?
    /// Kept here too: the base handler may not store metadata, and the level depends on it.
    private var ownMetadata: Logger.Metadata = [:]

    /// A handler for the logger `label`, writing through `base`.
    public init(label: String, levels: LoggerLevels, base: any LogHandler) {
        self.label = label
        self.levels = levels
        self.base = base
        levels.register(label)
    }

    private var connector: String? {
        ownMetadata["connector"].map { "\($0)" }
    }

    public var logLevel: Logger.Level {
        get { override ?? levels.effectiveLevel(for: label, connector: connector).swiftLogLevel }
        // A level set in code (e.g. a test's logger) wins over the shared levels.
        set { override = newValue }
    }

    public var metadata: Logger.Metadata {
        get { ownMetadata }
        set {
            ownMetadata = newValue
            base.metadata = newValue
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { ownMetadata[key] }
        set {
            ownMetadata[key] = newValue
            base[metadataKey: key] = newValue
        }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }

    public func log(event: LogEvent) {
        if override == nil && levels.effectiveLevel(for: label, connector: connector) == .off { return }
        base.log(event: event)
    }
}
