import ConnectAPI
import ConnectRuntime
import Foundation
import KafkaNIO
import Testing

/// `topic.creation.*` of source connectors against the real broker: the worker creates the topic
/// with the matching group's settings before the first record, rather than leaving it to the
/// broker's auto-creation (4 partitions on the test broker).
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct TopicCreationIntegrationTests {
    @Test func sourceConnectorsCreateTheirTopicsWithTheMatchingGroupsSettings() async throws {
        let plain = TestEnvironment.uniqueTopic("created")
        let compacted = TestEnvironment.uniqueTopic("compacted")
        let directory = try SinkIntegrationTests.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.txt").path
        let lines = (0..<30).map { "line \($0)" }
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: input))
        let herder = try await SinkIntegrationTests.startHerder(directory: directory)
        try await SinkIntegrationTests.withHerder(herder) {
            let common = [
                "connector.class": "FileStreamSource", "file": input,
                "topic.creation.default.partitions": "3", "topic.creation.default.replication.factor": "1",
            ]
            try await herder.putConnectorConfig(
                name: "plain",
                config: common.merging(["topic": plain]) { $1 },
                allowReplace: false
            )
            try await herder.putConnectorConfig(
                name: "compacted",
                config: common.merging([
                    "topic": compacted,
                    "topic.creation.groups": "compact",
                    "topic.creation.compact.include": "compacted-.*",
                    "topic.creation.compact.partitions": "2",
                    "topic.creation.compact.cleanup.policy": "compact",
                ]) { $1 },
                allowReplace: false
            )
            try await TestEnvironment.withCluster { cluster in
                let admin = KafkaAdminClient(cluster: cluster)
                func recordCount(_ topic: String, partitions: Int32) async throws -> Int64 {
                    let all = Set((0..<partitions).map { KafkaNIO.TopicPartition(topic, $0) })
                    return try await admin.highWatermarks(all).values.reduce(0, +)
                }
                // No Metadata request for the topics before the worker made them: the test broker
                // would auto-create them.
                try await SinkIntegrationTests.waitUntil("both connectors produced to their topics") {
                    let used = [
                        try await herder.connectorActiveTopics("plain"),
                        try await herder.connectorActiveTopics("compacted"),
                    ]
                    return used == [[plain], [compacted]]
                }
                let described = try await admin.describeTopics([plain, compacted])
                #expect(described.first { $0.name == plain }?.partitions.count == 3)
                #expect(described.first { $0.name == compacted }?.partitions.count == 2)
                let configs = try await admin.describeConfigs(topic: compacted)
                #expect(configs.first { $0.name == "cleanup.policy" }?.value == "compact")
                try await SinkIntegrationTests.waitUntil("every line is in both topics") {
                    let plainCount = try await recordCount(plain, partitions: 3)
                    let compactedCount = try await recordCount(compacted, partitions: 2)
                    return plainCount >= lines.count && compactedCount >= lines.count
                }
                let plainCount = try await recordCount(plain, partitions: 3)
                #expect(plainCount == Int64(lines.count))
                try await admin.deleteTopics([plain, compacted])
            }
        }
    }
}
