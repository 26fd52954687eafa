import ConnectAPI
import ConnectAPIExamples
import Foundation
import Testing

/// The sink example driven as the runtime drives it: connector → task configurations → task
/// `initialize`/`start`/`open`, batches through `put`, `preCommit` before each commit, `close`, `stop`.
@Suite struct LineFileSinkTaskTests {
    private let partition = TopicPartition("orders", 0)

    /// Starts the connector, then one task with one of its configurations, and opens `partition`.
    private func startTask(
        file: String,
        reporter: (any ErrantRecordReporter)? = FakeErrantRecordReporter(),
        _ extra: [String: String] = [:]
    ) async throws -> (LineFileSinkTask, FakeSinkTaskContext) {
        let configs = ["file": file, "topics": "orders"].merging(extra) { $1 }
        let connector = LineFileSinkConnector()
        try await connector.start(configs: configs)
        let taskConfigs = try await connector.taskConfigs(maxTasks: 2)
        #expect(taskConfigs == [configs, configs])
        let context = FakeSinkTaskContext(configs: taskConfigs[0], assignment: [partition], reporter: reporter)
        let task = LineFileSinkTask()
        await task.initialize(context: context)
        try await task.start(configs: taskConfigs[0])
        try await task.open(partitions: [partition])
        return (task, context)
    }

    private func records(_ values: [ConnectValue], from offset: Int64 = 0) -> [SinkRecord] {
        values.enumerated().map { index, value in
            SinkRecord(
                topic: "orders",
                partition: 0,
                valueSchema: nil,
                value: value,
                kafkaOffset: offset + Int64(index)
            )
        }
    }

    @Test func writesOneLinePerRecordAndCommitsAfterFlushing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("out.txt")
        let (task, _) = try await startTask(file: file)
        let point = try SchemaBuilder.struct().name("Point").field("x", .int32).field("y", .int32).build()

        try await task.put(
            records([
                "alpha", .int32(42), .boolean(true), .null, .bytes(Array("raw bytes".utf8)),
                .decimal(ConnectDecimal(unscaled: 1999, scale: 2)),
                .struct(try Struct(schema: point, values: [.int32(1), .int32(2)])),
                ["k": "v"],
            ])
        )
        let current = [partition: OffsetAndMetadata(8)]
        #expect(try await task.preCommit(currentOffsets: current) == current)
        #expect(try readText(file) == "alpha\n42\ntrue\nnull\nraw bytes\n19.99\nStruct{x=1,y=2}\n{k=v}\n")

