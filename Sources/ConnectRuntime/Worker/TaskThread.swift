import Foundation

/// A thread of one task's own that runs Swift concurrency jobs one at a time: the executor of a
/// source task's actor and the preferred executor of its poll, conversion and produce calls.
///
/// Kafka runs every task on a thread of its own. We do too for source tasks, for speed: on the
/// shared cooperative pool the poll, the conversion and the producer's append ran on different
/// cores, and every object a record carries (its strings, its partition map, its bytes) was
/// created on one core, retained on another and freed on a third. The reference counts bouncing
/// between the cores cost about 40 % more CPU per record than the same work on one core
/// (docs/performance.md). The producer's sender and the network stay on their own threads; they
/// handle batches, not records.
///
/// The thread starts with the first job and ends when it is idle after ``shutdown()``; a job
/// enqueued later starts it again, so a late call into the actor still runs.
final class TaskThread: SerialExecutor, TaskExecutor, @unchecked Sendable {
    private let name: String
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var isRunning = false
    private var isShutDown = false

    /// `name` names the thread (its first 15 bytes, Linux's limit).
    init(name: String) {
        self.name = String(decoding: name.utf8.prefix(15), as: UTF8.self)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        let start = !isRunning
        isRunning = true
        condition.signal()
        condition.unlock()
        if start { startThread() }
    }

    /// Lets the thread end once no job is left.
    func shutdown() {
        condition.lock()
        isShutDown = true
        condition.signal()
        condition.unlock()
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// The task thread the caller runs on, if any.
    static var current: ObjectIdentifier? { Thread.current.threadDictionary[threadKey] as? ObjectIdentifier }

    /// Whether the caller runs on this task thread.
    var isCurrent: Bool { Self.current == ObjectIdentifier(self) }

    private static let threadKey = "SwiftConnect.TaskThread"

    private func startThread() {
        // Named for thread listings and profiles (best effort: Foundation may not apply a name set
        // inside the block before it knows the thread; Linux refuses names over 15 bytes).
        let thread = Thread { [self] in
            Thread.current.threadDictionary[Self.threadKey] = ObjectIdentifier(self)
            Thread.current.name = name
            runJobs()
        }
        thread.name = name
        thread.start()
    }

    private func runJobs() {
        let serial = asUnownedSerialExecutor()
        let preferred = asUnownedTaskExecutor()
        // Swapped with the queue under the lock: the two arrays keep their storage between wake-ups.
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !isShutDown { condition.wait() }
            if jobs.isEmpty {
                isRunning = false
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(isolatedTo: serial, taskExecutor: preferred) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
