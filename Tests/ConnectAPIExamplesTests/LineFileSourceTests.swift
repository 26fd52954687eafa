import ConnectAPI
import ConnectAPIExamples
import Foundation
import Testing

/// The source example driven as the runtime drives it: connector → task configuration → task
/// `initialize`/`start`/`poll`, with offsets committed to a fake offset store between runs.
@Suite struct LineFileSourceTaskTests {
    /// Starts the connector with `configs`, then a task with the one configuration it returns.
    private func startTask(
        file: String,
        offsets: FakeOffsetStorageReader = FakeOffsetStorageReader(),
        _ extra: [String: String] = [:]
    ) async throws -> LineFileSourceTask {
        let configs = ["file": file, "topic": "lines", "poll.interval.ms": "5"].merging(extra) { $1 }
        let connector = LineFileSourceConnector()
        try await connector.start(configs: configs)
        let taskConfigs = try await connector.taskConfigs(maxTasks: 3)
        #expect(taskConfigs == [configs])
        let task = LineFileSourceTask()
        await task.initialize(context: FakeSourceTaskContext(configs: taskConfigs[0], offsetStorageReader: offsets))
        try await task.start(configs: taskConfigs[0])
        return task
    }

    private func values(_ records: [SourceRecord]?) -> [String] {
        (records ?? []).compactMap(\.value.stringValue)
    }

    private func positions(_ records: [SourceRecord]?) -> [Int64] {
        (records ?? []).compactMap { $0.sourceOffset?[LineFileSourceTask.positionKey]?.int64Value }
    }

    @Test func pollsEveryCompleteLineWithTheByteOffsetAfterIt() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("in.txt")
        try writeText("alpha\nbeta\r\ngamma\rdelta", to: file)
        let task = try await startTask(file: file)

        let records = try #require(try await task.poll())
        #expect(values(records) == ["alpha", "beta", "gamma"])
        #expect(positions(records) == [6, 12, 18])
        for record in records {
            #expect(record.sourcePartition == ["filename": .string(file)])
            #expect(record.topic == "lines")
            #expect(record.valueSchema == .string)
            #expect(record.key == .null && record.keySchema == nil && record.kafkaPartition == nil)
        }

        #expect(try await task.poll() == nil)  // "delta" has no terminator yet
        try appendText("\n", to: file)
        let more = try await task.poll()
        #expect(values(more) == ["delta"])
        #expect(positions(more) == [24])
        await task.stop()
    }

    @Test func aCarriageReturnAtTheEndWaitsForTheNextByte() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("in.txt")
        try writeText("one\r", to: file)
        let task = try await startTask(file: file)

        #expect(try await task.poll() == nil)
        try appendText("\ntwo\n", to: file)
        let records = try await task.poll()
        #expect(values(records) == ["one", "two"])
        #expect(positions(records) == [5, 9])
        await task.stop()
    }

    @Test func returnsAtMostBatchSizeRecordsPerPoll() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("in.txt")
        try writeText("1\n2\n3\n4\n5\n", to: file)
        let task = try await startTask(file: file, ["batch.size": "2"])

        #expect(values(try await task.poll()) == ["1", "2"])
        #expect(values(try await task.poll()) == ["3", "4"])
        #expect(values(try await task.poll()) == ["5"])
        #expect(try await task.poll() == nil)
        await task.stop()
    }

    @Test func aRestartedTaskContinuesAfterTheCommittedOffsetWithoutDuplicates() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("in.txt")
        let lines = (1...7).map { "line \($0)" }
        try writeText(lines.map { $0 + "\n" }.joined(), to: file)
        let offsets = FakeOffsetStorageReader()

        let first = try await startTask(file: file, offsets: offsets, ["batch.size": "3"])
        let firstBatch = try #require(try await first.poll())
        offsets.commit(firstBatch)  // the runtime commits after the producer acknowledged them
        await first.stop()

        let second = try await startTask(file: file, offsets: offsets, ["batch.size": "10"])
        let secondBatch = try await second.poll()
        await second.stop()

        #expect(values(firstBatch) + values(secondBatch) == lines)
        #expect(positions(secondBatch).first == 28)  // 4 lines of "line n\n"
    }

    @Test func recordsThatWereNotCommittedAreReadAgain() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("in.txt")
        try writeText("a\nb\nc\nd\n", to: file)
        let offsets = FakeOffsetStorageReader()

        let first = try await startTask(file: file, offsets: offsets)
        let batch = try #require(try await first.poll())
        offsets.commit(Array(batch.prefix(2)))  // the task stopped before "c" and "d" were committed
        await first.stop()

        let second = try await startTask(file: file, offsets: offsets)
        #expect(values(try await second.poll()) == ["c", "d"])
        await second.stop()
    }

    @Test func resumesExactlyAfterMultiByteText() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("in.txt")
        try writeText("grüße\n日本語\nend\n", to: file)
        let offsets = FakeOffsetStorageReader()

        let first = try await startTask(file: file, offsets: offsets, ["batch.size": "1"])
        let batch = try await first.poll()
        #expect(positions(batch) == [8])  // bytes, not characters
        offsets.commit(batch ?? [])
        await first.stop()

        let second = try await startTask(file: file, offsets: offsets)
        #expect(values(try await second.poll()) == ["日本語", "end"])
        await second.stop()
    }

    @Test func waitsForAFileThatDoesNotExistYet() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("later.txt")
        let task = try await startTask(file: file)

        #expect(try await task.poll() == nil)
        try writeText("finally\n", to: file)
        #expect(values(try await task.poll()) == ["finally"])
        await task.stop()
    }

    @Test func anOffsetOfTheWrongTypeFailsTheTask() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("in.txt")
        try writeText("a\n", to: file)
        let offsets = FakeOffsetStorageReader([["filename": .string(file)]: ["position": "12"]])
        let task = try await startTask(file: file, offsets: offsets)

        let error = await #expect(throws: ConnectError.self) { try await task.poll() }
        #expect(error?.message.hasPrefix("Offset position is the incorrect type") == true)
    }

    @Test func aFileThatCannotBeReadIsRetriable() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("in.txt")
        try FileManager.default.createDirectory(atPath: file, withIntermediateDirectories: false)
        let task = try await startTask(file: file)

        let error = await #expect(throws: RetriableError.self) { try await task.poll() }
        #expect(error?.message == "Cannot read \(file)")

        try FileManager.default.removeItem(atPath: file)
        try writeText("readable now\n", to: file)
        #expect(values(try await task.poll()) == ["readable now"])
        await task.stop()
    }

    @Test func stopEndsAWaitingPollPromptly() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("in.txt")
        try writeText("", to: file)
        let task = try await startTask(file: file, ["poll.interval.ms": "60000"])

        let clock = ContinuousClock()
        let started = clock.now
        let polling = Task { try await task.poll() }
        try await Task.sleep(for: .milliseconds(50))
        await task.stop()  // as the runtime does: stop, then cancel the Swift task running poll()
        polling.cancel()
        #expect(try await polling.value == nil)
        // Far below poll.interval.ms (60 s); loose enough for a busy machine.
        #expect(clock.now - started < .seconds(30))
        #expect(try await task.poll() == nil)  // a stopped task returns nothing
    }
}

