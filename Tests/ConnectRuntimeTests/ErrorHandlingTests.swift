import ConnectAPI
import KafkaNIO
import KafkaProtocol
import Logging
import NIOCore
import Synchronization
import Testing

@testable import ConnectRuntime

/// A clock whose time moves only when the operator sleeps; records the sleeps.
final class FakeRetryClock: Sendable {
    let state = Mutex((now: Int64(0), sleeps: [Int64]()))
    let randomValue: Int64

    init(randomValue: Int64 = 42) { self.randomValue = randomValue }

    var clock: RetryClock {
        RetryClock(
            nowMs: { self.state.withLock { $0.now } },
            sleep: { duration in
                let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
                self.state.withLock {
                    $0.now += ms
                    $0.sleeps.append(ms)
                }
            },
            random: { range in min(max(self.randomValue, range.lowerBound), range.upperBound) }
        )
    }

    var sleeps: [Int64] { state.withLock { $0.sleeps } }
}

/// Collects reports.
final class CollectingReporter: ErrorReporter {
    let contexts = Mutex<[ProcessingContext]>([])
    func report(_ context: ProcessingContext) async { contexts.withLock { $0.append(context) } }
    var reported: [ProcessingContext] { contexts.withLock { $0 } }
}

@Suite struct RetryWithToleranceOperatorTests {
    static let taskID = ConnectorTaskID(connector: "conn", task: 2)

    static func context(_ stage: ErrorStage = .valueConverter) -> ProcessingContext {
        ProcessingContext(taskID: taskID, stage: stage, className: "org.example.Converter")
    }

    static func config(
        timeout: Int64,
        delayMax: Int64 = 60000,
        tolerance: ConnectorConfig.ErrorTolerance
    ) -> ErrorHandlingConfig {
        var config = ErrorHandlingConfig()
        config.retryTimeoutMs = timeout
        config.retryDelayMaxMs = delayMax
        config.tolerance = tolerance
        return config
    }

