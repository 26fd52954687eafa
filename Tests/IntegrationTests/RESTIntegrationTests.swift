import ConnectAPI
import ConnectFile
import ConnectREST
import ConnectRuntime
import Foundation
import KafkaNIO
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The REST API of a standalone worker against the real broker: a FileStreamSource created over
/// REST moves lines into a topic, pause stops the data and resume restarts it; kafka-connect-py, a
/// Python REST client, drives the connector life cycle.
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct RESTIntegrationTests {
    struct Worker {
        let herder: StandaloneHerder
        let server: ConnectRESTServer
        let url: String

        func stop() async {
            await server.stop()
            await herder.stop()
        }

        @discardableResult
        func call(_ method: String, _ path: String, _ body: String? = nil) async throws -> (Int, [String: Any]) {
            var request = URLRequest(url: URL(string: url + path)!)
            request.httpMethod = method
            if let body {
                request.httpBody = Data(body.utf8)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, object)
        }

        func waitForStates(_ name: String, _ state: String) async throws {
            let deadline = ContinuousClock.now + .seconds(15)
            while true {
                let (_, status) = try await call("GET", "/connectors/\(name)/status")
                let tasks = (status["tasks"] as? [[String: Any]] ?? []).compactMap { $0["state"] as? String }
                if (status["connector"] as? [String: Any])?["state"] as? String == state && !tasks.isEmpty
                    && tasks.allSatisfy({ $0 == state })
                {
                    return
                }
                guard ContinuousClock.now < deadline else {
                    throw TestFailure("\(name) never reached \(state): \(status)")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    static func startWorker(offsetFile: String) async throws -> Worker {
        let herder = try await StandaloneWorkerIntegrationTests.startHerder(offsetFile: offsetFile)
        let server = try ConnectRESTServer(handler: ConnectRESTHandler(herder: herder), listener: "http://127.0.0.1:0")
        let port = try await server.start()
        server.handler.markReady()
        return Worker(herder: herder, server: server, url: "http://127.0.0.1:\(port)")
    }

    static func append(_ lines: [String], to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(lines.map { $0 + "\n" }.joined().utf8))
        try handle.close()
    }

    static func highWatermark(_ cluster: KafkaCluster, _ topic: String) async throws -> Int64 {
        let partition = KafkaNIO.TopicPartition(topic, 0)
        return try await KafkaAdminClient(cluster: cluster).listOffsets([partition: .latest])[partition] ?? -1
    }

    @Test func fileSourceOverRESTPausesAndResumes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.txt").path
        FileManager.default.createFile(atPath: input, contents: Data("a1\na2\n".utf8))
        let topic = TestEnvironment.uniqueTopic("rest-file")
        // The test broker does not create topics on demand.
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 1, replicationFactor: 1)
            ])
        }
        let worker = try await Self.startWorker(offsetFile: directory.appendingPathComponent("offsets").path)
        let (status, created) = try await worker.call(
            "POST",
            "/connectors",
            #"{"name":"file","config":{"connector.class":"FileStreamSource","file":"\#(input)","topic":"\#(topic)"}}"#
        )
        #expect(status == 201)
        #expect((created["tasks"] as? [Any])?.count == 1)
        try await TestEnvironment.withCluster { cluster in
            let first = try await StandaloneWorkerIntegrationTests.readValues(
                cluster: cluster,
                topic: topic,
                from: 0,
                count: 2
            )
            #expect(first == ["a1", "a2"])
            let (_, topics) = try await worker.call("GET", "/connectors/file/topics")
            #expect((topics["file"] as? [String: Any])?["topics"] as? [String] == [topic])

            #expect(try await worker.call("PUT", "/connectors/file/pause").0 == 202)
            try await worker.waitForStates("file", "PAUSED")
            let before = try await Self.highWatermark(cluster, topic)
            try Self.append(["p1", "p2"], to: input)
            // Nothing may arrive while paused: the high watermark stays put for a while (a bounded
            // wait is the only way to observe an absence).
            let quiet = ContinuousClock.now + .milliseconds(1500)
            while ContinuousClock.now < quiet {
                #expect(try await Self.highWatermark(cluster, topic) == before)
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(try await worker.call("PUT", "/connectors/file/resume").0 == 202)
            let all = try await StandaloneWorkerIntegrationTests.readValues(
                cluster: cluster,
                topic: topic,
                from: 0,
                count: 4
            )
            #expect(all == ["a1", "a2", "p1", "p2"])
            #expect(try await Self.highWatermark(cluster, topic) > before)
        }
        await worker.stop()
    }

    @Test func kafkaConnectPyDrivesTheLifeCycle() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rest-py-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.txt").path
        FileManager.default.createFile(atPath: input, contents: Data("x\n".utf8))
        let worker = try await Self.startWorker(offsetFile: directory.appendingPathComponent("offsets").path)
        let arguments = [
            "--url", worker.url, "--name", "py-file", "--file", input, "--topic",
            TestEnvironment.uniqueTopic("rest-py"),
        ]
        // The script blocks while it waits for the process; run it off the cooperative pool.
        let output: Result<String, any Error> = await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(
                    returning: Result {
                        try ReferenceClient.run(arguments, input: "", script: "scripts/interop/kafka_connect_rest.py")
                    }
                )
            }.start()
        }
        let steps = try output.get().split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
        #expect(
            steps.compactMap { $0["step"] as? String } == [
                "info", "create", "status", "pause", "resume", "restart", "delete",
            ]
        )
        #expect(await worker.herder.connectorNames().isEmpty)
        await worker.stop()
    }
}
