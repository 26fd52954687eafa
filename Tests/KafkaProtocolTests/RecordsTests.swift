import NIOCore
import Testing

@testable import KafkaProtocol

@Suite("Records")
struct RecordsTests {
    static func buffer(_ string: String) -> ByteBuffer { ByteBuffer(string: string) }

    static func readAll(_ bytes: ByteBuffer, verifyCRC: Bool = true) throws -> [RecordBatch] {
        var reader = RecordBatchReader(bytes, verifyCRC: verifyCRC)
        var batches: [RecordBatch] = []
        while let batch = try reader.next() { batches.append(batch) }
        return batches
    }

    static func expectError(_ bytes: ByteBuffer, verifyCRC: Bool = true, _ matches: (KafkaProtocolError) -> Bool) {
        do {
            _ = try readAll(bytes, verifyCRC: verifyCRC)
            Issue.record("expected an error")
        } catch let error as KafkaProtocolError {
            #expect(matches(error), "unexpected error \(error)")
        } catch {
            Issue.record("unexpected error type \(error)")
        }
    }

    /// The records every round trip uses: null key, null value, empty value, headers with
    /// duplicate keys and null/empty values, non-ASCII header keys, out-of-order timestamps.
    static let sampleRecords: [(timestamp: Int64, key: ByteBuffer?, value: ByteBuffer?, headers: [KafkaRecordHeader])] =
        [
            (1_700_000_000_000, buffer("key-0"), buffer("value-0"), []),
            (1_700_000_000_005, nil, buffer("value with null key"), []),
            (1_700_000_000_001, buffer("key-2"), nil, []),
            (1_700_000_000_010, buffer("key-3"), ByteBuffer(), []),
            (
                1_699_999_999_000, buffer("key-4"), buffer("value-4"),
                [
                    KafkaRecordHeader(key: "trace", value: buffer("abc")),
                    KafkaRecordHeader(key: "trace", value: buffer("def")),
                    KafkaRecordHeader(key: "null", value: nil),
                    KafkaRecordHeader(key: "empty", value: ByteBuffer()),
                    KafkaRecordHeader(key: "ünïcødé ✓", value: buffer("x")),
                    KafkaRecordHeader(key: "", value: buffer("empty key")),
                ]
            ),
        ]

    static func sampleBatch(
        compression: KafkaCompression,
        baseOffset: Int64 = 0,
        extraValueSize: Int = 0
    ) throws -> ByteBuffer {
        var builder = RecordBatchBuilder(
            baseOffset: baseOffset,
            compression: compression,
            producerId: 4711,
            producerEpoch: 3,
            baseSequence: 17
        )
        for record in sampleRecords {
            builder.append(timestamp: record.timestamp, key: record.key, value: record.value, headers: record.headers)
        }
        if extraValueSize > 0 {
            builder.append(
                timestamp: 1_700_000_000_020,
                key: buffer("big"),
                value: CompressionTests.sampleData(size: extraValueSize)
            )
        }
        return try builder.build()
    }

    // MARK: Round trips

    @Test(arguments: KafkaCompression.allCases)
    func roundTrip(compression: KafkaCompression) throws {
        let bytes = try Self.sampleBatch(compression: compression, baseOffset: 1000)
        let batches = try Self.readAll(bytes)
        try #require(batches.count == 1)
        let batch = batches[0]
        #expect(batch.baseOffset == 1000)
        #expect(batch.compression == compression)
        #expect(batch.timestampType == .createTime)
        #expect(!batch.isTransactional)
        #expect(!batch.isControl)
        #expect(batch.controlType == nil)
        #expect(batch.partitionLeaderEpoch == -1)
        #expect(batch.producerId == 4711)
        #expect(batch.producerEpoch == 3)
        #expect(batch.baseSequence == 17)
        #expect(batch.lastOffsetDelta == 4)
        #expect(batch.lastOffset == 1004)
        #expect(batch.nextOffset == 1005)
        #expect(batch.baseTimestamp == 1_700_000_000_000)
        #expect(batch.maxTimestamp == 1_700_000_000_010)
        #expect(batch.sizeInBytes == bytes.readableBytes)
        try #require(batch.records.count == Self.sampleRecords.count)
        for (index, (record, expected)) in zip(batch.records, Self.sampleRecords).enumerated() {
            #expect(record.offset == 1000 + Int64(index))
            #expect(record.timestamp == expected.timestamp)
            #expect(record.key == expected.key)
            #expect(record.value == expected.value)
            #expect(record.headers == expected.headers)
        }
        #expect(batch.records[1].key == nil)
        #expect(batch.records[2].value == nil)
        #expect(batch.records[3].value == ByteBuffer())
        #expect(batch.records[4].headers[2].value == nil)
    }

