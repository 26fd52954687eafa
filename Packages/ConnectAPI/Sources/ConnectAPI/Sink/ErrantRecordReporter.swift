/// Sends a record the sink task cannot handle through the runtime's error handling (Kafka's
/// `ErrantRecordReporter`): to the dead letter queue and/or the log, under the connector's error
/// tolerance. The runtime waits for all reports of a partition before committing its offsets.
public protocol ErrantRecordReporter: Sendable {
    /// Reports a record and the error it caused; returns once the report is written.
    /// - Throws: ``ConnectError`` if the error tolerance is exceeded (with `errors.tolerance=none`,
    ///   every report); the task should let it propagate and fail.
    func report(_ record: SinkRecord, error: any Error) async throws
}
