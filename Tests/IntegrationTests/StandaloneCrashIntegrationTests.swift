import Foundation
import KafkaNIO
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `swift-connect standalone` killed with SIGKILL mid-stream and started again on the same files:
/// at-least-once end to end, resumed from the committed offsets rather than from the beginning.
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct StandaloneCrashIntegrationTests {
    @Test func sigkillMidStreamThenRestartLosesNoLineAndResumesFromCommittedOffsets() async throws {
        let binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/swift-connect").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestFailure("\(binary) is missing: run swift build first")
        }
        let topic = TestEnvironment.uniqueTopic("crash")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let input = path("in.txt")
        let output = path("out.txt")
        let sinkGroup = "connect-crash-sink"

        var written: [String] = []
        func write(_ count: Int) throws {
            let lines = (written.count..<(written.count + count)).map { "crash line \($0)" }
            if written.isEmpty {
                try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: input))
            } else {
                try StandaloneWorkerIntegrationTests.append(lines, to: input)
            }
            written += lines
        }
        func sinkLines() -> [Substring] {
            guard let text = try? String(contentsOfFile: output, encoding: .utf8) else { return [] }
            // A line still being written when the worker died has no newline yet: not delivered.
            return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0 }
        }

        try Data(
            """
            bootstrap.servers=\(try TestEnvironment.requireBootstrap())
            key.converter=org.apache.kafka.connect.storage.StringConverter
            value.converter=org.apache.kafka.connect.storage.StringConverter
            offset.storage.file.filename=\(path("connect.offsets"))
            listeners=http://127.0.0.1:0
            offset.flush.interval.ms=500
            consumer.session.timeout.ms=6000
            consumer.heartbeat.interval.ms=1000
            """.utf8
        ).write(to: URL(fileURLWithPath: path("worker.properties")))
        try Data(
            "name=crash-source\nconnector.class=FileStreamSource\nfile=\(input)\ntopic=\(topic)\n".utf8
        ).write(to: URL(fileURLWithPath: path("source.properties")))
        try Data(
            "name=crash-sink\nconnector.class=FileStreamSink\nfile=\(output)\ntopics=\(topic)\n".utf8
        ).write(to: URL(fileURLWithPath: path("sink.properties")))

        func startWorker(_ run: Int) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = [
                "standalone", path("worker.properties"), path("source.properties"), path("sink.properties"),
            ]
            process.standardOutput = FileHandle.nullDevice
            FileManager.default.createFile(atPath: path("stderr-\(run).txt"), contents: nil)
            process.standardError = FileHandle(forWritingAtPath: path("stderr-\(run).txt"))
            try process.run()
            return process
        }
        func stop(_ process: Process) {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }

        try await TestEnvironment.withCluster { cluster in
            let admin = KafkaAdminClient(cluster: cluster)
            try await admin.createTopics([.init(name: topic, partitions: 1, replicationFactor: 1)])
            try write(50_000)

            let first = try startWorker(1)
            defer { stop(first) }
            // Mid-stream: both sides have committed offsets, the source is still reading (lines keep
            // being appended) and the sink file is incomplete.
            try await StandaloneWorkerIntegrationTests.waitUntil(
                "both connectors committed offsets",
                timeout: .seconds(60)
            ) {
                try write(20)
                let source = try await StandaloneWorkerIntegrationTests.committedPosition(
                    offsetFile: path("connect.offsets"),
                    connector: "crash-source",
                    file: input
                )
                let sink = try await admin.listCommittedOffsets(group: sinkGroup)[TopicPartition(topic, 0)]
                return (source ?? 0) > 0 && (sink?.offset ?? 0) > 0
            }
            try write(20)
            let beforeKill = sinkLines().count
            kill(first.processIdentifier, SIGKILL)
            first.waitUntilExit()
            #expect(beforeKill < written.count, "the sink had everything before the kill: not mid-stream")
            let sourceCommitted = try await StandaloneWorkerIntegrationTests.committedPosition(
                offsetFile: path("connect.offsets"),
                connector: "crash-source",
                file: input
            )
            let sinkCommitted = try await admin.listCommittedOffsets(group: sinkGroup)[TopicPartition(topic, 0)]?.offset
            let producedBeforeRestart = try await admin.highWatermarks([TopicPartition(topic, 0)])[
                TopicPartition(topic, 0)
            ]

            let second = try startWorker(2)
            defer { stop(second) }
            try write(5_000)
            let expected = Set(written)
            try await StandaloneWorkerIntegrationTests.waitUntil("the sink file has every line", timeout: .seconds(90))
            {
                Set(sinkLines().map(String.init)).isSuperset(of: expected)
            }
            stop(second)

            let delivered = sinkLines().map(String.init)
            var seen = Set<String>()
            var firstAppearances: [String] = []
            for line in delivered where seen.insert(line).inserted { firstAppearances.append(line) }
            #expect(firstAppearances == written, "lines missing or out of order in the sink file")
            let sinkDuplicates = delivered.count - firstAppearances.count
            let produced = try await admin.highWatermarks([TopicPartition(topic, 0)])[TopicPartition(topic, 0)] ?? 0
            let sourceDuplicates = Int(produced) - written.count
            print(
                """
                SIGKILL test: \(written.count) lines; killed with \(beforeKill) in the sink file, source committed at \
                byte \(sourceCommitted ?? -1), sink group at offset \(sinkCommitted ?? -1) of \
                \(producedBeforeRestart ?? -1) produced; after restart \(sourceDuplicates) lines produced twice, \
                \(sinkDuplicates) duplicate lines in the sink file
                """
            )
            // Only what followed the last committed offsets is repeated, never the whole stream.
            #expect(sourceDuplicates >= 0)
            #expect(sourceDuplicates < written.count)
            #expect(sinkDuplicates < written.count)
            if let sinkCommitted, let producedBeforeRestart {
                // The sink re-reads at most from its committed offset to what was there at the kill,
                // plus the source's re-sent lines.
                #expect(sinkDuplicates <= Int(producedBeforeRestart - sinkCommitted) + sourceDuplicates)
            }
            try await admin.deleteTopics([topic])
        }
    }
}