    @Test(arguments: KafkaCompression.allCases)
    func oneMebibyteValues(compression: KafkaCompression) throws {
        let bytes = try Self.sampleBatch(compression: compression, extraValueSize: 1 << 20)
        let batch = try #require(try Self.readAll(bytes).first)
        #expect(batch.records.count == Self.sampleRecords.count + 1)
        #expect(batch.records.last?.value == CompressionTests.sampleData(size: 1 << 20))
        #expect(batch.records.last?.offset == 5)
        if compression != .none {
            #expect(bytes.readableBytes < 1 << 19)
        }
    }

    @Test func manyRecordsAndBatches() throws {
        var all = ByteBuffer()
        var expectedOffset: Int64 = 0
        for (index, compression) in KafkaCompression.allCases.enumerated() {
            var builder = RecordBatchBuilder(baseOffset: expectedOffset, compression: compression)
            for i in 0..<(1000 + index) {
                builder.append(timestamp: Int64(i), key: nil, value: Self.buffer("message \(i)"))
            }
            #expect(builder.count == 1000 + index)
            var bytes = try builder.build()
            all.writeBuffer(&bytes)
            expectedOffset += Int64(1000 + index)
        }
        var reader = RecordBatchReader(all)
        var offset: Int64 = 0
        var batches = 0
        while let batch = try reader.next() {
            for record in batch.records {
                #expect(record.offset == offset)
                offset += 1
            }
            #expect(batch.nextOffset == offset)
            batches += 1
        }
        #expect(batches == 5)
        #expect(offset == expectedOffset)
        #expect(reader.partialTrailingBytes == 0)
        #expect(reader.remainingBytes == 0)
    }

    @Test func recordsAreSlicesOfTheInput() throws {
        let bytes = try Self.sampleBatch(compression: .none)
        let batch = try #require(try Self.readAll(bytes).first)
        for record in batch.records {
            #expect(record.value.map { $0.storageCapacity == bytes.storageCapacity } ?? true)
        }
    }

    /// NIO slices without copying only below offset 16 MiB of a storage; batches beyond it are
    /// copied once per batch, never once per record.
    @Test func fetchLargerThan16MiB() throws {
        var fetch = ByteBuffer()
        fetch.writeRepeatingByte(0xEE, count: 3 << 20)  // a prefix the reader never sees
        fetch.moveReaderIndex(forwardBy: 3 << 20)
        let value = CompressionTests.sampleData(size: 1000)
        var offset: Int64 = 0
        for index in 0..<18 {
            var builder = RecordBatchBuilder(
                baseOffset: offset,
                compression: index % 6 == 5 ? .lz4 : .none,
                initialCapacity: 1 << 20
            )
            for _ in 0..<1000 {
                builder.append(timestamp: offset, key: nil, value: value)
                offset += 1
            }
            var bytes = try builder.build()
            fetch.writeBuffer(&bytes)
        }
        #expect(fetch.writerIndex > 16 << 20)
        var reader = RecordBatchReader(fetch)
        var expectedOffset: Int64 = 0
        while let batch = try reader.next() {
            #expect(batch.records.count == 1000)
            for record in batch.records {
                #expect(record.offset == expectedOffset)
                expectedOffset += 1
            }
            #expect(batch.records.last?.value == value)
            // Sharing one storage per batch (or the whole fetch), not one per record.
            #expect(batch.records.last.map { $0.value!.storageCapacity > 100_000 } == true)
        }
        #expect(expectedOffset == 18_000)
        #expect(reader.partialTrailingBytes == 0)
    }

