#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads complete lines from a file descriptor and tracks, in bytes, where the next line starts.
///
/// Lines end with `\n`, `\r\n` or `\r`, as in Kafka's FileStream source; a `\r` at the end of the data
/// read so far waits for the next byte, which decides between `\r` and `\r\n`. A last line without a
/// terminator is not returned until it gets one (the writer may still be writing it), and data appended
/// to the file later is read by later calls.
///
/// Positions count bytes, so resuming by seeking lands exactly after the last line returned whatever
/// the text's encoding (Kafka counts UTF-16 code units but resumes by skipping bytes, which goes wrong
/// on non-ASCII text; docs/compatibility.md).
final class LineReader {
    /// A complete line and the position just after its terminator.
    struct Line: Equatable {
        /// The line without its terminator, decoded as UTF-8 (invalid bytes become U+FFFD).
        var text: String
        /// Where the next line starts: the offset to resume from once this line is committed.
        var end: Int64
    }

    private static let chunkSize = 64 * 1024
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    private var descriptor: Int32
    /// Whether the descriptor is standard input (never closed, checked for data before reading).
    private let isStandardInput: Bool
    private var buffer: [UInt8] = []
    private var start = 0
    /// The position of `buffer[start]`: the end of the last line returned.
    private(set) var position: Int64

    /// Opens `path` read-only and positions it at `position`.
    /// - Throws: ``FileError`` naming the file and the system's reason.
    init(path: String, position: Int64) throws(FileError) {
        let descriptor = openFile(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(operation: "open", path: path, errno: errno) }
        if position > 0, lseek(descriptor, off_t(position), SEEK_SET) < 0 {
            let code = errno
            _ = closeDescriptor(descriptor)
            throw FileError(operation: "seek in", path: path, errno: code)
        }
        self.descriptor = descriptor
        self.isStandardInput = false
        self.position = position
    }

    /// Reads standard input (positions then count bytes since the task started).
    init(standardInput: Void) {
        self.descriptor = STDIN_FILENO
        self.isStandardInput = true
        self.position = 0
    }

    /// The next complete line, reading more as needed; `nil` when the data available so far holds no
    /// complete line. Never blocks on standard input.
    /// - Throws: ``FileError`` if reading fails.
    func nextLine() throws(FileError) -> Line? {
        while true {
            if let line = extractLine() { return line }
            guard try readChunk() else { return nil }
        }
    }

    /// Closes the file (standard input stays open).
    func close() {
        if !isStandardInput && descriptor >= 0 {
            _ = closeDescriptor(descriptor)
        }
        descriptor = -1
    }

    deinit { close() }

    /// Appends the next chunk to the buffer; false at the end of the data available now.
    private func readChunk() throws(FileError) -> Bool {
        guard descriptor >= 0 else { return false }
        if isStandardInput && !hasInput() { return false }
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let oldCount = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: Self.chunkSize))
        var count: Int
        repeat {
            count = buffer.withUnsafeMutableBytes { bytes in
                read(descriptor, bytes.baseAddress! + oldCount, Self.chunkSize)
            }
        } while count < 0 && errno == EINTR
        buffer.removeLast(Self.chunkSize - max(count, 0))
        guard count >= 0 else { throw FileError(operation: "read", path: "", errno: errno) }
        return count > 0
    }

    /// Whether standard input has data (or end of file) to read without blocking.
    private func hasInput() -> Bool {
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&request, 1, 0) > 0
    }

    private func extractLine() -> Line? {
        // A plain loop over the bytes: `firstIndex(where:)` on the array slice cost twice as much.
        let terminator: Int? = buffer.withUnsafeBufferPointer { bytes in
            var index = start
            while index < bytes.count {
                let byte = bytes[index]
                if byte == Self.lineFeed || byte == Self.carriageReturn { return index }
                index += 1
            }
            return nil
        }
        guard let terminator else { return nil }
        var next = terminator + 1
        if buffer[terminator] == Self.carriageReturn {
            guard next < buffer.count else { return nil }
            if buffer[next] == Self.lineFeed { next += 1 }
        }
        let text = String(decoding: buffer[start..<terminator], as: UTF8.self)
        position += Int64(next - start)
        start = next
        return Line(text: text, end: position)
    }
}

/// `open(2)`, named apart from the `open`/`close` methods of tasks and readers.
func openFile(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    open(path, flags, mode)
}

/// `close(2)`, named apart from ``LineReader/close()``.
func closeDescriptor(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}

/// A file system call that failed, with the file and the system's reason.
public struct FileError: Error, Sendable, CustomStringConvertible {
    /// What was attempted (`open`, `read`, `write`, …).
    public var operation: String
    /// The file concerned.
    public var path: String
    /// The `errno` value.
    public var code: Int32

    init(operation: String, path: String, errno code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// `Cannot <operation> <path>: <strerror>`.
    public var description: String {
        let reason = String(cString: strerror(code))
        return path.isEmpty ? "Cannot \(operation): \(reason)" : "Cannot \(operation) \(path): \(reason)"
    }
}
