import ConnectAPI
import KafkaNIO
import KafkaProtocol
import Logging
import NIOCore
import Synchronization

/// Where in a task's pipeline an operation failed (Kafka's `Stage`); the name goes into error logs
/// and the `__connect.errors.stage` header.
public enum ErrorStage: String, Sendable, Hashable, CaseIterable {
    /// Converting the record key.
    case keyConverter = "KEY_CONVERTER"
    /// Converting the record value.
    case valueConverter = "VALUE_CONVERTER"
    /// Converting header values.
    case headerConverter = "HEADER_CONVERTER"
    /// A transform or its predicate.
    case transformation = "TRANSFORMATION"
    /// A sink task's `put` (records reported through the errant record reporter).
    case taskPut = "TASK_PUT"
    /// A source task's `poll`.
    case taskPoll = "TASK_POLL"
    /// Writing a source record to Kafka.
    case kafkaProduce = "KAFKA_PRODUCE"
    /// Reading records from Kafka.
    case kafkaConsume = "KAFKA_CONSUME"
}

/// A connector's error-handling settings (the `errors.*` keys; Kafka's `ConnectorConfig` error
/// group and `SinkConnectorConfig` DLQ keys), plus SwiftConnect's automatic task restart.
public struct ErrorHandlingConfig: Sendable, Hashable {
    /// `errors.retry.timeout`
    public static let retryTimeoutConfig = "errors.retry.timeout"
    /// `errors.retry.delay.max.ms`
    public static let retryDelayMaxConfig = "errors.retry.delay.max.ms"
    /// `errors.log.enable`
    public static let logEnableConfig = "errors.log.enable"
    /// `errors.log.include.messages`
    public static let logIncludeMessagesConfig = "errors.log.include.messages"
    /// `errors.deadletterqueue.topic.name`
    public static let dlqTopicConfig = "errors.deadletterqueue.topic.name"
    /// `errors.deadletterqueue.topic.replication.factor`
    public static let dlqReplicationFactorConfig = "errors.deadletterqueue.topic.replication.factor"
    /// `errors.deadletterqueue.context.headers.enable`
    public static let dlqContextHeadersConfig = "errors.deadletterqueue.context.headers.enable"
    /// `errors.task.restart.enable` (SwiftConnect)
    public static let restartEnableConfig = "errors.task.restart.enable"
    /// `errors.task.restart.max.attempts` (SwiftConnect)
    public static let restartMaxAttemptsConfig = "errors.task.restart.max.attempts"
    /// `errors.task.restart.backoff.initial.ms` (SwiftConnect)
    public static let restartBackoffInitialConfig = "errors.task.restart.backoff.initial.ms"
    /// `errors.task.restart.backoff.max.ms` (SwiftConnect)
    public static let restartBackoffMaxConfig = "errors.task.restart.backoff.max.ms"

    /// `errors.retry.timeout` in milliseconds: 0 (default) no retries, -1 retries forever.
    public var retryTimeoutMs: Int64 = 0
    /// `errors.retry.delay.max.ms`. Default: 60000.
    public var retryDelayMaxMs: Int64 = 60000
    /// `errors.tolerance`. Default: none.
    public var tolerance: ConnectorConfig.ErrorTolerance = .none
    /// `errors.log.enable`. Default: false.
    public var logEnable = false
    /// `errors.log.include.messages`. Default: false.
    public var logIncludeMessages = false
    /// `errors.deadletterqueue.topic.name`; empty (default) disables the dead letter queue.
    public var deadLetterQueueTopic = ""
    /// `errors.deadletterqueue.topic.replication.factor`. Default: 3.
    public var deadLetterQueueReplicationFactor: Int16 = 3
    /// `errors.deadletterqueue.context.headers.enable`. Default: false.
    public var deadLetterQueueContextHeaders = false
    /// `errors.task.restart.enable`: restart FAILED tasks automatically. Default: false.
    public var taskRestartEnable = false
    /// `errors.task.restart.max.attempts`: automatic restarts before the task stays FAILED. Default: 3.
    public var taskRestartMaxAttempts = 3
    /// `errors.task.restart.backoff.initial.ms`: wait before the first automatic restart, doubled for
    /// each further one. Default: 1000.
    public var taskRestartBackoffInitialMs: Int64 = 1000
    /// `errors.task.restart.backoff.max.ms`: the longest wait between automatic restarts. Default: 60000.
    public var taskRestartBackoffMaxMs: Int64 = 60000

    /// The defaults.
    public init() {}

