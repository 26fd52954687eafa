import ConnectAPI
import Foundation
import Synchronization
import Testing

@testable import ConnectRuntime

/// The name of the thread running the caller (empty for the pool's threads).
func currentThreadName() -> String { Thread.current.name ?? "" }

@Suite struct TaskThreadTests {
    /// Nonisolated and async: runs on the task's preferred executor.
    static func threadName() async -> String { currentThreadName() }

    @Test func jobsRunOnTheNamedThreadAlsoAfterShutdown() async throws {
        // Longer than Linux's 15 bytes: the name is cut, not refused.
        let thread = TaskThread(name: "task-thread-test-0")
        let first = await Task(executorPreference: thread) { await Self.threadName() }.value
        #expect(first == "task-thread-tes")
        thread.shutdown()
        // A late job (a status call into a stopped task's actor) starts the thread again.
        let late = await Task(executorPreference: thread) { await Self.threadName() }.value
        #expect(late == "task-thread-tes")
    }

    /// The source task's poll and commitRecord, and the runtime's conversions between them, run on
    /// the task's own thread, not on the shared pool (why: TaskThread).
    @Test func aSourceTaskPollsAndCommitsOnItsOwnThread() async throws {
        let task = ThreadRecordingSourceTask()
        let runner = try WorkerSourceTaskTests.makeRunner(task, store: MemoryOffsetBackingStore())
        let run = Task { await runner.run() }
        try await WorkerSourceTaskTests.waitUntil { task.threads.withLock { $0.commitRecord.count >= 20 } }
        await runner.stop()
        await run.value
        let threads = task.threads.withLock { $0 }
        #expect(Set(threads.poll) == ["task-scripted-0"])
        #expect(Set(threads.commitRecord) == ["task-scripted-0"])
    }
}

/// Returns one record per poll and notes the thread of each poll and commitRecord.
final class ThreadRecordingSourceTask: SourceTask, Sendable {
    struct Threads: Sendable {
        var poll: [String] = []
        var commitRecord: [String] = []
    }

    static let version = "1.0"
    let threads = Mutex(Threads())
    private let polls = Atomic<Int>(0)

    func start(configs: [String: String]) async throws {}

    func poll() async throws -> [SourceRecord]? {
        threads.withLock { $0.poll.append(currentThreadName()) }
        let line = polls.add(1, ordering: .relaxed).newValue
        // Each poll suspends, so that a pool could move the next step to another thread.
        try await Task.sleep(for: .milliseconds(1))
        return [WorkerSourceTaskTests.record(line)]
    }

    func commitRecord(_ record: SourceRecord, metadata: ConnectAPI.RecordMetadata?) async throws {
        threads.withLock { $0.commitRecord.append(currentThreadName()) }
    }

    func stop() async {}
}
