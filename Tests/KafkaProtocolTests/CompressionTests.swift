import CLZ4
import CSnappy
import CZlib
import CZstd
import NIOCore
import Testing

@testable import KafkaProtocol

@Suite("Compression")
struct CompressionTests {
    static let codecs: [KafkaCompression] = [.gzip, .snappy, .lz4, .zstd]

    /// Compressible data with some randomness (a few words in random order).
    static func sampleData(size: Int, seed: UInt64 = 1) -> ByteBuffer {
        var generator = SplitMix64(seed: seed)
        let words = ["kafka", "swift", "record", "batch", "offset", "{\"id\":", "}", " ", "\n", "value"].map {
            Array($0.utf8)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size + 8)
        while bytes.count < size {
            bytes.append(contentsOf: words[Int(generator.next() % UInt64(words.count))])
        }
        return ByteBuffer(bytes: bytes[0..<size])
    }

    static func randomData(size: Int, seed: UInt64 = 2) -> ByteBuffer {
        var generator = SplitMix64(seed: seed)
        var words = [UInt64](repeating: 0, count: (size + 7) / 8)
        for index in words.indices { words[index] = generator.next() }
        return words.withUnsafeBytes { ByteBuffer(bytes: $0.prefix(size)) }
    }

    static func bytes(_ array: [UInt8]) -> ByteBuffer {
        ByteBuffer(bytes: array)
    }

    static func expectDecompressionFailed(_ codec: KafkaCompression, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected decompressionFailed for \(codec.name)")
        } catch let error as KafkaProtocolError {
            guard case .decompressionFailed(let name, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(name == codec.name)
        } catch {
            Issue.record("unexpected error type \(error)")
        }
    }

    @Test func names() {
        #expect(KafkaCompression.allCases.map(\.name) == ["none", "gzip", "snappy", "lz4", "zstd"])
        for codec in KafkaCompression.allCases {
            #expect(KafkaCompression(name: codec.name) == codec)
        }
        #expect(KafkaCompression(name: "ZSTD") == .zstd)
        #expect(KafkaCompression(name: "brotli") == nil)
        #expect(KafkaCompression(rawValue: 5) == nil)
    }

    @Test(arguments: KafkaCompression.allCases)
    func roundTrip(codec: KafkaCompression) throws {
        for size in [0, 1, 100, 32 * 1024 - 1, 32 * 1024, 32 * 1024 + 1, 200_000, 1 << 20] {
            for data in [Self.sampleData(size: size), Self.randomData(size: size)] {
                let compressed = try codec.compress(data)
                let decompressed = try codec.decompress(compressed, maximumSize: data.readableBytes)
                #expect(decompressed == data, "\(codec.name) size \(size)")
            }
        }
    }

    @Test(arguments: [KafkaCompression.gzip, .lz4, .zstd])
    func compressionLevels(codec: KafkaCompression) throws {
        let data = Self.sampleData(size: 100_000)
        for level in [1, 9] {
            let compressed = try codec.compress(data, level: level)
            #expect(compressed.readableBytes < data.readableBytes / 2)
            #expect(try codec.decompress(compressed, maximumSize: 1 << 20) == data)
        }
    }

    @Test func noneIsIdentity() throws {
        let data = Self.sampleData(size: 1000)
        #expect(try KafkaCompression.none.compress(data) == data)
        #expect(try KafkaCompression.none.decompress(data, maximumSize: 1000) == data)
        Self.expectDecompressionFailed(.none) { _ = try KafkaCompression.none.decompress(data, maximumSize: 999) }
    }

    @Test func compressAppendsToExistingBuffer() throws {
        let data = Self.sampleData(size: 5000)
        for codec in Self.codecs {
            var output = ByteBuffer(string: "prefix")
            try codec.compress(data, appendingTo: &output)
            #expect(output.readString(length: 6) == "prefix")
            #expect(try codec.decompress(output, maximumSize: 5000) == data)
        }
    }

    // MARK: gzip

    @Test func gzipWritesGzipHeader() throws {
        let compressed = try KafkaCompression.gzip.compress(Self.sampleData(size: 100))
        #expect(compressed.getBytes(at: 0, length: 3) == [0x1F, 0x8B, 0x08])
    }