    @Test func retriableFailuresBackOffExponentiallyUntilTheDeadline() async throws {
        let clock = FakeRetryClock()
        let reporter = CollectingReporter()
        let handler = RetryWithToleranceOperator(
            config: Self.config(timeout: 1000, tolerance: .none),
            reporters: [reporter],
            clock: clock.clock
        )
        let attempts = Mutex(0)
        await #expect(throws: ConnectError.self) {
            _ = try await handler.execute(Self.context()) { () throws -> Int in
                attempts.withLock { $0 += 1 }
                throw RetriableError("broker busy")
            }
        }
        // 300, 600, then capped at the deadline (1000 - 900), then the deadline has passed.
        #expect(clock.sleeps == [300, 600, 100])
        #expect(attempts.withLock { $0 } == 4)
        #expect(reporter.reported.count == 1)
        #expect(reporter.reported.first?.error is RetriableError)
        #expect(handler.counts.retries == 3)
    }

    @Test func toleranceExceededMessageWrapsTheFailure() async throws {
        let handler = RetryWithToleranceOperator(config: Self.config(timeout: 0, tolerance: .none))
        do {
            _ = try await handler.execute(Self.context()) { () throws -> Int in throw DataError("bad json") }
            Issue.record("expected a failure")
        } catch let error as ConnectError {
            #expect(error.message == "Tolerance exceeded in error handler")
            #expect(error.underlying is DataError)
        }
    }

    @Test func aRetriedOperationThatSucceedsReturnsItsValue() async throws {
        let clock = FakeRetryClock()
        let handler = RetryWithToleranceOperator(config: Self.config(timeout: -1, tolerance: .none), clock: clock.clock)
        let attempts = Mutex(0)
        let value = try await handler.execute(Self.context()) { () throws -> Int in
            let attempt = attempts.withLock {
                $0 += 1
                return $0
            }
            if attempt < 3 { throw RetriableError("not yet") }
            return 7
        }
        #expect(value == 7)
        #expect(clock.sleeps == [300, 600])
    }

    @Test func delaysBeyondTheMaximumBecomeRandomJitter() async throws {
        let clock = FakeRetryClock(randomValue: 123)
        let handler = RetryWithToleranceOperator(
            config: Self.config(timeout: 10_000, delayMax: 500, tolerance: .all),
            clock: clock.clock
        )
        let attempts = Mutex(0)
        _ = try await handler.execute(Self.context()) { () throws -> Int in
            let attempt = attempts.withLock {
                $0 += 1
                return $0
            }
            if attempt < 4 { throw RetriableError("not yet") }
            return 1
        }
        // 300 ≤ 500; 600 and 1200 exceed the 500 ms maximum: random waits in 0...500.
        #expect(clock.sleeps == [300, 123, 123])
    }

    @Test func nonRetriableErrorsAreNotRetriedAndAreSkippedWithToleranceAll() async throws {
        let clock = FakeRetryClock()
        let reporter = CollectingReporter()
        let handler = RetryWithToleranceOperator(
            config: Self.config(timeout: -1, tolerance: .all),
            reporters: [reporter],
            clock: clock.clock
        )
        let result = try await handler.execute(Self.context(.transformation)) { () throws -> Int in
            throw DataError("cannot cast")
        }
        #expect(result == nil)
        #expect(clock.sleeps.isEmpty)
        #expect(reporter.reported.map(\.stage) == [.transformation])
        #expect(handler.counts.skippedRecords == 1)
        // Tolerance all keeps going: the next record is handled normally.
        #expect(try await handler.execute(Self.context()) { 5 } == 5)
    }

    @Test func anInterruptedBackoffFailsTheRecord() async throws {
        let handler = RetryWithToleranceOperator(
            config: Self.config(timeout: -1, tolerance: .all),
            clock: RetryClock(nowMs: { 0 }, sleep: { _ in throw CancellationError() })
        )
        let result = try await handler.execute(Self.context()) { () throws -> Int in throw RetriableError("x") }
        #expect(result == nil)
        #expect(handler.counts.failedRecords == 1)
    }

    @Test func logReporterNamesTheTaskStageClassAndCoordinates() {
        var context = Self.context()
        context.consumedRecord = KafkaConsumerRecord(
            topic: "orders",
            partition: 3,
            offset: 17,
            timestamp: 1000,
            timestampType: .createTime,
            key: ByteBuffer(string: "k"),
            value: ByteBuffer(string: "secret"),
            headers: []
        )
        context.error = DataError("bad")
        let plain = LogReporter(includeMessages: false, logger: Logger(label: "test")).message(context)
        #expect(
            plain.hasPrefix(
                "Error encountered in task conn-2. Executing stage 'VALUE_CONVERTER' with class 'org.example.Converter'"
            )
        )
        #expect(plain.contains("topic='orders', partition=3, offset=17"))
        #expect(!plain.contains("secret"))
        let full = LogReporter(includeMessages: true, logger: Logger(label: "test")).message(context)
        #expect(full.contains("value=secret"))
    }

    @Test func deadLetterQueueRecordKeepsTheRawBytesAndAddsContextHeaders() {
        let reporter = DeadLetterQueueReporter(
            topic: "dlq",
            contextHeaders: true,
            logger: Logger(label: "test"),
            send: { _ in .success(()) }
        )
        var context = Self.context()
        context.consumedRecord = KafkaConsumerRecord(
            topic: "orders",
            partition: 3,
            offset: 17,
            timestamp: 1000,
            timestampType: .createTime,
            key: ByteBuffer(string: "k"),
            value: ByteBuffer(string: "{not json"),
            headers: [KafkaRecordHeader(key: "h", value: ByteBuffer(string: "v"))]
        )
        context.error = DataError("Converting byte[] to Kafka Connect data failed due to serialization error")
        let record = reporter.record(for: context)
        #expect(record?.topic == "dlq")
        #expect(record?.partition == nil)
        #expect(record?.key.map { String(buffer: $0) } == "k")
        #expect(record?.value.map { String(buffer: $0) } == "{not json")
        #expect(record?.timestamp == 1000)
        let headers = (record?.headers ?? []).map { ($0.key, $0.value.map { String(buffer: $0) }) }
        #expect(
            headers.map(\.0) == [
                "h",
                "__connect.errors.topic",
                "__connect.errors.partition",
                "__connect.errors.offset",
                "__connect.errors.connector.name",
                "__connect.errors.task.id",
                "__connect.errors.stage",
                "__connect.errors.class.name",
                "__connect.errors.exception.class.name",
                "__connect.errors.exception.message",
                "__connect.errors.exception.stacktrace",
            ]
        )
        let values = Dictionary(headers.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
        #expect(values["__connect.errors.topic"] == "orders")
        #expect(values["__connect.errors.partition"] == "3")
        #expect(values["__connect.errors.offset"] == "17")
        #expect(values["__connect.errors.connector.name"] == "conn")
        #expect(values["__connect.errors.task.id"] == "2")
        #expect(values["__connect.errors.stage"] == "VALUE_CONVERTER")
        #expect(values["__connect.errors.class.name"] == "org.example.Converter")
        #expect(values["__connect.errors.exception.class.name"] == "ConnectAPI.DataError")
        #expect(
            values["__connect.errors.exception.message"]
                == "Converting byte[] to Kafka Connect data failed due to serialization error"
        )
        #expect(values["__connect.errors.exception.stacktrace"]??.hasPrefix("ConnectAPI.DataError: ") == true)
    }

    @Test func withoutContextHeadersOnlyTheOriginalHeadersAreKept() {
        let reporter = DeadLetterQueueReporter(
            topic: "dlq",
            contextHeaders: false,
            logger: Logger(label: "test"),
            send: { _ in .success(()) }
        )
        var context = Self.context()
        context.consumedRecord = KafkaConsumerRecord(
            topic: "orders",
            partition: 0,
            offset: 1,
            timestamp: -1,
            timestampType: .createTime,
            key: nil,
            value: ByteBuffer(string: "x"),
            headers: [KafkaRecordHeader(key: "h", value: nil)]
        )
        let record = reporter.record(for: context)
        #expect(record?.headers.map(\.key) == ["h"])
        #expect(record?.timestamp == nil)
    }

    @Test func errorConfigParsesKafkaKeysAndRestartKeys() throws {
        let config = try ErrorHandlingConfig(
            [
                "name": "x", "connector.class": "y",
                "errors.retry.timeout": "-1", "errors.retry.delay.max.ms": "500", "errors.tolerance": "all",
                "errors.log.enable": "true", "errors.log.include.messages": "true",
                "errors.deadletterqueue.topic.name": " dlq ", "errors.deadletterqueue.topic.replication.factor": "1",
                "errors.deadletterqueue.context.headers.enable": "true",
                "errors.task.restart.enable": "true", "errors.task.restart.max.attempts": "5",
                "errors.task.restart.backoff.initial.ms": "100", "errors.task.restart.backoff.max.ms": "350",
            ],
            definition: ConnectorConfig.sinkDefinition
        )
        #expect(config.retryTimeoutMs == -1)
        #expect(config.retryDelayMaxMs == 500)
        #expect(config.tolerance == .all)
        #expect(config.logEnable && config.logIncludeMessages)
        #expect(config.deadLetterQueueTopic == "dlq")
        #expect(config.deadLetterQueueReplicationFactor == 1)
        #expect(config.deadLetterQueueContextHeaders)
        #expect(config.taskRestartEnable)
        #expect(config.taskRestartMaxAttempts == 5)
        #expect(
            (1...4).map { config.taskRestartBackoff(attempt: $0) } == [
                .milliseconds(100), .milliseconds(200), .milliseconds(350), .milliseconds(350),
            ]
        )
        let defaults = try ErrorHandlingConfig(
            ["name": "x", "connector.class": "y"],
            definition: ConnectorConfig.sourceDefinition
        )
        #expect(defaults == ErrorHandlingConfig())
        #expect(!defaults.hasReporters)
    }
}
