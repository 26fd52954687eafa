import ConnectAPI
import ConnectREST
import ConnectRuntime
import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A source connector for REST tests that needs no broker: `test.tasks` tasks; task `test.fail.task`
/// fails to start; a PASSWORD key `test.secret`; `alterOffsets` answers `test.handles.offsets`.
actor TestSourceConnector: SourceConnector {
    typealias TaskType = TestSourceTask
    static let version = "2.5.0"
    static var configDef: ConfigDef {
        ConfigDef([
            ConfigKey("test.secret", type: .password, default: nil, importance: .high, documentation: "A secret."),
            ConfigKey(
                "test.tasks",
                type: .int,
                default: 1,
                validator: .atLeast(1),
                importance: .medium,
                documentation: "How many tasks."
            ),
        ])
    }
    private var configs: [String: String] = [:]

    init() {}

    func start(configs: [String: String]) async throws { self.configs = configs }

    func taskConfigs(maxTasks: Int) async throws -> [[String: String]] {
        let count = Int(configs["test.tasks"] ?? "1") ?? 1
        return (0..<count).map { index in
            var config = ["index": String(index)]
            if configs["test.fail.task"] == String(index) { config["fail"] = "true" }
            if let secret = configs["test.secret"] { config["test.secret"] = secret }
            if let records = configs["test.records"] { config["test.records"] = records }
            return config
        }
    }

    func alterOffsets(
        configs: [String: String],
        offsets: [[String: ConnectValue]: [String: ConnectValue]?]
    ) async throws -> Bool {
        configs["test.handles.offsets"] == "true"
    }

    func stop() async {}
}

/// Polls nothing, or two records per poll when the connector sets `test.records=true`; fails to
/// start when its config says so.
final class TestSourceTask: SourceTask, Sendable {
    static let version = "2.5.0"
    private let state = Mutex((records: false, offset: 0))

    func start(configs: [String: String]) async throws {
        if configs["fail"] == "true" { throw ConnectError("scripted task failure") }
        state.withLock { $0.records = configs["test.records"] == "true" }
    }

    func poll() async throws -> [SourceRecord]? {
        try? await Task.sleep(for: .milliseconds(20))
        return state.withLock { state -> [SourceRecord]? in
            guard state.records else { return nil }
            state.offset += 2
            return [state.offset - 1, state.offset].map { offset in
                SourceRecord(
                    sourcePartition: ["p": .string("0")],
                    sourceOffset: ["o": .int64(Int64(offset))],
                    topic: "t",
                    valueSchema: nil,
                    value: .string("v\(offset)")
                )
            }
        }
    }

    func stop() async {}
}

/// An HTTP answer, with its JSON body parsed.
struct HTTPAnswer {
    var status: Int
    var headers: [String: String]
    var body: Data

    var json: Any? { body.isEmpty ? nil : try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    var array: [Any] { json as? [Any] ?? [] }
    var text: String { String(decoding: body, as: UTF8.self) }

    /// Kafka's error body, checked to have exactly its two keys.
    var error: (code: Int, message: String)? {
        guard Set(object.keys) == ["error_code", "message"], let code = object["error_code"] as? Int,
            let message = object["message"] as? String
        else { return nil }
        return (code, message)
    }
}

/// A worker, herder and REST server on an ephemeral loopback port.
struct RESTFixture {
    let herder: StandaloneHerder
    let server: ConnectRESTServer
    let store: MemoryOffsetBackingStore
    let levels: LoggerLevels
    let base: URL

    static func start(ready: Bool = true, worker extra: [String: String] = [:]) async throws -> RESTFixture {
        var plugins = PluginRegistry.kafkaBuiltIns
        plugins.register(source: TestSourceConnector.self, className: "com.example.TestSourceConnector")
        let store = MemoryOffsetBackingStore()
        var props = [
            "bootstrap.servers": "127.0.0.1:1",
            "key.converter": "StringConverter",
            "value.converter": "StringConverter",
            "offset.storage.file.filename": "/unused",
            "task.shutdown.graceful.timeout.ms": "2000",
        ]
        props.merge(extra) { $1 }
        let worker = try Worker(config: WorkerConfig(standalone: props), plugins: plugins, offsetStore: store)
        let herder = StandaloneHerder(worker: worker)
        try await herder.start()
        let levels = LoggerLevels()
        let handler = ConnectRESTHandler(herder: herder, loggerLevels: levels, kafkaClusterID: "test-cluster")
        let server = try ConnectRESTServer(handler: handler, listener: "http://127.0.0.1:0")
        let port = try await server.start()
        if ready { handler.markReady() }
        return RESTFixture(
            herder: herder,
            server: server,
            store: store,
            levels: levels,
            base: URL(string: "http://127.0.0.1:\(port)")!
        )
    }

    func stop() async {
        await server.stop()
        await herder.stop()
    }

    @discardableResult
    func call(
        _ method: String,
        _ path: String,
        _ body: String? = nil,
        contentType: String? = "application/json"
    ) async throws -> HTTPAnswer {
        var request = URLRequest(url: URL(string: base.absoluteString + path)!)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        var headers: [String: String] = [:]
        for (key, value) in http?.allHeaderFields ?? [:] {
            headers["\(key)".lowercased()] = "\(value)"
        }
        return HTTPAnswer(status: http?.statusCode ?? 0, headers: headers, body: data)
    }

    /// Polls `GET /connectors/<name>/status` until `condition` holds (30 s at most: generous for busy machines).
    @discardableResult
    func waitForStatus(
        _ name: String,
        _ condition: ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let status = try await call("GET", "/connectors/\(name)/status").object
            if condition(status) { return status }
            guard ContinuousClock.now < deadline else {
                Issue.record("status of \(name) never matched: \(status)")
                return status
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

func connectorState(_ status: [String: Any]) -> String? {
    (status["connector"] as? [String: Any])?["state"] as? String
}

func taskStates(_ status: [String: Any]) -> [String] {
    (status["tasks"] as? [[String: Any]] ?? []).compactMap { $0["state"] as? String }
}
