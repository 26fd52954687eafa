import NIOCore

/// Builds one record batch (magic v2) to send in a ProduceRequest.
///
/// Records are encoded straight into one buffer behind a 61-byte header placeholder; ``build()``
/// compresses the records section if asked, patches the header (length, counts, timestamps) and
/// computes the CRC-32C once.
///
/// Offsets count from 0 (the broker assigns the real base offset); the first record's timestamp is
/// the batch's base timestamp, as in the Java producer.
public struct RecordBatchBuilder: Sendable {
    public let baseOffset: Int64
    public let compression: KafkaCompression
    /// The codec's level (nil: the codec's default, see ``KafkaCompression/compress(_:level:)``).
    public var compressionLevel: Int?
    public var producerId: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public let isTransactional: Bool
    public let isControl: Bool
    public let partitionLeaderEpoch: Int32
    public let timestampType: TimestampType

    private var buffer: ByteBuffer
    private var recordCount = 0
    private var firstTimestamp: Int64 = -1
    private var maxTimestamp: Int64 = -1
    /// A record had a key, value or header longer than an int32 can describe.
    private var hasOversizedField = false

    public init(
        baseOffset: Int64 = 0,
        compression: KafkaCompression = .none,
        producerId: Int64 = -1,
        producerEpoch: Int16 = -1,
        baseSequence: Int32 = -1,
        isTransactional: Bool = false,
        isControl: Bool = false,
        partitionLeaderEpoch: Int32 = -1,
        initialCapacity: Int = 16 * 1024,
        timestampType: TimestampType = .createTime,
        compressionLevel: Int? = nil,
        reusing recycled: ByteBuffer? = nil
    ) {
        self.baseOffset = baseOffset
        self.compression = compression
        self.compressionLevel = compressionLevel
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.isTransactional = isTransactional
        self.isControl = isControl
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.timestampType = timestampType
        // A recycled buffer (from a batch already sent) saves allocating and faulting in fresh
        // memory for every batch; if it is still shared, the first write copies it as usual.
        if var recycled {
            recycled.clear()
            recycled.reserveCapacity(max(initialCapacity, RecordBatch.Layout.records))
            self.buffer = recycled
        } else {
            self.buffer = ByteBufferAllocator().buffer(capacity: max(initialCapacity, RecordBatch.Layout.records))
        }
        self.buffer.writeRepeatingByte(0, count: RecordBatch.Layout.records)
    }

    /// The number of records appended.
    public var count: Int { recordCount }

    /// The size of the batch so far without compression (header included). For compressed batches
    /// this overestimates the final size; use it to decide when a batch is full (`batch.size`).
    public var estimatedSizeInBytes: Int { buffer.readableBytes }

    /// The size `append` would add for a record with these fields (without compression).
    public static func estimatedRecordSize(
        timestampDelta: Int64 = 0,
        offsetDelta: Int32 = 0,
        key: ByteBuffer?,
        value: ByteBuffer?,
        headers: [KafkaRecordHeader] = []
    ) -> Int {
        let body = recordBodySize(
            timestampDelta: timestampDelta,
            offsetDelta: offsetDelta,
            key: key,
            value: value,
            headers: headers
        )
        return ByteBuffer.kafkaVarintSize(Int32(truncatingIfNeeded: body)) + body
    }

