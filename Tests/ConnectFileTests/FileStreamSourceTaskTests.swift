import ConnectAPI
import Foundation
import Testing

@testable import ConnectFile

/// Offsets a test hands to a task, as the runtime's offset storage reader would.
struct FixedOffsets: OffsetStorageReader {
    var offsets: [[String: ConnectValue]: [String: ConnectValue]] = [:]

    func offset(for partition: [String: ConnectValue]) async throws -> [String: ConnectValue]? {
        offsets[partition]
    }

    func offsets(
        for partitions: [[String: ConnectValue]]
    ) async throws -> [[String: ConnectValue]: [String: ConnectValue]] {
        offsets.filter { partitions.contains($0.key) }
    }
}

struct FixedContext: SourceTaskContext {
    var configs: [String: String] = [:]
    var offsetStorageReader: any OffsetStorageReader
    var transactionContext: (any TransactionContext)? { nil }
}

/// A fresh temporary directory per test.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("connectfile-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func append(_ text: String, to url: URL) throws {
    if !FileManager.default.fileExists(atPath: url.path) {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
    }
    let handle = try FileHandle(forWritingTo: url)
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(text.utf8))
    try handle.close()
}

@Suite struct FileStreamSourceTaskTests {
    private func makeTask(
        file: URL,
        batchSize: Int = 2000,
        offsets: [[String: ConnectValue]: [String: ConnectValue]] = [:]
    ) async throws -> FileStreamSourceTask {
        let task = FileStreamSourceTask(idleWait: .milliseconds(1))
        await task.initialize(context: FixedContext(offsetStorageReader: FixedOffsets(offsets: offsets)))
        try await task.start(configs: ["file": file.path, "topic": "lines", "batch.size": String(batchSize)])
        return task
    }

