import ConnectAPI

/// Identifies one committed source offset: the connector (Kafka's offset namespace) and the source
/// partition. Kafka's offsets topic and file use the JSON `[<connector>, <partition>]` as key; this key
/// compares partitions by value, not by bytes, so member order never makes a lookup miss.
public struct OffsetKey: Sendable, Hashable, CustomStringConvertible {
    /// The connector's name.
    public var namespace: String
    /// The source partition, as the connector's records give it.
    public var partition: [String: ConnectValue]

    /// Creates a key.
    public init(namespace: String, partition: [String: ConnectValue]) {
        self.namespace = namespace
        self.partition = partition
    }

    /// The key's JSON form, `["<connector>",{…}]`.
    public var description: String {
        (try? OffsetJSON.encodeKey(self)).map { String(decoding: $0, as: UTF8.self) } ?? "[\(namespace), \(partition)]"
    }
}

/// Where source offsets are kept (Kafka's `OffsetBackingStore`): a file in standalone mode, a topic in
/// distributed mode (not yet), memory in tests.
public protocol OffsetBackingStore: Sendable {
    /// Loads what the store holds.
    /// - Throws: When the stored offsets cannot be read, with a message naming the fix.
    func start() async throws

    /// Releases resources.
    func stop() async

    /// The offsets stored for `keys`; keys without one are absent.
    func get(_ keys: [OffsetKey]) async throws -> [OffsetKey: [String: ConnectValue]]

    /// Stores offsets durably; a `nil` offset removes the key (Kafka's tombstone). Returns once the
    /// offsets are durable.
    func set(_ offsets: [OffsetKey: [String: ConnectValue]?]) async throws

    /// Every source partition with an offset for a connector (for the REST `offsets` endpoints).
    func partitions(namespace: String) async throws -> [[String: ConnectValue]]
}

/// Offsets in memory only (Kafka's `MemoryOffsetBackingStore`), for tests and for connectors whose
/// offsets need not survive the process.
public actor MemoryOffsetBackingStore: OffsetBackingStore {
    private var offsets: [OffsetKey: [String: ConnectValue]] = [:]

    /// An empty store.
    public init() {}

    public func start() async throws {}

    public func stop() async {}

    public func get(_ keys: [OffsetKey]) async throws -> [OffsetKey: [String: ConnectValue]] {
        var result: [OffsetKey: [String: ConnectValue]] = [:]
        for key in keys { if let offset = offsets[key] { result[key] = offset } }
        return result
    }

    public func set(_ values: [OffsetKey: [String: ConnectValue]?]) async throws {
        for (key, value) in values { offsets[key] = value }
    }

    public func partitions(namespace: String) async throws -> [[String: ConnectValue]] {
        offsets.keys.filter { $0.namespace == namespace }.map(\.partition)
    }
}

/// The ``OffsetStorageReader`` a connector's tasks get: reads the connector's namespace of a store.
public struct WorkerOffsetStorageReader: OffsetStorageReader {
    /// The connector's name.
    public let namespace: String
    /// The store read.
    public let store: any OffsetBackingStore

    /// A reader of `namespace` in `store`.
    public init(namespace: String, store: any OffsetBackingStore) {
        self.namespace = namespace
        self.store = store
    }

    public func offset(for partition: [String: ConnectValue]) async throws -> [String: ConnectValue]? {
        try await offsets(for: [partition])[partition]
    }

    public func offsets(
        for partitions: [[String: ConnectValue]]
    ) async throws -> [[String: ConnectValue]: [String: ConnectValue]] {
        let stored = try await store.get(partitions.map { OffsetKey(namespace: namespace, partition: $0) })
        var result: [[String: ConnectValue]: [String: ConnectValue]] = [:]
        for (key, offset) in stored { result[key.partition] = offset }
        return result
    }
}
