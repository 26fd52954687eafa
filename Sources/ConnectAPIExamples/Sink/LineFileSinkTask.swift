import ConnectAPI

/// Appends each record's value to a file as one line, and makes the lines durable before the runtime
/// commits their offsets.
///
/// - ``put(_:)`` renders the values with ``line(for:)`` and appends the batch's lines with one write;
///   records it cannot render go to the errant record reporter (dead letter queue or error log).
/// - ``flush(currentOffsets:)``, which the default `preCommit` calls before every offset commit,
///   fsyncs the file, so a committed offset never covers a line that a crash could still lose.
/// - The file is opened by the first write and closed when the task loses its last partition or stops.
///
/// Delivery is at least once, as with every sink that cannot store offsets with its data: after a
/// crash, the records since the last commit are delivered and appended again.
public actor LineFileSinkTask: SinkTask {
    public static let version = LineFileSinkConnector.version

    private var context: (any SinkTaskContext)?
    private var config: LineFileSinkConfig?
    private var file: AppendOnlyFile?
    private var assigned: Set<TopicPartition> = []

    public init() {}

    /// Keeps the context: it sets the redelivery timeout and holds the errant record reporter.
    public func initialize(context: any SinkTaskContext) async {
        self.context = context
    }

    /// Parses the configuration; the file is opened by the first write.
    public func start(configs: [String: String]) async throws {
        config = try LineFileSinkConfig(configs)
    }

    // snippet.sink-put
    /// Appends one line per record, the whole batch with one write.
    /// - Throws: ``RetriableError`` when the file cannot be opened or written: the runtime pauses the
    ///   partitions, waits `retry.backoff.ms` and delivers the same batch again. Any other error
    ///   fails the task.
    public func put(_ records: [SinkRecord]) async throws {
        guard let config else { throw ConnectError("put(_:) called before start(configs:)") }
        var lines = ""
        var unwritable: [(record: SinkRecord, error: DataError)] = []
        for record in records {
            do {
                lines += try Self.line(for: record.value) + "\n"
            } catch {
                unwritable.append((record, error))
            }
        }
        if !lines.isEmpty {
            do {
                try openedFile(config).append(Array(lines.utf8))
            } catch {
                closeFile()  // the next attempt reopens it
                context?.timeout(config.retryBackoffMillis)
                throw RetriableError("Cannot append to \(config.file)", underlying: error)
            }
        }
        // Reported only once the batch is written, so a redelivered batch is not reported twice.
        for (record, error) in unwritable {
            try await report(record, error)
        }
    }
    // snippet.end

    // snippet.sink-render
    /// The line for a value: text as it is, bytes decoded as UTF-8, anything else as Kafka's
    /// `String.valueOf` prints it (`42`, `true`, `Struct{id=1}`, `null` for a tombstone).
    /// - Throws: ``DataError`` for bytes that are not UTF-8, and for text with a line break, which
    ///   would not read back as one record.
    public static func line(for value: ConnectValue) throws(DataError) -> String {
        let text: String
        if case .bytes(let bytes) = value {
            guard let decoded = String(validating: bytes, as: UTF8.self) else {
                throw DataError("Value is not UTF-8 text (\(bytes.count) bytes)")
            }
            text = decoded
        } else {
            text = value.description
        }
        guard !text.contains(where: \.isNewline) else {
            throw DataError("Value contains a line break and would not read back as one line")
        }
        return text
    }
    // snippet.end

    // snippet.sink-errant
    /// Hands a record the task cannot write to the runtime's error handling: the dead letter queue
    /// and/or the error log, under the connector's `errors.tolerance`. Without a reporter (neither is
    /// configured), the task fails rather than drop the record silently.
    private func report(_ record: SinkRecord, _ error: DataError) async throws {
        guard let reporter = context?.errantRecordReporter else {
            throw ConnectError(
                "Cannot write the record at offset \(record.originalKafkaOffset) of \(record.originalTopicPartition)",
                underlying: error
            )
        }
        try await reporter.report(record, error: error)
    }
    // snippet.end

    // snippet.sink-flush
    /// Makes every line appended so far durable. The default `preCommit(currentOffsets:)` calls this,
    /// then returns `currentOffsets` for the runtime to commit; if this throws, the commit is skipped
    /// and the records since the last commit are delivered again.
    public func flush(currentOffsets: [TopicPartition: OffsetAndMetadata]) async throws {
        try file?.synchronize()
    }
    // snippet.end

    // snippet.sink-open-close
    /// Partitions assigned to the task; their records are delivered from now on.
    public func open(partitions: [TopicPartition]) async throws {
        assigned.formUnion(partitions)
    }

    /// Partitions taken away: revoked (after the runtime's final commit for them) or lost. Their lines
    /// are already in the file; the file is closed once the task has no partition left.
    public func close(partitions: [TopicPartition]) async throws {
        assigned.subtract(partitions)
        if assigned.isEmpty { closeFile() }
    }

    public func stop() async {
        closeFile()
    }
    // snippet.end

    private func openedFile(_ config: LineFileSinkConfig) throws -> AppendOnlyFile {
        if let file { return file }
        let opened = try AppendOnlyFile(path: config.file)
        file = opened
        return opened
    }

    /// Closes the file after a best-effort fsync: lines that do not make it were not committed either,
    /// and will be delivered again.
    private func closeFile() {
        try? file?.synchronize()
        file?.close()
        file = nil
    }
}
