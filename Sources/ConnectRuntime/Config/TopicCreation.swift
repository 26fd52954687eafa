import ConnectAPI

/// A source connector's topic creation rules (KIP-158, Kafka's `TopicCreation` and
/// `TopicCreationGroup`): active when the worker has `topic.creation.enable=true` and the connector
/// configures any `topic.creation.` key. A topic belongs to the first group of
/// `topic.creation.groups` whose `include` regexes match it and `exclude` regexes do not, otherwise
/// to the `default` group; it is created with that group's partitions, replication factor and
/// other `topic.creation.<group>.*` keys as topic configs before the task's first record to it.
public struct TopicCreation: Sendable, Equatable {
    /// One group of settings.
    public struct Group: Sendable, Equatable {
        public var name: String
        /// Regexes a topic must match entirely (`default`: every topic).
        public var include: [String]
        /// Regexes that exclude a topic even when it is included.
        public var exclude: [String]
        /// -1: the broker's default.
        public var partitions: Int32
        /// -1: the broker's default.
        public var replicationFactor: Int16
        /// Topic configs (`cleanup.policy`, `compression.type`, ...).
        public var topicConfigs: [String: String]

        /// Whether `topic` belongs to this group.
        public func matches(_ topic: String) -> Bool {
            func any(_ patterns: [String]) -> Bool {
                patterns.contains { pattern in
                    (try? Regex(pattern).wholeMatch(in: topic)) != nil
                }
            }
            return any(include) && !any(exclude)
        }
    }

    public static let prefix = "topic.creation."
    public static let defaultGroup = "default"

    /// The groups of `topic.creation.groups`, in order.
    public var groups: [Group]
    /// The `default` group.
    public var defaultGroup: Group

    /// The rules of a source connector, or nil when topic creation is off for it.
    /// - Throws: ``ConnectError`` naming the key when the default group's partitions or replication
    ///   factor are missing or invalid, or a regex does not compile.
    public init?(workerEnabled: Bool, connectorProps: [String: String]) throws {
        guard workerEnabled, connectorProps.keys.contains(where: { $0.hasPrefix(Self.prefix) }) else { return nil }
        defaultGroup = try Self.group(Self.defaultGroup, props: connectorProps, fallback: nil)
        let names = Self.list(connectorProps["\(Self.prefix)groups"] ?? "")
        var groups: [Group] = []
        var seen: Set<String> = [Self.defaultGroup]
        for name in names where seen.insert(name).inserted {
            groups.append(try Self.group(name, props: connectorProps, fallback: defaultGroup))
        }
        self.groups = groups
    }

    /// The group `topic` is created with.
    public func group(for topic: String) -> Group {
        groups.first { $0.matches(topic) } ?? defaultGroup
    }

    /// The group's settings; `fallback` (the default group) supplies partitions and replication
    /// factor a named group leaves out.
    private static func group(_ name: String, props: [String: String], fallback: Group?) throws -> Group {
        let prefix = "\(Self.prefix)\(name)."
        var own: [String: String] = [:]
        for (key, value) in props where key.hasPrefix(prefix) { own[String(key.dropFirst(prefix.count))] = value }
        func number<T: FixedWidthInteger>(_ key: String, _ type: T.Type, fallback: T?) throws -> T {
            guard let text = own[key]?.trimmingSpaces, !text.isEmpty else {
                if let fallback { return fallback }
                throw ConnectError(
                    "Missing required configuration \"\(prefix)\(key)\": set it to a number >= 1, or -1 for the "
                        + "broker's default, to let this source connector create its topics"
                )
            }
            guard let value = T(text), value >= 1 || value == -1 else {
                throw ConnectError(
                    "Invalid value \(text) for configuration \(prefix)\(key): Number should be either -1 to use the "
                        + "broker's default, or at least 1"
                )
            }
            return value
        }
        let include = name == Self.defaultGroup ? [".*"] : list(own["include"] ?? "")
        let exclude = name == Self.defaultGroup ? [] : list(own["exclude"] ?? "")
        for pattern in include + exclude {
            do {
                _ = try Regex(pattern)
            } catch {
                throw ConnectError("Invalid regex \"\(pattern)\" in \(prefix)include/exclude: \(error)")
            }
        }
        var configs = own
        for key in ["include", "exclude", "partitions", "replication.factor"] { configs[key] = nil }
        return Group(
            name: name,
            include: include,
            exclude: exclude,
            partitions: try number("partitions", Int32.self, fallback: fallback?.partitions),
            replicationFactor: try number("replication.factor", Int16.self, fallback: fallback?.replicationFactor),
            topicConfigs: configs
        )
    }

    private static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var view = Substring(self)
        while view.first?.isWhitespace == true { view.removeFirst() }
        while view.last?.isWhitespace == true { view.removeLast() }
        return String(view)
    }
}