    /// Parses the `errors.*` keys of a connector configuration with the connector type's definition
    /// (``ConnectorConfig/sourceDefinition`` or ``ConnectorConfig/sinkDefinition``).
    /// - Throws: ``ConfigError`` naming an invalid key.
    public init(_ props: [String: String], definition: ConfigDef) throws(ConfigError) {
        let config = try ParsedConfig(definition: definition, originals: props)
        retryTimeoutMs = try config.long(Self.retryTimeoutConfig)
        retryDelayMaxMs = try config.long(Self.retryDelayMaxConfig)
        tolerance =
            ConnectorConfig.ErrorTolerance(rawValue: try config.string(ConnectorConfig.errorsToleranceConfig) ?? "none")
            ?? .none
        logEnable = try config.bool(Self.logEnableConfig)
        logIncludeMessages = try config.bool(Self.logIncludeMessagesConfig)
        if definition[Self.dlqTopicConfig] != nil {
            deadLetterQueueTopic = (try config.string(Self.dlqTopicConfig) ?? "").trimmingSpaces
            deadLetterQueueReplicationFactor = try config.short(Self.dlqReplicationFactorConfig)
            deadLetterQueueContextHeaders = try config.bool(Self.dlqContextHeadersConfig)
        }
        taskRestartEnable = try config.bool(Self.restartEnableConfig)
        taskRestartMaxAttempts = Int(try config.int(Self.restartMaxAttemptsConfig))
        taskRestartBackoffInitialMs = try config.long(Self.restartBackoffInitialConfig)
        taskRestartBackoffMaxMs = try config.long(Self.restartBackoffMaxConfig)
    }

    /// Whether a sink task gets an errant record reporter (Kafka: a DLQ topic or `errors.log.enable`).
    public var hasReporters: Bool { logEnable || !deadLetterQueueTopic.isEmpty }

