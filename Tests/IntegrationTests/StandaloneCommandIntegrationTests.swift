import ConnectRuntime
import Foundation
import KafkaNIO
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `swift-connect standalone` as a user runs it: config files on the command line, SIGINT to stop.
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct StandaloneCommandIntegrationTests {
    @Test func runsConnectorsFromFilesAndFlushesOffsetsOnSIGINT() async throws {
        let binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/swift-connect").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestFailure("\(binary) is missing: run swift build first")
        }
        let topic = TestEnvironment.uniqueTopic("standalone-cli")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let lines = (0..<2000).map { "cli line \($0)" }
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: path("in.txt")))
        try Data(
            """
            bootstrap.servers=\(try TestEnvironment.requireBootstrap())
            key.converter=org.apache.kafka.connect.storage.StringConverter
            value.converter=org.apache.kafka.connect.storage.StringConverter
            offset.storage.file.filename=\(path("connect.offsets"))
            # a free port for the REST API
            listeners=http://127.0.0.1:0
            # flush rarely: the offsets must come from the flush on SIGINT
            offset.flush.interval.ms=600000
            """.utf8
        ).write(to: URL(fileURLWithPath: path("worker.properties")))
        try Data(
            #"{"name": "cli-source", "config": {"connector.class": "FileStreamSource", "file": "\#(path("in.txt"))", "topic": "\#(topic)"}}"#
                .utf8
        ).write(to: URL(fileURLWithPath: path("source.json")))

        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 1, replicationFactor: 1)
            ])
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["standalone", path("worker.properties"), path("source.json")]
            process.standardOutput = FileHandle.nullDevice
            FileManager.default.createFile(atPath: path("stderr.txt"), contents: nil)
            process.standardError = FileHandle(forWritingAtPath: path("stderr.txt"))
            try process.run()
            defer {
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                }
            }
            let values = try await StandaloneWorkerIntegrationTests.readValues(
                cluster: cluster,
                topic: topic,
                from: 0,
                count: lines.count
            )
            #expect(values == lines)
            // The REST API runs alongside and reports healthy once the command-line connectors started.
            let logged = try String(contentsOfFile: path("stderr.txt"), encoding: .utf8)
            let url = try #require(
                logged.split(separator: "\n").first { $0.hasPrefix("REST API listening on ") }?
                    .dropFirst("REST API listening on ".count)
            )
            let (health, response) = try await URLSession.shared.data(from: URL(string: url + "health")!)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(String(decoding: health, as: UTF8.self).contains(#""status":"healthy""#))
            let (names, _) = try await URLSession.shared.data(from: URL(string: url + "connectors")!)
            #expect(String(decoding: names, as: UTF8.self) == #"["cli-source"]"#)
            #expect(
                try await StandaloneWorkerIntegrationTests.committedPosition(
                    offsetFile: path("connect.offsets"),
                    connector: "cli-source",
                    file: path("in.txt")
                ) == nil
            )

            kill(process.processIdentifier, SIGINT)
            try await StandaloneWorkerIntegrationTests.waitUntil("swift-connect exits after SIGINT") {
                !process.isRunning
            }
            #expect(process.terminationStatus == 0)
            #expect(
                try await StandaloneWorkerIntegrationTests.committedPosition(
                    offsetFile: path("connect.offsets"),
                    connector: "cli-source",
                    file: path("in.txt")
                ) == StandaloneWorkerIntegrationTests.fileSize(path("in.txt"))
            )
            try await KafkaAdminClient(cluster: cluster).deleteTopics([topic])
        }
    }
}
