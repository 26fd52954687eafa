import NIOCore

/// Why bytes from the wire could not be understood.
///
/// Every decoder in this module reports malformed or truncated input with one of these values and
/// never traps, so a broken or hostile peer cannot crash the process.
public enum KafkaProtocolError: Error, Hashable, Sendable {
    /// The buffer ended before the value that was being read (`needed` more bytes were expected).
    case truncated(needed: Int)
    /// A varint ran over its maximum length.
    case malformedVarint
    /// A length or count was negative where only null (-1) or a non-negative value is allowed.
    case invalidLength(Int64)
    /// A string was not valid UTF-8.
    case invalidUTF8
    /// A frame's length prefix exceeds the configured maximum.
    case frameTooLarge(size: Int, maximum: Int)
    /// A message was asked for a version its spec does not define.
    case unsupportedVersion(api: String, version: Int16)
    /// A non-nullable field got null on the wire, or a null was to be written where the version forbids it.
    case unexpectedNull(field: String)
    /// A record batch's stored CRC-32C does not match its content.
    case crcMismatch(expected: UInt32, actual: UInt32)
    /// A record batch used a magic byte this client does not read.
    case unsupportedMagic(Int8)
    /// A record batch named a compression codec that does not exist.
    case unknownCompression(Int)
    /// A compressed payload could not be decompressed.
    case decompressionFailed(codec: String, reason: String)
    /// Compression of a payload failed.
    case compressionFailed(codec: String, reason: String)
    /// A record or batch is internally inconsistent (lengths or counts that do not add up).
    case corruptRecord(String)
}
