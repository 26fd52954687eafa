import NIOCore

/// A Kafka record batch (magic v2): the header fields and the decoded records.
///
/// Wire layout (all integers big-endian), 61 bytes of header followed by the records:
///
///     baseOffset int64, batchLength int32 (bytes after this field), partitionLeaderEpoch int32,
///     magic int8 (2), crc uint32 (CRC-32C of everything after it), attributes int16,
///     lastOffsetDelta int32, baseTimestamp int64, maxTimestamp int64, producerId int64,
///     producerEpoch int16, baseSequence int32, recordCount int32, records
///
/// Attributes: bits 0-2 compression, bit 3 timestamp type (1 = log append time), bit 4
/// transactional, bit 5 control, bit 6 delete horizon set. Compression covers the records only.
public struct RecordBatch: Sendable {
    public var baseOffset: Int64
    public var partitionLeaderEpoch: Int32
    public var compression: KafkaCompression
    public var timestampType: TimestampType
    public var isTransactional: Bool
    public var isControl: Bool
    /// Bit 6 of the attributes: `baseTimestamp` is the delete horizon of a compacted batch.
    public var hasDeleteHorizon: Bool
    public var lastOffsetDelta: Int32
    public var baseTimestamp: Int64
    public var maxTimestamp: Int64
    public var producerId: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var records: [Record]
    /// The size of the batch on the wire (12-byte offset and length prefix included).
    public var sizeInBytes: Int

    public var lastOffset: Int64 { baseOffset &+ Int64(lastOffsetDelta) }
    /// The offset after this batch: where the next fetch continues.
    public var nextOffset: Int64 { lastOffset &+ 1 }

    /// For a control batch, the type of its (first) control record; nil for data batches and for
    /// control records other than transaction markers.
    public var controlType: ControlRecordType? {
        guard isControl, let first = records.first else { return nil }
        return ControlRecordType(key: first.key)
    }

    public init(
        baseOffset: Int64,
        partitionLeaderEpoch: Int32 = -1,
        compression: KafkaCompression = .none,
        timestampType: TimestampType = .createTime,
        isTransactional: Bool = false,
        isControl: Bool = false,
        hasDeleteHorizon: Bool = false,
        lastOffsetDelta: Int32,
        baseTimestamp: Int64,
        maxTimestamp: Int64,
        producerId: Int64 = -1,
        producerEpoch: Int16 = -1,
        baseSequence: Int32 = -1,
        records: [Record],
        sizeInBytes: Int = 0
    ) {
        self.baseOffset = baseOffset
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.compression = compression
        self.timestampType = timestampType
        self.isTransactional = isTransactional
        self.isControl = isControl
        self.hasDeleteHorizon = hasDeleteHorizon
        self.lastOffsetDelta = lastOffsetDelta
        self.baseTimestamp = baseTimestamp
        self.maxTimestamp = maxTimestamp
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.records = records
        self.sizeInBytes = sizeInBytes
    }

    /// Overwrites the base offset of the batch at the reader index of `batch` (what a broker does
    /// when it appends a produced batch). The base offset is outside the CRC, so the batch stays valid.
    public static func setBaseOffset(_ baseOffset: Int64, inBatch batch: inout ByteBuffer) {
        batch.setInteger(baseOffset, at: batch.readerIndex + Layout.baseOffset, endianness: .big)
    }

    /// Overwrites the partition leader epoch of the batch at the reader index of `batch` (outside the CRC).
    public static func setPartitionLeaderEpoch(_ epoch: Int32, inBatch batch: inout ByteBuffer) {
        batch.setInteger(epoch, at: batch.readerIndex + Layout.partitionLeaderEpoch, endianness: .big)
    }
}

extension RecordBatch {
    /// Byte offsets of the v2 batch header fields.
    enum Layout {
        static let baseOffset = 0
        static let batchLength = 8
        static let partitionLeaderEpoch = 12
        static let magic = 16
        static let crc = 17
        static let attributes = 21
        static let lastOffsetDelta = 23
        static let baseTimestamp = 27
        static let maxTimestamp = 35
        static let producerId = 43
        static let producerEpoch = 51
        static let baseSequence = 53
        static let recordCount = 57
        static let records = 61
        /// baseOffset + batchLength: the bytes before those that batchLength counts.
        static let logOverhead = 12
        /// The smallest batchLength a v2 batch can have (no records).
        static let minimumBatchLength = records - logOverhead
    }

    enum Attributes {
        static let compressionMask: Int16 = 0x07
        static let timestampType: Int16 = 0x08
        static let transactional: Int16 = 0x10
        static let control: Int16 = 0x20
        static let deleteHorizon: Int16 = 0x40
    }