@Suite struct LineFileSourceConnectorTests {
    private let valid = ["file": "/tmp/in.txt", "topic": "lines"]

    // snippet.source-validate-test
    @Test func validationReportsEachBadKeyWithItsReason() async {
        let connector = LineFileSourceConnector()
        let result = await connector.validate(configs: ["file": "/tmp/in.txt", "batch.size": "0"])

        #expect(
            result["topic"]?.errorMessages == [#"Missing required configuration "topic" which has no default value."#]
        )
        #expect(
            result["batch.size"]?.errorMessages == [
                "Invalid value 0 for configuration batch.size: Value must be at least 1"
            ]
        )
        #expect(result["file"]?.errorMessages == [])
        #expect(result.errorCount == 2)
    }
    // snippet.end

    @Test func validationRejectsAnIllegalTopicAndAnUnparsableBatchSize() async {
        let connector = LineFileSourceConnector()
        let result = await connector.validate(configs: [
            "file": "/tmp/in.txt", "topic": "my topic", "batch.size": "abc",
        ])

        #expect(
            result["topic"]?.errorMessages == [
                "Invalid value my topic for configuration topic: Topic name \"my topic\" is illegal, it contains a "
                    + "character other than ASCII alphanumerics, '.', '_' and '-'"
            ]
        )
        // As in Kafka, a value that does not parse is then validated as null, which fails too.
        #expect(
            result["batch.size"]?.errorMessages == [
                "Invalid value abc for configuration batch.size: Not a number of type INT",
                "Invalid value null for configuration batch.size: Value must be non-null",
            ]
        )
    }

    @Test func aValidConfigurationHasNoErrorsAndItsDefaults() async throws {
        let result = await LineFileSourceConnector().validate(configs: valid)
        #expect(result.errorCount == 0)
        #expect(result["batch.size"]?.value == .int(2000))

        let config = try LineFileSourceConfig(valid)
        #expect(config.batchSize == 2000 && config.pollInterval == .seconds(1) && config.topic == "lines")
    }

    @Test func startFailsWithTheKeyAndTheReason() async {
        let connector = LineFileSourceConnector()
        let error = await #expect(throws: ConfigError.self) {
            try await connector.start(configs: ["file": "/tmp/in.txt", "topic": "lines", "batch.size": "-5"])
        }
        #expect(error?.name == "batch.size")
        #expect(error?.reason == "Value must be at least 1")
    }

    @Test func asksForOneTaskWhateverTheMaximum() async throws {
        let connector = LineFileSourceConnector()
        try await connector.start(configs: valid)
        #expect(try await connector.taskConfigs(maxTasks: 8) == [valid])
        #expect(await connector.exactlyOnceSupport(configs: valid) == .supported)
    }

    @Test func altersOnlyOffsetsTheTaskCanResumeFrom() async throws {
        let connector = LineFileSourceConnector()
        let partition: [String: ConnectValue] = ["filename": "/tmp/in.txt"]
        #expect(try await connector.alterOffsets(configs: valid, offsets: [partition: ["position": .int64(42)]]))
        #expect(try await connector.alterOffsets(configs: valid, offsets: [partition: nil]))  // a reset
        await #expect(throws: ConnectError.self) {
            try await connector.alterOffsets(configs: valid, offsets: [partition: ["position": .int64(-1)]])
        }
        await #expect(throws: ConnectError.self) {
            try await connector.alterOffsets(configs: valid, offsets: [["file": "/tmp/in.txt"]: nil])
        }
    }
}