    /// The wait before automatic restart number `attempt` (1-based): the initial backoff doubled per
    /// earlier attempt, capped by the maximum.
    public func taskRestartBackoff(attempt: Int) -> Duration {
        let initial = max(taskRestartBackoffInitialMs, 0)
        var delay = initial
        for _ in 1..<max(attempt, 1) {
            guard delay < taskRestartBackoffMaxMs else { break }
            delay = delay.multipliedReportingOverflow(by: 2).overflow ? Int64.max : delay * 2
        }
        return .milliseconds(min(delay, max(taskRestartBackoffMaxMs, initial)))
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

/// What failed and on which record (Kafka's `ProcessingContext`): handed to the reporters.
public struct ProcessingContext: Sendable {
    /// The task.
    public var taskID: ConnectorTaskID
    /// The stage that failed.
    public var stage: ErrorStage
    /// The class of the converter, transform or task that failed.
    public var className: String
    /// The record as consumed from Kafka (sink tasks): its raw bytes go to the dead letter queue.
    public var consumedRecord: KafkaConsumerRecord?
    /// The record a source task produced (source tasks).
    public var sourceRecord: SourceRecord?
    /// The bytes a source task's record became, as far as conversion got (source dead letter queue).
    public var producerRecord: KafkaProducerRecord?
    /// The error.
    public var error: (any Error)?

    /// Creates a context.
    public init(
        taskID: ConnectorTaskID,
        stage: ErrorStage,
        className: String,
        consumedRecord: KafkaConsumerRecord? = nil,
        sourceRecord: SourceRecord? = nil,
        producerRecord: KafkaProducerRecord? = nil,
        error: (any Error)? = nil
    ) {
        self.taskID = taskID
        self.stage = stage
        self.className = className
        self.consumedRecord = consumedRecord
        self.sourceRecord = sourceRecord
        self.producerRecord = producerRecord
        self.error = error
    }
}

/// Something told about every failed record: the log, the dead letter queue (Kafka's `ErrorReporter`).
public protocol ErrorReporter: Sendable {
    /// Reports a failure; returns once the report is written (a dead letter queue record acknowledged).
    func report(_ context: ProcessingContext) async
    /// Releases resources (the dead letter queue's producer).
    func close() async
}

extension ErrorReporter {
    public func close() async {}
}

/// The clock and sleep the retry loop uses; tests inject their own.
public struct RetryClock: Sendable {
    /// Milliseconds on a monotonic clock.
    public var nowMs: @Sendable () -> Int64
    /// Sleeps; throws when the wait is interrupted (the task is stopping).
    public var sleep: @Sendable (Duration) async throws -> Void
    /// A random number in the range, for the jitter once the delay exceeds `errors.retry.delay.max.ms`.
    public var random: @Sendable (ClosedRange<Int64>) -> Int64

    /// Creates a clock.
    public init(
        nowMs: @escaping @Sendable () -> Int64,
        sleep: @escaping @Sendable (Duration) async throws -> Void,
        random: @escaping @Sendable (ClosedRange<Int64>) -> Int64 = { Int64.random(in: $0) }
    ) {
        self.nowMs = nowMs
        self.sleep = sleep
        self.random = random
    }

    /// The continuous clock and `Task.sleep` (cancellation interrupts it).
    public static let system: RetryClock = {
        let start = ContinuousClock.now
        return RetryClock(
            nowMs: {
                let elapsed = ContinuousClock.now - start
                return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            },
            sleep: { try await Task.sleep(for: $0) }
        )
    }()
}

/// Runs the record-level steps of a task with Kafka's retry and tolerance rules (Kafka's
/// `RetryWithToleranceOperator`):
///
/// - A ``RetriableError`` is retried until `errors.retry.timeout` has passed since the first attempt
///   (0: never; -1: forever), waiting 300 ms, 600 ms, 1.2 s, … between attempts; a wait that would
///   exceed `errors.retry.delay.max.ms` becomes a random wait up to that maximum, and no wait goes
///   past the deadline. An interrupted wait (the task stopping) fails the record.
/// - Any other error, or retries exhausted, fails the record: every reporter (log, dead letter queue)
///   is told first; then with `errors.tolerance=none` the failure is thrown as
///   ``ConnectError`` "Tolerance exceeded in error handler" (the task fails), with `all` the record is
///   skipped (the operation returns `nil`).
public final class RetryWithToleranceOperator: Sendable {
    /// First retry wait (Kafka's `RETRIES_DELAY_MIN_MS`).
    public static let retriesDelayMinMs: Int64 = 300

    /// The settings.
    public let config: ErrorHandlingConfig
    private let clock: RetryClock
    private let reporters: Mutex<[any ErrorReporter]>
    private let counters = Mutex(Counters())

    /// Failure counts (Kafka's task error metrics).
    public struct Counters: Sendable, Hashable {
        /// Operations that threw (including each failed retry attempt).
        public var totalErrors = 0
        /// Records that failed for good.
        public var failedRecords = 0
        /// Records skipped under `errors.tolerance=all`.
        public var skippedRecords = 0
        /// Retry attempts made.
        public var retries = 0

        /// Zero counts.
        public init() {}
    }

    /// Creates an operator.
    public init(config: ErrorHandlingConfig, reporters: [any ErrorReporter] = [], clock: RetryClock = .system) {
        self.config = config
        self.clock = clock
        self.reporters = Mutex(reporters)
    }

    /// The failure counts so far.
    public var counts: Counters { counters.withLock { $0 } }

    /// Adds a reporter (the dead letter queue, once its producer exists).
    public func addReporter(_ reporter: any ErrorReporter) {
        reporters.withLock { $0.append(reporter) }
    }

    /// The reporters.
    public var allReporters: [any ErrorReporter] { reporters.withLock { $0 } }

    /// Runs `operation` under the retry and tolerance rules; `context` is only built for a failure.
    /// - Returns: Its result, or `nil` when it failed and the failure is tolerated (skip the record).
    /// - Throws: ``ConnectError`` "Tolerance exceeded in error handler" (underlying: the failure).
    /// `nonisolated(nonsending)`: runs on the caller's executor. Called three or more times per record
    /// from the task actors, a hop to the global executor and back each time cost more than the work.
    nonisolated(nonsending) public func execute<T>(
        _ context: @autoclosure () -> ProcessingContext,
        _ operation: () throws -> T
    ) async throws -> T? {
        switch attempt(operation) {
        case .success(let result): return result
        case .failure(let error): return try await retry(context(), operation, after: error)
        }
    }

    /// The first attempt of ``execute(_:_:)``, synchronous: a hot path runs its stages with this and
    /// goes on with ``retry(_:_:after:)`` only after a failure (an async call per stage and record
    /// cost executor switches).
    public func attempt<T>(_ operation: () throws -> T) -> Result<T, any Error> {
        do {
            return .success(try operation())
        } catch {
            counters.withLock { $0.totalErrors += 1 }
            return .failure(error)
        }
    }

    /// What ``execute(_:_:)`` does after its first attempt failed with `error`: retries a
    /// ``RetriableError`` until `errors.retry.timeout`, then reports the failure and throws or
    /// tolerates it.
    nonisolated(nonsending) public func retry<T>(
        _ context: @autoclosure () -> ProcessingContext,
        _ operation: () throws -> T,
        after error: any Error
    ) async throws -> T? {
        // The retry deadline counts from the first failure: reading the clock before every successful
        // call (several per record) showed in profiles; the difference is the duration of one attempt.
        var error = error
        var start: Int64?
        var attempts = 1
        while true {
            guard error is RetriableError else { return try await fail(context(), error) }
            let startMs = start ?? clock.nowMs()
            start = startMs
            guard let delay = retryDelay(attempt: attempts, startMs: startMs) else {
                return try await fail(context(), error)
            }
            do {
                try await clock.sleep(.milliseconds(delay))
            } catch {
                return try await fail(context(), error)
            }
            counters.withLock { $0.retries += 1 }
            attempts += 1
            switch attempt(operation) {
            case .success(let result): return result
            case .failure(let next): error = next
            }
        }
    }

    /// Handles a failure that happened outside ``execute(_:_:)`` (a produce failure, an errant record):
    /// reports it, then throws under `errors.tolerance=none` or returns under `all`.
    /// - Throws: ``ConnectError`` "Tolerance exceeded in error handler".
    nonisolated(nonsending) public func failed(_ context: ProcessingContext, _ error: any Error) async throws {
        counters.withLock { $0.totalErrors += 1 }
        _ = try await fail(context, error) as Void?
    }

    /// The wait before the next attempt, or `nil` when the retry deadline has passed.
    func retryDelay(attempt: Int, startMs: Int64) -> Int64? {
        let timeout = config.retryTimeoutMs
        guard timeout != 0 else { return nil }
        let now = clock.nowMs()
        let deadline: Int64? = timeout < 0 ? nil : startMs + timeout
        if let deadline, now >= deadline { return nil }
        let shift = min(attempt - 1, 40)
        var delay = Self.retriesDelayMinMs << Int64(shift)
        if delay > config.retryDelayMaxMs {
            delay = clock.random(0...max(config.retryDelayMaxMs, 0))
        }
        if let deadline { delay = min(delay, deadline - now) }
        return max(delay, 0)
    }

    nonisolated(nonsending) private func fail<T>(_ context: ProcessingContext, _ error: any Error) async throws -> T? {
        var context = context
        context.error = error
        counters.withLock { $0.failedRecords += 1 }
        for reporter in allReporters { await reporter.report(context) }
        guard config.tolerance == .all else {
            throw ConnectError("Tolerance exceeded in error handler", underlying: error)
        }
        counters.withLock { $0.skippedRecords += 1 }
        return nil
    }

    /// Closes the reporters.
    public func close() async {
        let current = reporters.withLock { reporters in
            defer { reporters = [] }
            return reporters
        }
        for reporter in current { await reporter.close() }
    }
}

/// Logs failures at ERROR (`errors.log.enable=true`; Kafka's `LogReporter`).
///
/// The line names the task, stage and class, and the record's coordinates (topic, partition, offset
/// for consumed records; topic for source records). With `errors.log.include.messages=true` it adds
/// the record's contents (consumed key and value bytes as UTF-8, or the source record). Kafka prints
/// the coordinates only with `include.messages`; SwiftConnect always does, as they reveal no data.
public struct LogReporter: ErrorReporter {
    let includeMessages: Bool
    let logger: Logger

    /// Creates a reporter.
    public init(includeMessages: Bool, logger: Logger) {
        self.includeMessages = includeMessages
        self.logger = logger
    }

    /// The log message for a failure.
    public func message(_ context: ProcessingContext) -> String {
        var text =
            "Error encountered in task \(context.taskID). Executing stage '\(context.stage.rawValue)' with class "
            + "'\(context.className)'"
        if let record = context.consumedRecord {
            text += ", where consumed record is {topic='\(record.topic)', partition=\(record.partition), "
            text += "offset=\(record.offset), timestamp=\(record.timestamp), "
            text += "timestampType=\(record.timestampType == .logAppendTime ? "LogAppendTime" : "CreateTime")"
            if includeMessages {
                text += ", key=\(record.key.map { String(buffer: $0) } ?? "null")"
                text += ", value=\(record.value.map { String(buffer: $0) } ?? "null")"
            }
            text += "}"
        } else if let record = context.sourceRecord {
            text +=
                includeMessages
                ? ", where source record is = \(record)" : ", where source record is for topic '\(record.topic)'"
        }
        text += "."
        if let error = context.error { text += " Error: \(traceString(error))" }
        return text
    }

    public func report(_ context: ProcessingContext) async {
        logger.error("\(message(context))")
    }
}
