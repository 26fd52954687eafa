import NIOCore

// Kafka's wire primitives (see KAFKA-README.md of the message specs and the protocol guide).
// All integers are big-endian. "Compact" encodings (flexible versions, KIP-482) store lengths as
// unsigned varints of length + 1, with 0 meaning null. Every read throws on truncated input; no
// read allocates more than the bytes that are actually present.

extension ByteBuffer {
    // MARK: Fixed-width integers

    @inlinable
    public mutating func readKafkaInteger<T: FixedWidthInteger>(as: T.Type = T.self) throws -> T {
        guard let value = self.readInteger(endianness: .big, as: T.self) else {
            throw KafkaProtocolError.truncated(needed: MemoryLayout<T>.size - self.readableBytes)
        }
        return value
    }

    @inlinable
    public mutating func writeKafkaInteger<T: FixedWidthInteger>(_ value: T) {
        self.writeInteger(value, endianness: .big)
    }

    public mutating func readKafkaBool() throws -> Bool {
        try self.readKafkaInteger(as: Int8.self) != 0
    }

    public mutating func writeKafkaBool(_ value: Bool) {
        self.writeInteger(value ? Int8(1) : Int8(0))
    }

    public mutating func readKafkaFloat64() throws -> Double {
        Double(bitPattern: try self.readKafkaInteger(as: UInt64.self))
    }

    public mutating func writeKafkaFloat64(_ value: Double) {
        self.writeInteger(value.bitPattern, endianness: .big)
    }

    public mutating func readKafkaUUID() throws -> KafkaUUID {
        let most = try self.readKafkaInteger(as: UInt64.self)
        let least = try self.readKafkaInteger(as: UInt64.self)
        return KafkaUUID(mostSignificantBits: most, leastSignificantBits: least)
    }

    public mutating func writeKafkaUUID(_ value: KafkaUUID) {
        self.writeInteger(value.mostSignificantBits, endianness: .big)
        self.writeInteger(value.leastSignificantBits, endianness: .big)
    }

    // MARK: Varints

