import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for appending (`O_APPEND`): every write goes to the end of the file, so several tasks
/// appending to the same file never overwrite each other's lines.
final class AppendOnlyFile {
    private let handle: FileHandle

    /// Opens `path` for appending, creating it (mode 0644) if it does not exist.
    /// - Throws: `POSIXError` if the file cannot be opened, e.g. `ENOENT` when its directory is missing.
    init(path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// Appends bytes at the end of the file.
    func append(_ bytes: [UInt8]) throws {
        try handle.write(contentsOf: bytes)
    }

    /// Waits until everything written is on stable storage (`fsync`).
    func synchronize() throws {
        try handle.synchronize()
    }

    /// Closes the file.
    func close() {
        try? handle.close()
    }
}
