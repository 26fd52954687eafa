import ConnectAPI
import ConnectFile
import ConnectTesting
import Foundation
import Testing

/// Kafka's FileStream connectors driven by ConnectTesting's harnesses: the kit against real connectors
/// (and the connectors against the worker's contract) without a broker.
@Suite struct FileStreamHarnessTests {
    private func temporaryFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("filestream-\(UUID().uuidString)").path
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aFileStreamSourceResumesAfterTheOffsetsTheWorkerCommitted() async throws {
        let file = try temporaryFile("alpha\nbeta\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let offsets = InMemoryOffsetStore()
        let props = ["file": file, "topic": "lines"]

        let first = try await SourceConnectorHarness.start(
            FileStreamSourceConnector.self,
            configs: props,
            offsets: offsets
        )
        let task = try #require(first.tasks.first)
        #expect(try await task.drain(atLeast: 2).map(\.value) == ["alpha", "beta"])
        try await first.stop()
        #expect(offsets[["filename": .string(file)]] == ["position": .int64(11)])

        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("gamma\n".utf8))
        try handle.close()
        let second = try await SourceConnectorHarness.start(
            FileStreamSourceConnector.self,
            configs: props,
            offsets: offsets
        )
        let resumed = try #require(second.tasks.first)
        #expect(try await resumed.drain(atLeast: 1).map(\.value) == ["gamma"])
        try await second.stop()
        #expect(offsets[["filename": .string(file)]] == ["position": .int64(17)])
    }

    @Test func aFileStreamSinkWritesWhatItIsPutAndCommitsAfterFlushing() async throws {
        let file = try temporaryFile("")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let run = try await SinkConnectorHarness.start(
            FileStreamSinkConnector.self,
            configs: ["file": file, "topics": "lines"]
        )
        let task = try #require(run.tasks.first)
        #expect(task.configs["topics"] == "lines")  // copied into the task configuration, as the worker does
        var records = SinkRecordBuilder(topic: "lines")
        try await task.put(records.strings(["one", "two"]) + [try records.json(#"{"n":3}"#)])
        #expect(await task.commit() == .committed([TopicPartition("lines", 0): OffsetAndMetadata(3)]))
        try await run.stop()
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "one\ntwo\n{n=3}\n")
    }

    @Test func fileStreamValidationReportsTheTopic() async {
        let validation = await ConnectorHarness<FileStreamSourceConnector>.validate(["topic": ""])
        #expect(validation.errors.keys.sorted() == ["topic"])
    }
}
