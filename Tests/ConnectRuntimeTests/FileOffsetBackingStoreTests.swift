import ConnectAPI
import Foundation
import Testing

@testable import ConnectRuntime

@Suite struct FileOffsetBackingStoreTests {
    func temporaryFile() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("offsets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("connect.offsets").path
    }

    let key = OffsetKey(namespace: "local-file-source", partition: ["filename": .string("/data/in.txt")])

    @Test func aMissingFileIsAFreshStart() async throws {
        let store = FileOffsetBackingStore(path: try temporaryFile())
        try await store.start()
        #expect(try await store.get([key]).isEmpty)
    }

    @Test func writesAtomicallyAndReadsBack() async throws {
        let path = try temporaryFile()
        let store = FileOffsetBackingStore(path: path)
        try await store.start()
        let other = OffsetKey(namespace: "other", partition: ["table": .string("t"), "shard": .int64(3)])
        try await store.set([key: ["position": .int64(30)], other: ["ts": .float64(1.5), "id": .string("x")]])
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(#"{"key":["local-file-source",{"filename":"/data/in.txt"}],"value":{"position":30}}"#))

        let reopened = FileOffsetBackingStore(path: path)
        try await reopened.start()
        #expect(
            try await reopened.get([key, other]) == [
                key: ["position": .int64(30)], other: ["ts": .float64(1.5), "id": .string("x")],
            ]
        )
        #expect(try await reopened.partitions(namespace: "local-file-source") == [key.partition])
        // A nil offset removes the key.
        try await reopened.set([key: nil])
        let again = FileOffsetBackingStore(path: path)
        try await again.start()
        #expect(try await again.get([key]).isEmpty)
        #expect(try await again.get([other]).count == 1)
    }

    @Test(arguments: [
        "{\"format\":\"swift-connect-offsets\",\"version\":1,\"offsets\":[", "\u{AC}\u{ED}\0\u{05}sr\0",
        "{\"offsets\":[]}",
    ])
    func aCorruptFileFailsWithTheFileAndTheFix(content: String) async throws {
        let path = try temporaryFile()
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        let store = FileOffsetBackingStore(path: path)
        await #expect {
            try await store.start()
        } throws: { error in
            let message = "\(error)"
            return message.contains(path) && message.contains("corrupt") && message.contains("move it aside")
        }
    }

    @Test func aFailedWriteKeepsTheOldOffsets() async throws {
        let path = try temporaryFile()
        let store = FileOffsetBackingStore(path: path)
        try await store.start()
        try await store.set([key: ["position": .int64(1)]])
        // The temporary file cannot be created where a directory of that name exists.
        try FileManager.default.createDirectory(atPath: path + ".tmp", withIntermediateDirectories: false)
        await #expect(throws: ConnectError.self) { try await store.set([key: ["position": .int64(2)]]) }
        #expect(try await store.get([key]) == [key: ["position": .int64(1)]])
        let reopened = FileOffsetBackingStore(path: path)
        try await reopened.start()
        #expect(try await reopened.get([key]) == [key: ["position": .int64(1)]])
    }
}
