import ConnectAPI
import ConnectRuntime
import Foundation
import Synchronization

/// A REST answer before it becomes HTTP.
public struct RESTResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Extra headers (`Location`).
    public var headers: [(String, String)] = []
    /// The JSON body; `nil` for none.
    public var body: [UInt8]?
    /// The body's content type.
    public var contentType = "application/json"

    init(_ status: Int, _ json: JSON? = nil, headers: [(String, String)] = []) {
        self.status = status
        self.body = json?.bytes
        self.headers = headers
    }

    init(_ error: RESTError) {
        self.init(
            error.status,
            .object([("error_code", .int(Int64(error.status))), ("message", .string(error.message))])
        )
    }
}

/// The Connect REST API over a ``Herder`` (Kafka's `ConnectorsResource`, `InternalConnectResource`,
/// `ConnectorPluginsResource`, `RootResource` and `LoggingResource`), independent of the HTTP server:
/// a request's method, path, query, content type, headers and body in, a ``RESTResponse`` out.
///
/// Writes the herder refuses with ``RequestTargetError`` are forwarded to the worker it names
/// (Kafka's `HerderRequestHandler.completeOrForwardRequest`); see `docs/distributed.md`.
public struct ConnectRESTHandler: Sendable {
    /// The herder requests act on.
    public let herder: any Herder
    /// The log levels `/admin/loggers` reads and changes.
    public let loggerLevels: LoggerLevels
    /// `kafka_cluster_id` in `GET /`.
    public let kafkaClusterID: String?
    private let ready = ReadyFlag()
    private let forwarding: ForwardingClient

    /// A handler for `herder`.
    /// - Parameter restClient: The client that forwards requests to other workers. `nil`: the handler
    ///   creates one on the first forward and ``shutdown()`` closes it; a client passed here stays
    ///   its owner's to shut down.
    public init(
        herder: any Herder,
        loggerLevels: LoggerLevels = .shared,
        kafkaClusterID: String? = nil,
        restClient: ConnectRESTClient? = nil
    ) {
        self.herder = herder
        self.loggerLevels = loggerLevels
        self.kafkaClusterID = kafkaClusterID
        self.forwarding = ForwardingClient(injected: restClient)
    }

    /// Marks startup complete: `GET /health` answers healthy from now on (503 "starting" before).
    public func markReady() { ready.value.withLock { $0 = true } }

    /// Closes the forwarding client the handler created (``ConnectRESTServer/stop()`` calls it); later
    /// forwards answer 500.
    public func shutdown() async { await forwarding.shutdown() }

    /// Answers one request.
    /// - Parameters:
    ///   - path: The request path without the query, percent-encoded.
    ///   - query: The raw query string.
    ///   - headers: The request headers; the internal signature headers and `Authorization` travel
    ///     with a forwarded request.
    public func handle(
        method: String,
        path: String,
        query: String?,
        contentType: String?,
        headers: [(name: String, value: String)] = [],
        body: [UInt8]
    ) async -> RESTResponse {
        let segments = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        switch RESTRoute.match(method: method, segments: segments) {
        case .failure(let error):
            return RESTResponse(error)
        case .success(let route):
            let request = Request(query: Self.parseQuery(query), headers: headers, body: body)
            do {
                if ["POST", "PUT", "PATCH"].contains(method), let contentType, !Self.isJSON(contentType),
                    !(segments.first == "health" || segments.isEmpty)
                {
                    throw RESTError(415, "HTTP 415 Unsupported Media Type")
                }
                return try await respond(route, request)
            } catch let error as RequestTargetError where route.isForwardable {
                return await forward(error, method: method, path: path, rawQuery: query, request: request)
            } catch {
                return RESTResponse(Self.restError(error))
            }
        }
    }

    private struct Request {
        var query: [(String, String)]
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }

