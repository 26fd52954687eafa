import ConnectAPI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends each record's value as a line, as Kafka's `FileStreamSinkTask`: the value rendered like
/// Java's `String.valueOf` (``ConnectValue/description``: `null`, `Struct{…}`, `{k=v}`, …) followed by
/// `\n`, in UTF-8. The file is created if absent and opened for appending (`O_APPEND`, so several
/// tasks never overwrite each other's lines); without `file` the lines go to standard output.
/// ``flush(currentOffsets:)`` fsyncs the file (Kafka only flushes its stream buffer), so a committed
/// offset never covers a line a crash could still lose.
public actor FileStreamSinkTask: SinkTask {
    public static let version = FileStreamConfig.version

    private var config: FileStreamSinkConfig?
    private var descriptor: Int32 = -1

    public init() {}

    /// Parses the configuration and opens the file.
    /// - Throws: ``ConnectError`` if the file cannot be opened.
    public func start(configs: [String: String]) async throws {
        let config = try FileStreamSinkConfig(configs)
        self.config = config
        guard let file = config.file else {
            descriptor = STDOUT_FILENO
            return
        }
        let opened = openFile(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard opened >= 0 else {
            throw ConnectError(
                "Couldn't find or create file '\(file)' for FileStreamSinkTask",
                underlying: FileError(operation: "open", path: file, errno: errno)
            )
        }
        descriptor = opened
    }

    /// Writes one line per record, the whole batch with one write.
    /// - Throws: ``ConnectError`` if the write fails (the task fails, as in Kafka).
    public func put(_ records: [SinkRecord]) async throws {
        guard descriptor >= 0 else { throw ConnectError("put(_:) called before start(configs:)") }
        var bytes: [UInt8] = []
        for record in records {
            bytes.append(contentsOf: record.value.description.utf8)
            bytes.append(UInt8(ascii: "\n"))
        }
        try writeAll(bytes)
    }

    /// Makes the lines written so far durable (`fsync`; nothing for standard output).
    public func flush(currentOffsets: [TopicPartition: OffsetAndMetadata]) async throws {
        guard descriptor >= 0, descriptor != STDOUT_FILENO else { return }
        guard fsync(descriptor) == 0 else {
            throw ConnectError(
                "Cannot flush the sink file",
                underlying: FileError(operation: "fsync", path: config?.file ?? "", errno: errno)
            )
        }
    }

    /// Closes the file (standard output stays open).
    public func stop() async {
        if descriptor >= 0 && descriptor != STDOUT_FILENO { _ = closeDescriptor(descriptor) }
        descriptor = -1
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw ConnectError(
                    "Cannot write to the sink file",
                    underlying: FileError(operation: "write to", path: config?.file ?? "stdout", errno: errno)
                )
            }
            offset += written
        }
    }
}
