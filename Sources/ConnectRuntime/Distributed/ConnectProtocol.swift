import KafkaNIO
import KafkaProtocol
import NIOCore

/// The sub-protocols of the `connect` group protocol type (Kafka's `ConnectProtocolCompatibility`),
/// chosen with `connect.protocol`.
public enum ConnectProtocolCompatibility: Int16, Sendable, Hashable, CaseIterable, Comparable {
    /// `eager` / protocol `default` (v0): every rebalance stops everything.
    case eager = 0
    /// `compatible` (v1): incremental cooperative rebalancing.
    case compatible = 1
    /// `sessioned` (v2): incremental cooperative, with signed internal requests (the default).
    case sessioned = 2

    /// The value of `connect.protocol`.
    public var configName: String {
        switch self {
        case .eager: "eager"
        case .compatible: "compatible"
        case .sessioned: "sessioned"
        }
    }

    /// The protocol name in JoinGroup.
    public var protocolName: String {
        switch self {
        case .eager: "default"
        case .compatible: "compatible"
        case .sessioned: "sessioned"
        }
    }

    /// The metadata and assignment version of this sub-protocol.
    public var version: Int16 { rawValue }

    /// From `connect.protocol` (case-insensitive, as Kafka's config validator).
    public init?(configName: String) {
        guard let match = Self.allCases.first(where: { $0.configName == configName.lowercased() }) else { return nil }
        self = match
    }

    /// From the protocol the coordinator chose.
    public init?(protocolName: String) {
        guard let match = Self.allCases.first(where: { $0.protocolName == protocolName }) else { return nil }
        self = match
    }