    /// Appends a record; its offset delta is the number of records before it.
    public mutating func append(
        timestamp: Int64,
        key: ByteBuffer?,
        value: ByteBuffer?,
        headers: [KafkaRecordHeader] = []
    ) {
        if recordCount == 0 {
            firstTimestamp = timestamp
            maxTimestamp = timestamp
        } else if timestamp > maxTimestamp {
            maxTimestamp = timestamp
        }
        let timestampDelta = timestamp &- firstTimestamp
        let offsetDelta = Int32(truncatingIfNeeded: recordCount)
        let bodySize = Self.recordBodySize(
            timestampDelta: timestampDelta,
            offsetDelta: offsetDelta,
            key: key,
            value: value,
            headers: headers
        )
        if bodySize > Int(Int32.max) { hasOversizedField = true }
        let body = Int32(truncatingIfNeeded: bodySize)
        let totalSize = ByteBuffer.kafkaVarintSize(body) + bodySize
        recordCount += 1

        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: totalSize) { destination in
            var writer = RawWriter(base: destination.baseAddress!)
            writer.writeVarint(body)
            writer.writeByte(0)  // record attributes: unused
            writer.writeVarlong(timestampDelta)
            writer.writeVarint(offsetDelta)
            writer.writeNullableBytes(key)
            writer.writeNullableBytes(value)
            writer.writeVarint(Int32(truncatingIfNeeded: headers.count))
            for header in headers {
                writer.writeString(header.key)
                writer.writeNullableBytes(header.value)
            }
            assert(writer.position == totalSize)
            return writer.position
        }
    }

    /// The complete batch bytes: header with correct length, counts, timestamps and CRC-32C, then
    /// the (compressed) records.
    ///
    /// An empty builder gives a valid batch without records (last offset delta 0, timestamps -1).
    /// - Throws: ``KafkaProtocolError/compressionFailed(codec:reason:)``, or
    ///   ``KafkaProtocolError/corruptRecord(_:)`` if the batch would exceed the int32 size limit.
    public consuming func build() throws -> ByteBuffer {
        let headerSize = RecordBatch.Layout.records
        guard !hasOversizedField, recordCount <= Int(Int32.max) else {
            throw KafkaProtocolError.corruptRecord("record batch too large")
        }
        var output: ByteBuffer
        if compression == .none {
            // Move the buffer out so that patching the header does not copy it.
            output = self.buffer
            self.buffer = ByteBuffer()
        } else {
            let records = buffer.getSlice(
                at: buffer.readerIndex + headerSize,
                length: buffer.readableBytes - headerSize
            )!
            output = ByteBufferAllocator().buffer(capacity: headerSize + records.readableBytes / 2 + 64)
            output.writeRepeatingByte(0, count: headerSize)
            try compression.compress(records, appendingTo: &output, level: compressionLevel)
        }
        guard output.readableBytes - RecordBatch.Layout.logOverhead <= Int(Int32.max) else {
            throw KafkaProtocolError.corruptRecord("record batch too large")
        }
        try Self.patchHeader(
            &output,
            baseOffset: baseOffset,
            partitionLeaderEpoch: partitionLeaderEpoch,
            attributes: attributes,
            lastOffsetDelta: recordCount == 0 ? 0 : Int32(recordCount - 1),
            baseTimestamp: recordCount == 0 ? -1 : firstTimestamp,
            maxTimestamp: recordCount == 0 ? -1 : maxTimestamp,
            producerId: producerId,
            producerEpoch: producerEpoch,
            baseSequence: baseSequence,
            recordCount: Int32(recordCount)
        )
        return output
    }

    private var attributes: Int16 {
        var attributes = Int16(compression.rawValue)
        if timestampType == .logAppendTime { attributes |= RecordBatch.Attributes.timestampType }
        if isTransactional { attributes |= RecordBatch.Attributes.transactional }
        if isControl { attributes |= RecordBatch.Attributes.control }
        return attributes
    }

    /// Builds a control batch holding one end-transaction marker, as the transaction coordinator
    /// writes into each partition of a committed or aborted transaction.
    ///
    /// Key: int16 version 0, int16 type (0 abort, 1 commit). Value: int16 version 0, int32
    /// coordinator epoch.
    public static func endTransactionMarker(
        _ type: ControlRecordType,
        baseOffset: Int64 = 0,
        producerId: Int64,
        producerEpoch: Int16,
        coordinatorEpoch: Int32 = 0,
        timestamp: Int64,
        partitionLeaderEpoch: Int32 = -1
    ) throws -> ByteBuffer {
        var builder = RecordBatchBuilder(
            baseOffset: baseOffset,
            producerId: producerId,
            producerEpoch: producerEpoch,
            isTransactional: true,
            isControl: true,
            partitionLeaderEpoch: partitionLeaderEpoch,
            initialCapacity: 128
        )
        var value = ByteBufferAllocator().buffer(capacity: 6)
        value.writeInteger(Int16(0), endianness: .big)
        value.writeInteger(coordinatorEpoch, endianness: .big)
        builder.append(timestamp: timestamp, key: type.key, value: value)
        return try builder.build()
    }

    // MARK: - Encoding helpers

    static func recordBodySize(
        timestampDelta: Int64,
        offsetDelta: Int32,
        key: ByteBuffer?,
        value: ByteBuffer?,
        headers: [KafkaRecordHeader]
    ) -> Int {
        var size = 1 + ByteBuffer.kafkaVarlongSize(timestampDelta) + ByteBuffer.kafkaVarintSize(offsetDelta)
        size += nullableBytesSize(key)
        size += nullableBytesSize(value)
        size += ByteBuffer.kafkaVarintSize(Int32(truncatingIfNeeded: headers.count))
        for header in headers {
            let keyLength = header.key.utf8.count
            size += ByteBuffer.kafkaVarintSize(Int32(truncatingIfNeeded: keyLength)) + keyLength
            size += nullableBytesSize(header.value)
        }
        return size
    }

    @inline(__always)
    static func nullableBytesSize(_ bytes: ByteBuffer?) -> Int {
        guard let bytes else { return 1 }
        return ByteBuffer.kafkaVarintSize(Int32(truncatingIfNeeded: bytes.readableBytes)) + bytes.readableBytes
    }

    /// Writes the header fields into the 61-byte placeholder at the reader index of `batch`
    /// (which holds the complete batch) and computes the CRC.
    static func patchHeader(
        _ batch: inout ByteBuffer,
        baseOffset: Int64,
        partitionLeaderEpoch: Int32,
        attributes: Int16,
        lastOffsetDelta: Int32,
        baseTimestamp: Int64,
        maxTimestamp: Int64,
        producerId: Int64,
        producerEpoch: Int16,
        baseSequence: Int32,
        recordCount: Int32
    ) throws {
        let layout = RecordBatch.Layout.self
        let start = batch.readerIndex
        batch.setInteger(baseOffset, at: start + layout.baseOffset, endianness: .big)
        batch.setInteger(
            Int32(batch.readableBytes - layout.logOverhead),
            at: start + layout.batchLength,
            endianness: .big
        )
        batch.setInteger(partitionLeaderEpoch, at: start + layout.partitionLeaderEpoch, endianness: .big)
        batch.setInteger(Int8(2), at: start + layout.magic)
        batch.setInteger(attributes, at: start + layout.attributes, endianness: .big)
        batch.setInteger(lastOffsetDelta, at: start + layout.lastOffsetDelta, endianness: .big)
        batch.setInteger(baseTimestamp, at: start + layout.baseTimestamp, endianness: .big)
        batch.setInteger(maxTimestamp, at: start + layout.maxTimestamp, endianness: .big)
        batch.setInteger(producerId, at: start + layout.producerId, endianness: .big)
        batch.setInteger(producerEpoch, at: start + layout.producerEpoch, endianness: .big)
        batch.setInteger(baseSequence, at: start + layout.baseSequence, endianness: .big)
        batch.setInteger(recordCount, at: start + layout.recordCount, endianness: .big)
        let crc = batch.withUnsafeReadableBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[layout.attributes...]))
        }
        batch.setInteger(crc, at: start + layout.crc, endianness: .big)
    }
}

