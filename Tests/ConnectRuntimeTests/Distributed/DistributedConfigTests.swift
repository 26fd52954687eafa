import ConnectAPI
import Testing

@testable import ConnectRuntime

@Suite struct DistributedConfigTests {
    static let required = [
        "key.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "group.id": "connect-cluster",
        "config.storage.topic": "connect-configs",
        "offset.storage.topic": "connect-offsets",
        "status.storage.topic": "connect-status",
    ]

    @Test func internalTopicsHaveKafkasDefaults() throws {
        let config = try DistributedConfig(Self.required)
        #expect(config.groupID == "connect-cluster")
        #expect(config.configTopic.name == "connect-configs")
        #expect(config.configTopic.partitions == 1)
        #expect(config.configTopic.requiresSinglePartition)
        #expect(config.configTopic.replicationFactor == 3)
        #expect(config.offsetTopic.partitions == 25)
        #expect(config.offsetTopic.replicationFactor == 3)
        #expect(!config.offsetTopic.requiresSinglePartition)
        #expect(config.statusTopic.partitions == 5)
        #expect(config.statusTopic.replicationFactor == 3)
    }

    @Test(arguments: ["group.id", "config.storage.topic", "offset.storage.topic", "status.storage.topic"])
    func groupAndTopicsAreRequired(_ key: String) {
        var props = Self.required
        props[key] = nil
        let error = #expect(throws: ConfigError.self) { try DistributedConfig(props) }
        #expect(error?.name == key)
    }

    @Test func partitionsAndReplicationFactorMayBeTheBrokersDefaultButNotZero() throws {
        var props = Self.required
        props["offset.storage.partitions"] = "-1"
        props["status.storage.replication.factor"] = "-1"
        let config = try DistributedConfig(props)
        #expect(config.offsetTopic.partitions == -1)
        #expect(config.statusTopic.replicationFactor == -1)
        props["status.storage.partitions"] = "0"
        let error = #expect(throws: ConfigError.self) { try DistributedConfig(props) }
        #expect(error?.name == "status.storage.partitions")
    }

    @Test func prefixedTopicSettingsGoToTopicCreationAndMustKeepCompaction() throws {
        var props = Self.required
        props["offset.storage.min.insync.replicas"] = "2"
        props["offset.storage.partitions"] = "10"
        let config = try DistributedConfig(props)
        #expect(config.offsetTopic.configs == ["min.insync.replicas": "2"])
        #expect(config.offsetTopic.partitions == 10)
        props["config.storage.cleanup.policy"] = "delete"
        let error = #expect(throws: ConfigError.self) { try DistributedConfig(props) }
        #expect(error?.name == "config.storage.cleanup.policy")
    }

    @Test func internalClientsAreNamedAfterTheGroupAndClientID() throws {
        var props = Self.required
        #expect(
            try DistributedConfig(props).clientProperties(clientIDSuffix: "configs")["client.id"]
                == "connect-cluster-configs"
        )
        props["client.id"] = "worker-1"
        let named = try DistributedConfig(props).clientProperties(clientIDSuffix: "statuses")
        #expect(named["client.id"] == "connect-cluster-worker-1-statuses")
    }
}

@Suite struct DistributedGroupSettingsTests {
    @Test func groupKeysHaveKafkasDefaults() throws {
        var props = DistributedConfigTests.required
        props["bootstrap.servers"] = "localhost:9092"
        let config = try DistributedConfig(props)
        #expect(config.connectProtocol == .sessioned)
        #expect(config.scheduledRebalanceMaxDelayMs == 300_000)
        #expect(config.sessionTimeoutMs == 10_000)
        #expect(config.heartbeatIntervalMs == 3_000)
        #expect(config.rebalanceTimeoutMs == 60_000)
        #expect(config.advertisedHostName == nil && config.advertisedPort == nil)
        #expect(config.keyTTLMs == 3_600_000)
        #expect(config.signatureAlgorithm == "HmacSHA256")
    }

    @Test func anUnknownProtocolIsRefusedNamingTheKey() throws {
        var props = DistributedConfigTests.required
        props["connect.protocol"] = "fast"
        #expect(throws: ConfigError.self) { try DistributedConfig(props) }
        props["connect.protocol"] = "EAGER"
        #expect(try DistributedConfig(props).connectProtocol == .eager)
    }

    @Test func placeholdersArePutBackIntoTaskConfigs() {
        let raw = ["password": "${file:/secrets:db}", "topic": "t", "user": "${env:USER}"]
        let resolved = ["password": "hunter2", "topic": "t", "user": "svc"]
        let tasks = [["password": "hunter2", "topic": "t", "task": "0"], ["user": "other", "task": "1"]]
        let written = DistributedHerder.reverseTransformed(tasks, raw: raw, resolved: resolved)
        #expect(written[0] == ["password": "${file:/secrets:db}", "topic": "t", "task": "0"])
        // A value the connector changed is not a resolved placeholder and stays.
        #expect(written[1] == ["user": "other", "task": "1"])
    }

    @Test func theWorkerIDIsTheAdvertisedHostAndPort() {
        #expect(DistributedHerder.workerID(ofURL: "http://127.0.0.1:8083/") == "127.0.0.1:8083")
        #expect(DistributedHerder.workerID(ofURL: "http://connect-1:8083") == "connect-1:8083")
    }
}
