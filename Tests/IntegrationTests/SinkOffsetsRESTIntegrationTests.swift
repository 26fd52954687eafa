import ConnectREST
import ConnectRuntime
import Foundation
import KafkaNIO
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `GET/PATCH/DELETE /connectors/<sink>/offsets` against the real broker: the offsets are the
/// committed offsets of the connector's consumer group.
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct SinkOffsetsRESTIntegrationTests {
    @Test func sinkOffsetsAreTheGroupsCommittedOffsetsAndPatchMovesThem() async throws {
        let topic = TestEnvironment.uniqueTopic("sink-offsets")
        let directory = try SinkIntegrationTests.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("out.txt").path
        let values = (0..<10).map { "v\($0)" }
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: topic, partitions: 1, replicationFactor: 1)
            ])
            try await SinkIntegrationTests.produceRaw(values, topic: topic, cluster: cluster)
        }
        let herder = try await SinkIntegrationTests.startHerder(directory: directory)
        let server = try ConnectRESTServer(handler: ConnectRESTHandler(herder: herder), listener: "http://127.0.0.1:0")
        let port = try await server.start()
        server.handler.markReady()
        let worker = RESTIntegrationTests.Worker(herder: herder, server: server, url: "http://127.0.0.1:\(port)")
        do {
            let (created, _) = try await worker.call(
                "POST",
                "/connectors",
                #"{"name":"offsets-sink","config":{"connector.class":"FileStreamSink","file":"\#(output)","topics":"\#(topic)"}}"#
            )
            #expect(created == 201)
            func offsets() async throws -> (Int, [[String: Any]]) {
                let (status, body) = try await worker.call("GET", "/connectors/offsets-sink/offsets")
                return (status, body["offsets"] as? [[String: Any]] ?? [])
            }
            func committed(_ entries: [[String: Any]]) -> Int? {
                guard entries.count == 1, let partition = entries[0]["partition"] as? [String: Any],
                    partition["kafka_topic"] as? String == topic, partition["kafka_partition"] as? Int == 0
                else { return nil }
                return (entries[0]["offset"] as? [String: Any])?["kafka_offset"] as? Int
            }
            try await SinkIntegrationTests.waitUntil("the sink committed all ten records") {
                let (status, entries) = try await offsets()
                return status == 200 && committed(entries) == values.count
            }
            #expect(SinkIntegrationTests.lines(output) == values)

            // Running connectors' offsets cannot change.
            let body =
                #"{"offsets":[{"partition":{"kafka_topic":"\#(topic)","kafka_partition":0},"offset":{"kafka_offset":3}}]}"#
            let (running, refusal) = try await worker.call("PATCH", "/connectors/offsets-sink/offsets", body)
            #expect(running == 400)
            #expect((refusal["message"] as? String)?.contains("STOPPED") == true)

            #expect(try await worker.call("PUT", "/connectors/offsets-sink/stop").0 == 204)
            try await SinkIntegrationTests.waitUntil("the sink is stopped") {
                let (_, status) = try await worker.call("GET", "/connectors/offsets-sink/status")
                return (status["connector"] as? [String: Any])?["state"] as? String == "STOPPED"
            }
            let (bad, badBody) = try await worker.call(
                "PATCH",
                "/connectors/offsets-sink/offsets",
                #"{"offsets":[{"partition":{"kafka_topic":"\#(topic)"},"offset":{"kafka_offset":3}}]}"#
            )
            #expect(bad == 400)
            #expect((badBody["message"] as? String)?.contains("kafka_partition") == true)
            let (altered, message) = try await worker.call("PATCH", "/connectors/offsets-sink/offsets", body)
            #expect(altered == 200, "\(message)")
            #expect(message["message"] as? String == "The offsets for this connector have been altered successfully")
            let (status, entries) = try await offsets()
            #expect(status == 200)
            #expect(committed(entries) == 3)

            // Resumed, the sink reads again from offset 3.
            #expect(try await worker.call("PUT", "/connectors/offsets-sink/resume").0 == 202)
            // This used to fail intermittently: the connector was named "sink" like connectors of
            // two other suites running in parallel, so their tasks joined the same group
            // (connect-sink) and the group was never really empty.
            try await SinkIntegrationTests.waitUntil("records 3... arrive again") {
                SinkIntegrationTests.lines(output).count >= values.count + 7
            }
            #expect(SinkIntegrationTests.lines(output) == values + values[3...])

            #expect(try await worker.call("PUT", "/connectors/offsets-sink/stop").0 == 204)
            // Reset removes the group's offsets with OffsetDelete, which the test broker lacks: there
            // the answer is a 500 naming it and the offsets stay.
            let (reset, resetBody) = try await worker.call("DELETE", "/connectors/offsets-sink/offsets")
            let (_, afterReset) = try await offsets()
            if reset == 200 {
                #expect(afterReset.isEmpty)
            } else {
                #expect(reset == 500)
                #expect((resetBody["message"] as? String)?.contains("OffsetDelete") == true, "\(resetBody)")
                #expect(committed(afterReset) == values.count)
            }
        } catch {
            await worker.stop()
            throw error
        }
        await worker.stop()
        try await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).deleteTopics([topic])
        }
    }
}