    /// Decodes one complete v2 batch: `batch` holds exactly the batch bytes (the 12-byte prefix
    /// included) and its magic byte has been checked.
    static func decode(batch: ByteBuffer, maximumDecompressedSize: Int, verifyCRC: Bool) throws -> RecordBatch {
        let start = batch.readerIndex
        let size = batch.readableBytes
        func int<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
            batch.getInteger(at: start + offset, endianness: .big, as: T.self)!  // size >= 61 was checked
        }

        if verifyCRC {
            let stored = int(Layout.crc, UInt32.self)
            let computed = batch.withUnsafeReadableBytes {
                CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[Layout.attributes...]))
            }
            guard stored == computed else {
                throw KafkaProtocolError.crcMismatch(expected: stored, actual: computed)
            }
        }

        let attributes = int(Layout.attributes, Int16.self)
        let compressionID = Int(attributes & Attributes.compressionMask)
        guard let compression = KafkaCompression(rawValue: compressionID) else {
            throw KafkaProtocolError.unknownCompression(compressionID)
        }
        let timestampType: TimestampType =
            attributes & Attributes.timestampType != 0 ? .logAppendTime : .createTime
        let baseOffset = int(Layout.baseOffset, Int64.self)
        let baseTimestamp = int(Layout.baseTimestamp, Int64.self)
        let maxTimestamp = int(Layout.maxTimestamp, Int64.self)
        let recordCount = int(Layout.recordCount, Int32.self)
        guard recordCount >= 0 else {
            throw KafkaProtocolError.corruptRecord("negative record count \(recordCount)")
        }

        var records: [Record] = []
        if recordCount > 0 {
            var section = batch.getSlice(at: start + Layout.records, length: size - Layout.records)!
            if compression != .none {
                section = try compression.decompress(section, maximumSize: maximumDecompressedSize)
            }
            records = try decodeRecords(
                section,
                count: Int(recordCount),
                baseOffset: baseOffset,
                baseTimestamp: baseTimestamp,
                logAppendTime: timestampType == .logAppendTime ? maxTimestamp : nil
            )
        } else if compression == .none && size > Layout.records {
            throw KafkaProtocolError.corruptRecord("\(size - Layout.records) bytes after the last of 0 records")
        }

        return RecordBatch(
            baseOffset: baseOffset,
            partitionLeaderEpoch: int(Layout.partitionLeaderEpoch, Int32.self),
            compression: compression,
            timestampType: timestampType,
            isTransactional: attributes & Attributes.transactional != 0,
            isControl: attributes & Attributes.control != 0,
            hasDeleteHorizon: attributes & Attributes.deleteHorizon != 0,
            lastOffsetDelta: int(Layout.lastOffsetDelta, Int32.self),
            baseTimestamp: baseTimestamp,
            maxTimestamp: maxTimestamp,
            producerId: int(Layout.producerId, Int64.self),
            producerEpoch: int(Layout.producerEpoch, Int16.self),
            baseSequence: int(Layout.baseSequence, Int32.self),
            records: records,
            sizeInBytes: size
        )
    }

    /// The fewest bytes a record can take: length, attributes, timestamp delta, offset delta,
    /// key length, value length and header count, one byte each.
    static let minimumRecordSize = 7

    /// Decodes `count` records that must fill `section` exactly. Keys and values are slices of
    /// `section`.
    static func decodeRecords(
        _ section: ByteBuffer,
        count: Int,
        baseOffset: Int64,
        baseTimestamp: Int64,
        logAppendTime: Int64?
    ) throws -> [Record] {
        guard count <= section.readableBytes / minimumRecordSize else {
            throw KafkaProtocolError.corruptRecord(
                "record count \(count) does not fit in \(section.readableBytes) bytes"
            )
        }
        return try section.withUnsafeReadableBytes { bytes in
            var cursor = RecordCursor(bytes: bytes, position: 0, end: bytes.count)
            // Records are built in place; `count` is bounded by the bytes present (checked above).
            return try [Record](unsafeUninitializedCapacity: count) { storage, initialized in
                for index in 0..<count {
                    let length = Int(try cursor.readVarint())
                    guard length >= minimumRecordSize - 1, length <= cursor.end - cursor.position else {
                        throw KafkaProtocolError.corruptRecord(
                            "record length \(length) with \(cursor.end - cursor.position) bytes left"
                        )
                    }
                    let recordEnd = cursor.position + length
                    var record = RecordCursor(bytes: bytes, position: cursor.position, end: recordEnd)
                    _ = try record.readByte()  // attributes: unused
                    let timestampDelta = try record.readVarlong()
                    let offsetDelta = try record.readVarint()
                    let key = try record.readNullableBytes(of: section, field: "key")
                    let value = try record.readNullableBytes(of: section, field: "value")
                    let headers = try record.readHeaders(of: section)
                    guard record.position == recordEnd else {
                        throw KafkaProtocolError.corruptRecord(
                            "record declared \(length) bytes but used \(length - (recordEnd - record.position))"
                        )
                    }
                    cursor.position = recordEnd
                    let decoded = Record(
                        offset: baseOffset &+ Int64(offsetDelta),
                        timestamp: logAppendTime ?? (baseTimestamp &+ timestampDelta),
                        key: consume key,
                        value: consume value,
                        headers: consume headers
                    )
                    storage.initializeElement(at: index, to: consume decoded)
                    initialized = index + 1
                }
                guard cursor.position == cursor.end else {
                    throw KafkaProtocolError.corruptRecord(
                        "\(cursor.end - cursor.position) bytes after the last of \(count) records"
                    )
                }
            }
        }
    }
}