    @Test func logAppendTimeUsesMaxTimestamp() throws {
        var builder = RecordBatchBuilder(timestampType: .logAppendTime)
        builder.append(timestamp: 10, key: nil, value: Self.buffer("a"))
        builder.append(timestamp: 30, key: nil, value: Self.buffer("b"))
        builder.append(timestamp: 20, key: nil, value: Self.buffer("c"))
        let batch = try #require(try Self.readAll(try builder.build()).first)
        #expect(batch.timestampType == .logAppendTime)
        #expect(batch.maxTimestamp == 30)
        #expect(batch.records.map(\.timestamp) == [30, 30, 30])
    }

    @Test func emptyBuilderBuildsEmptyBatch() throws {
        let builder = RecordBatchBuilder(baseOffset: 7, compression: .lz4)
        #expect(builder.count == 0)
        #expect(builder.estimatedSizeInBytes == 61)
        let bytes = try builder.build()
        let batch = try #require(try Self.readAll(bytes).first)
        #expect(batch.records.isEmpty)
        #expect(batch.baseOffset == 7)
    }

    @Test func estimatedSizeTracksUncompressedSize() throws {
        var builder = RecordBatchBuilder()
        let key = Self.buffer("key")
        let value = CompressionTests.sampleData(size: 300)
        builder.append(timestamp: 0, key: key, value: value)
        let expected = 61 + RecordBatchBuilder.estimatedRecordSize(key: key, value: value)
        #expect(builder.estimatedSizeInBytes == expected)
        #expect(try builder.build().readableBytes == expected)
    }

    @Test func transactionalAndControlBatches() throws {
        var builder = RecordBatchBuilder(producerId: 9, producerEpoch: 1, baseSequence: 0, isTransactional: true)
        builder.append(timestamp: 5, key: nil, value: Self.buffer("in a transaction"))
        var bytes = try builder.build()
        var commit = try RecordBatchBuilder.endTransactionMarker(
            .commit,
            baseOffset: 1,
            producerId: 9,
            producerEpoch: 1,
            coordinatorEpoch: 42,
            timestamp: 6
        )
        var abort = try RecordBatchBuilder.endTransactionMarker(
            .abort,
            baseOffset: 2,
            producerId: 9,
            producerEpoch: 1,
            timestamp: 7
        )
        bytes.writeBuffer(&commit)
        bytes.writeBuffer(&abort)
        let batches = try Self.readAll(bytes)
        try #require(batches.count == 3)
        #expect(batches[0].isTransactional && !batches[0].isControl && batches[0].controlType == nil)
        #expect(batches[1].isTransactional && batches[1].isControl)
        #expect(batches[1].controlType == .commit)
        #expect(batches[1].producerId == 9)
        #expect(batches[1].records.first?.offset == 1)
        var value = try #require(batches[1].records.first?.value)
        #expect(value.readInteger(as: Int16.self) == 0)
        #expect(value.readInteger(as: Int32.self) == 42)
        #expect(batches[2].controlType == .abort)
        #expect(batches[1].records.first?.key?.getBytes(at: 0, length: 4) == [0, 0, 0, 1])
    }

    @Test func rewritingBaseOffsetKeepsBatchValid() throws {
        var bytes = try Self.sampleBatch(compression: .zstd)
        RecordBatch.setBaseOffset(500, inBatch: &bytes)
        RecordBatch.setPartitionLeaderEpoch(3, inBatch: &bytes)
        let batch = try #require(try Self.readAll(bytes).first)
        #expect(batch.baseOffset == 500)
        #expect(batch.partitionLeaderEpoch == 3)
        #expect(batch.records.map(\.offset) == [500, 501, 502, 503, 504])
    }

    // MARK: Golden bytes

