import ConnectAPI
import ConnectFile
import Synchronization
import Testing

@testable import ConnectRuntime

/// A source connector whose behaviour the configuration scripts: `scripted.tasks` task configs,
/// `scripted.fail` makes `start` throw.
actor ScriptedConnector: SourceConnector {
    typealias TaskType = ScriptedSourceTask
    static let version = "1.0"
    static var configDef: ConfigDef { ConfigDef() }
    private var configs: [String: String] = [:]

    init() {}

    func start(configs: [String: String]) async throws {
        if let message = configs["scripted.fail"] { throw ConnectError(message) }
        self.configs = configs
    }

    func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        let count = Int(configs["scripted.tasks"] ?? "1") ?? 1
        return (0..<count).map { ["index": String($0)] }
    }

    func stop() async {}
}

@Suite struct StandaloneHerderTests {
    /// A herder whose tasks never reach a broker: every record is dropped by a Filter transform.
    static func makeHerder() async throws -> StandaloneHerder {
        var plugins = PluginRegistry.withFileStream
        plugins.register(source: ScriptedConnector.self, className: "com.example.ScriptedConnector")
        let worker = try Worker(
            config: WorkerConfig(standalone: [
                "bootstrap.servers": "127.0.0.1:1",
                "key.converter": "StringConverter",
                "value.converter": "StringConverter",
                "offset.storage.file.filename": "/unused",
            ]),
            plugins: plugins,
            offsetStore: MemoryOffsetBackingStore()
        )
        let herder = StandaloneHerder(worker: worker)
        try await herder.start()
        return herder
    }

    static let scripted = [
        "connector.class": "Scripted", "transforms": "drop",
        "transforms.drop.type": "org.apache.kafka.connect.transforms.Filter",
    ]

    static func waitForTasks(_ herder: StandaloneHerder, _ name: String, _ state: ConnectState) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while try await herder.connectorStatus(name).tasks.contains(where: { $0.status.state != state }) {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func createsRestartsAndDeletesConnectors() async throws {
        let herder = try await Self.makeHerder()
        var config = Self.scripted
        config["scripted.tasks"] = "2"
        config["tasks.max"] = "2"
        let info = try await herder.putConnectorConfig(name: "s", config: config, allowReplace: false)
        #expect(info.tasks.map(\.task) == [0, 1])
        #expect(info.type == .source)
        #expect(info.config["name"] == "s")
        let taskConfigs = try await herder.taskConfigs("s")
        #expect(taskConfigs.map { $0.config["index"] } == ["0", "1"])
        #expect(taskConfigs.allSatisfy { $0.config["task.class"] == "com.example.ScriptedTask" })
        try await Self.waitForTasks(herder, "s", .running)
        #expect(try await herder.connectorStatus("s").connector.state == .running)

        await #expect { try await herder.putConnectorConfig(name: "s", config: config, allowReplace: false) } throws: {
            ($0 as? ConnectError)?.code == .alreadyExists
        }
        try await herder.restartConnector("s")
        try await Self.waitForTasks(herder, "s", .running)
        #expect(await herder.connectorNames() == ["s"])

        try await herder.deleteConnector("s")
        #expect(await herder.connectorNames() == [])
        await #expect { try await herder.connectorStatus("s") } throws: { ($0 as? ConnectError)?.code == .notFound }
        await herder.stop()
    }

    @Test func failuresShowInStatusWithTheirReason() async throws {
        let herder = try await Self.makeHerder()
        var failing = Self.scripted
        failing["scripted.fail"] = "cannot reach the source system"
        try await herder.putConnectorConfig(name: "broken", config: failing, allowReplace: false)
        let broken = try await herder.connectorStatus("broken")
        #expect(broken.connector.state == .failed)
        #expect(broken.connector.trace?.contains("cannot reach the source system") == true)
        #expect(broken.tasks.isEmpty)

        var tooMany = Self.scripted
        tooMany["scripted.tasks"] = "3"
        try await herder.putConnectorConfig(name: "greedy", config: tooMany, allowReplace: false)
        let greedy = try await herder.connectorStatus("greedy")
        #expect(greedy.connector.state == .failed)
        #expect(greedy.connector.trace?.contains("greater than 1") == true)

        try await herder.putConnectorConfig(
            name: "sink",
            config: ["connector.class": "FileStreamSink", "topics": "t", "file": "/tmp/unused-sink.txt"],
            allowReplace: false
        )
        let sink = try await herder.connectorStatus("sink")
        #expect(sink.type == .sink)
        // Sink tasks run (their consumer keeps trying to reach the broker).
        #expect(sink.tasks.first?.status.state == .running)

        await #expect {
            try await herder.putConnectorConfig(name: "x", config: ["connector.class": "Nope"], allowReplace: false)
        } throws: { ($0 as? ConfigError)?.name == "connector.class" }
        await herder.stop()
    }

    @Test func pauseAndResumeApplyToConnectorAndTasks() async throws {
        let herder = try await Self.makeHerder()
        try await herder.putConnectorConfig(name: "p", config: Self.scripted, allowReplace: false)
        try await Self.waitForTasks(herder, "p", .running)
        try await herder.pauseConnector("p")
        var status = try await herder.connectorStatus("p")
        #expect(status.connector.state == .paused)
        #expect(status.tasks.map(\.status.state) == [.paused])
        try await herder.resumeConnector("p")
        status = try await herder.connectorStatus("p")
        #expect(status.connector.state == .running)
        #expect(status.tasks.map(\.status.state) == [.running])
        await herder.stop()
        // Stopped tasks are UNASSIGNED, as Kafka reports tasks a worker shut down.
        #expect(try await herder.connectorStatus("p").tasks.map(\.status.state) == [.unassigned])
    }
}

