import ConnectAPI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads lines of one file (or standard input) as Kafka's `FileStreamSourceTask` does.
///
/// - Records: no key, value schema `STRING`, the line as value, the wall-clock time as timestamp.
/// - Source partition `{"filename": <file>}`, offset `{"position": <byte offset after the line>}`;
///   standard input has neither (nothing is committed).
/// - The first poll resumes after the committed position; a position that is not an integer fails the
///   task (`Offset position is the incorrect type`). A missing file is waited for, data appended later
///   is read by later polls; a poll returns at most `batch.size` lines and, when there is none, waits
///   one second (ended early by ``stop()`` or cancellation) and returns `nil`.
public actor FileStreamSourceTask: SourceTask {
    public static let version = FileStreamConfig.version
    /// The source partition's key, whose value is the file name.
    public static let filenameField = "filename"
    /// The source offset's key, whose value is the byte position after the line.
    public static let positionField = "position"

    private let idleWait: Duration
    private var context: (any SourceTaskContext)?
    private var config: FileStreamSourceConfig?
    private var reader: LineReader?
    /// Where reading (re)starts; `nil` until the committed offset is read.
    private var resumePosition: Int64?
    private var isStopped = false
    private var sourcePartition: [String: ConnectValue]?

    public init() {
        self.init(idleWait: .seconds(1))
    }

    /// A task that waits `idleWait` (instead of Kafka's one second) when there is no data.
    init(idleWait: Duration) {
        self.idleWait = idleWait
    }

    public func initialize(context: any SourceTaskContext) async {
        self.context = context
    }

    /// Parses the configuration; the file is opened by the first poll, so that a file that does not
    /// exist yet is waited for.
    public func start(configs: [String: String]) async throws {
        config = try FileStreamSourceConfig(configs)
        sourcePartition = nil
        isStopped = false
    }

    /// Up to `batch.size` new lines, or `nil` after waiting when there are none.
    /// - Throws: ``RetriableError`` when the file cannot be read (the next poll reopens it after the last
    ///   line returned); ``ConnectError`` when the committed offset is unusable.
    public func poll() async throws -> [SourceRecord]? {
        guard let config, !isStopped else { return nil }
        var records: [SourceRecord] = []
        if let reader = try await openedReader(config) {
            do {
                while records.count < config.batchSize, let line = try reader.nextLine() {
                    records.append(record(line, config))
                }
                resumePosition = reader.position
            } catch {
                closeReader()
                throw RetriableError("Error while trying to read from \(config.file ?? "stdin")", underlying: error)
            }
        }
        if records.isEmpty {
            try? await Task.sleep(for: idleWait)
            return nil
        }
        return records
    }

    private func record(_ line: LineReader.Line, _ config: FileStreamSourceConfig) -> SourceRecord {
        // One partition value shared by every record: no allocation per line, and the runtime's
        // per-partition bookkeeping compares identical storage in O(1).
        if sourcePartition == nil { sourcePartition = config.file.map { [Self.filenameField: .string($0)] } }
        let partition = sourcePartition
        let offset: [String: ConnectValue]? = config.file.map { _ in [Self.positionField: .int64(line.end)] }
        return SourceRecord(
            sourcePartition: partition,
            sourceOffset: offset,
            topic: config.topic,
            valueSchema: .string,
            value: .string(line.text),
            timestamp: wallClockMillis()
        )
    }

    /// The open reader, opening the file after the committed position first; `nil` while the file
    /// does not exist.
    private func openedReader(_ config: FileStreamSourceConfig) async throws -> LineReader? {
        if let reader { return reader }
        guard let file = config.file else {
            let stdin = LineReader(standardInput: ())
            reader = stdin
            return stdin
        }
        let position = try await startPosition(file)
        guard !isStopped else { return nil }  // stop() may have run while the offset was being read
        guard access(file, F_OK) == 0 else { return nil }
        do {
            let opened = try LineReader(path: file, position: position)
            reader = opened
            return opened
        } catch {
            throw RetriableError(
                "Couldn't find file \(file) for FileStreamSourceTask, sleeping to wait for it to be created",
                underlying: error
            )
        }
    }

    /// After the last line returned or, the first time, after the last committed line (0 if none).
    private func startPosition(_ file: String) async throws -> Int64 {
        if let resumePosition { return resumePosition }
        var position: Int64 = 0
        if let offset = try await context?.offsetStorageReader.offset(for: [Self.filenameField: .string(file)]),
            let stored = offset[Self.positionField]
        {
            guard case .int64(let committed) = stored else {
                throw ConnectError("Offset position is the incorrect type")
            }
            position = committed
        }
        resumePosition = position
        return position
    }

    /// Closes the file; a waiting poll is ended by the runtime's cancellation.
    public func stop() async {
        isStopped = true
        closeReader()
    }

    private func closeReader() {
        reader?.close()
        reader = nil
    }
}

/// Milliseconds since the Unix epoch.
func wallClockMillis() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
}