    @Test func gzipReadsConcatenatedMembersAndZlib() throws {
        let a = Self.sampleData(size: 70_000, seed: 5)
        let b = Self.sampleData(size: 3_000, seed: 6)
        var both = try KafkaCompression.gzip.compress(a)
        var second = try KafkaCompression.gzip.compress(b)
        both.writeBuffer(&second)
        var expected = a
        expected.writeImmutableBuffer(b)
        #expect(try KafkaCompression.gzip.decompress(both, maximumSize: 1 << 20) == expected)

        // A zlib (RFC 1950) stream is accepted too.
        let source = Array("zlib stream zlib stream zlib stream".utf8)
        var destination = [UInt8](repeating: 0, count: 256)
        var length = uLong(destination.count)
        #expect(compress(&destination, &length, source, uLong(source.count)) == Z_OK)
        let zlib = Self.bytes(Array(destination[0..<Int(length)]))
        #expect(try KafkaCompression.gzip.decompress(zlib, maximumSize: 100) == Self.bytes(source))
    }

    // MARK: snappy

    @Test func snappyWritesXerialFraming() throws {
        let compressed = try KafkaCompression.snappy.compress(ByteBuffer(string: "hello"))
        // Magic, version 1, compatible 1, one chunk: int32 length 7, raw snappy block of a
        // 5-byte literal: varint 5, literal tag (5 - 1) << 2, "hello".
        let expected: [UInt8] =
            [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7, 0x05, 0x10]
            + Array("hello".utf8)
        #expect(compressed.getBytes(at: 0, length: compressed.readableBytes) == expected)
        #expect(try KafkaCompression.snappy.decompress(compressed, maximumSize: 5) == ByteBuffer(string: "hello"))
    }

    @Test func snappyUsesJavaBlockSize() throws {
        // 100 KiB: four chunks of 32 KiB input each (the last one shorter).
        var data = Self.randomData(size: 100 * 1024)
        let compressed = try KafkaCompression.snappy.compress(data)
        var reader = compressed
        reader.moveReaderIndex(forwardBy: 16)
        var chunks = 0
        while reader.readableBytes > 0 {
            let length = Int(reader.readInteger(as: Int32.self)!)
            let block = reader.readSlice(length: length)!
            var size = 0
            block.withUnsafeReadableBytes {
                _ = snappy_uncompressed_length($0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count, &size)
            }
            #expect(size == min(32 * 1024, data.readableBytes))
            data.moveReaderIndex(forwardBy: size)
            chunks += 1
        }
        #expect(chunks == 4)
    }

    static func rawSnappy(_ data: ByteBuffer) -> ByteBuffer {
        var output = ByteBuffer()
        output.writeWithUnsafeMutableBytes(minimumWritableBytes: snappy_max_compressed_length(data.readableBytes)) {
            destination in
            var length = destination.count
            data.withUnsafeReadableBytes { source in
                _ = snappy_compress(
                    source.baseAddress?.assumingMemoryBound(to: CChar.self),
                    source.count,
                    destination.baseAddress!.assumingMemoryBound(to: CChar.self),
                    &length
                )
            }
            return length
        }
        return output
    }

    @Test func snappyReadsRawBlocks() throws {
        for data in [Self.sampleData(size: 200_000), Self.randomData(size: 1000), ByteBuffer(string: "x")] {
            let raw = Self.rawSnappy(data)
            #expect(try KafkaCompression.snappy.decompress(raw, maximumSize: 1 << 20) == data)
        }
        // Hand-made raw block: varint 5, literal of 5 bytes.
        let hand = Self.bytes([0x05, 0x10] + Array("hello".utf8))
        #expect(try KafkaCompression.snappy.decompress(hand, maximumSize: 5) == ByteBuffer(string: "hello"))
    }

    @Test func snappyReadsConcatenatedXerialStreams() throws {
        let a = Self.sampleData(size: 40_000, seed: 7)
        let b = Self.sampleData(size: 1_000, seed: 8)
        var both = try KafkaCompression.snappy.compress(a)
        var second = try KafkaCompression.snappy.compress(b)
        both.writeBuffer(&second)
        var expected = a
        expected.writeImmutableBuffer(b)
        #expect(try KafkaCompression.snappy.decompress(both, maximumSize: 1 << 20) == expected)
    }

