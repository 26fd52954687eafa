import ConnectAPI
import Testing

@testable import ConnectRuntime

@Suite struct TopicCreationTests {
    @Test func offWithoutTopicCreationKeysOrWhenTheWorkerDisablesIt() throws {
        #expect(try TopicCreation(workerEnabled: true, connectorProps: ["topic": "t"]) == nil)
        let props = ["topic.creation.default.partitions": "3", "topic.creation.default.replication.factor": "1"]
        #expect(try TopicCreation(workerEnabled: false, connectorProps: props) == nil)
        #expect(try TopicCreation(workerEnabled: true, connectorProps: props) != nil)
    }

    @Test func theDefaultGroupNeedsPartitionsAndReplicationFactor() {
        #expect(throws: ConnectError.self) {
            try TopicCreation(workerEnabled: true, connectorProps: ["topic.creation.default.partitions": "3"])
        }
        #expect(throws: ConnectError.self) {
            try TopicCreation(
                workerEnabled: true,
                connectorProps: [
                    "topic.creation.default.partitions": "0", "topic.creation.default.replication.factor": "1",
                ]
            )
        }
    }

    @Test func firstMatchingGroupWinsAndOtherKeysBecomeTopicConfigs() throws {
        let creation = try #require(
            try TopicCreation(
                workerEnabled: true,
                connectorProps: [
                    "topic.creation.default.partitions": "-1",
                    "topic.creation.default.replication.factor": "3",
                    "topic.creation.default.compression.type": "lz4",
                    "topic.creation.groups": "inorder, compacted",
                    "topic.creation.inorder.include": "orders.*, status",
                    "topic.creation.inorder.exclude": "orders-dlq",
                    "topic.creation.inorder.partitions": "1",
                    "topic.creation.compacted.include": ".*",
                    "topic.creation.compacted.cleanup.policy": "compact",
                ]
            )
        )
        #expect(creation.group(for: "orders-eu").name == "inorder")
        #expect(creation.group(for: "orders-eu").partitions == 1)
        // Unset in the group: the default group's value.
        #expect(creation.group(for: "orders-eu").replicationFactor == 3)
        #expect(creation.group(for: "status").name == "inorder")
        // Excluded from the first group, included by the second; a regex must match the whole name.
        #expect(creation.group(for: "orders-dlq").name == "compacted")
        #expect(creation.group(for: "xstatus").name == "compacted")
        #expect(creation.group(for: "x").topicConfigs == ["cleanup.policy": "compact"])
        #expect(creation.defaultGroup.topicConfigs == ["compression.type": "lz4"])
        #expect(creation.defaultGroup.partitions == -1)
    }

    @Test func withoutOtherGroupsEveryTopicGetsTheDefault() throws {
        let creation = try #require(
            try TopicCreation(
                workerEnabled: true,
                connectorProps: [
                    "topic.creation.default.partitions": "3", "topic.creation.default.replication.factor": "1",
                ]
            )
        )
        #expect(creation.group(for: "anything").name == "default")
        #expect(creation.group(for: "anything").partitions == 3)
    }
}
