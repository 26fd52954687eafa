import ConnectAPI
import Testing

@testable import ConnectRuntime

/// A source connector that says it supports exactly-once delivery (ScriptedConnector does not answer).
actor ExactlyOnceCapableConnector: SourceConnector {
    typealias TaskType = ScriptedSourceTask
    static var configDef: ConfigDef { ConfigDef() }
    static let version = "1.0"
    init() {}
    func start(configs: [String: String]) async throws {}
    func taskConfigs(maxTasks: Int) async throws -> [[String: String]] { [[:]] }
    func stop() async {}
    func exactlyOnceSupport(configs: [String: String]) async -> ExactlyOnceSupport? { .supported }
}

@Suite struct TransactionBoundaryDeciderTests {
    @Test func pollCommitsAfterEveryBatchAndAtStop() {
        var decider = TransactionBoundaryDecider(boundary: .poll, intervalMs: 60_000, nowMs: 0)
        #expect(decider.afterRecord(.abort) == .none)
        #expect(decider.afterBatch(nowMs: 1, request: nil) == .commit)
        #expect(decider.afterBatch(nowMs: 2, request: nil) == .commit)
        #expect(decider.atStop(request: nil) == .commit)
    }

    @Test func intervalCommitsOnceTheIntervalPassedSinceTheLastCommit() {
        var decider = TransactionBoundaryDecider(boundary: .interval, intervalMs: 1_000, nowMs: 10_000)
        #expect(decider.afterBatch(nowMs: 10_999, request: .commit) == .none)
        #expect(decider.afterBatch(nowMs: 11_000, request: nil) == .commit)
        #expect(decider.lastCommitMs == 11_000)
        #expect(decider.afterBatch(nowMs: 11_500, request: nil) == .none)
        #expect(decider.afterBatch(nowMs: 12_700, request: nil) == .commit)
        #expect(decider.lastCommitMs == 12_700)
        #expect(decider.afterRecord(.commit) == .none)
        #expect(decider.atStop(request: nil) == .commit)
    }

    @Test func connectorFollowsTheTasksRequests() {
        var decider = TransactionBoundaryDecider(boundary: .connector, intervalMs: 0, nowMs: 0)
        #expect(decider.afterRecord(nil) == .none)
        #expect(decider.afterRecord(.commit) == .commit)
        #expect(decider.afterRecord(.abort) == .abortThenCommitOffsets)
        #expect(decider.afterBatch(nowMs: 5, request: nil) == .none)
        #expect(decider.afterBatch(nowMs: 5, request: .commit) == .commit)
        #expect(decider.afterBatch(nowMs: 5, request: .abort) == .abortThenCommitOffsets)
        // At stop only what the task asked for.
        #expect(decider.atStop(request: nil) == .none)
        #expect(decider.atStop(request: .commit) == .commit)
    }
}

@Suite struct WorkerTransactionContextTests {
    static func record(_ n: Int64) -> SourceRecord {
        SourceRecord(
            sourcePartition: ["p": .string("a")],
            sourceOffset: ["n": .int64(n)],
            topic: "t",
            valueSchema: .string,
            value: .string("v\(n)")
        )
    }

    @Test func batchRequestsAreTakenOnce() throws {
        let context = WorkerTransactionContext()
        #expect(try context.takeBatchRequest() == nil)
        context.commitTransaction()
        #expect(try context.takeBatchRequest() == .commit)
        #expect(try context.takeBatchRequest() == nil)
        context.abortTransaction()
        #expect(try context.takeBatchRequest() == .abort)
    }

    @Test func bothForOneBatchIsAnError() {
        let context = WorkerTransactionContext()
        context.commitTransaction()
        context.abortTransaction()
        #expect(throws: ConnectError.self) { try context.takeBatchRequest() }
        // The requests are cleared, as Kafka's context does.
        #expect((try? context.takeBatchRequest()) == .some(nil))
    }

    @Test func recordRequestsMatchTheRecordByValue() throws {
        let context = WorkerTransactionContext()
        #expect(!context.hasRecordRequests)
        context.commitTransaction(after: Self.record(2))
        context.abortTransaction(after: Self.record(4))
        #expect(context.hasRecordRequests)
        #expect(try context.takeRequest(for: Self.record(1)) == nil)
        #expect(try context.takeRequest(for: Self.record(2)) == .commit)
        #expect(try context.takeRequest(for: Self.record(2)) == nil)
        #expect(try context.takeRequest(for: Self.record(4)) == .abort)
        #expect(!context.hasRecordRequests)
        context.commitTransaction(after: Self.record(7))
        context.abortTransaction(after: Self.record(7))
        #expect(throws: ConnectError.self) { try context.takeRequest(for: Self.record(7)) }
    }
}

@Suite struct ExactlyOnceSourceConfigTests {
    static let base = [
        "bootstrap.servers": "127.0.0.1:1", "key.converter": "StringConverter", "value.converter": "StringConverter",
        "group.id": "cluster-a", "config.storage.topic": "c", "offset.storage.topic": "o", "status.storage.topic": "s",
    ]

