import CSVDirectorySource
import ConnectAPI
import ConnectTesting
import Foundation
import Testing

/// The connector run by ConnectTesting's harnesses, as the worker would run it: connector →
/// task configurations → tasks polling, Kafka acknowledging records, offsets flushed and read back.
@Suite struct CSVDirectorySourceTests {
    /// An input and a finished directory under a fresh temporary directory.
    struct Directories {
        let root: URL
        var input: String { root.appendingPathComponent("in").path }
        var finished: String { root.appendingPathComponent("done").path }

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("csv-source-\(UUID().uuidString)")
            for path in [root.appendingPathComponent("in"), root.appendingPathComponent("done")] {
                try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
            }
        }

        func write(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: input).appendingPathComponent(name))
        }

        func files(in path: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    private func configs(_ directories: Directories, _ extra: [String: String] = [:]) -> [String: String] {
        ["input.path": directories.input, "topic": "rows", "poll.interval.ms": "10"].merging(extra) { $1 }
    }

    private func field(_ record: SourceRecord, _ name: String) -> ConnectValue? {
        record.value.structValue?[name]
    }

    // snippet.testing-source-connector
    @Test func rowsBecomeStructsNamedByTheHeaderWithOffsetsPerFile() async throws {
        let directories = try Directories()
        defer { directories.remove() }
        try directories.write("b.csv", "id,name\n3,carol\n")
        try directories.write("a.csv", "id,name,note\n1,alice,\n2,bob,\"likes, commas\"\n")
        try directories.write("ignored.txt", "not,csv\n")

        let run = try await SourceConnectorHarness.start(
            CSVDirectorySourceConnector.self,
            configs: configs(directories)
        )
        let records = try await run.drainUntilEmpty()
        #expect(records.map { field($0, "name") } == ["alice", "bob", "carol"])
        #expect(records.map { field($0, "note") } == [.null, "likes, commas", nil])  // b.csv has no note column
        #expect(records[0].valueSchema?.fields.map(\.name) == ["id", "name", "note"])
        #expect(records[0].valueSchema?.field(named: "id")?.schema == .optionalString)
        #expect(
            records.map(\.sourceOffset) == [
                ["row": .int64(1), "eof": false], ["row": .int64(2), "eof": true], ["row": .int64(1), "eof": true],
            ]
        )
        #expect(records[1].headers.lastWithName("csv.file")?.value == "a.csv")
        #expect(records.allSatisfy { $0.topic == "rows" })

        try await run.stop()
        #expect(run.offsets[["file": "a.csv"]] == ["row": .int64(2), "eof": true])
        #expect(run.offsets[["file": "b.csv"]] == ["row": .int64(1), "eof": true])
    }
    // snippet.end

    // snippet.testing-source-restart
    @Test func aRestartResumesAfterTheLastRowWrittenToKafka() async throws {
        let directories = try Directories()
        defer { directories.remove() }
        try directories.write("a.csv", "n\n1\n2\n3\n4\n5\n")
        let offsets = InMemoryOffsetStore()
        let props = configs(directories, ["batch.size": "2"])

        let first = SourceTaskHarness(
            CSVDirectorySourceTask(),
            configs: props,
            offsets: offsets,
            acknowledgement: .manual
        )
        try await first.start()
        let polled = try await first.poll() + first.poll()  // rows 1-4
        #expect(polled.map { field($0, "n") } == ["1", "2", "3", "4"])
        try await first.acknowledge(Array(polled.prefix(3)))  // Kafka wrote rows 1-3 only
        try await first.stop()  // flushes what is committable
        #expect(offsets[["file": "a.csv"]] == ["row": .int64(3), "eof": false])

        let second = SourceTaskHarness(CSVDirectorySourceTask(), configs: props, offsets: offsets)
        try await second.start()
        #expect(try await second.drainUntilEmpty().map { field($0, "n") } == ["4", "5"])
        try await second.stop()
        #expect(offsets[["file": "a.csv"]] == ["row": .int64(5), "eof": true])
    }
    // snippet.end

    @Test func aFinishedFileMovesOnlyOnceKafkaAcknowledgedAllItsRows() async throws {
        let directories = try Directories()
        defer { directories.remove() }
        try directories.write("a.csv", "n\n1\n2\n")
        let harness = SourceTaskHarness(
            CSVDirectorySourceTask(),
            configs: configs(directories, ["finished.path": directories.finished]),
            acknowledgement: .manual
        )
        try await harness.start()
        let records = try await harness.drainUntilEmpty()
        #expect(records.count == 2)
        try await harness.acknowledge([records[1]])
        #expect(try directories.files(in: directories.input) == ["a.csv"])  // row 1 not written yet
        try await harness.acknowledge([records[0]])
        #expect(try directories.files(in: directories.input) == [])
        #expect(try directories.files(in: directories.finished) == ["a.csv"])
        try await harness.stop()
    }

    @Test func aFileDoneInAnEarlierRunIsSkippedAndMovedIfItWasLeftBehind() async throws {
        let directories = try Directories()
        defer { directories.remove() }
        try directories.write("a.csv", "n\n1\n")
        try directories.write("b.csv", "n\n2\n")
        let offsets = InMemoryOffsetStore([["file": "a.csv"]: ["row": .int64(1), "eof": true]])

        let run = try await SourceConnectorHarness.start(
            CSVDirectorySourceConnector.self,
            configs: configs(directories, ["finished.path": directories.finished]),
            offsets: offsets
        )
        #expect(try await run.drainUntilEmpty().map { field($0, "n") } == ["2"])
        #expect(try directories.files(in: directories.finished) == ["a.csv", "b.csv"])
        try await run.stop()
    }

    @Test func schemalessRowsHoldJSONCompatibleValues() async throws {
        let directories = try Directories()
        defer { directories.remove() }
        try directories.write("a.csv", "id,price,ok,name,empty\n7,1.5,true,x7,\n")
        let run = try await SourceConnectorHarness.start(
            CSVDirectorySourceConnector.self,
            configs: configs(directories, ["record.format": "schemaless"])
        )
        let record = try #require(try await run.drainUntilEmpty().first)
        #expect(record.valueSchema == nil)
        #expect(
            record.value == .map(["id": .int64(7), "price": .float64(1.5), "ok": true, "name": "x7", "empty": .null])
        )
        try await run.stop()
    }

    @Test func tasksShareTheFilesWithoutOverlap() async throws {
        let directories = try Directories()
        defer { directories.remove() }
        let names = (1...12).map { "f\($0).csv" }
        for name in names { try directories.write(name, "file\n\(name)\n") }
        let run = try await SourceConnectorHarness.start(
            CSVDirectorySourceConnector.self,
            configs: configs(directories, ["tasks.max": "3"])
        )
        #expect(run.tasks.count == 3)
        var perTask: [[String]] = []
        for task in run.tasks {
            perTask.append(try await task.drainUntilEmpty().compactMap { field($0, "file")?.stringValue })
        }
        #expect(perTask.flatMap { $0 }.sorted() == names.sorted())
        #expect(perTask.filter { !$0.isEmpty }.count > 1)  // the hash spreads 12 names over several tasks
        try await run.stop()
    }

    @Test func aRowWithMoreFieldsThanTheHeaderFailsTheTask() async throws {
        let directories = try Directories()
        defer { directories.remove() }
        try directories.write("a.csv", "a,b\n1,2,3\n")
        let harness = SourceTaskHarness(CSVDirectorySourceTask(), configs: configs(directories))
        try await harness.start()
        let error = await #expect(throws: ConnectError.self) { _ = try await harness.poll() }
        #expect(error?.message == "a.csv data row 1 has 3 fields but the header has 2")
    }

    // snippet.testing-validate
    @Test func validationNamesEachBadKey() async throws {
        let directories = try Directories()
        defer { directories.remove() }
        let validation = await ConnectorHarness<CSVDirectorySourceConnector>.validate([
            "input.path": directories.root.appendingPathComponent("missing").path,
            "finished.path": "",
            "record.format": "xml",
            "batch.size": "0",
        ])
        #expect(validation.errors.keys.sorted() == ["batch.size", "input.path", "record.format", "topic"])
        #expect(validation["input.path"].first?.hasSuffix("Not an existing directory") == true)
        #expect(validation["topic"] == [#"Missing required configuration "topic" which has no default value."#])

        let same = await ConnectorHarness<CSVDirectorySourceConnector>.validate(
            configs(directories, ["finished.path": directories.input + "/"])
        )
        #expect(same.errors == ["finished.path": ["finished.path must not be the input directory"]])
        #expect(await ConnectorHarness<CSVDirectorySourceConnector>.validate(configs(directories)).isValid)
    }
    // snippet.end
}