/// Writes record fields straight into memory whose size was computed beforehand.
struct RawWriter {
    let base: UnsafeMutableRawPointer
    var position = 0

    @inline(__always)
    mutating func writeByte(_ byte: UInt8) {
        base.storeBytes(of: byte, toByteOffset: position, as: UInt8.self)
        position &+= 1
    }

    @inline(__always)
    mutating func writeUnsignedVarlong(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            writeByte(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        writeByte(UInt8(value))
    }

    @inline(__always)
    mutating func writeVarint(_ value: Int32) {
        writeUnsignedVarlong(UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31))))
    }

    @inline(__always)
    mutating func writeVarlong(_ value: Int64) {
        writeUnsignedVarlong(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    // The copies below capture only local values in their closures (not the writer itself), so
    // that no dynamic exclusivity checks are needed.

    @inline(__always)
    mutating func writeNullableBytes(_ bytes: ByteBuffer?) {
        guard let bytes else {
            writeVarint(-1)
            return
        }
        writeVarint(Int32(truncatingIfNeeded: bytes.readableBytes))
        let destination = base + position
        let written = bytes.withUnsafeReadableBytes { source in
            if let start = source.baseAddress, source.count > 0 {
                destination.copyMemory(from: start, byteCount: source.count)
            }
            return source.count
        }
        position &+= written
    }

    /// A varint length and the UTF-8 bytes.
    @inline(__always)
    mutating func writeString(_ string: String) {
        var string = string
        let length = string.utf8.count
        writeVarint(Int32(truncatingIfNeeded: length))
        let destination = base + position
        string.withUTF8 { utf8 in
            if let start = utf8.baseAddress, utf8.count > 0 {
                destination.copyMemory(from: start, byteCount: utf8.count)
            }
        }
        position &+= length
    }
}
