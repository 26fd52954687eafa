import NIOCore

extension RecordBatch {
    /// Overwrites the producer id, epoch and base sequence of the complete batch at the reader
    /// index of `batch` and recomputes its CRC-32C (these fields are inside the checksum).
    ///
    /// The idempotent producer stamps a batch this way when it is first sent, since the sequence
    /// number is only known then; a retry resends the same bytes.
    public static func setProducerState(
        producerId: Int64,
        producerEpoch: Int16,
        baseSequence: Int32,
        inBatch batch: inout ByteBuffer
    ) {
        let start = batch.readerIndex
        batch.setInteger(producerId, at: start + Layout.producerId, endianness: .big)
        batch.setInteger(producerEpoch, at: start + Layout.producerEpoch, endianness: .big)
        batch.setInteger(baseSequence, at: start + Layout.baseSequence, endianness: .big)
        let crc = batch.withUnsafeReadableBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[Layout.attributes...]))
        }
        batch.setInteger(crc, at: start + Layout.crc, endianness: .big)
    }

    /// The producer id, epoch and base sequence of the complete batch at the reader index of
    /// `batch`, or nil if it is shorter than a batch header.
    public static func producerState(
        ofBatch batch: ByteBuffer
    ) -> (producerId: Int64, producerEpoch: Int16, baseSequence: Int32)? {
        let start = batch.readerIndex
        guard let producerId = batch.getInteger(at: start + Layout.producerId, endianness: .big, as: Int64.self),
            let producerEpoch = batch.getInteger(at: start + Layout.producerEpoch, endianness: .big, as: Int16.self),
            let baseSequence = batch.getInteger(at: start + Layout.baseSequence, endianness: .big, as: Int32.self)
        else { return nil }
        return (producerId, producerEpoch, baseSequence)
    }
}
