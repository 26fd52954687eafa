import ConnectAPI
import Testing

@testable import ConnectRuntime

private func text(_ bytes: [UInt8]?) -> String? {
    bytes.map { String(decoding: $0, as: UTF8.self) }
}

private func bytes(_ json: String) -> [UInt8] { Array(json.utf8) }

@Suite struct ConfigTopicRecordTests {
    @Test func writesKafkasKeysAndValues() throws {
        let cases: [(ConfigRecord, String, String?)] = [
            (
                .connectorConfig("files", ["name": "files", "connector.class": "FileStreamSource", "tasks.max": "2"]),
                "connector-files",
                #"{"properties":{"connector.class":"FileStreamSource","name":"files","tasks.max":"2"}}"#
            ),
            (.connectorConfig("files", nil), "connector-files", nil),
            (.targetState("files", .paused), "target-state-files", #"{"state":"PAUSED","state.v2":"PAUSED"}"#),
            // Workers that predate STOPPED read `state` and see PAUSED.
            (.targetState("files", .stopped), "target-state-files", #"{"state":"PAUSED","state.v2":"STOPPED"}"#),
            (.targetState("files", .started), "target-state-files", #"{"state":"STARTED","state.v2":"STARTED"}"#),
            (.targetState("files", nil), "target-state-files", nil),
            (
                .taskConfig(ConnectorTaskID(connector: "my-files", task: 1), ["file": "/tmp/a \"q\""]),
                "task-my-files-1",
                #"{"properties":{"file":"/tmp/a \"q\""}}"#
            ),
            (.commit("my-files", taskCount: 2), "commit-my-files", #"{"tasks":2}"#),
            (
                .restart(RestartRequest(connector: "files", onlyFailed: false, includeTasks: true)),
                "restart-connector-files",
                #"{"include-tasks":true,"only-failed":false}"#
            ),
            (.taskCount("files", count: 3), "tasks-fencing-files", #"{"task-count":3}"#),
            (
                .sessionKey(
                    SessionKey(key: [0, 1, 2, 250], algorithm: "HmacSHA256", creationTimestamp: 1_700_000_000_000)
                ),
                "session-key",
                #"{"key":"AAEC+g==","algorithm":"HmacSHA256","creation-timestamp":1700000000000}"#
            ),
            (
                .loggerLevel(namespace: "org.example", level: "DEBUG"), "logger-cluster-org.example",
                #"{"level":"DEBUG"}"#
            ),
        ]
        for (record, key, value) in cases {
            let encoded = try ConfigRecordCodec.encode(record)
            #expect(encoded.key == key)
            #expect(text(encoded.value) == value)
            // And every one reads back as itself.
            #expect(ConfigRecordCodec.decode(key: encoded.key, value: encoded.value) == .record(record))
        }
    }

    @Test func parsesKeysInKafkasOrderWithDashesInNames() {
        #expect(ConfigTopicKey("task-my-conn-3") == .task(ConnectorTaskID(connector: "my-conn", task: 3)))
        #expect(ConfigTopicKey("task-a-b-c-0") == .task(ConnectorTaskID(connector: "a-b-c", task: 0)))
        #expect(ConfigTopicKey("task-foo") == nil)
        #expect(ConfigTopicKey("task-foo-x") == nil)
        #expect(ConfigTopicKey("task-foo-99999999999") == nil)
        // Java's split drops trailing empty parts: "task-foo-1-" is task 1 of foo.
        #expect(ConfigTopicKey("task-foo-1-") == .task(ConnectorTaskID(connector: "foo", task: 1)))
        #expect(ConfigTopicKey("target-state-connector-x") == .targetState("connector-x"))
        #expect(ConfigTopicKey("connector-target-state-x") == .connector("target-state-x"))
        #expect(ConfigTopicKey("commit-a-1") == .commit("a-1"))
        #expect(ConfigTopicKey("restart-connector-a") == .restart("a"))
        #expect(ConfigTopicKey("tasks-fencing-a") == .taskCount("a"))
        #expect(ConfigTopicKey("session-key") == .sessionKey)
        #expect(ConfigTopicKey("session-key-2") == nil)
        #expect(ConfigTopicKey("logger-cluster-org.apache") == .loggerLevel("org.apache"))
        #expect(ConfigTopicKey("something-else") == nil)
        // Bytes, not characters: a combining mark right after the prefix or a '-' does not hide it.
        #expect(ConfigTopicKey("connector-\u{301}x") == .connector("\u{301}x"))
        #expect(ConfigTopicKey("task-a-\u{301}-2") == .task(ConnectorTaskID(connector: "a-\u{301}", task: 2)))
        #expect(StatusTopicKey("status-topic-t:\u{301}onnector-c") == .topic(topic: "t", connector: "c"))
    }

    @Test func readsOlderAndOddValuesLikeKafka() {
        // An older worker's target state has only `state`.
        #expect(
            ConfigRecordCodec.decode(key: "target-state-a", value: bytes(#"{"state":"PAUSED"}"#))
                == .record(.targetState("a", .paused))
        )
        // A `state.v2` that is not a string falls back on `state`.
        #expect(
            ConfigRecordCodec.decode(key: "target-state-a", value: bytes(#"{"state.v2":5,"state":"STARTED"}"#))
                == .record(.targetState("a", .started))
        )
        // Integers may be written as Integer or Long: both read.
        #expect(
            ConfigRecordCodec.decode(key: "commit-a", value: bytes(#"{"tasks":4}"#))
                == .record(.commit("a", taskCount: 4))
        )
        // Missing restart flags default to false.
        #expect(
            ConfigRecordCodec.decode(key: "restart-connector-a", value: bytes("{}"))
                == .record(.restart(RestartRequest(connector: "a")))
        )
        // Null property values (corrupt data) are dropped, the rest kept.
        #expect(
            ConfigRecordCodec.decode(key: "connector-a", value: bytes(#"{"properties":{"name":"a","x":null}}"#))
                == .record(.connectorConfig("a", ["name": "a"]))
        )
    }

    @Test func skipsWhatKafkaSkips() {
        func isSkipped(_ key: String?, _ json: String?) -> Bool {
            if case .skipped = ConfigRecordCodec.decode(key: key, value: json.map(bytes)) { return true }
            return false
        }
        #expect(isSkipped("bogus-key", "{}"))
        #expect(isSkipped(nil, "{}"))
        #expect(isSkipped("target-state-a", #"{"state":"SLEEPING"}"#))
        #expect(isSkipped("target-state-a", "[1]"))
        #expect(isSkipped("connector-a", #"{"properties":"x"}"#))
        #expect(isSkipped("task-a-0", nil))
        #expect(isSkipped("commit-a", #"{"tasks":"two"}"#))
        #expect(isSkipped("session-key", #"{"key":"***","algorithm":"HmacSHA256","creation-timestamp":1}"#))
        #expect(isSkipped("session-key", #"{"key":"AA==","algorithm":"HmacSHA256","creation-timestamp":1.5}"#))
        #expect(isSkipped("logger-cluster-x", nil))
        // Not JSON at all: Kafka cannot even convert it.
        if case .unreadable = ConfigRecordCodec.decode(key: "connector-a", value: bytes("{nope")) {
        } else {
            Issue.record("malformed JSON should be unreadable")
        }
    }

    @Test func sessionKeyDescriptionHidesTheKey() {
        let key = SessionKey(key: [9, 9, 9], algorithm: "HmacSHA256", creationTimestamp: 5)
        #expect(!"\(key)".contains("CQkJ"))
        #expect(!"\(key)".contains("9, 9"))
    }
}

@Suite struct StatusTopicRecordTests {
    @Test func writesKafkasStatusValues() throws {
        let running = StatusRecordValue(state: .running, workerID: "10.0.0.5:8083", generation: 7)
        let connector = try StatusRecordCodec.encode(.connector("files", running))
        #expect(connector.key == "status-connector-files")
        #expect(
            text(connector.value) == #"{"state":"RUNNING","trace":null,"worker_id":"10.0.0.5:8083","generation":7}"#
        )

        let failed = StatusRecordValue(state: .failed, trace: "boom\n\tat x", workerID: "w:8083", generation: 2)
        let task = try StatusRecordCodec.encode(.task(ConnectorTaskID(connector: "my-files", task: 3), failed))
        #expect(task.key == "status-task-my-files-3")
        #expect(text(task.value) == #"{"state":"FAILED","trace":"boom\n\tat x","worker_id":"w:8083","generation":2}"#)

        let topic = try StatusRecordCodec.encode(
            .topic(
                topic: "orders",
                connector: "files",
                TopicStatusValue(topic: "orders", connector: "files", task: 0, discoverTimestamp: 1_700_000_000_123)
            )
        )
        #expect(topic.key == "status-topic-orders:connector-files")
        #expect(
            text(topic.value)
                == #"{"topic":{"name":"orders","connector":"files","task":0,"discoverTimestamp":1700000000123}}"#
        )

        let tombstone = try StatusRecordCodec.encode(.task(ConnectorTaskID(connector: "a", task: 0), nil))
        #expect(tombstone.value == nil)

        for record in [
            StatusRecord.connector("files", running), .task(ConnectorTaskID(connector: "my-files", task: 3), failed),
        ] {
            let encoded = try StatusRecordCodec.encode(record)
            #expect(StatusRecordCodec.decode(key: encoded.key, value: encoded.value) == .record(record))
        }
    }

    @Test func parsesStatusKeys() {
        #expect(StatusTopicKey("status-task-a-b-12") == .task(ConnectorTaskID(connector: "a-b", task: 12)))
        #expect(StatusTopicKey("status-task-a") == nil)
        #expect(StatusTopicKey("status-connector-") == nil)
        #expect(StatusTopicKey("status-connector-a-b") == .connector("a-b"))
        #expect(StatusTopicKey("status-topic-t.1:connector-c-2") == .topic(topic: "t.1", connector: "c-2"))
        #expect(StatusTopicKey("status-topic-:connector-c") == nil)
        #expect(StatusTopicKey("status-topic-t") == nil)
        #expect(StatusTopicKey("status-topic-t:connector-") == nil)
        #expect(StatusTopicKey("status-other") == nil)
    }

    @Test func readsTombstonesAndSkipsGarbage() {
        #expect(
            StatusRecordCodec.decode(key: "status-task-a-0", value: nil)
                == .record(.task(ConnectorTaskID(connector: "a", task: 0), nil))
        )
        for json in [
            #"{"state":"DREAMING","trace":null,"worker_id":"w","generation":1}"#,
            #"{"state":"RUNNING","trace":null,"generation":1}"#,
            #"{"state":"RUNNING","trace":3,"worker_id":"w","generation":1}"#,
            "[]", "{nope",
        ] {
            if case .record = StatusRecordCodec.decode(key: "status-connector-a", value: bytes(json)) {
                Issue.record("\(json) should be skipped")
            }
        }
        // A status without `trace` reads (the member is optional).
        #expect(
            StatusRecordCodec.decode(
                key: "status-connector-a",
                value: bytes(#"{"state":"PAUSED","worker_id":"w","generation":4}"#)
            )
                == .record(.connector("a", StatusRecordValue(state: .paused, workerID: "w", generation: 4)))
        )
    }

    @Test func staleUnassignedNeverHidesRunning() {
        let id = ConnectorTaskID(connector: "a", task: 0)
        var cache = StatusCache()
        var applied = cache.apply(.task(id, StatusRecordValue(state: .running, workerID: "w2", generation: 5)))
        #expect(applied)
        // Written by a worker that had not seen the new owner's RUNNING.
        applied = cache.apply(.task(id, StatusRecordValue(state: .unassigned, workerID: "w1", generation: 5)))
        #expect(!applied)
        #expect(cache.tasks[id]?.state == .running)
        applied = cache.apply(.task(id, StatusRecordValue(state: .unassigned, workerID: "w1", generation: 6)))
        #expect(applied)
        #expect(cache.tasks[id]?.state == .unassigned)
        applied = cache.apply(.task(id, nil))
        #expect(applied)
        #expect(cache.tasks[id] == nil)
    }

    @Test func safeWritesYieldToNewerGenerationsOfOtherWorkers() {
        let id = ConnectorTaskID(connector: "a", task: 0)
        var cache = StatusCache()
        cache.apply(.task(id, StatusRecordValue(state: .running, workerID: "w2", generation: 5)))
        let key = StatusTopicKey.task(id)
        #expect(!cache.allowsSafeWrite(key, StatusRecordValue(state: .unassigned, workerID: "w1", generation: 4)))
        #expect(cache.allowsSafeWrite(key, StatusRecordValue(state: .unassigned, workerID: "w1", generation: 5)))
        #expect(cache.allowsSafeWrite(key, StatusRecordValue(state: .failed, workerID: "w2", generation: 1)))
        #expect(
            cache.allowsSafeWrite(.connector("new"), StatusRecordValue(state: .failed, workerID: "w", generation: 0))
        )
    }

    /// The leader's test for a clean departure: the worker's own last word on each of its tasks is
    /// UNASSIGNED, even where Kafka's reading rule keeps showing its RUNNING.
    @Test func aWorkerThatStoppedItsWorkHasNoActiveStatus() {
        let task = ConnectorTaskID(connector: "a", task: 0)
        var cache = StatusCache()
        cache.apply(.connector("a", StatusRecordValue(state: .running, workerID: "w1", generation: 5)))
        cache.apply(.task(task, StatusRecordValue(state: .running, workerID: "w1", generation: 5)))
        cache.apply(
            .task(
                ConnectorTaskID(connector: "a", task: 1),
                StatusRecordValue(state: .running, workerID: "w2", generation: 5)
            )
        )
        #expect(cache.hasActiveStatus(of: "w1"))
        cache.apply(.task(task, StatusRecordValue(state: .unassigned, workerID: "w1", generation: 5)))
        #expect(cache.tasks[task]?.state == .running, "Kafka's rule still shows RUNNING")
        #expect(cache.hasActiveStatus(of: "w1"), "its connector is still RUNNING")
        cache.apply(.connector("a", StatusRecordValue(state: .unassigned, workerID: "w1", generation: 5)))
        #expect(!cache.hasActiveStatus(of: "w1"))
        #expect(cache.hasActiveStatus(of: "w2"))
        #expect(!cache.hasActiveStatus(of: "w3"))
    }

    @Test func tracksActiveTopics() {
        var cache = StatusCache()
        let value = TopicStatusValue(topic: "t", connector: "c", task: 1, discoverTimestamp: 5)
        cache.apply(.topic(topic: "t", connector: "c", value))
        #expect(cache.topics["c"]?["t"] == value)
        cache.apply(.topic(topic: "t", connector: "c", nil))
        #expect(cache.topics["c"] == nil)
    }
}

@Suite struct OffsetTopicRecordTests {
    @Test func writesKafkasOffsetRecords() throws {
        let key = OffsetKey(namespace: "local-file-source", partition: ["filename": .string("test.txt")])
        let encoded = try OffsetRecordCodec.encode(key, offset: ["position": .int64(30)])
        #expect(text(encoded.key) == #"["local-file-source",{"filename":"test.txt"}]"#)
        #expect(text(encoded.value) == #"{"position":30}"#)
        #expect(try OffsetRecordCodec.encode(key, offset: nil).value == nil)
    }

    @Test func readsKeysByValueNotBytes() throws {
        // A Java worker may list partition members in another order, with spaces.
        let decoded = OffsetRecordCodec.decode(
            key: bytes(#"["jdbc", {"table":"t","shard":3}]"#),
            value: bytes(#"{"id":42,"ts":1.5}"#)
        )
        #expect(decoded?.key == OffsetKey(namespace: "jdbc", partition: ["shard": .int64(3), "table": .string("t")]))
        #expect(decoded?.offset == ["id": .int64(42), "ts": .float64(1.5)])
        let tombstone = OffsetRecordCodec.decode(key: bytes(#"["jdbc",{"table":"t"}]"#), value: nil)
        #expect(tombstone?.key.namespace == "jdbc")
        #expect(tombstone != nil && tombstone?.offset == nil)
    }

    @Test func ignoresKeysThatAreNotConnectorPartitionPairs() {
        for key in [#"["a"]"#, #"[1,{}]"#, #"["a",{},3]"#, #"{"a":1}"#, "nope", #"["a","b"]"#] {
            #expect(OffsetRecordCodec.decode(key: bytes(key), value: bytes("{}")) == nil)
        }
        #expect(OffsetRecordCodec.decode(key: nil, value: bytes("{}")) == nil)
        #expect(OffsetRecordCodec.decode(key: bytes(#"["a",{}]"#), value: bytes("[1]")) == nil)
    }
}