    /// The protocols a worker offers in JoinGroup, most preferred first.
    public var offeredProtocols: [ConnectProtocolCompatibility] {
        Self.allCases.filter { $0 <= self }.reversed()
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The connectors and tasks of a worker (Kafka's `ConnectorsAndTasks`): both in insertion order,
/// without duplicates.
public struct ConnectorsAndTasks: Sendable, Hashable {
    /// Connector names.
    public var connectors: [String]
    /// Task ids.
    public var tasks: [ConnectorTaskID]

    /// Creates a set, dropping repeated entries.
    public init(connectors: [String] = [], tasks: [ConnectorTaskID] = []) {
        self.connectors = connectors.uniqued()
        self.tasks = tasks.uniqued()
    }

    /// Whether both are empty.
    public var isEmpty: Bool { connectors.isEmpty && tasks.isEmpty }

    /// No connectors, no tasks.
    public static let empty = ConnectorsAndTasks()
}

/// A member's JoinGroup metadata (Kafka's `ExtendedWorkerState`).
public struct ConnectWorkerMetadata: Sendable, Hashable {
    /// The advertised REST URL.
    public var url: String
    /// The worker's config-topic position (next offset to read).
    public var configOffset: Int64
    /// What the worker runs now (v1/v2), `nil` when it runs nothing or speaks v0.
    public var assignment: ConnectAssignment?

    /// Creates metadata.
    public init(url: String, configOffset: Int64, assignment: ConnectAssignment? = nil) {
        self.url = url
        self.configOffset = configOffset
        self.assignment = assignment
    }

    /// What the worker runs (empty without an assignment).
    public var running: ConnectorsAndTasks {
        guard let assignment else { return .empty }
        return ConnectorsAndTasks(connectors: assignment.connectors, tasks: assignment.tasks)
    }
}

/// A SyncGroup assignment (Kafka's `ConnectProtocol.Assignment` and `ExtendedAssignment`).
public struct ConnectAssignment: Sendable, Hashable {
    /// No error.
    public static let noError: Int16 = 0
    /// The leader's config was behind a member's: read the config topic to the end and rejoin.
    public static let configMismatch: Int16 = 1
    /// The task number that stands for the Connector instance itself on the wire.
    public static let connectorTask: Int32 = -1

    /// The layout version (0, 1 or 2).
    public var version: Int16
    /// ``noError`` or ``configMismatch``.
    public var error: Int16
    /// The leader's member id.
    public var leader: String
    /// The leader's REST URL.
    public var leaderURL: String
    /// The config offset the assignment was computed at.
    public var configOffset: Int64
    /// Connectors to run (v0: all of them; v1/v2: newly assigned, or in member metadata all running).
    public var connectors: [String]
    /// Tasks to run, likewise.
    public var tasks: [ConnectorTaskID]
    /// Connectors to stop now (v1/v2).
    public var revokedConnectors: [String]
    /// Tasks to stop now (v1/v2).
    public var revokedTasks: [ConnectorTaskID]
    /// Milliseconds until the leader wants the member to rejoin (v1/v2); 0 for none.
    public var delay: Int32

    /// Creates an assignment.
    public init(
        version: Int16,
        error: Int16 = ConnectAssignment.noError,
        leader: String,
        leaderURL: String,
        configOffset: Int64,
        connectors: [String] = [],
        tasks: [ConnectorTaskID] = [],
        revokedConnectors: [String] = [],
        revokedTasks: [ConnectorTaskID] = [],
        delay: Int32 = 0
    ) {
        self.version = version
        self.error = error
        self.leader = leader
        self.leaderURL = leaderURL
        self.configOffset = configOffset
        self.connectors = connectors
        self.tasks = tasks
        self.revokedConnectors = revokedConnectors
        self.revokedTasks = revokedTasks
        self.delay = delay
    }

    /// Whether the leader reported an error.
    public var failed: Bool { error != Self.noError }

    /// The worker's next complete assignment under the incremental protocols (Kafka's
    /// `WorkerCoordinator.onJoinComplete`): this one's additions, plus `previous` minus what this
    /// one revokes. Under eager the assignment is already complete.
    public func merging(previous: ConnectAssignment?) -> ConnectAssignment {
        guard version >= 1, let previous else { return self }
        var merged = self
        let revokedConnectors = Set(revokedConnectors)
        let revokedTasks = Set(revokedTasks)
        merged.connectors = (connectors + previous.connectors.filter { !revokedConnectors.contains($0) }).uniqued()
        merged.tasks = (tasks + previous.tasks.filter { !revokedTasks.contains($0) }).uniqued()
        return merged
    }
}

/// The `connect` protocol's metadata and assignment bytes, Kafka's layouts (big-endian; strings with
/// an Int16 length; arrays with an Int32 count; the v1/v2 allocation as nullable Int32-length bytes
/// that hold a complete assignment with its own version header).
public enum ConnectProtocolCodec {
    // MARK: Metadata

    /// JoinGroup metadata at `protocol`'s version. v0 carries no allocation.
    public static func encodeMetadata(
        _ metadata: ConnectWorkerMetadata,
        protocol: ConnectProtocolCompatibility
    ) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeKafkaInteger(`protocol`.version)
        buffer.writeKafkaString(metadata.url, compact: false)
        buffer.writeKafkaInteger(metadata.configOffset)
        if `protocol` != .eager {
            // The allocation is written at the group's protocol version, like Kafka.
            let allocation = metadata.assignment.flatMap { assignment -> ByteBuffer? in
                var current = assignment
                current.version = `protocol`.version
                return encodeAssignment(current)
            }
            buffer.writeKafkaNullableBytes(allocation, compact: false)
        }
        return buffer
    }

    /// JoinGroup protocols for `connect.protocol`, in preference order.
    public static func joinProtocols(
        _ metadata: ConnectWorkerMetadata,
        configured: ConnectProtocolCompatibility
    ) -> [(name: String, metadata: ByteBuffer)] {
        configured.offeredProtocols.map { ($0.protocolName, encodeMetadata(metadata, protocol: $0)) }
    }

    /// Reads any version's metadata. Versions above 2 are read as v2 (Kafka's forward
    /// compatibility); a missing allocation is `nil`.
    /// - Throws: ``KafkaError/protocolViolation(_:)`` on a negative version or truncated bytes.
    public static func decodeMetadata(_ bytes: ByteBuffer) throws -> ConnectWorkerMetadata {
        var buffer = bytes
        return try reading {
            _ = try readVersion(&buffer, what: "connect metadata")
            let url = try buffer.readKafkaString(compact: false, field: "url")
            let offset: Int64 = try buffer.readKafkaInteger()
            var assignment: ConnectAssignment?
            // Kafka's v1 schema tolerates missing trailing fields (a v0 member has none).
            if buffer.readableBytes > 0, let allocation = try buffer.readKafkaNullableBytes(compact: false) {
                assignment = try decodeAssignment(allocation)
            }
            return ConnectWorkerMetadata(url: url, configOffset: offset, assignment: assignment)
        }
    }

    // MARK: Assignment

    /// SyncGroup bytes at the assignment's version.
    public static func encodeAssignment(_ assignment: ConnectAssignment) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeKafkaInteger(assignment.version)
        buffer.writeKafkaInteger(assignment.error)
        buffer.writeKafkaString(assignment.leader, compact: false)
        buffer.writeKafkaString(assignment.leaderURL, compact: false)
        buffer.writeKafkaInteger(assignment.configOffset)
        writeEntries(&buffer, connectors: assignment.connectors, tasks: assignment.tasks)
        if assignment.version >= 1 {
            writeEntries(&buffer, connectors: assignment.revokedConnectors, tasks: assignment.revokedTasks)
            buffer.writeKafkaInteger(assignment.delay)
        }
        return buffer
    }

    /// Reads any version's assignment (above 2 as v2). v1/v2 tolerate missing trailing fields (null
    /// arrays, delay 0) as Kafka's schema does.
    /// - Throws: ``KafkaError/protocolViolation(_:)`` on a negative version or truncated bytes.
    public static func decodeAssignment(_ bytes: ByteBuffer) throws -> ConnectAssignment {
        var buffer = bytes
        return try reading {
            let version = try readVersion(&buffer, what: "connect assignment")
            let error: Int16 = try buffer.readKafkaInteger()
            let leader = try buffer.readKafkaString(compact: false, field: "leader")
            let leaderURL = try buffer.readKafkaString(compact: false, field: "leader-url")
            let offset: Int64 = try buffer.readKafkaInteger()
            var assignment = ConnectAssignment(
                version: version,
                error: error,
                leader: leader,
                leaderURL: leaderURL,
                configOffset: offset
            )
            if version == 0 {
                guard let entries = try readEntries(&buffer, nullable: false) else { return assignment }
                (assignment.connectors, assignment.tasks) = entries
                return assignment
            }
            if buffer.readableBytes > 0, let entries = try readEntries(&buffer, nullable: true) {
                (assignment.connectors, assignment.tasks) = entries
            }
            if buffer.readableBytes > 0, let entries = try readEntries(&buffer, nullable: true) {
                (assignment.revokedConnectors, assignment.revokedTasks) = entries
            }
            if buffer.readableBytes > 0 { assignment.delay = try buffer.readKafkaInteger() }
            return assignment
        }
    }

    // MARK: Helpers

    /// `{connector, tasks}` entries as Kafka groups them: every connector first (task -1), in order,
    /// then each task appended to its connector's entry, entries in order of first appearance.
    private static func writeEntries(_ buffer: inout ByteBuffer, connectors: [String], tasks: [ConnectorTaskID]) {
        var order: [String] = []
        var entries: [String: [Int32]] = [:]
        func add(_ connector: String, _ task: Int32) {
            if entries[connector] == nil { order.append(connector) }
            entries[connector, default: []].append(task)
        }
        for connector in connectors.uniqued() { add(connector, ConnectAssignment.connectorTask) }
        for task in tasks { add(task.connector, Int32(clamping: task.task)) }
        buffer.writeKafkaArrayCount(order.count, compact: false)
        for connector in order {
            buffer.writeKafkaString(connector, compact: false)
            let ids = entries[connector] ?? []
            buffer.writeKafkaArrayCount(ids.count, compact: false)
            for id in ids { buffer.writeKafkaInteger(id) }
        }
    }

    private static func readEntries(
        _ buffer: inout ByteBuffer,
        nullable: Bool
    ) throws -> (connectors: [String], tasks: [ConnectorTaskID])? {
        guard let count = try buffer.readKafkaArrayCount(compact: false) else {
            guard nullable else { throw KafkaProtocolError.unexpectedNull(field: "assignment") }
            return nil
        }
        var connectors: [String] = []
        var tasks: [ConnectorTaskID] = []
        for _ in 0..<count {
            let connector = try buffer.readKafkaString(compact: false, field: "connector")
            guard let taskCount = try buffer.readKafkaArrayCount(compact: false) else {
                throw KafkaProtocolError.unexpectedNull(field: "tasks")
            }
            for _ in 0..<taskCount {
                let task: Int32 = try buffer.readKafkaInteger()
                if task == ConnectAssignment.connectorTask {
                    connectors.append(connector)
                } else {
                    tasks.append(ConnectorTaskID(connector: connector, task: Int(task)))
                }
            }
        }
        return (connectors, tasks)
    }

    private static func readVersion(_ buffer: inout ByteBuffer, what: String) throws -> Int16 {
        let version: Int16 = try buffer.readKafkaInteger()
        guard version >= 0 else {
            throw KafkaError.protocolViolation(.corruptRecord("unsupported \(what) version \(version)"))
        }
        return version
    }

    /// Turns primitive read failures into ``KafkaError``.
    private static func reading<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as KafkaProtocolError {
            throw KafkaError.protocolViolation(error)
        }
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each only at its first position.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