/// A source task whose first `start` in the process fails (per connector name in its config).
final class FailOnceSourceTask: SourceTask {
    static let version = "1.0"
    static let starts = Mutex<[String: Int]>([:])

    init() {}

    func start(configs: [String: String]) async throws {
        let name = configs["failonce.id"] ?? ""
        let count = Self.starts.withLock {
            $0[name, default: 0] += 1
            return $0[name, default: 0]
        }
        if count == 1 { throw ConnectError("first start fails") }
    }

    func poll() async throws -> [SourceRecord]? {
        try await Task.sleep(for: .milliseconds(20))
        return nil
    }

    func stop() async {}
}

actor FailOnceConnector: SourceConnector {
    typealias TaskType = FailOnceSourceTask
    static let version = "1.0"
    static var configDef: ConfigDef { ConfigDef() }
    private var configs: [String: String] = [:]

    init() {}
    func start(configs: [String: String]) async throws { self.configs = configs }
    func taskConfigs(maxTasks: Int) async throws -> [[String: String]] { [["failonce.id": configs["name"] ?? ""]] }
    func stop() async {}
}

@Suite struct AutomaticTaskRestartTests {
    static func makeHerder() async throws -> StandaloneHerder {
        var plugins = PluginRegistry.withFileStream
        plugins.register(source: FailOnceConnector.self, className: "com.example.FailOnceConnector")
        let worker = try Worker(
            config: WorkerConfig(standalone: [
                "bootstrap.servers": "127.0.0.1:1",
                "key.converter": "StringConverter",
                "value.converter": "StringConverter",
                "offset.storage.file.filename": "/unused",
            ]),
            plugins: plugins,
            offsetStore: MemoryOffsetBackingStore()
        )
        let herder = StandaloneHerder(worker: worker)
        try await herder.start()
        return herder
    }

    static func taskStatus(_ herder: StandaloneHerder, _ name: String) async throws -> StatusInfo? {
        try await herder.connectorStatus(name).tasks.first?.status
    }

    @Test func aFailedTaskIsRestartedAndItsStatusCountsTheRestart() async throws {
        let herder = try await Self.makeHerder()
        let name = "restart-\(UInt32.random(in: 0...UInt32.max))"
        try await herder.putConnectorConfig(
            name: name,
            config: [
                "connector.class": "FailOnce", "errors.task.restart.enable": "true",
                "errors.task.restart.backoff.initial.ms": "50",
            ],
            allowReplace: false
        )
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let current = try await Self.taskStatus(herder, name)
            if current?.state == .running && current?.restarts == 1 { break }
            guard ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        let status = try #require(try await Self.taskStatus(herder, name))
        #expect(status.state == .running)
        #expect(status.restarts == 1)
        #expect(status.lastRestartMs != nil)
        #expect(status.lastRestartTrace?.contains("first start fails") == true)
        await herder.stop()
    }

    @Test func withoutTheOptionAFailedTaskStaysFailed() async throws {
        let herder = try await Self.makeHerder()
        let name = "norestart-\(UInt32.random(in: 0...UInt32.max))"
        try await herder.putConnectorConfig(name: name, config: ["connector.class": "FailOnce"], allowReplace: false)
        let deadline = ContinuousClock.now + .seconds(5)
        while try await Self.taskStatus(herder, name)?.state != .failed {
            guard ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        try await Task.sleep(for: .milliseconds(200))
        let status = try #require(try await Self.taskStatus(herder, name))
        #expect(status.state == .failed)
        #expect(status.restarts == 0)
        await herder.stop()
    }

    @Test func restartsStopAtTheMaximum() async throws {
        let herder = try await Self.makeHerder()
        // Fails on every start: the id is shared by no-one, but max.attempts=0 allows no restart.
        let name = "maxed-\(UInt32.random(in: 0...UInt32.max))"
        try await herder.putConnectorConfig(
            name: name,
            config: [
                "connector.class": "FailOnce", "errors.task.restart.enable": "true",
                "errors.task.restart.max.attempts": "0", "errors.task.restart.backoff.initial.ms": "10",
            ],
            allowReplace: false
        )
        let deadline = ContinuousClock.now + .seconds(5)
        while try await Self.taskStatus(herder, name)?.state != .failed {
            guard ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        try await Task.sleep(for: .milliseconds(150))
        let status = try #require(try await Self.taskStatus(herder, name))
        #expect(status.state == .failed)
        #expect(status.restarts == 0)
        await herder.stop()
    }
}
