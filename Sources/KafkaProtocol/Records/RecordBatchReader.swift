import NIOCore

/// Iterates the batches in a Fetch response's `records` bytes.
///
/// - A trailing partial batch (the broker cuts the response at the fetch size limits, so fewer
///   bytes than the 12-byte offset + length prefix, or than the declared batch length, are left) is
///   the end of the data, not an error: ``next()`` returns nil and ``partialTrailingBytes`` tells
///   how many bytes were left over. A consumer that gets no complete batch at all but leftover
///   bytes must fetch with a larger size.
/// - A complete batch that is malformed throws a ``KafkaProtocolError``: a wrong CRC-32C
///   ``KafkaProtocolError/crcMismatch(expected:actual:)``, a magic byte other than 2
///   ``KafkaProtocolError/unsupportedMagic(_:)`` (legacy message sets, magic 0 and 1, are not
///   read: topics written by brokers before 0.11 in the old format are not supported), codec bits
///   5-7 ``KafkaProtocolError/unknownCompression(_:)``, lengths or counts that do not add up
///   ``KafkaProtocolError/corruptRecord(_:)``, and a bad compressed payload
///   ``KafkaProtocolError/decompressionFailed(codec:reason:)``. After such an error the reader is
///   positioned after the bad batch, so calling ``next()`` again continues with the following one
///   (a negative batch length, after which nothing can be found, ends the data).
///
/// Records of uncompressed batches are slices of the input buffer (no copy). NIO can only slice
/// without copying below offset 16 MiB of a buffer's storage; an uncompressed batch that may
/// reach beyond that offset is copied once into its own buffer first, so that its records stay
/// cheap slices instead of being copied one by one.
public struct RecordBatchReader: Sendable {
    private var buffer: ByteBuffer
    /// The largest decompressed records section accepted for one batch.
    public let maximumDecompressedSize: Int
    /// Whether batch CRCs are checked (Kafka's `check.crcs`, true by default).
    public let verifyCRC: Bool
    /// An upper bound of the offset of `buffer`'s bytes in their storage (NIO does not expose it).
    private let storageOffsetBound: Int

    /// The bytes that were left over when ``next()`` returned nil (an incomplete last batch).
    public private(set) var partialTrailingBytes: Int = 0

    /// The bytes not read yet.
    public var remainingBytes: Int { buffer.readableBytes }

    public init(_ records: ByteBuffer, maximumDecompressedSize: Int = 64 << 20, verifyCRC: Bool = true) {
        self.buffer = records
        self.maximumDecompressedSize = maximumDecompressedSize
        self.verifyCRC = verifyCRC
        self.storageOffsetBound = records.storageCapacity - records.capacity
    }

    /// The next batch, or nil at the end of the data (including a partial trailing batch).
    public mutating func next() throws -> RecordBatch? {
        let layout = RecordBatch.Layout.self
        let available = buffer.readableBytes
        guard available >= layout.logOverhead else {
            partialTrailingBytes = available
            return nil
        }
        let start = buffer.readerIndex
        let batchLength = Int(buffer.getInteger(at: start + layout.batchLength, endianness: .big, as: Int32.self)!)
        guard batchLength >= 0 else {
            buffer.moveReaderIndex(forwardBy: available)
            throw KafkaProtocolError.corruptRecord("negative batch length \(batchLength)")
        }
        guard batchLength <= available - layout.logOverhead else {
            partialTrailingBytes = available
            return nil
        }
        let size = layout.logOverhead + batchLength
        defer { buffer.moveReaderIndex(forwardBy: size) }

        // The magic byte is at offset 16 in legacy message sets too (offset, size, crc, magic).
        guard batchLength > layout.magic - layout.logOverhead else {
            throw KafkaProtocolError.corruptRecord("batch length \(batchLength) too small")
        }
        let magic = buffer.getInteger(at: start + layout.magic, as: Int8.self)!
        guard magic == 2 else { throw KafkaProtocolError.unsupportedMagic(magic) }
        guard batchLength >= layout.minimumBatchLength else {
            throw KafkaProtocolError.corruptRecord(
                "batch length \(batchLength) below the minimum of \(layout.minimumBatchLength)"
            )
        }

        let batch: ByteBuffer
        let isUncompressed =
            buffer.getInteger(at: start + layout.attributes + 1, as: UInt8.self)! & 0x07 == 0
        if isUncompressed && storageOffsetBound + start + size > RecordBatchReader.largestCheapSliceOffset {
            // Copy once so that the record slices stay cheap (see the type's documentation).
            var copy = ByteBufferAllocator().buffer(capacity: size)
            _ = buffer.withUnsafeReadableBytes { copy.writeBytes(UnsafeRawBufferPointer(rebasing: $0[0..<size])) }
            batch = copy
        } else {
            batch = buffer.getSlice(at: start, length: size)!
        }
        return try RecordBatch.decode(
            batch: batch,
            maximumDecompressedSize: maximumDecompressedSize,
            verifyCRC: verifyCRC
        )
    }

    /// `ByteBuffer.getSlice` copies when the slice starts beyond this offset of the storage.
    static let largestCheapSliceOffset = (1 << 24) - 1
}
