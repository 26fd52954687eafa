import ConnectAPI
import ConnectREST
import ConnectRuntime
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A ``Herder`` for REST tests: records every call; a write throws `writeError` when set (e.g.
/// ``RequestTargetError/notLeader(leaderURL:)``), a read throws `readError`; otherwise writes succeed
/// with canned answers and reads know no connector.
actor FakeHerder: Herder {
    /// A call as the herder received it.
    enum Call: Equatable {
        case putConnectorConfig(name: String, config: [String: String], allowReplace: Bool)
        case deleteConnector(String)
        case pauseConnector(String)
        case restartConnectorAndTasks(String, includeTasks: Bool, onlyFailed: Bool)
        case putTaskConfigs(String, configs: [[String: String]], signature: InternalRequestSignature?)
        case read(String)
    }

    nonisolated let worker: Worker
    private(set) var calls: [Call] = []
    private var writeError: (any Error)?
    private var readError: (any Error)?

    init(writeError: (any Error)? = nil, readError: (any Error)? = nil) throws {
        var plugins = PluginRegistry.kafkaBuiltIns
        plugins.register(source: TestSourceConnector.self, className: "com.example.TestSourceConnector")
        worker = try Worker(
            config: WorkerConfig(standalone: [
                "bootstrap.servers": "127.0.0.1:1", "key.converter": "StringConverter",
                "value.converter": "StringConverter", "offset.storage.file.filename": "/unused",
            ]),
            plugins: plugins,
            offsetStore: MemoryOffsetBackingStore()
        )
        self.writeError = writeError
        self.readError = readError
    }

    private func write(_ call: Call) throws {
        calls.append(call)
        if let writeError { throw writeError }
    }

    private func read(_ what: String) throws {
        calls.append(.read(what))
        if let readError { throw readError }
    }

    private func unknown(_ name: String) -> ConnectError {
        ConnectError("Connector \(name) not found", code: .notFound)
    }

    func putConnectorConfig(
        name: String,
        config: [String: String],
        allowReplace: Bool,
        initialState: TargetState?
    ) async throws -> ConnectorInfo {
        try write(.putConnectorConfig(name: name, config: config, allowReplace: allowReplace))
        return ConnectorInfo(
            name: name,
            config: config,
            tasks: [ConnectorTaskID(connector: name, task: 0)],
            type: .source
        )
    }

    func validateConnectorConfig(_ config: [String: String]) async throws -> ConfigValidation {
        throw ConnectError("not faked")
    }

    func validateConnectorConfigInfos(_ config: [String: String]) async throws -> ConfigInfos {
        throw ConnectError("not faked")
    }

    func deleteConnector(_ name: String) async throws { try write(.deleteConnector(name)) }
    func pauseConnector(_ name: String) async throws { try write(.pauseConnector(name)) }
    func resumeConnector(_ name: String) async throws { throw ConnectError("not faked") }
    func stopConnector(_ name: String) async throws { throw ConnectError("not faked") }
    func restartConnector(_ name: String) async throws { throw ConnectError("not faked") }

    func restartConnectorAndTasks(
        _ name: String,
        includeTasks: Bool,
        onlyFailed: Bool
    ) async throws
        -> ConnectorStateInfo
    {
        try write(.restartConnectorAndTasks(name, includeTasks: includeTasks, onlyFailed: onlyFailed))
        return ConnectorStateInfo(
            name: name,
            connector: StatusInfo(state: .restarting, workerID: "b:8083"),
            tasks: [(0, StatusInfo(state: .restarting, workerID: "b:8083"))],
            type: .source
        )
    }

    func restartTask(_ id: ConnectorTaskID) async throws { throw ConnectError("not faked") }

    func patchConnectorConfig(_ name: String, patch: [String: String?]) async throws -> ConnectorInfo {
        throw ConnectError("not faked")
    }

    func connectorOffsets(
        _ name: String
    ) async throws -> [(partition: [String: ConnectValue], offset: [String: ConnectValue])] {
        throw ConnectError("not faked")
    }

    func alterConnectorOffsets(
        _ name: String,
        offsets: [(partition: [String: ConnectValue], offset: [String: ConnectValue]?)]
    ) async throws -> Bool {
        throw ConnectError("not faked")
    }

    func resetConnectorOffsets(_ name: String) async throws -> Bool { throw ConnectError("not faked") }
    func connectorActiveTopics(_ name: String) async throws -> [String] { throw ConnectError("not faked") }
    func resetConnectorActiveTopics(_ name: String) async throws { throw ConnectError("not faked") }

    func connectorNames() async throws -> [String] {
        try read("names")
        return []
    }

    func connectorInfo(_ name: String) async throws -> ConnectorInfo {
        try read("info \(name)")
        throw unknown(name)
    }

    func connectorConfig(_ name: String) async throws -> [String: String] {
        try read("config \(name)")
        throw unknown(name)
    }

    func taskConfigs(_ name: String) async throws -> [(id: ConnectorTaskID, config: [String: String])] {
        try read("tasks \(name)")
        throw unknown(name)
    }

    func connectorStatus(_ name: String) async throws -> ConnectorStateInfo {
        try read("status \(name)")
        throw unknown(name)
    }

    func putTaskConfigs(_ name: String, configs: [[String: String]], signature: InternalRequestSignature?) async throws
    {
        try write(.putTaskConfigs(name, configs: configs, signature: signature))
    }
}

/// A REST server on an ephemeral loopback port over a ``FakeHerder``.
struct FakeWorker {
    let herder: FakeHerder
    let server: ConnectRESTServer
    /// The advertised URL, with Kafka's trailing slash.
    let url: String

    static func start(
        writeError: (any Error)? = nil,
        readError: (any Error)? = nil,
        restClient: ConnectRESTClient? = nil
    ) async throws -> FakeWorker {
        let herder = try FakeHerder(writeError: writeError, readError: readError)
        let handler = ConnectRESTHandler(herder: herder, loggerLevels: LoggerLevels(), restClient: restClient)
        let server = try ConnectRESTServer(handler: handler, listener: "http://127.0.0.1:0")
        let port = try await server.start()
        handler.markReady()
        return FakeWorker(herder: herder, server: server, url: "http://127.0.0.1:\(port)/")
    }

    func stop() async { await server.stop() }

    /// Sends a request with extra headers.
    @discardableResult
    func call(
        _ method: String,
        _ path: String,
        _ body: String? = nil,
        headers: [(String, String)] = []
    ) async throws -> HTTPAnswer {
        try await httpCall(method, url + path.dropFirst(), body, headers: headers)
    }
}

/// One HTTP exchange with URLSession.
func httpCall(
    _ method: String,
    _ url: String,
    _ body: String? = nil,
    headers: [(String, String)] = []
) async throws -> HTTPAnswer {
    var request = URLRequest(url: try #require(URL(string: url)))
    request.httpMethod = method
    if let body {
        request.httpBody = Data(body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = response as? HTTPURLResponse
    var answerHeaders: [String: String] = [:]
    for (key, value) in http?.allHeaderFields ?? [:] { answerHeaders["\(key)".lowercased()] = "\(value)" }
    return HTTPAnswer(status: http?.statusCode ?? 0, headers: answerHeaders, body: data)
}
