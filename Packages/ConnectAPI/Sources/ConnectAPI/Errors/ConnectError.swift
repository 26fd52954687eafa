/// A general failure of a connector, a task or the runtime (Kafka's `ConnectException`).
///
/// The runtime treats a `ConnectError` thrown by a plugin as fatal for that connector or task (it goes
/// to `FAILED`), unless the error tolerance of the stage says otherwise. Use ``RetriableError`` for
/// transient failures the runtime should retry, ``DataError`` for bad data and ``ConfigError`` for
/// invalid configuration: the four are distinct types so that `catch let error as RetriableError`
/// tells them apart.
public struct ConnectError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; Kafka's subclasses of `ConnectException` that are not data, retriable
    /// or configuration errors. New codes may be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case general
            case notFound
            case alreadyExists
            case illegalWorkerState
        }

        private let base: Base

        /// A failure with no more specific code (`ConnectException`).
        public static let general = Code(base: .general)
        /// A connector, task or other entity does not exist (`NotFoundException`; REST 404).
        public static let notFound = Code(base: .notFound)
        /// The entity already exists (`AlreadyExistsException`; REST 409).
        public static let alreadyExists = Code(base: .alreadyExists)
        /// The call is not allowed in the worker's current state (`IllegalWorkerStateException`), for
        /// example pausing a partition that is not assigned to the sink task.
        public static let illegalWorkerState = Code(base: .illegalWorkerState)

        /// The code's name, as in Kafka's exception class names without the `Exception` suffix.
        public var description: String {
            switch base {
            case .general: "Connect"
            case .notFound: "NotFound"
            case .alreadyExists: "AlreadyExists"
            case .illegalWorkerState: "IllegalWorkerState"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// A human-readable description of the failure.
    public var message: String
    /// The error that caused this one, if any.
    public var underlying: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - message: A human-readable description of the failure.
    ///   - code: The kind of failure. Default: ``Code/general``.
    ///   - underlying: The error that caused this one.
    public init(_ message: String, code: Code = .general, underlying: (any Error)? = nil) {
        self.message = message
        self.code = code
        self.underlying = underlying
    }

    /// The message, followed by the underlying error's description when there is one.
    public var description: String {
        describe(message, underlying)
    }
}

/// Renders `message` and, if present, `: caused by <underlying>`.
func describe(_ message: String, _ underlying: (any Error)?) -> String {
    guard let underlying else { return message }
    return "\(message) (caused by: \(underlying))"
}
