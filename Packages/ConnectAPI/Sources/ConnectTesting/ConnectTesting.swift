// ConnectTesting: run a connector and its tasks in-process, the way the worker drives them, without a
// broker. Depends on ConnectAPI only, so a connector package's tests build in seconds.
//
// - ConnectorHarness         start a connector, get its task configurations (as the worker adds
//                            `task.class` and copies a sink's `topics`), validate configurations.
// - SourceTaskHarness        initialize/start a source task with a seeded offset store, poll and drain,
//                            acknowledge records (`commitRecord`), flush offsets as the worker would.
// - SinkTaskHarness          initialize/start/open a sink task, `put` records, commit through
//                            `preCommit` with the worker's filtering, rebalance, observe the context.
// - SourceConnectorHarness, SinkConnectorHarness
//                            a connector and all its tasks in one value.
// - InMemoryOffsetStore      the offsets the worker would have committed, as the worker reads them back.
// - SinkRecordBuilder        records from strings, JSON text or Structs, with consecutive offsets.
// - JSONText                 a small JSON reader/writer for schemaless values (as JsonConverter with
//                            schemas.enable=false reads and writes them).

import ConnectAPI

/// A mistake in a test or a behaviour the worker would not accept, found by the harness.
public struct ConnectTestingError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the fix where there is one.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Runs `operation`, throwing ``ConnectTestingError`` if it has not finished within `timeout` (the
/// operation is cancelled then, as the worker cancels a `poll()` when it stops a task).
func withTimeout<T: Sendable>(
    _ timeout: Duration,
    _ what: String,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else {
            throw ConnectTestingError("\(what) did not return within \(timeout)")
        }
        return result
    }
}
