import Testing

@testable import ConnectRuntime

/// Writes records into a `ConfigLogState` at consecutive offsets, through the byte codec. A class, so
/// appends can sit inside `#expect`.
private final class ConfigLog {
    var state = ConfigLogState()
    var next: Int64 = 0

    @discardableResult
    func append(_ record: ConfigRecord) throws -> ConfigLogEvent {
        let encoded = try ConfigRecordCodec.encode(record)
        return appendRaw(encoded.key, encoded.value)
    }

    @discardableResult
    func appendRaw(_ key: String?, _ value: [UInt8]?) -> ConfigLogEvent {
        defer { next += 1 }
        return state.apply(key: key, value: value, offset: next)
    }

    var snapshot: ClusterConfigSnapshot { state.snapshot }
}

private let config = ["name": "files", "connector.class": "FileStreamSource"]
private func task(_ n: Int, _ connector: String = "files") -> ConnectorTaskID {
    ConnectorTaskID(connector: connector, task: n)
}

@Suite struct ConfigLogStateTests {
    @Test func taskConfigsCountOnlyOnceCommitted() throws {
        let log = ConfigLog()
        log.state.markStarted()
        #expect(try log.append(.connectorConfig("files", config)) == .connectorConfigUpdated("files"))
        #expect(log.snapshot.targetState("files") == .started)
        try log.append(.taskConfig(task(0), ["file": "a"]))
        try log.append(.taskConfig(task(1), ["file": "b"]))
        // Written but not committed: nothing to run yet.
        #expect(log.snapshot.tasks(of: "files").isEmpty)
        #expect(log.snapshot.taskConfig(task(0)) == nil)
        #expect(log.state.deferredTaskConfigs["files"]?.count == 2)

        #expect(
            try log.append(.commit("files", taskCount: 2))
                == .taskConfigsUpdated(connector: "files", tasks: [task(0), task(1)], consistent: true)
        )
        #expect(log.snapshot.tasks(of: "files") == [task(0), task(1)])
        #expect(log.snapshot.taskConfig(task(1)) == ["file": "b"])
        #expect(log.snapshot.taskConfigGenerations["files"] == 0)
        #expect(log.snapshot.appliedConnectorConfigs["files"] == config)
        #expect(log.snapshot.connectorsPendingFencing == ["files"])
        #expect(log.state.deferredTaskConfigs["files"] == nil)
        #expect(log.snapshot.offset == 4)