    /// One record (key "k", value "v", timestamp 1000) in an uncompressed batch, laid out by hand.
    /// The CRC was computed independently (bitwise CRC-32C over bytes 21...).
    static let goldenBatch: [UInt8] = [
        0, 0, 0, 0, 0, 0, 0, 0,  // baseOffset 0
        0, 0, 0, 0x3A,  // batchLength 58 = 49 + 9
        0xFF, 0xFF, 0xFF, 0xFF,  // partitionLeaderEpoch -1
        0x02,  // magic
        0x71, 0x6A, 0x61, 0x89,  // crc
        0x00, 0x00,  // attributes
        0, 0, 0, 0,  // lastOffsetDelta 0
        0, 0, 0, 0, 0, 0, 0x03, 0xE8,  // baseTimestamp 1000
        0, 0, 0, 0, 0, 0, 0x03, 0xE8,  // maxTimestamp 1000
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // producerId -1
        0xFF, 0xFF,  // producerEpoch -1
        0xFF, 0xFF, 0xFF, 0xFF,  // baseSequence -1
        0, 0, 0, 1,  // record count
        0x10,  // record length 8 (zig-zag 16)
        0x00,  // attributes
        0x00,  // timestampDelta 0
        0x00,  // offsetDelta 0
        0x02, 0x6B,  // key length 1, "k"
        0x02, 0x76,  // value length 1, "v"
        0x00,  // no headers
    ]

    @Test func goldenBytes() throws {
        var builder = RecordBatchBuilder()
        builder.append(timestamp: 1000, key: Self.buffer("k"), value: Self.buffer("v"))
        let bytes = try builder.build()
        #expect(bytes.getBytes(at: 0, length: bytes.readableBytes) == Self.goldenBatch)
        #expect(CRC32C.checksum(Self.goldenBatch[21...]) == 0x716A_6189)

        let batch = try #require(try Self.readAll(ByteBuffer(bytes: Self.goldenBatch)).first)
        #expect(batch.records == [Record(offset: 0, timestamp: 1000, key: Self.buffer("k"), value: Self.buffer("v"))])
    }

    // MARK: Partial and corrupt input

    @Test func partialTrailingBatchEndsTheData() throws {
        let first = try Self.sampleBatch(compression: .none)
        let second = try Self.sampleBatch(compression: .snappy, baseOffset: 5)
        var both = first
        both.writeImmutableBuffer(second)
        for cut in [0, 1, 11, 12, 13, 30, second.readableBytes - 1] {
            let bytes = both.getSlice(at: 0, length: first.readableBytes + cut)!
            var reader = RecordBatchReader(bytes)
            #expect(try reader.next()?.baseOffset == 0)
            #expect(try reader.next() == nil)
            #expect(reader.partialTrailingBytes == cut)
            #expect(try reader.next() == nil)
        }
        // A cut inside the only batch: no batch, all bytes left over.
        var reader = RecordBatchReader(first.getSlice(at: 0, length: 40)!)
        #expect(try reader.next() == nil)
        #expect(reader.partialTrailingBytes == 40)
    }

    @Test func declaredLengthBeyondTheBufferIsPartial() throws {
        var bytes = try Self.sampleBatch(compression: .none)
        let length = bytes.getInteger(at: 8, as: Int32.self)!
        bytes.setInteger(length + 1, at: 8)
        var reader = RecordBatchReader(bytes)
        #expect(try reader.next() == nil)
        #expect(reader.partialTrailingBytes == bytes.readableBytes)
        // Absurd length (2 GiB).
        bytes.setInteger(Int32.max, at: 8)
        reader = RecordBatchReader(bytes)
        #expect(try reader.next() == nil)
    }

    @Test func flippedByteIsCRCMismatch() throws {
        let original = try Self.sampleBatch(compression: .none)
        for index in stride(from: 21, to: original.readableBytes, by: 3) {
            var bytes = original
            bytes.setInteger(bytes.getInteger(at: index, as: UInt8.self)! ^ 0x01, at: index)
            Self.expectError(bytes) {
                if case .crcMismatch = $0 { return true }
                return false
            }
        }
        // Flipping a bit in the stored CRC itself.
        var bytes = original
        bytes.setInteger(bytes.getInteger(at: 17, as: UInt8.self)! ^ 0x80, at: 17)
        Self.expectError(bytes) {
            if case .crcMismatch = $0 { return true }
            return false
        }
    }

