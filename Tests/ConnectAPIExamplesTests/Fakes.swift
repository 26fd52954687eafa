import ConnectAPI
import Foundation

// The parts of the runtime the example tasks talk to, faked just enough to drive them in tests.

/// A value behind a lock, for fakes whose methods the task calls synchronously.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// The offsets the runtime has committed for a source connector. ``commit(_:)`` plays the runtime
/// acknowledging records; values are stored as the real store returns them (integers as `int64`).
final class FakeOffsetStorageReader: OffsetStorageReader {
    private let stored = Locked<[[String: ConnectValue]: [String: ConnectValue]]>([:])

    init(_ offsets: [[String: ConnectValue]: [String: ConnectValue]] = [:]) {
        stored.withLock { $0 = offsets }
    }

    /// Commits each record's source offset, in order: the last record of each partition wins.
    func commit(_ records: [SourceRecord]) {
        stored.withLock { stored in
            for record in records {
                if let partition = record.sourcePartition { stored[partition] = record.sourceOffset }
            }
        }
    }

    func offset(for partition: [String: ConnectValue]) async throws -> [String: ConnectValue]? {
        stored.withLock { $0[partition] }
    }

    func offsets(
        for partitions: [[String: ConnectValue]]
    ) async throws -> [[String: ConnectValue]: [String: ConnectValue]] {
        stored.withLock { stored in stored.filter { partitions.contains($0.key) } }
    }
}

struct FakeSourceTaskContext: SourceTaskContext {
    var configs: [String: String]
    var offsetStorageReader: any OffsetStorageReader
    var transactionContext: (any TransactionContext)? { nil }
}

/// Records what a sink task asks of the runtime.
final class FakeSinkTaskContext: SinkTaskContext {
    private struct State {
        var assignment: Set<TopicPartition> = []
        var timeouts: [Int64] = []
        var commitRequests = 0
    }

    let configs: [String: String]
    let errantRecordReporter: (any ErrantRecordReporter)?
    private let state = Locked(State())

    init(configs: [String: String], assignment: Set<TopicPartition>, reporter: (any ErrantRecordReporter)?) {
        self.configs = configs
        self.errantRecordReporter = reporter
        state.withLock { $0.assignment = assignment }
    }

    /// The redelivery timeouts the task set, in order.
    var timeouts: [Int64] { state.withLock(\.timeouts) }

    var assignment: Set<TopicPartition> { state.withLock(\.assignment) }
    func offset(_ offsets: [TopicPartition: Int64]) {}
    func offset(_ partition: TopicPartition, _ offset: Int64) {}
    func timeout(_ milliseconds: Int64) { state.withLock { $0.timeouts.append(milliseconds) } }
    func pause(_ partitions: [TopicPartition]) throws {}
    func resume(_ partitions: [TopicPartition]) throws {}
    func requestCommit() { state.withLock { $0.commitRequests += 1 } }
}

/// The runtime's error handling for sink tasks: with `errors.tolerance=all` it keeps every report,
/// with `none` it fails the task as Kafka does.
actor FakeErrantRecordReporter: ErrantRecordReporter {
    private(set) var reported: [(record: SinkRecord, message: String)] = []
    private let toleratesErrors: Bool

    init(toleratesErrors: Bool = true) {
        self.toleratesErrors = toleratesErrors
    }

    func report(_ record: SinkRecord, error: any Error) async throws {
        reported.append((record, "\(error)"))
        if !toleratesErrors { throw ConnectError("Tolerance exceeded in error handler", underlying: error) }
    }
}

/// A directory of its own under the system's temporary directory, removed by ``remove()``.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ConnectAPIExamplesTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Writes `text` to `path` as UTF-8, replacing the file.
func writeText(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

/// Appends `text` to the file at `path` as UTF-8.
func appendText(_ text: String, to path: String) throws {
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(text.utf8))
}

/// The contents of the file at `path`, decoded as UTF-8.
func readText(_ path: String) throws -> String {
    String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
}
