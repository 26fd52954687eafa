import ConnectAPI
import Foundation
import Synchronization
import Testing

@testable import ConnectRuntime

@Suite struct TaskThreadTests {
    /// Nonisolated and async: runs on the task's preferred executor.
    static func onThread(_ thread: TaskThread) async -> Bool { thread.isCurrent }

    @Test func jobsRunOnTheTaskThreadAlsoAfterShutdown() async throws {
        let thread = TaskThread(name: "task-thread-test-0")
        #expect(!thread.isCurrent)
        #expect(await Task(executorPreference: thread) { await Self.onThread(thread) }.value)
        thread.shutdown()
        // A late job (a status call into a stopped task's actor) starts the thread again.
        #expect(await Task(executorPreference: thread) { await Self.onThread(thread) }.value)
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
        // One task thread for all (the pool's threads have none).
        #expect(Set(threads.poll).count == 1)
        #expect(!threads.poll.isEmpty && threads.poll.allSatisfy { $0 != nil })
        #expect(Set(threads.commitRecord) == Set(threads.poll))
    }
}

extension TaskThreadTests {
    /// A poll that blocks the task's thread (not advised, but a connector may) does not hold up
    /// the task's status: it is read without the task's thread.
    @Test func theStatusIsReadWhileAPollBlocksTheTaskThread() async throws {
        let task = BlockingSourceTask()
        let runner = try WorkerSourceTaskTests.makeRunner(task, store: MemoryOffsetBackingStore())
        let run = Task { await runner.run() }
        try await WorkerSourceTaskTests.waitUntil { task.inPoll.load(ordering: .relaxed) }
        let status = await runner.status
        let stillBlocked = task.inPoll.load(ordering: .relaxed)
        task.release.store(true, ordering: .relaxed)
        await runner.stop()
        await run.value
        #expect(stillBlocked, "the status waited for the blocked poll")
        #expect(status.state == .running)
    }
}

/// Its poll blocks its thread (for at most 10 s) until released.
final class BlockingSourceTask: SourceTask, Sendable {
    static let version = "1.0"
    let inPoll = Atomic<Bool>(false)
    let release = Atomic<Bool>(false)

    func start(configs: [String: String]) async throws {}

    func poll() async throws -> [SourceRecord]? {
        inPoll.store(true, ordering: .relaxed)
        let deadline = ContinuousClock.now + .seconds(10)
        while !release.load(ordering: .relaxed) && ContinuousClock.now < deadline { usleep(1000) }
        inPoll.store(false, ordering: .relaxed)
        try? await Task.sleep(for: .milliseconds(5))
        return nil
    }

    func stop() async {}
}

/// Returns one record per poll and notes the task thread of each poll and commitRecord.
final class ThreadRecordingSourceTask: SourceTask, Sendable {
    struct Threads: Sendable {
        var poll: [ObjectIdentifier?] = []
        var commitRecord: [ObjectIdentifier?] = []
    }

    static let version = "1.0"
    let threads = Mutex(Threads())
    private let polls = Atomic<Int>(0)

    func start(configs: [String: String]) async throws {}

    func poll() async throws -> [SourceRecord]? {
        threads.withLock { $0.poll.append(TaskThread.current) }
        let line = polls.add(1, ordering: .relaxed).newValue
        // Each poll suspends, so that a pool could move the next step to another thread.
        try await Task.sleep(for: .milliseconds(1))
        return [WorkerSourceTaskTests.record(line)]
    }

    func commitRecord(_ record: SourceRecord, metadata: ConnectAPI.RecordMetadata?) async throws {
        threads.withLock { $0.commitRecord.append(TaskThread.current) }
    }

    func stop() async {}
}
