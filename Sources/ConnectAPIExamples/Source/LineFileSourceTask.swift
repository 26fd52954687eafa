import ConnectAPI
import Foundation

/// Reads the lines of one file and returns them as records, resuming after the last committed line.
///
/// - Source partition `{"filename": <file>}`, source offset `{"position": <byte offset after the line>}`.
/// - Each record's value is the line as a `string` with ``Schema/string``; there is no key, and the
///   producer sets the timestamp.
/// - A missing file is waited for; lines appended later are picked up by later polls.
public actor LineFileSourceTask: SourceTask {
    public static let version = LineFileSourceConnector.version
    /// The source partition's key, whose value is the file's path.
    public static let filenameKey = "filename"
    /// The source offset's key, whose value is the byte position after the line.
    public static let positionKey = "position"

    private var context: (any SourceTaskContext)?
    private var config: LineFileSourceConfig?
    private var reader: LineReader?
    /// Where reading (re)starts: after the last line returned; `nil` until the committed offset is read.
    private var resumePosition: Int64?
    private var isStopped = false

    public init() {}

    // snippet.source-task-start
    /// Keeps the context: the offset storage reader tells the task where a previous run stopped.
    public func initialize(context: any SourceTaskContext) async {
        self.context = context
    }

    /// Parses the configuration; the file is opened by the first `poll()`, so that a file that does not
    /// exist yet is waited for instead of failing the task.
    public func start(configs: [String: String]) async throws {
        config = try LineFileSourceConfig(configs)
    }
    // snippet.end

    // snippet.source-poll
    /// Returns up to `batch.size` new lines. When there is none yet, or no file yet, it waits
    /// `poll.interval.ms` and returns `nil`; the runtime calls it again.
    /// - Throws: ``RetriableError`` when the file cannot be read: the runtime polls again and the task
    ///   reopens the file after the last line it returned. ``ConnectError`` when the committed offset
    ///   is unusable, which fails the task.
    public func poll() async throws -> [SourceRecord]? {
        guard let config, !isStopped else { return nil }
        let position = try await startPosition(config)
        guard !isStopped else { return nil }  // stop() may have run while the offset was being read
        var records: [SourceRecord] = []
        do {
            if let reader = try openedReader(config, at: position) {
                while records.count < config.batchSize, let line = try reader.nextLine() {
                    records.append(record(for: line, config))
                }
                resumePosition = reader.position
            }
        } catch {
            closeReader()
            throw RetriableError("Cannot read \(config.file)", underlying: error)
        }
        if records.isEmpty {
            try? await Task.sleep(for: config.pollInterval)  // ends early when the runtime cancels poll()
            return nil
        }
        return records
    }

    private func record(for line: LineReader.Line, _ config: LineFileSourceConfig) -> SourceRecord {
        SourceRecord(
            sourcePartition: [Self.filenameKey: .string(config.file)],
            sourceOffset: [Self.positionKey: .int64(line.end)],
            topic: config.topic,
            valueSchema: .string,
            value: .string(line.text)
        )
    }
    // snippet.end

    // snippet.source-resume
    /// Where reading starts: after the last line this task returned or, the first time, after the last
    /// line the runtime committed for this file (a new file starts at 0).
    private func startPosition(_ config: LineFileSourceConfig) async throws -> Int64 {
        if let resumePosition { return resumePosition }
        var position: Int64 = 0
        let partition: [String: ConnectValue] = [Self.filenameKey: .string(config.file)]
        if let offset = try await context?.offsetStorageReader.offset(for: partition) {
            // Integers come back from the offset store as int64. Anything else was not written by this
            // task, and guessing would skip or repeat data.
            guard case .int64(let committed)? = offset[Self.positionKey], committed >= 0 else {
                throw ConnectError("Offset position is the incorrect type: \(offset)")
            }
            position = committed
        }
        resumePosition = position
        return position
    }
    // snippet.end

    /// The open reader, opening the file at `position` first if needed; `nil` while there is no file.
    private func openedReader(_ config: LineFileSourceConfig, at position: Int64) throws -> LineReader? {
        if let reader { return reader }
        guard FileManager.default.fileExists(atPath: config.file) else { return nil }
        let opened = try LineReader(path: config.file, position: position)
        reader = opened
        return opened
    }

    // snippet.source-stop
    /// Closes the file. The runtime may call this while `poll()` is waiting; it also cancels that
    /// wait, so `poll()` returns promptly.
    public func stop() async {
        isStopped = true
        closeReader()
    }
    // snippet.end

    private func closeReader() {
        reader?.close()
        reader = nil
    }
}
