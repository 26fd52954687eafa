import ConnectAPI

/// What the REST API asks of a worker's herder (Kafka's `Herder` interface): ``StandaloneHerder``
/// for one process, the distributed herder for a group of workers.
///
/// Every request method is `async throws` so an implementation may read topics, wait for its turn
/// or refuse with ``RequestTargetError`` (the request belongs to another worker: the REST layer
/// forwards it, see `ConnectRESTHandler`). Refusals use Kafka's errors: ``ConnectError`` `notFound` /
/// `alreadyExists`, ``HerderRequestError``, ``ConfigError``.
public protocol Herder: Actor {
    /// The worker that runs this herder's connectors and tasks (plugins, metrics, configuration).
    nonisolated var worker: Worker { get }

    /// Creates or updates a connector (`POST /connectors`, `PUT /connectors/<name>/config`).
    /// - Parameters:
    ///   - allowReplace: Whether an existing connector may be replaced (`PUT`) or is a conflict (`POST`).
    ///   - initialState: The target state of a new connector (`initial_state`); `nil` means RUNNING.
    func putConnectorConfig(
        name: String,
        config: [String: String],
        allowReplace: Bool,
        initialState: TargetState?
    ) async throws -> ConnectorInfo

    /// Validates a connector configuration.
    func validateConnectorConfig(_ config: [String: String]) async throws -> ConfigValidation

    /// Validates a connector configuration as Kafka's `ConfigInfos` (`PUT /connector-plugins/<class>/config/validate`).
    func validateConnectorConfigInfos(_ config: [String: String]) async throws -> ConfigInfos

    /// Deletes a connector (`DELETE /connectors/<name>`).
    func deleteConnector(_ name: String) async throws

    /// Pauses a connector and its tasks (`PUT /connectors/<name>/pause`).
    func pauseConnector(_ name: String) async throws

    /// Resumes a connector and its tasks (`PUT /connectors/<name>/resume`).
    func resumeConnector(_ name: String) async throws

    /// Stops a connector and its tasks: target state STOPPED (`PUT /connectors/<name>/stop`).
    func stopConnector(_ name: String) async throws

    /// Restarts the connector instance only (`POST /connectors/<name>/restart`).
    func restartConnector(_ name: String) async throws

    /// Restarts the connector and (failed) tasks (`POST /connectors/<name>/restart?includeTasks=…&onlyFailed=…`).
    /// - Returns: The status with the instances to restart marked RESTARTING.
    func restartConnectorAndTasks(
        _ name: String,
        includeTasks: Bool,
        onlyFailed: Bool
    ) async throws
        -> ConnectorStateInfo

    /// Restarts one task (`POST /connectors/<name>/tasks/<id>/restart`).
    func restartTask(_ id: ConnectorTaskID) async throws

    /// Applies a patch to a connector's configuration; `nil` values remove keys (`PATCH /connectors/<name>/config`).
    func patchConnectorConfig(_ name: String, patch: [String: String?]) async throws -> ConnectorInfo

    /// A connector's offsets (`GET /connectors/<name>/offsets`).
    func connectorOffsets(
        _ name: String
    ) async throws -> [(partition: [String: ConnectValue], offset: [String: ConnectValue])]

    /// Alters a stopped connector's offsets (`PATCH /connectors/<name>/offsets`).
    /// - Returns: Whether the connector handled the change itself (`alterOffsets` answered true).
    func alterConnectorOffsets(
        _ name: String,
        offsets: [(partition: [String: ConnectValue], offset: [String: ConnectValue]?)]
    ) async throws -> Bool

    /// Resets a stopped connector's offsets (`DELETE /connectors/<name>/offsets`).
    /// - Returns: Whether the connector handled the reset itself.
    func resetConnectorOffsets(_ name: String) async throws -> Bool

    /// The topics a connector has used (`GET /connectors/<name>/topics`).
    func connectorActiveTopics(_ name: String) async throws -> [String]

    /// Forgets a connector's active topics (`PUT /connectors/<name>/topics/reset`).
    func resetConnectorActiveTopics(_ name: String) async throws

    /// The connectors' names, sorted (`GET /connectors`).
    func connectorNames() async throws -> [String]

    /// A connector's configuration and tasks (`GET /connectors/<name>`).
    func connectorInfo(_ name: String) async throws -> ConnectorInfo

    /// A connector's configuration as submitted (`GET /connectors/<name>/config`).
    func connectorConfig(_ name: String) async throws -> [String: String]

    /// A connector's task configurations (`GET /connectors/<name>/tasks`).
    func taskConfigs(_ name: String) async throws -> [(id: ConnectorTaskID, config: [String: String])]

    /// A connector's and its tasks' statuses (`GET /connectors/<name>/status`).
    func connectorStatus(_ name: String) async throws -> ConnectorStateInfo

    /// `POST /connectors/<name>/tasks` (internal): a follower hands the leader the task configs its
    /// connector generated. ``StandaloneHerder`` refuses with ``HerderRequestError`` `badRequest`, since
    /// Kafka's standalone herder does not support it.
    /// - Parameter signature: The request's ``InternalRequestSignature``, `nil` when it carried none;
    ///   the herder verifies it against the session key.
    func putTaskConfigs(_ name: String, configs: [[String: String]], signature: InternalRequestSignature?) async throws
}

extension Herder {
    /// Validates a configuration (`PUT /connector-plugins/<class>/config/validate`) on this worker.
    /// - Throws: ``ConfigError`` on `connector.class` when it names no known connector.
    public func validateConnectorConfig(_ config: [String: String]) async throws -> ConfigValidation {
        try await worker.validateConnectorConfig(config)
    }

    /// Validates a configuration and renders the result as Kafka's `ConfigInfos`.
    /// - Throws: ``ConfigError`` on `connector.class` when it names no known connector.
    public func validateConnectorConfigInfos(_ config: [String: String]) async throws -> ConfigInfos {
        try await worker.validateConnectorConfigInfos(config)
    }
}

extension ConnectError {
    /// Kafka's 404 for a connector the herder does not know.
    static func connectorNotFound(_ name: String) -> ConnectError {
        ConnectError("Connector \(name) not found", code: .notFound)
    }
}