        func values(_ name: String) -> [String] { query.filter { $0.0 == name }.map(\.1) }
        func flag(_ name: String) -> Bool { values(name).last?.lowercased() == "true" }
        func json() throws(RESTError) -> ConnectValue? { try JSONBody.parse(body) }
    }

    private static func isJSON(_ contentType: String) -> Bool {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return type.lowercased() == "application/json" || type == "*/*" || type.isEmpty
    }

    private static func parseQuery(_ query: String?) -> [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let plus = part.replacingOccurrences(of: "+", with: " ")
                return plus.removingPercentEncoding ?? plus
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Kafka's exception mapper: not found 404, already exists 409, bad request 400, others 500.
    static func restError(_ error: any Error) -> RESTError {
        switch error {
        case let error as RESTError: return error
        case let error as ConnectError:
            switch error.code {
            case .notFound: return RESTError(404, error.message)
            case .alreadyExists: return RESTError(409, error.message)
            default: return RESTError(500, error.description)
            }
        case let error as HerderRequestError:
            return RESTError(error.kind == .forbidden ? 403 : 400, error.message)
        case let error as ConfigError:
            return RESTError(400, error.message)
        case let error as RequestTargetError:
            // Only reached where no forward applies (reads, or a herder refusing mid-forward).
            return error == .rebalanceNeeded ? staleConfiguration : conflictingOperation
        default:
            return RESTError(500, "\(error)")
        }
    }

    // MARK: Forwarding

    /// Kafka's 409 when the target was not found within two hops.
    static let conflictingOperation = RESTError(
        409,
        "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"
    )
    /// Kafka's 409 when the herder has no leader URL to forward to.
    static let noKnownLeader = RESTError(
        409,
        "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway."
    )
    /// Kafka's 409 for RebalanceNeededException.
    static let staleConfiguration = RESTError(
        409,
        "Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)"
    )

    /// Kafka's `completeOrForwardRequest`: a request the user sent (no `forward` parameter) may take two
    /// hops (`forward=true` on the first), a forwarded one only one more (`forward=false`).
    private func forward(
        _ error: RequestTargetError,
        method: String,
        path: String,
        rawQuery: String?,
        request: Request
    ) async -> RESTResponse {
        if error == .rebalanceNeeded { return RESTResponse(Self.staleConfiguration) }
        // Jersey reads a Boolean parameter as "true" (any case) or false.
        let forward = request.values("forward").last.map { $0.lowercased() == "true" }
        guard forward ?? true else { return RESTResponse(Self.conflictingOperation) }
        guard let base = error.forwardURL else { return RESTResponse(Self.noKnownLeader) }
        let url = Self.forwardURL(base: base, path: path, query: rawQuery, recursive: forward == nil)
        var headers: [(name: String, value: String)] = request.headers.filter {
            InternalRequestSignature.isSignatureHeader($0.name)
                || $0.name.caseInsensitiveCompare("Authorization") == .orderedSame
        }
        // The bytes as received, so a signature over them stays valid.
        let body = request.body.isEmpty ? nil : request.body
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let answer: ConnectRESTResponse
        do {
            answer = try await forwarding.client().request(url: url, method: method, headers: headers, body: body)
        } catch {
            return RESTResponse(RESTError(500, "IO Error trying to forward REST request: \(error)"))
        }
        // Kafka's RestClient: 204 has no body; 2xx and errors (>= 400) are answered as the target did.
        guard answer.status == 204 || (200..<300).contains(answer.status) || answer.status >= 400 else {
            return RESTResponse(
                RESTError(500, "Unexpected status code when handling forwarded request: \(answer.status)")
            )
        }
        var response = RESTResponse(answer.status)
        if answer.status != 204 && !answer.body.isEmpty {
            response.body = answer.body
            if let contentType = answer.header("Content-Type") { response.contentType = contentType }
        }
        if let location = answer.header("Location") { response.headers.append(("Location", location)) }
        return response
    }

    /// `<base><path>?forward=<recursive>&<the other parameters>`; `base` may end with a slash.
    static func forwardURL(base: String, path: String, query: String?, recursive: Bool) -> String {
        var url = base
        while url.hasSuffix("/") { url.removeLast() }
        url += path.hasPrefix("/") ? path : "/" + path
        var parameters = ["forward=\(recursive)"]
        for pair in (query ?? "").split(separator: "&") {
            let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
            if (name.removingPercentEncoding ?? String(name)) != "forward" { parameters.append(String(pair)) }
        }
        return url + "?" + parameters.joined(separator: "&")
    }

    // MARK: Routes

    private func respond(_ route: RESTRoute, _ request: Request) async throws -> RESTResponse {
        switch route {
        case .serverInfo:
            return RESTResponse(
                200,
                .object([
                    ("version", .string(ConnectVersion.version)), ("commit", .string(ConnectVersion.commit)),
                    ("kafka_cluster_id", .optional(kafkaClusterID)),
                ])
            )
        case .health:
            return await health()
        case .metrics:
            let snapshot = await herder.worker.metricsSnapshot()
            var response = RESTResponse(200)
            response.body = Array(PrometheusText.render(snapshot.families).utf8)
            response.contentType = PrometheusText.contentType
            return response
        case .listConnectors:
            return try await listConnectors(request)
        case .createConnector:
            return try await createConnector(request)
        case .getConnector(let name):
            return RESTResponse(200, try await infoJSON(try await herder.connectorInfo(name)))
        case .deleteConnector(let name):
            try await herder.deleteConnector(name)
            return RESTResponse(204)
        case .getConfig(let name):
            let config = try await herder.connectorConfig(name)
            return RESTResponse(200, .object(await masked(config, connectorConfig: config)))
        case .putConfig(let name):
            return try await putConfig(name, request)
        case .patchConfig(let name):
            let patch = try JSONBody.stringMap(try request.json(), what: "configuration patch")
            let info = try await herder.patchConnectorConfig(name, patch: patch)
            return RESTResponse(200, try await infoJSON(info))
        case .status(let name):
            do {
                return RESTResponse(200, statusJSON(try await herder.connectorStatus(name)))
            } catch let error as ConnectError where error.code == .notFound {
                throw RESTError(404, "No status found for connector \(name)")
            }
        case .restart(let name):
            let includeTasks = request.flag("includeTasks")
            let onlyFailed = request.flag("onlyFailed")
            guard includeTasks || onlyFailed else {
                do {
                    try await herder.restartConnector(name)
                } catch let error as ConnectError where error.code == .notFound {
                    throw RESTError(404, "Unknown connector: \(name)")
                }
                return RESTResponse(204)
            }
            let plan = try await herder.restartConnectorAndTasks(
                name,
                includeTasks: includeTasks,
                onlyFailed: onlyFailed
            )
            return RESTResponse(202, statusJSON(plan))
        case .pause(let name):
            try await unknownConnector(name) { try await herder.pauseConnector(name) }
            return RESTResponse(202)
        case .resume(let name):
            try await unknownConnector(name) { try await herder.resumeConnector(name) }
            return RESTResponse(202)
        case .stop(let name):
            try await unknownConnector(name) { try await herder.stopConnector(name) }
            return RESTResponse(204)
        case .tasks(let name):
            let config = try await herder.connectorConfig(name)
            var tasks: [JSON] = []
            for (id, taskConfig) in try await herder.taskConfigs(name) {
                tasks.append(
                    .object([
                        ("id", taskIDJSON(id)), ("config", .object(await masked(taskConfig, connectorConfig: config))),
                    ])
                )
            }
            return RESTResponse(200, .array(tasks))
        case .tasksConfig(let name):
            let config = try await herder.connectorConfig(name)
            var tasks: [(String, JSON)] = []
            for (id, taskConfig) in try await herder.taskConfigs(name) {
                tasks.append((id.description, .object(await masked(taskConfig, connectorConfig: config))))
            }
            return RESTResponse(200, .object(tasks))
        case .putTaskConfigs(let name):
            // Parsed (and a bad algorithm refused) on every hop; only the herder that acts verifies it.
            let signature = try InternalRequestSignature(body: request.body, headers: request.headers)
            let configs = try Self.parseTaskConfigs(try request.json())
            try await herder.putTaskConfigs(name, configs: configs, signature: signature)
            return RESTResponse(204)
        case .taskStatus(let name, let task):
            let status = try? await herder.connectorStatus(name)
            guard let entry = status?.tasks.first(where: { $0.id == task }) else {
                throw RESTError(404, "No status found for task \(name)-\(task)")
            }
            return RESTResponse(200, taskStateJSON(entry.id, entry.status))
        case .restartTask(let name, let task):
            try await herder.restartTask(ConnectorTaskID(connector: name, task: task))
            return RESTResponse(204)
        case .topics(let name):
            let topics = try await herder.connectorActiveTopics(name)
            return RESTResponse(200, .object([(name, .object([("topics", .array(topics.map { .string($0) }))]))]))
        case .resetTopics(let name):
            try await herder.resetConnectorActiveTopics(name)
            return RESTResponse(202)
        case .getOffsets(let name):
            let offsets = try await herder.connectorOffsets(name)
            let entries: [JSON] = offsets.map {
                .object([("partition", JSONBody.json($0.partition)), ("offset", JSONBody.json($0.offset))])
            }
            return RESTResponse(200, .object([("offsets", .array(entries))]))
        case .alterOffsets(let name):
            let offsets = try Self.parseOffsets(try request.json())
            let handled = try await herder.alterConnectorOffsets(name, offsets: offsets)
            return RESTResponse(200, Self.offsetsMessage(handled: handled, verb: "altered"))
        case .resetOffsets(let name):
            let handled = try await herder.resetConnectorOffsets(name)
            return RESTResponse(200, Self.offsetsMessage(handled: handled, verb: "reset"))
        case .listPlugins:
            let connectorsOnly = request.values("connectorsOnly").last.map { $0.lowercased() != "false" } ?? true
            let plugins = herder.worker.plugins.pluginDescriptions(connectorsOnly: connectorsOnly)
            return RESTResponse(
                200,
                .array(
                    plugins.map { plugin in
                        var members: [(String, JSON)] = [
                            ("class", .string(plugin.className)), ("type", .string(plugin.kind.rawValue)),
                        ]
                        if let version = plugin.version { members.append(("version", .string(version))) }
                        return .object(members)
                    }
                )
            )
        case .pluginConfig(let name):
            guard let keys = herder.worker.plugins.pluginConfigKeys(named: name) else {
                throw RESTError(404, "Unknown plugin \(name).")
            }
            return RESTResponse(200, .raw(try Self.encode(keys)))
        case .validate(let name):
            return try await validate(name, request)
        case .listLoggers:
            return RESTResponse(
                200,
                .object(loggerLevels.explicitLevels().map { ($0.name, Self.loggerJSON($0.entry)) })
            )
        case .getLogger(let name):
            guard let entry = loggerLevels.level(of: name) else { throw RESTError(404, "Logger \(name) not found.") }
            return RESTResponse(200, Self.loggerJSON(entry))
        case .setLogger(let name):
            guard case .string(let levelName)? = JSONBody.members(try request.json())?["level"] else {
                throw RESTError(400, "Desired 'level' parameter was not specified in request.")
            }
            guard let level = KafkaLogLevel(name: levelName) else {
                throw RESTError(404, "invalid log level '\(levelName)'.")
            }
            let affected = loggerLevels.setLevel(name, to: level)
            if request.values("scope").last?.lowercased() == "cluster" { return RESTResponse(204) }
            return RESTResponse(200, .array(affected.map { .string($0) }))
        }
    }

    private func unknownConnector(_ name: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ConnectError where error.code == .notFound {
            throw RESTError(404, "Unknown connector \(name)")
        }
    }

    private func health() async -> RESTResponse {
        guard ready.value.withLock({ $0 }) else {
            return RESTResponse(
                503,
                .object([("status", .string("starting")), ("message", .string("Worker is still starting up."))])
            )
        }
        // Like Kafka, a request through the herder proves it is responsive (within 10 s).
        let herder = self.herder
        let responsive = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                // An answer, even a refusal, shows the herder responds.
                _ = try? await herder.connectorNames()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        guard responsive else {
            return RESTResponse(
                500,
                .object([
                    ("status", .string("unhealthy")),
                    (
                        "message",
                        .string(
                            "Worker was unable to handle this request and may be unable to handle other requests."
                        )
                    ),
                ])
            )
        }
        return RESTResponse(
            200,
            .object([
                ("status", .string("healthy")),
                ("message", .string("Worker has completed startup and is ready to handle requests.")),
            ])
        )
    }

    private func listConnectors(_ request: Request) async throws -> RESTResponse {
        let names = try await herder.connectorNames()
        let expand = request.values("expand")
        guard !request.query.contains(where: { $0.0 == "expand" }) else {
            var result: [(String, JSON)] = []
            for name in names {
                var members: [(String, JSON)] = []
                do {
                    if expand.contains("status") {
                        members.append(("status", statusJSON(try await herder.connectorStatus(name))))
                    }
                    if expand.contains("info") {
                        members.append(("info", try await infoJSON(try await herder.connectorInfo(name))))
                    }
                } catch {
                    // Deleted meanwhile: omitted, as Kafka does.
                    continue
                }
                result.append((name, .object(members)))
            }
            return RESTResponse(200, .object(result))
        }
        return RESTResponse(200, .array(names.map { .string($0) }))
    }

    private func createConnector(_ request: Request) async throws -> RESTResponse {
        let members = JSONBody.members(try request.json()) ?? [:]
        var name = ""
        if case .string(let given)? = members["name"] { name = given.trimmingCharacters(in: .whitespaces) }
        guard let configValue = members["config"], !configValue.isNull else {
            throw RESTError(400, "The request body must have a \"config\" object with the connector's configuration")
        }
        let config = try JSONBody.stringMap(configValue, what: "connector configuration")
        var initialState: TargetState?
        if case .string(let state)? = members["initial_state"] {
            switch state.uppercased() {
            case "RUNNING": initialState = .started
            case "PAUSED": initialState = .paused
            case "STOPPED": initialState = .stopped
            default: throw RESTError(400, "Unknown initial state \(state); use RUNNING, PAUSED or STOPPED")
            }
        }
        let info = try await put(name, config, allowReplace: false, initialState: initialState)
        return RESTResponse(
            201,
            try await infoJSON(info),
            headers: [("Location", "/connectors/\(Self.encodePathSegment(name))")]
        )
    }

    private func putConfig(_ name: String, _ request: Request) async throws -> RESTResponse {
        let config = try JSONBody.stringMap(try request.json(), what: "connector configuration")
        let existed = try await herder.connectorNames().contains(name)
        let info = try await put(name, config, allowReplace: true, initialState: nil)
        if existed { return RESTResponse(200, try await infoJSON(info)) }
        return RESTResponse(
            201,
            try await infoJSON(info),
            headers: [("Location", "/connectors/\(Self.encodePathSegment(name))")]
        )
    }

    private func put(
        _ name: String,
        _ config: [String: String?],
        allowReplace: Bool,
        initialState: TargetState?
    ) async throws -> ConnectorInfo {
        if case .some(.some(let configName)) = config["name"], configName != name {
            throw RESTError(
                400,
                "Connector name configuration (\(configName)) doesn't match connector name in the URL (\(name))"
            )
        }
        let nulls = config.filter { $0.value == nil }.keys.sorted()
        if !nulls.isEmpty {
            var message = "Connector configuration is invalid and contains the following \(nulls.count) error(s):"
            for _ in nulls { message += "\nNull value can not be supplied as the configuration value." }
            message +=
                "\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"
            throw RESTError(400, message)
        }
        let values = config.compactMapValues { $0 }
        try Self.requireConnectorClass(values, plugins: herder.worker.plugins)
        return try await herder.putConnectorConfig(
            name: name,
            config: values,
            allowReplace: allowReplace,
            initialState: initialState
        )
    }

    /// Kafka's checks before validation: a missing `connector.class` is 400, an unknown one 500.
    private static func requireConnectorClass(_ config: [String: String], plugins: PluginRegistry) throws {
        guard let className = config[ConnectorConfig.connectorClassConfig], !className.isEmpty else {
            let rendered = config.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            throw RESTError(400, "Connector config {\(rendered)} contains no connector type")
        }
        do {
            _ = try plugins.requireConnectorPlugin(named: className)
        } catch {
            throw RESTError(500, error.reason ?? error.message)
        }
    }

    private func validate(_ pathClass: String, _ request: Request) async throws -> RESTResponse {
        let config = try JSONBody.stringMap(try request.json(), what: "connector configuration").compactMapValues { $0 }
        if let included = config[ConnectorConfig.connectorClassConfig] {
            func trimmed(_ name: String) -> String {
                name.hasSuffix("Connector") ? String(name.dropLast("Connector".count)) : name
            }
            if !trimmed(included).hasSuffix(trimmed(pathClass)) {
                throw RESTError(400, "Included connector type \(included) does not match request type \(pathClass)")
            }
        }
        try Self.requireConnectorClass(config, plugins: herder.worker.plugins)
        let infos = try await herder.validateConnectorConfigInfos(config)
        return RESTResponse(200, .raw(try Self.encode(infos)))
    }

    // MARK: Bodies

    private func infoJSON(_ info: ConnectorInfo) async throws -> JSON {
        .object([
            ("name", .string(info.name)),
            ("config", .object(await masked(info.config, connectorConfig: info.config))),
            ("tasks", .array(info.tasks.map(taskIDJSON))),
            ("type", .string(info.type?.rawValue ?? "unknown")),
        ])
    }

    private func taskIDJSON(_ id: ConnectorTaskID) -> JSON {
        .object([("connector", .string(id.connector)), ("task", .int(Int64(id.task)))])
    }

    private func statusJSON(_ state: ConnectorStateInfo) -> JSON {
        var connector: [(String, JSON)] = [
            ("state", .string(state.connector.state.rawValue)), ("worker_id", .string(state.connector.workerID)),
        ]
        if let trace = state.connector.trace, !trace.isEmpty { connector.append(("trace", .string(trace))) }
        return .object([
            ("name", .string(state.name)),
            ("connector", .object(connector)),
            ("tasks", .array(state.tasks.sorted { $0.id < $1.id }.map { taskStateJSON($0.id, $0.status) })),
            ("type", .string(state.type?.rawValue ?? "unknown")),
        ])
    }

    private func taskStateJSON(_ id: Int, _ status: StatusInfo) -> JSON {
        var members: [(String, JSON)] = [
            ("id", .int(Int64(id))), ("state", .string(status.state.rawValue)), ("worker_id", .string(status.workerID)),
        ]
        if let trace = status.trace, !trace.isEmpty { members.append(("trace", .string(trace))) }
        // SwiftConnect's automatic restarts (errors.task.restart.*); Kafka clients ignore the fields.
        if status.restarts > 0 {
            members.append(("restarts", .int(Int64(status.restarts))))
            members.append(("last_restart_ms", status.lastRestartMs.map { .int($0) } ?? .null))
            members.append(("last_restart_trace", status.lastRestartTrace.map { .string($0) } ?? .null))
        }
        return .object(members)
    }

    private static func loggerJSON(_ entry: LoggerLevels.Entry) -> JSON {
        .object([
            ("level", .string(entry.level.rawValue)),
            ("last_modified", entry.lastModified.map { .int($0) } ?? .null),
        ])
    }

    private static func offsetsMessage(handled: Bool, verb: String) -> JSON {
        let message =
            handled
            ? "The offsets for this connector have been \(verb) successfully"
            : "The Connect framework-managed offsets for this connector have been \(verb) successfully. However, if "
                + "this connector manages offsets externally, they will need to be manually \(verb) in the system that "
                + "the connector uses."
        return .object([("message", .string(message))])
    }

    private static func parseOffsets(
        _ body: ConnectValue?
    ) throws -> [(partition: [String: ConnectValue], offset: [String: ConnectValue]?)] {
        guard case .array(let entries)? = JSONBody.members(body)?["offsets"], !entries.isEmpty else {
            throw RESTError(400, "Partitions / offsets need to be provided for an alter offsets request")
        }
        return try entries.map { entry in
            let members = JSONBody.members(entry)
            guard let partition = JSONBody.members(members?["partition"]) else {
                throw RESTError(400, "Each entry of \"offsets\" needs a \"partition\" object")
            }
            let offsetValue = members?["offset"] ?? .null
            if offsetValue.isNull { return (partition, nil) }
            guard let offset = JSONBody.members(offsetValue) else {
                throw RESTError(400, "The \"offset\" of each entry of \"offsets\" must be an object or null")
            }
            return (partition, offset)
        }
    }

    /// Kafka's `List<Map<String, String>>` body of `POST /connectors/<name>/tasks`.
    private static func parseTaskConfigs(_ body: ConnectValue?) throws -> [[String: String]] {
        guard case .array(let entries)? = body else {
            throw RESTError(400, "The task configurations must be a JSON array of objects of strings")
        }
        return try entries.map { entry in
            let map = try JSONBody.stringMap(entry, what: "task configuration")
            if let key = map.first(where: { $0.value == nil })?.key {
                throw RESTError(400, "The value of \(key) in a task configuration must not be null")
            }
            return map.compactMapValues { $0 }
        }
    }

    private static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    static func encodePathSegment(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))
            ?? name
    }

    // MARK: Secrets

    /// A configuration with PASSWORD values (per the connector's definition, and client passwords
    /// under `*.override.`) shown as `[hidden]` unless they are config-provider placeholders.
    private func masked(_ config: [String: String], connectorConfig: [String: String]) async -> [String: String] {
        let plugin = herder.worker.plugins.connectorPlugin(
            named: connectorConfig[ConnectorConfig.connectorClassConfig] ?? ""
        )
        var result = config
        for (key, value) in config where Self.isPassword(key, definition: plugin?.configDef) {
            if !Self.isPlaceholder(value) { result[key] = "[hidden]" }
        }
        return result
    }

    private static let clientPasswords: Set<String> = [
        "ssl.key.password", "ssl.keystore.password", "ssl.truststore.password", "sasl.jaas.config",
        "ssl.keystore.key", "ssl.truststore.certificates", "ssl.keystore.certificate.chain",
    ]

    private static func isPassword(_ key: String, definition: ConfigDef?) -> Bool {
        if definition?[key]?.type == .password { return true }
        for prefix in ["producer.override.", "consumer.override.", "admin.override."] where key.hasPrefix(prefix) {
            return clientPasswords.contains(String(key.dropFirst(prefix.count)))
        }
        return false
    }

    /// `${provider:path:key}` anywhere in the value: it names the secret rather than holding it.
    private static func isPlaceholder(_ value: String) -> Bool {
        value.range(of: #"\$\{[^}]*\}"#, options: .regularExpression) != nil
    }
}

/// The forwarding client, created on first use unless injected, shared by copies of the handler.
private final class ForwardingClient: Sendable {
    private let injected: ConnectRESTClient?
    private let state = Mutex<(client: ConnectRESTClient?, closed: Bool)>((nil, false))

    init(injected: ConnectRESTClient?) { self.injected = injected }

    func client() throws -> ConnectRESTClient {
        if let injected { return injected }
        return try state.withLock { state in
            guard !state.closed else { throw RESTError(500, "The REST server is shutting down") }
            if let client = state.client { return client }
            let client = ConnectRESTClient()
            state.client = client
            return client
        }
    }

    func shutdown() async {
        let created = state.withLock { state in
            state.closed = true
            defer { state.client = nil }
            return state.client
        }
        await created?.shutdown()
    }
}

/// Whether startup completed, shared by copies of the handler.
private final class ReadyFlag: Sendable {
    let value = Mutex(false)
}
