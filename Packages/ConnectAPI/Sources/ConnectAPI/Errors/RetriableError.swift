/// A transient failure; the runtime retries the operation (Kafka's `RetriableException`).
///
/// Thrown from `SourceTask.poll()` the batch is discarded and `poll()` is called again; thrown from
/// `SinkTask.put(_:)` the runtime pauses the assigned partitions and delivers the same batch again after
/// `SinkTaskContext.timeout(_:)` (if set). Converters and transforms may throw it to request a retry
/// under `errors.retry.timeout`.
public struct RetriableError: Error, Sendable, CustomStringConvertible {
    /// A human-readable description of the failure.
    public var message: String
    /// The error that caused this one, if any.
    public var underlying: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - message: A human-readable description of the failure.
    ///   - underlying: The error that caused this one.
    public init(_ message: String, underlying: (any Error)? = nil) {
        self.message = message
        self.underlying = underlying
    }

    /// The message, followed by the underlying error's description when there is one.
    public var description: String {
        describe(message, underlying)
    }
}
