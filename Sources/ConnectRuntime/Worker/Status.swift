/// Identifies a task: its connector and its index (Kafka's `ConnectorTaskId`).
public struct ConnectorTaskID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The connector's name.
    public var connector: String
    /// The task's index, from 0.
    public var task: Int

    /// Creates an id.
    public init(connector: String, task: Int) {
        self.connector = connector
        self.task = task
    }

    /// `<connector>-<task>`, as Kafka prints it.
    public var description: String { "\(connector)-\(task)" }

    public static func < (lhs: ConnectorTaskID, rhs: ConnectorTaskID) -> Bool {
        (lhs.connector, lhs.task) < (rhs.connector, rhs.task)
    }
}

/// The runtime state of a connector or task as `/status` shows it (Kafka's `AbstractStatus.State`).
public enum ConnectState: String, Sendable, Hashable, CaseIterable {
    /// Not started yet, or stopped by the worker.
    case unassigned = "UNASSIGNED"
    /// Started.
    case running = "RUNNING"
    /// Paused by the target state.
    case paused = "PAUSED"
    /// Connector stopped by the target state (connectors only).
    case stopped = "STOPPED"
    /// Failed; the status has a ``StatusInfo/trace``.
    case failed = "FAILED"
    /// A restart was accepted and has not happened yet.
    case restarting = "RESTARTING"
}

/// What the user asked a connector to be (Kafka's `TargetState`).
public enum TargetState: String, Sendable, Hashable, CaseIterable {
    /// Running (REST's `RUNNING` initial state).
    case started = "STARTED"
    /// Connector stopped, tasks kept but not polling.
    case paused = "PAUSED"
    /// Connector and tasks stopped (not yet supported by this runtime).
    case stopped = "STOPPED"
}

/// The status of a connector or task: state, failure trace and worker.
public struct StatusInfo: Sendable, Hashable {
    /// The state.
    public var state: ConnectState
    /// Why it failed (the error's type and description; Kafka shows a Java stack trace), if FAILED.
    public var trace: String?
    /// The worker running it.
    public var workerID: String
    /// SwiftConnect: how many times the task was restarted automatically
    /// (`errors.task.restart.enable`); 0 otherwise. REST shows it as `restarts`.
    public var restarts: Int
    /// SwiftConnect: when the last automatic restart happened, in milliseconds since the epoch. REST
    /// shows it as `last_restart_ms`.
    public var lastRestartMs: Int64?
    /// SwiftConnect: the trace of the failure that caused the last automatic restart.
    public var lastRestartTrace: String?

    /// Creates a status.
    public init(
        state: ConnectState,
        trace: String? = nil,
        workerID: String,
        restarts: Int = 0,
        lastRestartMs: Int64? = nil,
        lastRestartTrace: String? = nil
    ) {
        self.state = state
        self.trace = trace
        self.workerID = workerID
        self.restarts = restarts
        self.lastRestartMs = lastRestartMs
        self.lastRestartTrace = lastRestartTrace
    }

    /// A FAILED status for `error`.
    static func failed(_ error: any Error, workerID: String) -> StatusInfo {
        StatusInfo(state: .failed, trace: traceString(error), workerID: workerID)
    }
}

/// `<ErrorType>: <description>` — the closest Swift has to the Java stack trace Kafka reports.
func traceString(_ error: any Error) -> String {
    "\(String(reflecting: type(of: error))): \(error)"
}

/// A running task as the worker drives it: ``WorkerSourceTask`` or ``WorkerSinkTask``.
public protocol WorkerTaskRunner: Actor {
    /// The task's id.
    nonisolated var id: ConnectorTaskID { get }
    /// The task's status.
    var status: StatusInfo { get }
    /// The whole life of the task; returns after ``stop()`` or a failure.
    func run() async
    /// Asks the task to stop; ``run()`` returns once it has.
    func stop() async
    /// Applies a target state.
    func transition(to state: TargetState)
}