        // A second batch bumps the generation; a task count record clears pending fencing.
        try log.append(.taskConfig(task(0), ["file": "c"]))
        try log.append(.commit("files", taskCount: 1))
        #expect(log.snapshot.taskConfigGenerations["files"] == 1)
        #expect(log.snapshot.tasks(of: "files") == [task(0)])
        try log.append(.taskCount("files", count: 1))
        #expect(log.snapshot.taskCountRecords["files"] == 1)
        #expect(log.snapshot.connectorsPendingFencing.isEmpty)
    }

    @Test func anIncompleteBatchMakesTheConnectorInconsistentUntilAFullOne() throws {
        let log = ConfigLog()
        log.state.markStarted()
        try log.append(.connectorConfig("files", config))
        // Task 1 was compacted away (or the leader died mid-batch).
        try log.append(.taskConfig(task(0), ["file": "a"]))
        try log.append(.taskConfig(task(2), ["file": "c"]))
        #expect(
            try log.append(.commit("files", taskCount: 3))
                == .taskConfigsUpdated(connector: "files", tasks: [], consistent: false)
        )
        #expect(log.snapshot.inconsistentConnectors == ["files"])
        #expect(log.snapshot.tasks(of: "files").isEmpty)
        #expect(log.snapshot.taskCount("files") == 3)
        #expect(log.snapshot.taskConfig(task(0)) == nil)
        // The deferred configs are dropped: the next batch must be complete on its own.
        try log.append(.taskConfig(task(1), ["file": "b"]))
        try log.append(.commit("files", taskCount: 2))
        #expect(log.snapshot.inconsistentConnectors == ["files"])

        for n in 0..<2 { try log.append(.taskConfig(task(n), ["file": "\(n)"])) }
        try log.append(.commit("files", taskCount: 2))
        #expect(log.snapshot.inconsistentConnectors.isEmpty)
        #expect(log.snapshot.tasks(of: "files") == [task(0), task(1)])
    }

    @Test func extraTaskIdsLeftByCompactionAreFine() throws {
        let log = ConfigLog()
        try log.append(.connectorConfig("files", config))
        // Went from 2 tasks to 1; compaction kept the old task 1 record before the new task 0.
        try log.append(.taskConfig(task(1), ["file": "old"]))
        try log.append(.taskConfig(task(0), ["file": "new"]))
        try log.append(.commit("files", taskCount: 1))
        #expect(log.snapshot.inconsistentConnectors.isEmpty)
        #expect(log.snapshot.tasks(of: "files") == [task(0)])
    }

    @Test func deletionRemovesTheConnectorAndItsTasks() throws {
        let log = ConfigLog()
        log.state.markStarted()
        try log.append(.connectorConfig("files", config))
        try log.append(.taskConfig(task(0), ["file": "a"]))
        try log.append(.commit("files", taskCount: 1))
        try log.append(.connectorConfig("other", ["name": "other"]))
        #expect(try log.append(.connectorConfig("files", nil)) == .connectorConfigRemoved("files"))
        #expect(!log.snapshot.contains("files"))
        #expect(log.snapshot.tasks(of: "files").isEmpty)
        #expect(log.snapshot.taskConfigs.isEmpty)
        #expect(log.snapshot.connectors == ["other"])
        // The target-state tombstone follows; a connector that still has a config stays STARTED.
        try log.append(.targetState("files", nil))
        #expect(log.snapshot.targetState("files") == nil)
        try log.append(.targetState("other", .paused))
        try log.append(.targetState("other", nil))
        #expect(log.snapshot.targetState("other") == .started)
    }

    @Test func aCommitForAConnectorThatIsGoneIsIgnored() throws {
        let log = ConfigLog()
        try log.append(.taskConfig(task(0, "ghost"), ["x": "y"]))
        try log.append(.commit("ghost", taskCount: 1))
        #expect(log.snapshot.tasks(of: "ghost").isEmpty)
        #expect(log.snapshot.taskCounts["ghost"] == nil)
        #expect(log.state.deferredTaskConfigs["ghost"] == nil)
    }

    @Test func targetStatesMayPrecedeTheirConnector() throws {
        let log = ConfigLog()
        log.state.markStarted()
        // Created with initial_state=STOPPED: the target state is written first, without an event.
        #expect(try log.append(.targetState("files", .stopped)) == .none)
        try log.append(.connectorConfig("files", config))
        #expect(log.snapshot.targetState("files") == .stopped)
        #expect(try log.append(.targetState("files", .stopped)) == .none)
        #expect(try log.append(.targetState("files", .started)) == .targetStateChanged("files"))
    }

    @Test func offsetsAdvancePastSkippedRecordsButNotUnreadableOnes() throws {
        let log = ConfigLog()
        try log.append(.connectorConfig("files", config))
        #expect(log.snapshot.offset == 1)
        if case .skipped = log.appendRaw("mystery", Array("{}".utf8)) {} else { Issue.record("should skip") }
        #expect(log.snapshot.offset == 2)
        // Kafka cannot convert it and leaves its offset where it was.
        if case .skipped = log.appendRaw("connector-x", Array("{broken".utf8)) {} else { Issue.record("should skip") }
        #expect(log.snapshot.offset == 2)
        try log.append(.connectorConfig("x", ["name": "x"]))
        #expect(log.snapshot.offset == 4)
    }

    @Test func restartsReadBeforeStartUpAreHistory() throws {
        let log = ConfigLog()
        #expect(try log.append(.restart(RestartRequest(connector: "files", includeTasks: true))) == .none)
        #expect(try log.append(.loggerLevel(namespace: "org", level: "DEBUG")) == .none)
        #expect(log.state.pendingRestarts.isEmpty)
        log.state.markStarted()

        let onlyFailed = RestartRequest(connector: "files", onlyFailed: true, includeTasks: false)
        let everything = RestartRequest(connector: "files", onlyFailed: false, includeTasks: true)
        let connectorOnly = RestartRequest(connector: "files", onlyFailed: false, includeTasks: false)
        #expect(try log.append(.restart(onlyFailed)) == .restartRequested(onlyFailed))
        try log.append(.restart(everything))
        // A lower-impact request does not replace the pending one.
        try log.append(.restart(connectorOnly))
        try log.append(.restart(RestartRequest(connector: "another")))
        #expect(log.state.pendingRestarts["files"] == everything)
        #expect(log.state.takePendingRestarts() == [RestartRequest(connector: "another"), everything])
        #expect(log.state.pendingRestarts.isEmpty)
        #expect(
            try log.append(.loggerLevel(namespace: "org", level: "DEBUG"))
                == .loggerLevelChanged(namespace: "org", level: "DEBUG")
        )
    }

    @Test func keepsTheLatestSessionKey() throws {
        let log = ConfigLog()
        log.state.markStarted()
        let first = SessionKey(key: [1, 2, 3], algorithm: "HmacSHA256", creationTimestamp: 10)
        let second = SessionKey(key: [4, 5, 6], algorithm: "HmacSHA256", creationTimestamp: 20)
        try log.append(.sessionKey(first))
        #expect(try log.append(.sessionKey(second)) == .sessionKeyUpdated)
        #expect(log.snapshot.sessionKey == second)
        // A broken key record leaves the last good one.
        log.appendRaw("session-key", nil)
        #expect(log.snapshot.sessionKey == second)
    }
}