        try await task.put([])  // an empty batch is normal: nothing is written
        try await task.close(partitions: [partition])
        await task.stop()
        #expect(try readText(file).hasSuffix("{k=v}\n"))
    }

    @Test func reportsValuesThatCannotBeALineAndWritesTheRest() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("out.txt")
        let reporter = FakeErrantRecordReporter()
        let (task, _) = try await startTask(file: file, reporter: reporter)

        try await task.put(records(["ok", .bytes([0xFF, 0xFE]), "two\nlines", "fine"]))
        _ = try await task.preCommit(currentOffsets: [partition: OffsetAndMetadata(4)])
        await task.stop()

        #expect(try readText(file) == "ok\nfine\n")
        let reported = await reporter.reported
        #expect(reported.map(\.record.kafkaOffset) == [1, 2])
        #expect(
            reported.map(\.message) == [
                "Value is not UTF-8 text (2 bytes)", "Value contains a line break and would not read back as one line",
            ]
        )
    }

    @Test func failsOnAValueItCannotWriteWhenNoReporterIsConfigured() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (task, _) = try await startTask(file: directory.path("out.txt"), reporter: nil)

        let error = await #expect(throws: ConnectError.self) { try await task.put(records(["ok", "bad\r"])) }
        #expect(error?.message == "Cannot write the record at offset 1 of orders-0")
        #expect(error?.underlying is DataError)
        await task.stop()
    }

    @Test func failsWhenTheReporterSaysToleranceIsExceeded() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let reporter = FakeErrantRecordReporter(toleratesErrors: false)
        let (task, _) = try await startTask(file: directory.path("out.txt"), reporter: reporter)

        let error = await #expect(throws: ConnectError.self) { try await task.put(records([.bytes([0xC3])])) }
        #expect(error?.message == "Tolerance exceeded in error handler")
        await task.stop()
    }

    @Test func aFileThatCannotBeWrittenYetIsRetriedWithTheSameBatch() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("not-mounted-yet/out.txt")
        let (task, context) = try await startTask(file: file, ["retry.backoff.ms": "250"])
        let batch = records(["a", "b"])

        let error = await #expect(throws: RetriableError.self) { try await task.put(batch) }
        #expect(error?.message == "Cannot append to \(file)")
        #expect(context.timeouts == [250])

        try FileManager.default.createDirectory(
            atPath: directory.path("not-mounted-yet"),
            withIntermediateDirectories: false
        )
        try await task.put(batch)  // the runtime delivers the same batch again
        _ = try await task.preCommit(currentOffsets: [partition: OffsetAndMetadata(2)])
        await task.stop()
        #expect(try readText(file) == "a\nb\n")
    }

    @Test func appendsToWhatIsThereAcrossCloseAndReopen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("out.txt")
        try writeText("existing\n", to: file)
        let (task, _) = try await startTask(file: file)
        let other = TopicPartition("orders", 1)
        try await task.open(partitions: [other])

        try await task.put(records(["one"]))
        try await task.close(partitions: [partition])  // still owns orders-1: the file stays open
        try await task.put(records(["two"], from: 1))
        try await task.close(partitions: [other])  // nothing left: the file is closed
        try await task.open(partitions: [partition])
        try await task.put(records(["three"], from: 2))
        await task.stop()

        #expect(try readText(file) == "existing\none\ntwo\nthree\n")
    }

    @Test func tasksSharingTheFileKeepEveryLineWhole() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("out.txt")
        let (first, _) = try await startTask(file: file)
        let (second, _) = try await startTask(file: file)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for (name, task) in [("first", first), ("second", second)] {
                group.addTask {
                    for batch in 0..<50 {
                        try await task.put(self.records((0..<10).map { .string("\(name) \(batch) \($0)") }))
                    }
                }
            }
            try await group.waitForAll()
        }
        await first.stop()
        await second.stop()

        let lines = try readText(file).split(separator: "\n")
        #expect(lines.count == 1000)
        #expect(Set(lines).count == 1000)
        #expect(lines.allSatisfy { $0.hasPrefix("first ") || $0.hasPrefix("second ") })
    }
}

@Suite struct LineFileSinkConnectorTests {
    @Test func validationReportsEachBadKeyWithItsReason() async {
        let connector = LineFileSinkConnector()
        let missing = await connector.validate(configs: ["topics": "orders"])
        #expect(
            missing["file"]?.errorMessages == [#"Missing required configuration "file" which has no default value."#]
        )

        let bad = await connector.validate(configs: ["file": "", "retry.backoff.ms": "-1"])
        #expect(bad["file"]?.errorMessages == ["Invalid value  for configuration file: String must be non-empty"])
        #expect(
            bad["retry.backoff.ms"]?.errorMessages == [
                "Invalid value -1 for configuration retry.backoff.ms: Value must be at least 0"
            ]
        )
    }

    @Test func startFailsWithTheKeyAndTheReason() async {
        let error = await #expect(throws: ConfigError.self) {
            try await LineFileSinkConnector().start(configs: ["file": "/tmp/out.txt", "retry.backoff.ms": "soon"])
        }
        #expect(error?.name == "retry.backoff.ms")
        #expect(error?.reason == "Not a number of type LONG")
    }

    @Test func givesEveryTaskTheSameConfiguration() async throws {
        let configs = ["file": "/tmp/out.txt", "topics": "a,b"]
        let connector = LineFileSinkConnector()
        try await connector.start(configs: configs)
        #expect(try await connector.taskConfigs(maxTasks: 3) == [configs, configs, configs])
        #expect(try await connector.alterOffsets(configs: configs, offsets: [TopicPartition("a", 0): nil]))
    }
}