    @Test func readsLinesWithPositionsAsOffsets() async throws {
        let file = try temporaryDirectory().appendingPathComponent("in.txt")
        try append("alpha\nbé\r\ngamma\rdelta", to: file)
        let task = try await makeTask(file: file)
        let records = try #require(try await task.poll())
        #expect(records.map(\.value) == [.string("alpha"), .string("bé"), .string("gamma")])
        // Byte positions after each terminator ("é" is two bytes in UTF-8).
        #expect(
            records.map(\.sourceOffset) == [
                ["position": .int64(6)], ["position": .int64(11)], ["position": .int64(17)],
            ]
        )
        #expect(records.allSatisfy { $0.sourcePartition == ["filename": .string(file.path)] })
        #expect(records.allSatisfy { $0.topic == "lines" && $0.valueSchema == .string && $0.key == .null })
        #expect(records.allSatisfy { $0.timestamp != nil && $0.kafkaPartition == nil })
        // "delta" has no terminator yet: nothing more until it gets one.
        #expect(try await task.poll() == nil)
        try append("\nepsilon\n", to: file)
        let appended = try #require(try await task.poll())
        #expect(appended.map(\.value) == [.string("delta"), .string("epsilon")])
        #expect(appended.last?.sourceOffset == ["position": .int64(31)])
        await task.stop()
    }

    @Test func honoursBatchSize() async throws {
        let file = try temporaryDirectory().appendingPathComponent("in.txt")
        try append((0..<5).map { "line\($0)\n" }.joined(), to: file)
        let task = try await makeTask(file: file, batchSize: 2)
        var batches: [[ConnectValue]] = []
        while let records = try await task.poll() { batches.append(records.map(\.value)) }
        #expect(
            batches == [
                [.string("line0"), .string("line1")], [.string("line2"), .string("line3")], [.string("line4")],
            ]
        )
        await task.stop()
    }

    @Test func resumesAfterTheCommittedPosition() async throws {
        let file = try temporaryDirectory().appendingPathComponent("in.txt")
        try append("one\ntwo\nthree\n", to: file)
        let task = try await makeTask(
            file: file,
            offsets: [["filename": .string(file.path)]: ["position": .int64(4)]]
        )
        let records = try #require(try await task.poll())
        #expect(records.map(\.value) == [.string("two"), .string("three")])
        await task.stop()
    }

    @Test func failsOnAnOffsetThatIsNotAnInteger() async throws {
        let file = try temporaryDirectory().appendingPathComponent("in.txt")
        try append("one\n", to: file)
        let task = try await makeTask(
            file: file,
            offsets: [["filename": .string(file.path)]: ["position": .string("4")]]
        )
        await #expect(throws: ConnectError.self) { try await task.poll() }
        await task.stop()
    }

    @Test func waitsForAFileThatDoesNotExistYet() async throws {
        let file = try temporaryDirectory().appendingPathComponent("later.txt")
        let task = try await makeTask(file: file)
        #expect(try await task.poll() == nil)
        try append("finally\n", to: file)
        #expect(try await task.poll()?.map(\.value) == [.string("finally")])
        await task.stop()
    }

    @Test func rejectsAMissingTopic() async throws {
        let task = FileStreamSourceTask()
        await #expect(throws: ConfigError.self) { try await task.start(configs: ["file": "/tmp/x"]) }
    }

    @Test func connectorAsksForOneTaskAndDeclaresExactlyOnceForFilesOnly() async throws {
        let connector = FileStreamSourceConnector()
        try await connector.start(configs: ["file": "/tmp/in.txt", "topic": "t"])
        #expect(try await connector.taskConfigs(maxTasks: 5) == [["file": "/tmp/in.txt", "topic": "t"]])
        #expect(await connector.exactlyOnceSupport(configs: ["file": "/tmp/in.txt", "topic": "t"]) == .supported)
        #expect(await connector.exactlyOnceSupport(configs: ["topic": "t"]) == .unsupported)
        #expect(FileStreamSourceConfig.definition["batch.size"]?.defaultValue == .value(.int(2000)))
    }

    @Test func alterOffsetsFollowsKafkasRules() async throws {
        let connector = FileStreamSourceConnector()
        let configs = ["file": "/tmp/in.txt", "topic": "t"]
        let partition: [String: ConnectValue] = ["filename": .string("/tmp/in.txt")]
        #expect(try await connector.alterOffsets(configs: configs, offsets: [partition: ["position": .int64(10)]]))
        #expect(try await connector.alterOffsets(configs: configs, offsets: [["garbage": .int64(1)]: nil]))
        await #expect(throws: ConnectError.self) {
            try await connector.alterOffsets(configs: configs, offsets: [partition: ["position": .int64(-1)]])
        }
        await #expect(throws: ConnectError.self) {
            try await connector.alterOffsets(configs: configs, offsets: [partition: ["position": .string("1")]])
        }
        await #expect(throws: ConnectError.self) {
            try await connector.alterOffsets(configs: configs, offsets: [partition: ["other": .int64(1)]])
        }
        await #expect(throws: ConnectError.self) {
            try await connector.alterOffsets(
                configs: configs,
                offsets: [["file": .string("x")]: ["position": .int64(1)]]
            )
        }
        await #expect(throws: ConnectError.self) {
            try await connector.alterOffsets(configs: ["topic": "t"], offsets: [partition: nil])
        }
    }
}

@Suite struct FileStreamSinkTaskTests {
    @Test func appendsOneLinePerValueAndFlushes() async throws {
        let file = try temporaryDirectory().appendingPathComponent("out.txt")
        try append("existing\n", to: file)
        let task = FileStreamSinkTask()
        try await task.start(configs: ["file": file.path])
        func record(_ value: ConnectValue, offset: Int64) -> SinkRecord {
            SinkRecord(topic: "t", partition: 0, valueSchema: nil, value: value, kafkaOffset: offset)
        }
        try await task.put([record(.string("a"), offset: 0), record(.int64(42), offset: 1), record(.null, offset: 2)])
        try await task.put([])
        try await task.put([record(.map(["k": .string("v")]), offset: 3)])
        try await task.flush(currentOffsets: [:])
        await task.stop()
        #expect(try String(contentsOf: file, encoding: .utf8) == "existing\na\n42\nnull\n{k=v}\n")
    }

    @Test func connectorReturnsMaxTasksIdenticalConfigs() async throws {
        let connector = FileStreamSinkConnector()
        try await connector.start(configs: ["file": "/tmp/out.txt", "topics": "t"])
        let configs = try await connector.taskConfigs(maxTasks: 3)
        #expect(configs.count == 3)
        #expect(Set(configs).count == 1)
    }
}