    @Test func legacyMagicIsUnsupported() throws {
        for magic: Int8 in [0, 1, 3] {
            var bytes = try Self.sampleBatch(compression: .none)
            bytes.setInteger(magic, at: 16)
            Self.expectError(bytes) { $0 == .unsupportedMagic(magic) }
        }
        // A (short) legacy v0 message: offset, size 14, crc, magic 0, attributes, null key, empty value.
        var legacy = ByteBuffer()
        legacy.writeInteger(Int64(0))
        legacy.writeInteger(Int32(14))
        legacy.writeInteger(UInt32(0))
        legacy.writeInteger(Int8(0))
        legacy.writeInteger(Int8(0))
        legacy.writeInteger(Int32(-1))
        legacy.writeInteger(Int32(0))
        Self.expectError(legacy) { $0 == .unsupportedMagic(0) }
    }

    /// Patches a header field and recomputes the CRC, so the check under test is reached.
    static func patched(_ bytes: ByteBuffer, _ patch: (inout ByteBuffer) -> Void) -> ByteBuffer {
        var bytes = bytes
        patch(&bytes)
        let crc = bytes.withUnsafeReadableBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[21...])) }
        bytes.setInteger(crc, at: 17)
        return bytes
    }

    @Test func unknownCompression() throws {
        let original = try Self.sampleBatch(compression: .none)
        for codec: Int16 in [5, 6, 7] {
            let bytes = Self.patched(original) { $0.setInteger(codec, at: 21) }
            Self.expectError(bytes) { $0 == .unknownCompression(Int(codec)) }
        }
    }

    @Test func absurdRecordCount() throws {
        for compression in KafkaCompression.allCases {
            let original = try Self.sampleBatch(compression: compression)
            for count in [Int32.max, 1_000_000, 6, -1, Int32.min] {
                let bytes = Self.patched(original) { $0.setInteger(count, at: 57) }
                Self.expectError(bytes) {
                    if case .corruptRecord = $0 { return true }
                    return false
                }
            }
            // Fewer records than present: bytes left over.
            let fewer = Self.patched(original) { $0.setInteger(Int32(4), at: 57) }
            Self.expectError(fewer) {
                if case .corruptRecord = $0 { return true }
                return false
            }
        }
    }

    @Test func batchLengthTooSmall() throws {
        var bytes = try Self.sampleBatch(compression: .none)
        bytes.setInteger(Int32(30), at: 8)
        Self.expectError(bytes) {
            if case .corruptRecord = $0 { return true }
            return false
        }
        bytes.setInteger(Int32(-5), at: 8)
        Self.expectError(bytes) {
            if case .corruptRecord = $0 { return true }
            return false
        }
    }

    @Test func inconsistentRecordLength() throws {
        // The golden batch's record claims 8 bytes; claim 7 and 9 instead.
        for length: UInt8 in [0x0E, 0x12, 0x01, 0xFF] {
            var golden = Self.goldenBatch
            golden[61] = length
            let bytes = Self.patched(ByteBuffer(bytes: golden)) { _ in }
            Self.expectError(bytes) {
                switch $0 {
                case .corruptRecord, .malformedVarint, .truncated: return true
                default: return false
                }
            }
        }
    }

    @Test(arguments: [KafkaCompression.gzip, .snappy, .lz4, .zstd])
    func garbageCompressedPayload(compression: KafkaCompression) throws {
        // A valid header with garbage where the compressed records should be (and a valid CRC).
        var bytes = try Self.sampleBatch(compression: compression)
        bytes.moveWriterIndex(to: 61)
        bytes.writeString("definitely not a compressed payload, just plain text")
        bytes.setInteger(Int32(bytes.readableBytes - 12), at: 8)
        bytes = Self.patched(bytes) { _ in }
        Self.expectError(bytes) {
            if case .decompressionFailed(let codec, _) = $0 { return codec == compression.name }
            return false
        }
    }

    @Test func decompressedSizeLimit() throws {
        let bytes = try Self.sampleBatch(compression: .zstd, extraValueSize: 1 << 20)
        var reader = RecordBatchReader(bytes, maximumDecompressedSize: 1 << 19)
        #expect(throws: KafkaProtocolError.self) { _ = try reader.next() }
    }

    @Test func verifyCRCCanBeDisabled() throws {
        var bytes = try Self.sampleBatch(compression: .none)
        bytes.setInteger(UInt32(0xDEAD_BEEF), at: 17)
        #expect(try Self.readAll(bytes, verifyCRC: false).first?.records.count == 5)
    }

    @Test func readerContinuesAfterACorruptBatch() throws {
        var bad = try Self.sampleBatch(compression: .none)
        bad.setInteger(UInt8(0xAA), at: 70)
        var bytes = bad
        bytes.writeImmutableBuffer(try Self.sampleBatch(compression: .gzip, baseOffset: 5))
        var reader = RecordBatchReader(bytes)
        #expect(throws: KafkaProtocolError.self) { _ = try reader.next() }
        #expect(try reader.next()?.baseOffset == 5)
        #expect(try reader.next() == nil)
    }

    // MARK: Fuzzing

    @Test func randomMutationsOnlyThrowTypedErrors() throws {
        var generator = SplitMix64(seed: 0x5EED)
        var originals: [ByteBuffer] = []
        for compression in KafkaCompression.allCases {
            originals.append(try Self.sampleBatch(compression: compression))
        }
        var goldenTwice = ByteBuffer(bytes: Self.goldenBatch)
        goldenTwice.writeBytes(Self.goldenBatch)
        originals.append(goldenTwice)

        var outcomes = [String: Int]()
        for iteration in 0..<2_000 {
            var bytes = originals[iteration % originals.count]
            let mutations = Int.random(in: 1...6, using: &generator)
            for _ in 0..<mutations {
                let index = Int.random(in: 0..<bytes.readableBytes, using: &generator)
                switch generator.next() % 4 {
                case 0: bytes.setInteger(UInt8.random(in: 0...255, using: &generator), at: index)
                case 1: bytes.setInteger(bytes.getInteger(at: index, as: UInt8.self)! ^ 0x80, at: index)
                case 2: bytes.setInteger(UInt8(0xFF), at: index)
                default: bytes.setInteger(UInt8(0), at: index)
                }
            }
            if generator.next() % 4 == 0 {
                bytes = bytes.getSlice(at: 0, length: Int.random(in: 0...bytes.readableBytes, using: &generator))!
            }
            // Without CRC verification the mutations reach the record and codec parsers; with
            // it (and a recomputed CRC half of the time) the checks in front are exercised.
            let verify = generator.next() % 2 == 0
            if verify && generator.next() % 2 == 0 && bytes.readableBytes >= 61 {
                bytes = Self.patched(bytes) { _ in }
            }
            var reader = RecordBatchReader(bytes, maximumDecompressedSize: 1 << 20, verifyCRC: verify)
            var steps = 0
            while steps < 10 {
                steps += 1
                do {
                    guard try reader.next() != nil else {
                        outcomes["end", default: 0] += 1
                        break
                    }
                    outcomes["batch", default: 0] += 1
                } catch let error as KafkaProtocolError {
                    outcomes["\(error)".prefix(while: { $0 != "(" }).description, default: 0] += 1
                } catch {
                    Issue.record("untyped error \(error)")
                }
            }
        }
        #expect(outcomes["batch", default: 0] > 0)
        #expect(outcomes["crcMismatch", default: 0] > 0)
        #expect(outcomes["corruptRecord", default: 0] > 0)
        #expect(outcomes["decompressionFailed", default: 0] > 0)
    }
}
