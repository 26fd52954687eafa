import ConnectAPI
import Synchronization

/// Source offsets as the worker keeps them for one connector: what its tasks read through
/// `SourceTaskContext.offsetStorageReader` and what a ``SourceTaskHarness`` commits to.
///
/// Seed it to test a task that resumes; share one store between two harnesses to test a restart.
/// Values go through the same normalisation as the worker's JSON offset storage (Kafka writes
/// offsets as schemaless JSON): integers read back as ``ConnectValue/int64(_:)``, floating-point numbers
/// as ``ConnectValue/float64(_:)`` and bytes as a Base64 ``ConnectValue/string(_:)``, so a task that
/// compares `.int32(5)` with what it reads back fails here as it would in production. Partitions are
/// matched after the same normalisation (Kafka compares their serialized bytes).
///
/// ```swift
/// let offsets = InMemoryOffsetStore([["file": "a.csv"]: ["line": .int64(2)]])
/// ```
public final class InMemoryOffsetStore: OffsetStorageReader {
    private let stored: Mutex<[[String: ConnectValue]: [String: ConnectValue]]>

    /// A store holding `offsets` (normalised), keyed by source partition.
    public init(_ offsets: [[String: ConnectValue]: [String: ConnectValue]] = [:]) {
        var normalised: [[String: ConnectValue]: [String: ConnectValue]] = [:]
        for (partition, offset) in offsets {
            normalised[Self.normalise(partition)] = Self.normalise(offset)
        }
        stored = Mutex(normalised)
    }

    /// Every committed offset by source partition, as a task would read them back.
    public var committed: [[String: ConnectValue]: [String: ConnectValue]] {
        stored.withLock { $0 }
    }

    /// The committed offset of one source partition, as a task would read it back.
    public subscript(partition: [String: ConnectValue]) -> [String: ConnectValue]? {
        stored.withLock { $0[Self.normalise(partition)] }
    }

    /// Stores offsets as the worker's flush does; a `nil` offset removes the partition (a reset).
    /// - Throws: ``ConnectTestingError`` if a partition or offset holds a value Kafka cannot store
    ///   (only primitives are allowed: integers, floats, booleans, strings, bytes, null).
    public func commit(_ offsets: [[String: ConnectValue]: [String: ConnectValue]?]) throws {
        for (partition, offset) in offsets {
            try Self.checkPrimitive(partition, "Source partitions")
            if let offset { try Self.checkPrimitive(offset, "Offsets") }
        }
        stored.withLock { stored in
            for (partition, offset) in offsets {
                stored[Self.normalise(partition)] = offset.map(Self.normalise)
            }
        }
    }

    /// Removes every offset.
    public func removeAll() {
        stored.withLock { $0 = [:] }
    }

    // MARK: OffsetStorageReader

    public func offset(for partition: [String: ConnectValue]) async throws -> [String: ConnectValue]? {
        self[partition]
    }

    public func offsets(
        for partitions: [[String: ConnectValue]]
    ) async throws -> [[String: ConnectValue]: [String: ConnectValue]] {
        stored.withLock { stored in
            var result: [[String: ConnectValue]: [String: ConnectValue]] = [:]
            for partition in partitions {
                if let offset = stored[Self.normalise(partition)] { result[partition] = offset }
            }
            return result
        }
    }

    // MARK: Normalisation

    /// A map as it reads back from Kafka's schemaless JSON offset storage.
    public static func normalise(_ map: [String: ConnectValue]) -> [String: ConnectValue] {
        map.mapValues(normalise)
    }

    /// A primitive value as it reads back from schemaless JSON.
    static func normalise(_ value: ConnectValue) -> ConnectValue {
        switch value {
        case .int8(let number): .int64(Int64(number))
        case .int16(let number): .int64(Int64(number))
        case .int32(let number): .int64(Int64(number))
        // A float is written with its shortest decimal form and read back as a double.
        case .float32(let number): .float64(Double("\(number)") ?? Double(number))
        case .bytes(let bytes): .string(Base64.encode(bytes))
        default: value
        }
    }

    /// Kafka's `OffsetUtils.validateFormat`: offsets and partitions hold primitive values only.
    static func checkPrimitive(_ map: [String: ConnectValue], _ what: String) throws(ConnectTestingError) {
        for (key, value) in map.sorted(by: { $0.key < $1.key }) {
            switch value {
            case .null, .int8, .int16, .int32, .int64, .float32, .float64, .boolean, .string, .bytes:
                continue
            default:
                throw ConnectTestingError(
                    "\(what) may only contain primitive types as values, but field \(key) contains \(value.caseName)"
                )
            }
        }
    }
}

/// Padded Base64 (RFC 4648), as JsonConverter writes bytes.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
            let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            output.append(alphabet[Int(b0 >> 2)])
            output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            output.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            output.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
