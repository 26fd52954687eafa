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
}