    /// Reads an unsigned LEB128 varint of at most 5 bytes (protocol lengths and tags).
    @inlinable
    public mutating func readKafkaUnsignedVarint() throws -> UInt32 {
        var result: UInt32 = 0
        var shift: UInt32 = 0
        var index = self.readerIndex
        let end = self.writerIndex
        while true {
            guard index < end else { throw KafkaProtocolError.truncated(needed: 1) }
            guard shift < 35 else { throw KafkaProtocolError.malformedVarint }
            let byte = self.getInteger(at: index, as: UInt8.self)!
            index += 1
            result |= UInt32(truncatingIfNeeded: UInt64(byte & 0x7F) << UInt64(shift))
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        self.moveReaderIndex(to: index)
        return result
    }

    @inlinable
    public mutating func writeKafkaUnsignedVarint(_ value: UInt32) {
        var value = value
        while value >= 0x80 {
            self.writeInteger(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        self.writeInteger(UInt8(value))
    }

    /// Reads an unsigned LEB128 varint of at most 10 bytes.
    @inlinable
    public mutating func readKafkaUnsignedVarlong() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var index = self.readerIndex
        let end = self.writerIndex
        while true {
            guard index < end else { throw KafkaProtocolError.truncated(needed: 1) }
            guard shift < 70 else { throw KafkaProtocolError.malformedVarint }
            let byte = self.getInteger(at: index, as: UInt8.self)!
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        self.moveReaderIndex(to: index)
        return result
    }

    @inlinable
    public mutating func writeKafkaUnsignedVarlong(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            self.writeInteger(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        self.writeInteger(UInt8(value))
    }

    /// Reads a zig-zag encoded signed varint (record fields).
    @inlinable
    public mutating func readKafkaVarint() throws -> Int32 {
        let raw = try self.readKafkaUnsignedVarint()
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    @inlinable
    public mutating func writeKafkaVarint(_ value: Int32) {
        self.writeKafkaUnsignedVarint(UInt32(bitPattern: (value << 1) ^ (value >> 31)))
    }

    /// Reads a zig-zag encoded signed varlong (record timestamps and offsets deltas).
    @inlinable
    public mutating func readKafkaVarlong() throws -> Int64 {
        let raw = try self.readKafkaUnsignedVarlong()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    @inlinable
    public mutating func writeKafkaVarlong(_ value: Int64) {
        self.writeKafkaUnsignedVarlong(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// The number of bytes `writeKafkaVarint(value)` writes.
    @inlinable
    public static func kafkaVarintSize(_ value: Int32) -> Int {
        kafkaUnsignedVarlongSize(UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31))))
    }

    /// The number of bytes `writeKafkaVarlong(value)` writes.
    @inlinable
    public static func kafkaVarlongSize(_ value: Int64) -> Int {
        kafkaUnsignedVarlongSize(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inlinable
    public static func kafkaUnsignedVarlongSize(_ value: UInt64) -> Int {
        let bits = 64 - value.leadingZeroBitCount
        return max(1, (bits + 6) / 7)
    }

    // MARK: Lengths

    /// Reads a length prefix: int16/int32 in classic encodings, unsigned varint (length + 1) in
    /// compact ones. Returns nil for null (-1).
    @inlinable
    mutating func readKafkaLength(compact: Bool, wide: Bool) throws -> Int? {
        let length: Int
        if compact {
            length = Int(try self.readKafkaUnsignedVarint()) - 1
        } else if wide {
            length = Int(try self.readKafkaInteger(as: Int32.self))
        } else {
            length = Int(try self.readKafkaInteger(as: Int16.self))
        }
        if length == -1 { return nil }
        guard length >= 0 else { throw KafkaProtocolError.invalidLength(Int64(length)) }
        return length
    }

    @inlinable
    mutating func writeKafkaLength(_ length: Int?, compact: Bool, wide: Bool) {
        let value = length ?? -1
        if compact {
            self.writeKafkaUnsignedVarint(UInt32(truncatingIfNeeded: value + 1))
        } else if wide {
            self.writeInteger(Int32(truncatingIfNeeded: value), endianness: .big)
        } else {
            self.writeInteger(Int16(truncatingIfNeeded: value), endianness: .big)
        }
    }

    // MARK: Strings

    /// Reads a `string` or nullable string. `compact` selects the flexible-version encoding.
    public mutating func readKafkaNullableString(compact: Bool) throws -> String? {
        guard let length = try self.readKafkaLength(compact: compact, wide: false) else { return nil }
        guard let bytes = self.readSlice(length: length) else {
            throw KafkaProtocolError.truncated(needed: length - self.readableBytes)
        }
        guard let string = bytes.getString(at: bytes.readerIndex, length: length),
            string.utf8.count == length
        else {
            throw KafkaProtocolError.invalidUTF8
        }
        return string
    }

    public mutating func readKafkaString(compact: Bool, field: String = "string") throws -> String {
        guard let string = try self.readKafkaNullableString(compact: compact) else {
            throw KafkaProtocolError.unexpectedNull(field: field)
        }
        return string
    }

    public mutating func writeKafkaNullableString(_ string: String?, compact: Bool) {
        guard let string else {
            self.writeKafkaLength(nil, compact: compact, wide: false)
            return
        }
        self.writeKafkaLength(string.utf8.count, compact: compact, wide: false)
        self.writeString(string)
    }

    public mutating func writeKafkaString(_ string: String, compact: Bool) {
        self.writeKafkaNullableString(string, compact: compact)
    }

    // MARK: Bytes

    /// Reads `bytes` (int32 length, or compact) as a slice of this buffer: no copy.
    public mutating func readKafkaNullableBytes(compact: Bool) throws -> ByteBuffer? {
        guard let length = try self.readKafkaLength(compact: compact, wide: true) else { return nil }
        guard let bytes = self.readSlice(length: length) else {
            throw KafkaProtocolError.truncated(needed: length - self.readableBytes)
        }
        return bytes
    }

    public mutating func readKafkaBytes(compact: Bool, field: String = "bytes") throws -> ByteBuffer {
        guard let bytes = try self.readKafkaNullableBytes(compact: compact) else {
            throw KafkaProtocolError.unexpectedNull(field: field)
        }
        return bytes
    }

    public mutating func writeKafkaNullableBytes(_ bytes: ByteBuffer?, compact: Bool) {
        guard let bytes else {
            self.writeKafkaLength(nil, compact: compact, wide: true)
            return
        }
        self.writeKafkaLength(bytes.readableBytes, compact: compact, wide: true)
        self.writeImmutableBuffer(bytes)
    }

    public mutating func writeKafkaBytes(_ bytes: ByteBuffer, compact: Bool) {
        self.writeKafkaNullableBytes(bytes, compact: compact)
    }

    // MARK: Arrays

    /// Reads an array's element count; nil for a null array. A count larger than the remaining
    /// bytes is rejected before anything is allocated (every element takes at least one byte).
    public mutating func readKafkaArrayCount(compact: Bool) throws -> Int? {
        guard let count = try self.readKafkaLength(compact: compact, wide: true) else { return nil }
        guard count <= self.readableBytes else {
            throw KafkaProtocolError.truncated(needed: count - self.readableBytes)
        }
        return count
    }

    public mutating func writeKafkaArrayCount(_ count: Int?, compact: Bool) {
        self.writeKafkaLength(count, compact: compact, wide: true)
    }

    // MARK: Tagged fields

    /// Reads a tagged-field section, calling `known` for each tag; tags it returns false for are
    /// kept in the returned list as raw bytes.
    public mutating func readKafkaTaggedFields(
        _ known: (UInt32, inout ByteBuffer) throws -> Bool
    ) throws -> [KafkaTaggedField] {
        let count = try self.readKafkaUnsignedVarint()
        guard count > 0 else { return [] }
        guard Int(count) <= self.readableBytes else {
            throw KafkaProtocolError.truncated(needed: Int(count) - self.readableBytes)
        }
        var unknown: [KafkaTaggedField] = []
        for _ in 0..<count {
            let tag = try self.readKafkaUnsignedVarint()
            let size = Int(try self.readKafkaUnsignedVarint())
            guard var data = self.readSlice(length: size) else {
                throw KafkaProtocolError.truncated(needed: size - self.readableBytes)
            }
            if try !known(tag, &data) {
                unknown.append(KafkaTaggedField(tag: tag, data: data))
            }
        }
        return unknown
    }

    /// Reads a tagged-field section, keeping every field as raw bytes.
    public mutating func readKafkaTaggedFields() throws -> [KafkaTaggedField] {
        try self.readKafkaTaggedFields { _, _ in false }
    }

    /// Writes one tagged field whose body is produced by `body` (the size prefix is computed).
    public mutating func writeKafkaTaggedField(tag: UInt32, _ body: (inout ByteBuffer) -> Void) {
        var scratch = ByteBuffer()
        body(&scratch)
        self.writeKafkaUnsignedVarint(tag)
        self.writeKafkaUnsignedVarint(UInt32(scratch.readableBytes))
        self.writeImmutableBuffer(scratch)
    }

    /// Writes raw (unknown) tagged fields unchanged.
    public mutating func writeKafkaRawTaggedField(_ field: KafkaTaggedField) {
        self.writeKafkaUnsignedVarint(field.tag)
        self.writeKafkaUnsignedVarint(UInt32(field.data.readableBytes))
        self.writeImmutableBuffer(field.data)
    }
}