    @Test func workerSupportDefaultsToDisabled() throws {
        let config = try DistributedConfig(Self.base)
        #expect(config.exactlyOnceSourceSupport == .disabled)
        #expect(ExactlyOnceSourceWorkerSettings(config) == nil)
    }

    @Test func workerSupportValues() throws {
        var props = Self.base
        props["exactly.once.source.support"] = "preparing"
        #expect(try DistributedConfig(props).exactlyOnceSourceSupport == .preparing)
        #expect(ExactlyOnceSourceWorkerSettings(try DistributedConfig(props)) == nil)
        props["exactly.once.source.support"] = "ENABLED"
        let config = try DistributedConfig(props)
        #expect(config.exactlyOnceSourceSupport == .enabled)
        let settings = try #require(ExactlyOnceSourceWorkerSettings(config))
        #expect(settings.offsetsTopic == "o")
        #expect(settings.transactionalID(ConnectorTaskID(connector: "my-conn", task: 3)) == "cluster-a-my-conn-3")
        props["exactly.once.source.support"] = "sometimes"
        #expect(throws: ConfigError.self) { try DistributedConfig(props) }
    }

    @Test func transactionBoundaryKeys() throws {
        let poll = try SourceTransactionConfig(connectorProps: [:], workerFlushInterval: .milliseconds(60_000))
        #expect(poll == SourceTransactionConfig(boundary: .poll, intervalMs: 60_000))
        let interval = try SourceTransactionConfig(
            connectorProps: ["transaction.boundary": "Interval", "transaction.boundary.interval.ms": "250"],
            workerFlushInterval: .seconds(60)
        )
        #expect(interval == SourceTransactionConfig(boundary: .interval, intervalMs: 250))
        #expect(throws: ConfigError.self) {
            try SourceTransactionConfig(
                connectorProps: ["transaction.boundary": "never"],
                workerFlushInterval: .seconds(1)
            )
        }
        #expect(throws: ConfigError.self) {
            try SourceTransactionConfig(
                connectorProps: ["transaction.boundary.interval.ms": "-1"],
                workerFlushInterval: .seconds(1)
            )
        }
    }

    static func worker(exactlyOnce: Bool) throws -> Worker {
        var plugins = PluginRegistry.withFileStream
        plugins.register(source: ScriptedConnector.self, className: "com.example.ScriptedConnector")
        plugins.register(source: ExactlyOnceCapableConnector.self, className: "com.example.ExactlyOnceCapableConnector")
        return try Worker(
            config: WorkerConfig(standalone: [
                "bootstrap.servers": "127.0.0.1:1", "key.converter": "StringConverter",
                "value.converter": "StringConverter", "offset.storage.file.filename": "/unused",
            ]),
            plugins: plugins,
            offsetStore: MemoryOffsetBackingStore(),
            exactlyOnceSource: exactlyOnce ? ExactlyOnceSourceWorkerSettings(groupID: "g", offsetsTopic: "o") : nil
        )
    }

    static func errors(_ validation: ConfigValidation, _ key: String) -> [String] {
        validation.values.first { $0.name == key }?.errorMessages ?? []
    }

    @Test func requiredIsRefusedWithoutExactlyOnceSupportOnTheWorker() async throws {
        // Standalone, or distributed with exactly.once.source.support disabled/preparing.
        let validation = try await Self.worker(exactlyOnce: false).validateConnectorConfig([
            "name": "a", "connector.class": "ExactlyOnceCapableConnector", "exactly.once.support": "required",
        ])
        #expect(
            Self.errors(validation, "exactly.once.support") == [
                "This worker does not have exactly-once source support enabled."
            ]
        )
        let requested = try await Self.worker(exactlyOnce: false).validateConnectorConfig([
            "name": "a", "connector.class": "ExactlyOnceCapableConnector",
        ])
        #expect(requested.errorCount == 0)
    }

    @Test func requiredNeedsAConnectorThatSaysSupported() async throws {
        let worker = try Self.worker(exactlyOnce: true)
        let capable = try await worker.validateConnectorConfig([
            "name": "a", "connector.class": "ExactlyOnceCapableConnector", "exactly.once.support": "required",
        ])
        #expect(capable.errorCount == 0)
        let unknown = try await worker.validateConnectorConfig([
            "name": "a", "connector.class": "ScriptedConnector", "exactly.once.support": "required",
            "transaction.boundary": "connector",
        ])
        #expect(
            Self.errors(unknown, "exactly.once.support").first?.hasPrefix(
                "The connector does not implement the API required for preflight validation"
            ) == true
        )
        #expect(
            Self.errors(unknown, "transaction.boundary").first?.hasPrefix(
                "The connector does not support connector-defined transaction boundaries"
            ) == true
        )
    }
}
