import Foundation

/// Reads complete lines from a file and tracks, in bytes, where the next line starts.
///
/// Lines end with `\n`, `\r\n` or `\r`, as in Kafka's FileStream source; a `\r` at the end of the data
/// read so far waits for the next byte, which decides between `\r` and `\r\n`. A last line without a
/// terminator is not returned until it gets one (the writer may still be writing it).
///
/// Positions count bytes, so resuming with `seek(toOffset:)` lands exactly after the last line
/// returned, whatever the text's encoding. (Kafka's FileStream counts UTF-16 code units but resumes by
/// skipping bytes, which goes wrong on non-ASCII text.)
final class LineReader {
    /// A complete line and the file position just after its terminator.
    struct Line {
        /// The line without its terminator, decoded as UTF-8 (invalid bytes become U+FFFD).
        var text: String
        /// Where the next line starts: the offset to resume from once this line is committed.
        var end: Int64
    }

    private static let chunkSize = 64 * 1024
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    private let handle: FileHandle
    /// Bytes read but not yet returned as lines; `buffer[start...]` is pending.
    private var buffer: [UInt8] = []
    private var start = 0
    /// The file position of `buffer[start]`: the end of the last line returned.
    private(set) var position: Int64

    /// Opens `path` and positions it at `position`.
    /// - Throws: The file system's error if the file cannot be opened or positioned.
    init(path: String, position: Int64) throws {
        handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        do {
            try handle.seek(toOffset: UInt64(position))
        } catch {
            try? handle.close()
            throw error
        }
        self.position = position
    }

    /// The next complete line, reading more of the file as needed; `nil` when the data available so far
    /// holds no complete line.
    /// - Throws: The file system's error if reading fails.
    func nextLine() throws -> Line? {
        while true {
            if let line = extractLine() { return line }
            guard let chunk = try handle.read(upToCount: Self.chunkSize), !chunk.isEmpty else { return nil }
            buffer.removeFirst(start)
            start = 0
            buffer.append(contentsOf: chunk)
        }
    }

    /// Closes the file.
    func close() {
        try? handle.close()
    }

    private func extractLine() -> Line? {
        guard
            let terminator = buffer[start...].firstIndex(where: {
                $0 == Self.lineFeed || $0 == Self.carriageReturn
            })
        else { return nil }
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
