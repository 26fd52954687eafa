import NIOCore

/// One record inside a batch, already resolved to absolute values (offset = base offset + offset
/// delta; timestamp = base timestamp + delta, or the batch's max timestamp for log-append time).
///
/// Decoded keys, values and header values are slices of the fetched (or decompressed) bytes:
/// keeping one alive keeps that whole buffer alive.
public struct Record: Hashable, Sendable {
    // The stored properties are not in the order of the public initializer on purpose: the
    // synthesized (internal) memberwise initializer then has other labels, and the public one can
    // delegate to it. A hand-written initializer makes the optimizer copy the record once more
    // (an extra retain and release of key, value and headers per decoded record).
    public var offset: Int64
    public var timestamp: Int64
    public var headers: [KafkaRecordHeader]
    public var key: ByteBuffer?
    public var value: ByteBuffer?
}

extension Record {
    public init(
        offset: Int64,
        timestamp: Int64,
        key: ByteBuffer?,
        value: ByteBuffer?,
        headers: [KafkaRecordHeader] = []
    ) {
        self.init(offset: offset, timestamp: timestamp, headers: headers, key: key, value: value)
    }
}

/// How a batch's timestamps were assigned (bit 3 of the batch attributes).
public enum TimestampType: Sendable, Hashable {
    /// Set by the producer.
    case createTime
    /// Set by the broker when it appended the batch; every record's timestamp is the batch's max timestamp.
    case logAppendTime
}

/// The type of a control record (the int16 type in its key): the end-of-transaction markers that
/// the transaction coordinator writes into a partition.
public enum ControlRecordType: Int16, Sendable, Hashable, CaseIterable {
    case abort = 0
    case commit = 1

    /// The key of a control record of this type: int16 version (0), int16 type.
    public var key: ByteBuffer {
        var key = ByteBufferAllocator().buffer(capacity: 4)
        key.writeInteger(Int16(0), endianness: .big)
        key.writeInteger(self.rawValue, endianness: .big)
        return key
    }

    /// Reads the type from a control record key; nil for a key shorter than 4 bytes or a type other
    /// than abort and commit (KRaft's leader-change and snapshot markers, for example).
    public init?(key: ByteBuffer?) {
        guard let key, key.readableBytes >= 4,
            let type = key.getInteger(at: key.readerIndex + 2, endianness: .big, as: Int16.self)
        else { return nil }
        self.init(rawValue: type)
    }
}