/// Reads record fields straight from memory, bounded by `end` (the end of the current record or
/// section). Every read is bounds-checked and throws ``KafkaProtocolError/corruptRecord(_:)``.
struct RecordCursor {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    let end: Int

    @inline(__always)
    mutating func readByte() throws -> UInt8 {
        guard position < end else { throw Self.overrun }
        let byte = bytes[position]
        position &+= 1
        return byte
    }

    /// Skips `length` bytes (length >= 0) and returns where they start.
    @inline(__always)
    mutating func skip(_ length: Int) throws -> Int {
        guard length <= end &- position else { throw Self.overrun }
        let start = position
        position &+= length
        return start
    }

    /// A zig-zag varint of at most 5 bytes (bits beyond 32 are dropped, as in Kafka's ByteUtils).
    @inline(__always)
    mutating func readVarint() throws -> Int32 {
        let first = try readByte()
        if first < 0x80 {
            let raw = UInt32(first)
            return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
        }
        var raw = UInt32(first & 0x7F)
        var shift: UInt32 = 7
        while true {
            let byte = try readByte()
            raw |= UInt32(truncatingIfNeeded: UInt64(byte & 0x7F) << UInt64(shift))
            if byte < 0x80 { break }
            shift += 7
            guard shift < 35 else { throw KafkaProtocolError.malformedVarint }
        }
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// A zig-zag varlong of at most 10 bytes.
    @inline(__always)
    mutating func readVarlong() throws -> Int64 {
        let first = try readByte()
        if first < 0x80 {
            let raw = UInt64(first)
            return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
        }
        var raw = UInt64(first & 0x7F)
        var shift: UInt64 = 7
        while true {
            let byte = try readByte()
            raw |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
            guard shift < 70 else { throw KafkaProtocolError.malformedVarint }
        }
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// A varint length (-1: null) and that many bytes, as a slice of `source`, whose readable
    /// bytes are the memory this cursor reads.
    @inline(__always)
    mutating func readNullableBytes(of source: ByteBuffer, field: StaticString) throws -> ByteBuffer? {
        let length = Int(try readVarint())
        guard length >= 0 else {
            guard length == -1 else { throw KafkaProtocolError.corruptRecord("invalid \(field) length \(length)") }
            return nil
        }
        let position = try skip(length)
        guard let slice = source.getSlice(at: source.readerIndex + position, length: length) else {
            throw Self.overrun
        }
        return slice
    }

    /// A record's header count and headers.
    @inline(__always)
    mutating func readHeaders(of source: ByteBuffer) throws -> [KafkaRecordHeader] {
        // Fast path: no headers (a single zero byte).
        if position < end && bytes[position] == 0 {
            position &+= 1
            return []
        }
        return try readHeadersSlowPath(of: source)
    }

    @inline(never)
    mutating func readHeadersSlowPath(of source: ByteBuffer) throws -> [KafkaRecordHeader] {
        let count = Int(try readVarint())
        if count == 0 { return [] }
        // Each header takes at least two bytes (key length and value length).
        guard count > 0, count <= (end - position) / 2 else {
            throw KafkaProtocolError.corruptRecord("invalid header count \(count)")
        }
        var headers: [KafkaRecordHeader] = []
        headers.reserveCapacity(count)
        for _ in 0..<count {
            let keyLength = Int(try readVarint())
            guard keyLength >= 0 else {
                throw KafkaProtocolError.corruptRecord("invalid header key length \(keyLength)")
            }
            let keyPosition = try skip(keyLength)
            // Invalid UTF-8 is repaired (U+FFFD), as Java's decoder does.
            let key = String(
                decoding: UnsafeRawBufferPointer(rebasing: bytes[keyPosition..<(keyPosition + keyLength)]),
                as: UTF8.self
            )
            let value = try readNullableBytes(of: source, field: "header value")
            headers.append(KafkaRecordHeader(key: key, value: value))
        }
        return headers
    }

    static let overrun = KafkaProtocolError.corruptRecord("record field extends past the record")
}