    @Test func snappyRejectsBadFraming() {
        let header: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]
        let cases: [[UInt8]] = [
            Array(header.prefix(10)),  // truncated header
            header + [0, 0, 0],  // truncated chunk length
            header + [0, 0, 0, 9, 0x05, 0x10],  // chunk longer than the data
            header + [0xFF, 0xFF, 0xFF, 0xF0, 0x05],  // negative chunk length
            header + [0, 0, 0, 2, 0x05, 0x10],  // chunk with a broken block
        ]
        for bytes in cases {
            Self.expectDecompressionFailed(.snappy) {
                _ = try KafkaCompression.snappy.decompress(Self.bytes(bytes), maximumSize: 1000)
            }
        }
    }

    // MARK: lz4

    @Test func lz4WritesKafkaCompatibleFrame() throws {
        let compressed = try KafkaCompression.lz4.compress(Self.sampleData(size: 300_000))
        // Magic 0x184D2204 (little-endian), FLG: version 01, block independence, no block checksum,
        // no content size, no content checksum; BD: 64 KiB blocks.
        #expect(compressed.getBytes(at: 0, length: 4) == [0x04, 0x22, 0x4D, 0x18])
        #expect(compressed.getInteger(at: 4, as: UInt8.self) == 0x60)
        #expect(compressed.getInteger(at: 5, as: UInt8.self) == 0x40)
        // End mark: a zero block size.
        #expect(compressed.getInteger(at: compressed.writerIndex - 4, as: UInt32.self) == 0)
    }

    static func lz4Frame(_ data: ByteBuffer, configure: (inout LZ4F_preferences_t) -> Void) -> ByteBuffer {
        var preferences = LZ4F_preferences_t()
        configure(&preferences)
        var output = ByteBuffer()
        let bound = LZ4F_compressFrameBound(data.readableBytes, &preferences)
        output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { destination in
            data.withUnsafeReadableBytes { source in
                LZ4F_compressFrame(
                    destination.baseAddress,
                    destination.count,
                    source.baseAddress,
                    source.count,
                    &preferences
                )
            }
        }
        return output
    }

    @Test func lz4ReadsOtherFrameOptions() throws {
        let data = Self.sampleData(size: 500_000)
        let variants: [(inout LZ4F_preferences_t) -> Void] = [
            { _ in },  // library defaults: linked blocks
            { $0.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled },
            { $0.frameInfo.contentSize = UInt64(data.readableBytes) },
            {
                $0.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled
                $0.frameInfo.blockSizeID = LZ4F_max4MB
            },
            { $0.compressionLevel = 9 },
        ]
        for configure in variants {
            let frame = Self.lz4Frame(data, configure: configure)
            #expect(try KafkaCompression.lz4.decompress(frame, maximumSize: 1 << 20) == data)
        }
        // Two frames back to back.
        var two = Self.lz4Frame(data) { _ in }
        var second = Self.lz4Frame(ByteBuffer(string: "tail")) { _ in }
        two.writeBuffer(&second)
        var expected = data
        expected.writeString("tail")
        #expect(try KafkaCompression.lz4.decompress(two, maximumSize: 1 << 20) == expected)
    }

    // MARK: zstd

    /// A zstd frame written with the streaming API: no content size in the frame header, like
    /// Java's ZstdOutputStream and librdkafka produce.
    static func streamingZstd(_ data: ByteBuffer, chunk: Int = 10_000) -> ByteBuffer {
        let context = ZSTD_createCCtx()!
        defer { ZSTD_freeCCtx(context) }
        // A single ZSTD_e_end call would record the (then known) content size; make sure it is absent.
        _ = ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 0)
        var output = ByteBuffer()
        let outChunk = ZSTD_CStreamOutSize()
        data.withUnsafeReadableBytes { source in
            var offset = 0
            repeat {
                let end = min(offset + chunk, source.count)
                let last = end == source.count
                var input = ZSTD_inBuffer(src: source.baseAddress.map { $0 + offset }, size: end - offset, pos: 0)
                var finished = false
                repeat {
                    output.writeWithUnsafeMutableBytes(minimumWritableBytes: outChunk) { destination in
                        var out = ZSTD_outBuffer(dst: destination.baseAddress, size: destination.count, pos: 0)
                        let remaining = ZSTD_compressStream2(context, &out, &input, last ? ZSTD_e_end : ZSTD_e_continue)
                        precondition(ZSTD_isError(remaining) == 0)
                        finished = last ? remaining == 0 : input.pos == input.size
                        return out.pos
                    }
                } while !finished
                offset = end
            } while offset < source.count
        }
        return output
    }

    @Test func zstdReadsFramesWithoutContentSize() throws {
        for data in [Self.sampleData(size: 1 << 20), Self.randomData(size: 70_000), Self.sampleData(size: 1)] {
            let frame = Self.streamingZstd(data)
            let contentSize = frame.withUnsafeReadableBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
            #expect(contentSize == UInt64.max)  // ZSTD_CONTENTSIZE_UNKNOWN
            #expect(try KafkaCompression.zstd.decompress(frame, maximumSize: data.readableBytes) == data)
        }
    }

    @Test func zstdReadsConcatenatedFrames() throws {
        let a = Self.sampleData(size: 50_000, seed: 3)
        var both = try KafkaCompression.zstd.compress(a)
        var second = Self.streamingZstd(ByteBuffer(string: "second"))
        both.writeBuffer(&second)
        var expected = a
        expected.writeString("second")
        #expect(try KafkaCompression.zstd.decompress(both, maximumSize: 1 << 20) == expected)
    }

    // MARK: Bounds and garbage

    @Test(arguments: [KafkaCompression.gzip, .snappy, .lz4, .zstd])
    func maximumSizeIsEnforced(codec: KafkaCompression) throws {
        // A "bomb": 16 MiB of zeros compresses to very little.
        let zeros = ByteBuffer(repeating: 0, count: 16 << 20)
        let compressed = try codec.compress(zeros)
        #expect(compressed.readableBytes < 1 << 20)
        Self.expectDecompressionFailed(codec) { _ = try codec.decompress(compressed, maximumSize: 1 << 20) }
        // Exactly at the limit is fine; one byte below is not.
        let data = Self.sampleData(size: 10_000)
        let small = try codec.compress(data)
        #expect(try codec.decompress(small, maximumSize: 10_000) == data)
        Self.expectDecompressionFailed(codec) { _ = try codec.decompress(small, maximumSize: 9_999) }
        if codec == .zstd {
            let streamed = Self.streamingZstd(zeros, chunk: 1 << 20)
            Self.expectDecompressionFailed(codec) { _ = try codec.decompress(streamed, maximumSize: 1 << 20) }
        }
    }

    @Test func implausibleDeclaredSizesAreRejectedBeforeAllocating() throws {
        // Raw snappy claiming 64 MiB in a 6-byte block.
        let raw = Self.bytes([0x80, 0x80, 0x80, 0x20, 0x00, 0x61])
        Self.expectDecompressionFailed(.snappy) {
            _ = try KafkaCompression.snappy.decompress(raw, maximumSize: 1 << 30)
        }
        // The same block inside xerial framing.
        let header: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]
        let framed = Self.bytes(header + [0, 0, 0, 6] + [0x80, 0x80, 0x80, 0x20, 0x00, 0x61])
        Self.expectDecompressionFailed(.snappy) {
            _ = try KafkaCompression.snappy.decompress(framed, maximumSize: 1 << 30)
        }
    }

    @Test func unboundedMaximumSizeIsClamped() throws {
        let data = Self.sampleData(size: 10_000)
        for codec in KafkaCompression.allCases {
            #expect(try codec.decompress(try codec.compress(data), maximumSize: Int.max) == data)
        }
        Self.expectDecompressionFailed(.lz4) { _ = try KafkaCompression.lz4.decompress(data, maximumSize: -1) }
    }

    @Test(arguments: [KafkaCompression.gzip, .snappy, .lz4, .zstd])
    func garbageAndTruncationFail(codec: KafkaCompression) throws {
        Self.expectDecompressionFailed(codec) { _ = try codec.decompress(ByteBuffer(), maximumSize: 1000) }
        Self.expectDecompressionFailed(codec) {
            _ = try codec.decompress(
                ByteBuffer(string: "this is not compressed at all, not even close"),
                maximumSize: 1 << 20
            )
        }
        let data = Self.sampleData(size: 100_000)
        let compressed = try codec.compress(data)
        for cut in [1, 10, compressed.readableBytes / 2, compressed.readableBytes - 1] {
            let truncated = compressed.getSlice(at: 0, length: cut)!
            Self.expectDecompressionFailed(codec) { _ = try codec.decompress(truncated, maximumSize: 1 << 20) }
        }
    }

    @Test(arguments: [KafkaCompression.gzip, .snappy, .lz4, .zstd])
    func randomMutationsNeverCrash(codec: KafkaCompression) throws {
        var generator = SplitMix64(seed: UInt64(codec.rawValue) * 1000)
        let data = Self.sampleData(size: 20_000)
        let compressed = try codec.compress(data)
        var successes = 0
        for _ in 0..<500 {
            var mutated = compressed
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<mutated.readableBytes, using: &generator)
                mutated.setInteger(UInt8.random(in: 0...255, using: &generator), at: index)
            }
            if Bool.random(using: &generator) {
                mutated = mutated.getSlice(at: 0, length: Int.random(in: 0...mutated.readableBytes, using: &generator))!
            }
            do {
                let output = try codec.decompress(mutated, maximumSize: 1 << 20)
                #expect(output.readableBytes <= 1 << 20)
                successes += 1
            } catch let error as KafkaProtocolError {
                guard case .decompressionFailed = error else {
                    Issue.record("unexpected error \(error)")
                    continue
                }
            }
        }
        _ = successes
    }
}
