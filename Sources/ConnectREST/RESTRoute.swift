/// An error the REST API answers with Kafka's body `{"error_code":N,"message":"…"}`.
public struct RESTError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status (and `error_code`).
    public var status: Int
    /// The message.
    public var message: String

    /// Creates an error.
    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status) \(message)" }

    /// Jersey's message for an unmatched path.
    static let notFound = RESTError(404, "HTTP 404 Not Found")
    /// Jersey's message for a path without the request's method.
    static let methodNotAllowed = RESTError(405, "HTTP 405 Method Not Allowed")
}

/// An endpoint of the Connect REST API with its path parameters (Kafka's JAX-RS resources).
enum RESTRoute: Sendable, Hashable {
    case serverInfo
    case health
    case listConnectors
    case createConnector
    case getConnector(String)
    case deleteConnector(String)
    case getConfig(String)
    case putConfig(String)
    case patchConfig(String)
    case status(String)
    case restart(String)
    case pause(String)
    case resume(String)
    case stop(String)
    case tasks(String)
    /// `POST /connectors/<name>/tasks`, internal: a follower's task configurations for the leader.
    case putTaskConfigs(String)
    case tasksConfig(String)
    case taskStatus(String, Int)
    case restartTask(String, Int)
    case topics(String)
    case resetTopics(String)
    case getOffsets(String)
    case alterOffsets(String)
    case resetOffsets(String)
    case listPlugins
    case pluginConfig(String)
    case validate(String)
    case listLoggers
    case getLogger(String)
    case setLogger(String)
    case metrics

    /// Whether a ``RequestTargetError`` sends the request to another worker (Kafka's resources that
    /// call `completeOrForwardRequest`, plus pause and resume, which a distributed herder may also
    /// leave to the leader). Reads and `topics/reset` are answered locally.
    var isForwardable: Bool {
        switch self {
        case .createConnector, .putConfig, .patchConfig, .deleteConnector, .pause, .resume, .stop, .restart,
            .restartTask, .alterOffsets, .resetOffsets, .putTaskConfigs:
            return true
        default:
            return false
        }
    }

    /// Matches a request: the route, or 404 for an unknown path, 405 for a known path without this
    /// method. `segments` are the percent-decoded path segments, empty ones dropped.
    static func match(method: String, segments: [String]) -> Result<RESTRoute, RESTError> {
        let routes = candidates(segments)
        guard !routes.isEmpty else { return .failure(.notFound) }
        guard let route = routes[method] else { return .failure(.methodNotAllowed) }
        return .success(route)
    }

    /// The routes a path has, by method.
    private static func candidates(_ s: [String]) -> [String: RESTRoute] {
        switch s.count {
        case 0: return ["GET": .serverInfo]
        case 1:
            switch s[0] {
            case "health": return ["GET": .health]
            case "connectors": return ["GET": .listConnectors, "POST": .createConnector]
            case "connector-plugins": return ["GET": .listPlugins]
            case "metrics": return ["GET": .metrics]
            default: return [:]
            }
        case 2:
            if s[0] == "connectors" { return ["GET": .getConnector(s[1]), "DELETE": .deleteConnector(s[1])] }
            if s == ["admin", "loggers"] { return ["GET": .listLoggers] }
            return [:]
        case 3:
            if s[0] == "connectors" {
                let c = s[1]
                switch s[2] {
                case "config": return ["GET": .getConfig(c), "PUT": .putConfig(c), "PATCH": .patchConfig(c)]
                case "status": return ["GET": .status(c)]
                case "restart": return ["POST": .restart(c)]
                case "pause": return ["PUT": .pause(c)]
                case "resume": return ["PUT": .resume(c)]
                case "stop": return ["PUT": .stop(c)]
                case "tasks": return ["GET": .tasks(c), "POST": .putTaskConfigs(c)]
                case "tasks-config": return ["GET": .tasksConfig(c)]
                case "topics": return ["GET": .topics(c)]
                case "offsets": return ["GET": .getOffsets(c), "PATCH": .alterOffsets(c), "DELETE": .resetOffsets(c)]
                default: return [:]
                }
            }
            if s[0] == "connector-plugins" && s[2] == "config" { return ["GET": .pluginConfig(s[1])] }
            if s[0] == "admin" && s[1] == "loggers" { return ["GET": .getLogger(s[2]), "PUT": .setLogger(s[2])] }
            return [:]
        case 4:
            if s[0] == "connectors" && s[2] == "topics" && s[3] == "reset" { return ["PUT": .resetTopics(s[1])] }
            if s[0] == "connector-plugins" && s[2] == "config" && s[3] == "validate" {
                return ["PUT": .validate(s[1])]
            }
            return [:]
        case 5:
            // A task id that is not an integer matches nothing, as in Jersey.
            guard s[0] == "connectors" && s[2] == "tasks", let task = Int(s[3]) else { return [:] }
            switch s[4] {
            case "status": return ["GET": .taskStatus(s[1], task)]
            case "restart": return ["POST": .restartTask(s[1], task)]
            default: return [:]
            }
        default: return [:]
        }
    }
}
