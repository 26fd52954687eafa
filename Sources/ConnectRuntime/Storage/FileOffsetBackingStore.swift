import ConnectAPI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Source offsets in a local file (standalone mode's `offset.storage.file.filename`, Kafka's
/// `FileOffsetBackingStore`).
///
/// The whole file is rewritten on every ``set(_:)``, atomically: a temporary file beside it is
/// written, fsynced and renamed over it, and the directory is fsynced, so a crash leaves either the
/// old or the new offsets, never a torn file. The format is our own JSON (Kafka writes Java
/// serialization, which a Swift process cannot share; docs/compatibility.md):
///
/// ```json
/// {"format":"swift-connect-offsets","version":1,"offsets":[{"key":["my-source",{"filename":"in.txt"}],"value":{"position":30}}]}
/// ```
///
/// Keys and values are the JSON Kafka's offsets topic uses. A missing file is a fresh start (no
/// offsets); an unreadable or corrupt one fails ``start()`` with an error naming the file and the fix.
public actor FileOffsetBackingStore: OffsetBackingStore {
    /// The file.
    public let path: String
    private var offsets: [OffsetKey: [String: ConnectValue]] = [:]

    static let formatName = "swift-connect-offsets"
    static let formatVersion: Int64 = 1

    /// A store in `path` (not read before ``start()``).
    public init(path: String) {
        self.path = path
    }

    /// Reads the file; a missing file means no offsets yet.
    /// - Throws: ``ConnectError`` naming the file and the fix when it cannot be read or parsed.
    public func start() async throws {
        guard let bytes = try readFile() else {
            offsets = [:]
            return
        }
        do {
            offsets = try Self.decode(bytes)
        } catch {
            throw ConnectError(
                "The offset file \(path) (offset.storage.file.filename) is corrupt: \(error). Stop the worker and "
                    + "restore the file from a backup, or move it aside to start every source connector from scratch "
                    + "(they will read their data again)."
            )
        }
    }

    public func stop() async {}

    public func get(_ keys: [OffsetKey]) async throws -> [OffsetKey: [String: ConnectValue]] {
        var result: [OffsetKey: [String: ConnectValue]] = [:]
        for key in keys { if let offset = offsets[key] { result[key] = offset } }
        return result
    }

    /// Applies the changes and rewrites the file atomically; on failure the file and the offsets in
    /// memory are unchanged.
    /// - Throws: ``ConnectError`` naming the file when it cannot be written.
    public func set(_ values: [OffsetKey: [String: ConnectValue]?]) async throws {
        var updated = offsets
        for (key, value) in values { updated[key] = value }
        try writeAtomically(try Self.encode(updated))
        offsets = updated
    }

    public func partitions(namespace: String) async throws -> [[String: ConnectValue]] {
        offsets.keys.filter { $0.namespace == namespace }.map(\.partition)
    }

    // MARK: Format

    static func encode(_ offsets: [OffsetKey: [String: ConnectValue]]) throws -> [UInt8] {
        var entries: [(key: [UInt8], value: [UInt8])] = []
        for (key, value) in offsets {
            entries.append((try OffsetJSON.encodeKey(key), try OffsetJSON.encodeMap(value)))
        }
        // Sorted so that the same offsets always give the same file.
        entries.sort { $0.key.lexicographicallyPrecedes($1.key) }
        var bytes = Array("{\"format\":\"\(formatName)\",\"version\":\(formatVersion),\"offsets\":[".utf8)
        for (index, entry) in entries.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += Array("\n{\"key\":".utf8) + entry.key + Array(",\"value\":".utf8) + entry.value
            bytes.append(UInt8(ascii: "}"))
        }
        bytes += Array("\n]}\n".utf8)
        return bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> [OffsetKey: [String: ConnectValue]] {
        let document: ConnectValue
        do {
            document = try OffsetJSON.decode(bytes)
        } catch {
            throw FormatError("not valid JSON (\(error))")
        }
        guard let root = OffsetJSON.stringMap(document) else { throw FormatError("not a JSON object") }
        guard root["format"] == .string(formatName) else {
            throw FormatError(
                "\"format\" is not \"\(formatName)\" (a file written by Kafka's Java worker cannot be read)"
            )
        }
        guard root["version"] == .int64(formatVersion) else {
            throw FormatError("unsupported \"version\" \(root["version"].map(\.description) ?? "null")")
        }
        guard case .array(let entries)? = root["offsets"] else { throw FormatError("\"offsets\" is not an array") }
        var offsets: [OffsetKey: [String: ConnectValue]] = [:]
        for (index, entry) in entries.enumerated() {
            guard let fields = OffsetJSON.stringMap(entry), case .array(let key)? = fields["key"], key.count == 2,
                case .string(let namespace) = key[0], let partition = OffsetJSON.stringMap(key[1])
            else {
                throw FormatError("entry \(index) has no key [\"<connector>\", {<source partition>}]")
            }
            guard let valueField = fields["value"], let value = OffsetJSON.stringMap(valueField) else {
                throw FormatError("entry \(index) has no value object")
            }
            offsets[OffsetKey(namespace: namespace, partition: partition)] = value
        }
        return offsets
    }

    struct FormatError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: Files

    /// The file's bytes, or `nil` if it does not exist.
    private func readFile() throws -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw ConnectError("Cannot read the offset file \(path) (offset.storage.file.filename): \(systemError())")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ConnectError("Cannot read the offset file \(path): \(systemError())")
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    /// Writes a temporary file, fsyncs it, renames it over `path` and fsyncs the directory.
    private func writeAtomically(_ bytes: [UInt8]) throws {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw writeError("create \(temporary)") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let error = writeError("write \(temporary)")
                close(descriptor)
                unlink(temporary)
                throw error
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else {
            let error = writeError("fsync \(temporary)")
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let error = writeError("rename \(temporary) to \(path)")
            unlink(temporary)
            throw error
        }
        // The rename itself is durable only once the directory is.
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    private func writeError(_ operation: String) -> ConnectError {
        ConnectError(
            "Cannot \(operation) for the offset file (offset.storage.file.filename): \(systemError()); check that "
                + "its directory exists and is writable"
        )
    }

    private func systemError() -> String {
        String(cString: strerror(errno))
    }
}
