import CLZ4
import CSnappy
import CZlib
import CZstd
import NIOCore

/// The compression codecs of Kafka record batches (bits 0-2 of the batch attributes).
///
/// Only the records section of a batch (everything after the record count) is compressed. The
/// formats written are the ones the Java client and librdkafka read for magic v2:
/// - `gzip`: a gzip stream (zlib, window bits 15 + 16).
/// - `snappy`: the snappy-java ("xerial") framing, 32 KiB input blocks, like Java's
///   `SnappyOutputStream`. Reading accepts xerial framing (also concatenated streams) and raw
///   snappy blocks (what some clients, e.g. librdkafka, write).
/// - `lz4`: an LZ4 frame (LZ4F), independent 64 KiB blocks, no content checksum, like Kafka's
///   `KafkaLZ4BlockOutputStream`. Reading accepts any valid LZ4 frame (also concatenated frames).
/// - `zstd`: a zstd frame written by `ZSTD_compress`; reading is streaming, so frames without a
///   content size (Java's `ZstdOutputStream`, librdkafka) and concatenated frames are accepted.
///
/// Decompression never allocates more than `maximumSize + 1` bytes of output and reports garbage,
/// truncated input and oversized output with ``KafkaProtocolError/decompressionFailed(codec:reason:)``.
public enum KafkaCompression: Int, Sendable, CaseIterable {
    case none = 0
    case gzip = 1
    case snappy = 2
    case lz4 = 3
    case zstd = 4

    /// The `compression.type` value of the Java clients.
    public var name: String {
        switch self {
        case .none: "none"
        case .gzip: "gzip"
        case .snappy: "snappy"
        case .lz4: "lz4"
        case .zstd: "zstd"
        }
    }

    /// Parses a `compression.type` value ("none", "gzip", "snappy", "lz4", "zstd"; case-insensitive).
    public init?(name: String) {
        switch name.lowercased() {
        case "none": self = .none
        case "gzip": self = .gzip
        case "snappy": self = .snappy
        case "lz4": self = .lz4
        case "zstd": self = .zstd
        default: return nil
        }
    }

    /// Compresses the readable bytes of `input`.
    ///
    /// - Parameter level: the codec's compression level; nil is the codec's default (gzip: zlib's
    ///   default 6, lz4: 0 = LZ4's fast mode as librdkafka, zstd: 3). Ignored for `none` and `snappy`.
    public func compress(_ input: ByteBuffer, level: Int? = nil) throws -> ByteBuffer {
        if self == .none { return input }
        var output = ByteBufferAllocator().buffer(capacity: 0)
        try self.compress(input, appendingTo: &output, level: level)
        return output
    }

    /// Compresses the readable bytes of `input` and appends the result to `output`.
    public func compress(_ input: ByteBuffer, appendingTo output: inout ByteBuffer, level: Int? = nil) throws {
        switch self {
        case .none:
            output.writeImmutableBuffer(input)
        case .gzip:
            try Self.gzipCompress(input, into: &output, level: level)
        case .snappy:
            try Self.snappyCompress(input, into: &output)
        case .lz4:
            try Self.lz4Compress(input, into: &output, level: level)
        case .zstd:
            try Self.zstdCompress(input, into: &output, level: level)
        }
    }

    /// Decompresses the readable bytes of `input`.
    ///
    /// - Parameter maximumSize: the largest decompressed size accepted; a larger output (a
    ///   compression bomb) is an error, not an allocation.
    /// - Throws: ``KafkaProtocolError/decompressionFailed(codec:reason:)`` for malformed or
    ///   truncated input and for output beyond `maximumSize`.
    public func decompress(_ input: ByteBuffer, maximumSize: Int) throws -> ByteBuffer {
        guard maximumSize >= 0 else { throw self.failure("negative maximumSize \(maximumSize)") }
        // A ByteBuffer holds at most 4 GiB; batches are limited to 2 GiB by their int32 length.
        let maximumSize = min(maximumSize, Int(Int32.max) - 1)
        switch self {
        case .none:
            guard input.readableBytes <= maximumSize else {
                throw self.failure("size \(input.readableBytes) exceeds maximum \(maximumSize)")
            }
            return input
        case .gzip:
            return try Self.gzipDecompress(input, maximumSize: maximumSize)
        case .snappy:
            return try Self.snappyDecompress(input, maximumSize: maximumSize)
        case .lz4:
            return try Self.lz4Decompress(input, maximumSize: maximumSize)
        case .zstd:
            return try Self.zstdDecompress(input, maximumSize: maximumSize)
        }
    }

    // MARK: - Shared helpers

    func failure(_ reason: String) -> KafkaProtocolError {
        .decompressionFailed(codec: self.name, reason: reason)
    }

    func compressionFailure(_ reason: String) -> KafkaProtocolError {
        .compressionFailed(codec: self.name, reason: reason)
    }

    /// Runs a streaming decoder, growing the output as needed but never beyond `maximumSize + 1`
    /// bytes. `step` gets the free output space and must decode until it is finished, the space
    /// is full, or the input is exhausted; it returns the bytes written and whether the stream
    /// ended.
    static func decodeGrowing(
        codec: KafkaCompression,
        maximumSize: Int,
        initialCapacity: Int,
        _ step: (UnsafeMutableRawBufferPointer) throws -> (written: Int, finished: Bool)
    ) throws -> ByteBuffer {
        let hardLimit = maximumSize + 1
        var output = ByteBufferAllocator().buffer(capacity: max(1, min(hardLimit, initialCapacity)))
        while true {
            var room = min(output.capacity, hardLimit) - output.writerIndex
            if room <= 0 {
                guard output.writerIndex < hardLimit else {
                    throw codec.failure("decompressed size exceeds maximum \(maximumSize)")
                }
                output.reserveCapacity(min(hardLimit, max(output.capacity * 2, 4096)))
                room = min(output.capacity, hardLimit) - output.writerIndex
            }
            var finished = false
            let written = try output.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { free in
                let region = UnsafeMutableRawBufferPointer(rebasing: free.prefix(room))
                let result = try step(region)
                finished = result.finished
                return result.written
            }
            guard output.writerIndex <= maximumSize else {
                throw codec.failure("decompressed size exceeds maximum \(maximumSize)")
            }
            if finished { return output }
            guard written == room else {
                // The decoder stopped with output space left and without reaching the end of the
                // stream: the input ended early.
                throw codec.failure("truncated input")
            }
        }
    }

    static func initialDecodeCapacity(inputSize: Int, maximumSize: Int) -> Int {
        let guess = inputSize > (Int(Int32.max) / 4) ? Int(Int32.max) : max(inputSize * 4, 16 * 1024)
        return min(guess, maximumSize + 1)
    }

    // MARK: - gzip

    static func gzipCompress(_ input: ByteBuffer, into output: inout ByteBuffer, level: Int?) throws {
        let codec = KafkaCompression.gzip
        guard input.readableBytes <= Int(UInt32.max / 2) else { throw codec.compressionFailure("input too large") }
        var stream = z_stream()
        let level = Int32(clamping: level ?? Int(Z_DEFAULT_COMPRESSION))
        var status = deflateInit2_(
            &stream,
            level,
            Z_DEFLATED,
            15 + 16,
            8,
            Z_DEFAULT_STRATEGY,
            zlibVersion(),
            Int32(MemoryLayout<z_stream>.size)
        )
        guard status == Z_OK else { throw codec.compressionFailure("deflateInit2 failed (\(status))") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.readableBytes)))
        _ = try input.withUnsafeReadableBytes { source in
            try output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { destination in
                stream.next_in = UnsafeMutablePointer(
                    mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self)
                )
                stream.avail_in = uInt(source.count)
                stream.next_out = destination.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(min(destination.count, Int(UInt32.max)))
                status = deflate(&stream, Z_FINISH)
                guard status == Z_STREAM_END else {
                    throw codec.compressionFailure("deflate failed (\(status))")
                }
                return Int(stream.total_out)
            }
        }
    }

    static func gzipDecompress(_ input: ByteBuffer, maximumSize: Int) throws -> ByteBuffer {
        let codec = KafkaCompression.gzip
        guard input.readableBytes <= Int(UInt32.max / 2) else { throw codec.failure("input too large") }
        var stream = z_stream()
        // 15 + 32: gzip or zlib header, detected automatically.
        let initStatus = inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw codec.failure("inflateInit2 failed (\(initStatus))") }
        defer { inflateEnd(&stream) }
        return try input.withUnsafeReadableBytes { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(source.count)
            return try decodeGrowing(
                codec: codec,
                maximumSize: maximumSize,
                initialCapacity: initialDecodeCapacity(inputSize: source.count, maximumSize: maximumSize)
            ) { region in
                guard let base = region.baseAddress else { return (0, false) }
                stream.next_out = base.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(region.count)
                while true {
                    let status = inflate(&stream, Z_NO_FLUSH)
                    switch status {
                    case Z_STREAM_END:
                        // Like Java's GZIPInputStream: continue with a concatenated gzip member,
                        // ignore anything else that follows.
                        if stream.avail_in >= 2, stream.next_in[0] == 0x1F, stream.next_in[1] == 0x8B {
                            guard inflateReset(&stream) == Z_OK else { throw codec.failure("inflateReset failed") }
                            if stream.avail_out == 0 { return (region.count, false) }
                            continue
                        }
                        return (region.count - Int(stream.avail_out), true)
                    case Z_OK, Z_BUF_ERROR:
                        if stream.avail_out == 0 { return (region.count, false) }
                        if status == Z_BUF_ERROR || stream.avail_in == 0 {
                            // No progress possible with output space left: input ended early.
                            return (region.count - Int(stream.avail_out), false)
                        }
                    default:
                        let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                        throw codec.failure(message)
                    }
                }
            }
        }
    }

    // MARK: - snappy

    /// The snappy-java stream header: magic, version 1, minimum compatible version 1.
    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]
    static let xerialHeaderSize = 16
    /// Java's `SnappyOutputStream` default block size.
    static let xerialBlockSize = 32 * 1024

    static func snappyCompress(_ input: ByteBuffer, into output: inout ByteBuffer) throws {
        let codec = KafkaCompression.snappy
        let total = input.readableBytes
        let blocks = (total + xerialBlockSize - 1) / xerialBlockSize
        let bound = xerialHeaderSize + blocks * (4 + snappy_max_compressed_length(xerialBlockSize))
        output.reserveCapacity(minimumWritableBytes: bound)
        output.writeBytes(xerialMagic)
        output.writeInteger(Int32(1), endianness: .big)  // version
        output.writeInteger(Int32(1), endianness: .big)  // minimum compatible version
        try input.withUnsafeReadableBytes { source in
            var offset = 0
            while offset < total {
                let chunk = min(xerialBlockSize, total - offset)
                let maximum = snappy_max_compressed_length(chunk)
                try output.writeWithUnsafeMutableBytes(minimumWritableBytes: 4 + maximum) { destination in
                    var length = maximum
                    let status = snappy_compress(
                        source.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self),
                        chunk,
                        destination.baseAddress!.advanced(by: 4).assumingMemoryBound(to: CChar.self),
                        &length
                    )
                    guard status == SNAPPY_OK else { throw codec.compressionFailure("snappy_compress failed") }
                    destination.storeBytes(of: UInt32(length).bigEndian, toByteOffset: 0, as: UInt32.self)
                    return 4 + length
                }
                offset += chunk
            }
        }
    }

    static func snappyDecompress(_ input: ByteBuffer, maximumSize: Int) throws -> ByteBuffer {
        let codec = KafkaCompression.snappy
        return try input.withUnsafeReadableBytes { source in
            let isXerial =
                source.count >= xerialMagic.count
                && xerialMagic.withUnsafeBytes { $0.elementsEqual(source.prefix(xerialMagic.count)) }
            guard isXerial else {
                return try snappyDecompressRaw(source, maximumSize: maximumSize)
            }
            // First pass: validate the framing and add up the uncompressed sizes, so the output
            // is allocated once and never beyond the maximum.
            var blocks: [(range: Range<Int>, size: Int)] = []
            var total = 0
            var offset = 0
            while offset < source.count {
                if offset == 0 || isXerialHeader(source, at: offset) {
                    guard source.count - offset >= xerialHeaderSize else {
                        throw codec.failure("truncated stream header")
                    }
                    offset += xerialHeaderSize
                    continue
                }
                guard source.count - offset >= 4 else { throw codec.failure("truncated chunk length") }
                let length = Int(
                    Int32(bitPattern: UInt32(bigEndian: source.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                )
                offset += 4
                guard length >= 0, length <= source.count - offset else {
                    throw codec.failure("invalid chunk length \(length)")
                }
                if length > 0 {
                    let block = offset..<(offset + length)
                    var size = 0
                    let status = snappy_uncompressed_length(
                        source.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self),
                        length,
                        &size
                    )
                    guard status == SNAPPY_OK, size <= snappyMaximumExpansion(length) else {
                        throw codec.failure("invalid snappy block")
                    }
                    guard size <= maximumSize - total else {
                        throw codec.failure("decompressed size exceeds maximum \(maximumSize)")
                    }
                    total += size
                    if size > 0 { blocks.append((block, size)) }
                }
                offset += length
            }
            var output = ByteBufferAllocator().buffer(capacity: total)
            for block in blocks {
                try output.writeWithUnsafeMutableBytes(minimumWritableBytes: block.size) { destination in
                    var size = block.size
                    let status = snappy_uncompress(
                        source.baseAddress!.advanced(by: block.range.lowerBound).assumingMemoryBound(to: CChar.self),
                        block.range.count,
                        destination.baseAddress!.assumingMemoryBound(to: CChar.self),
                        &size
                    )
                    guard status == SNAPPY_OK, size == block.size else { throw codec.failure("invalid snappy block") }
                    return size
                }
            }
            guard output.readableBytes == total else { throw codec.failure("inconsistent block sizes") }
            return output
        }
    }

    /// The most a snappy block of `compressedLength` bytes can decode to: the densest element is
    /// a 3-byte copy of 64 bytes. Checked before allocating for the declared length.
    static func snappyMaximumExpansion(_ compressedLength: Int) -> Int {
        compressedLength * 22
    }

    private static func isXerialHeader(_ source: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        guard source.count - offset >= xerialMagic.count else { return false }
        return xerialMagic.withUnsafeBytes {
            $0.elementsEqual(UnsafeRawBufferPointer(rebasing: source[offset..<(offset + xerialMagic.count)]))
        }
    }

    private static func snappyDecompressRaw(_ source: UnsafeRawBufferPointer, maximumSize: Int) throws -> ByteBuffer {
        let codec = KafkaCompression.snappy
        guard let base = source.baseAddress, source.count > 0 else { throw codec.failure("empty input") }
        var size = 0
        guard snappy_uncompressed_length(base.assumingMemoryBound(to: CChar.self), source.count, &size) == SNAPPY_OK,
            size <= snappyMaximumExpansion(source.count)
        else { throw codec.failure("invalid snappy block") }
        guard size <= maximumSize else { throw codec.failure("decompressed size exceeds maximum \(maximumSize)") }
        var output = ByteBufferAllocator().buffer(capacity: max(size, 1))
        try output.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { destination in
            var written = size
            let status = snappy_uncompress(
                base.assumingMemoryBound(to: CChar.self),
                source.count,
                destination.baseAddress!.assumingMemoryBound(to: CChar.self),
                &written
            )
            guard status == SNAPPY_OK, written == size else { throw codec.failure("invalid snappy block") }
            return written
        }
        return output
    }

    // MARK: - lz4

    static func lz4Preferences(level: Int?) -> LZ4F_preferences_t {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockSizeID = LZ4F_max64KB
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        preferences.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum
        preferences.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum
        preferences.frameInfo.frameType = LZ4F_frame
        preferences.frameInfo.contentSize = 0
        preferences.compressionLevel = Int32(clamping: level ?? 0)
        return preferences
    }

    static func lz4Compress(_ input: ByteBuffer, into output: inout ByteBuffer, level: Int?) throws {
        let codec = KafkaCompression.lz4
        var preferences = lz4Preferences(level: level)
        let bound = LZ4F_compressFrameBound(input.readableBytes, &preferences)
        guard LZ4F_isError(bound) == 0 else { throw codec.compressionFailure(lz4ErrorName(bound)) }
        _ = try input.withUnsafeReadableBytes { source in
            try output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { destination in
                let written = LZ4F_compressFrame(
                    destination.baseAddress,
                    destination.count,
                    source.baseAddress,
                    source.count,
                    &preferences
                )
                guard LZ4F_isError(written) == 0 else { throw codec.compressionFailure(lz4ErrorName(written)) }
                return written
            }
        }
    }

    private static func lz4ErrorName(_ code: Int) -> String {
        String(cString: LZ4F_getErrorName(code))
    }

    static func lz4Decompress(_ input: ByteBuffer, maximumSize: Int) throws -> ByteBuffer {
        let codec = KafkaCompression.lz4
        var context: OpaquePointer? = nil
        let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(created) == 0, let context else { throw codec.failure("cannot create LZ4F context") }
        defer { LZ4F_freeDecompressionContext(context) }
        return try input.withUnsafeReadableBytes { source in
            guard source.count > 0 else { throw codec.failure("empty input") }
            var consumed = 0
            return try decodeGrowing(
                codec: codec,
                maximumSize: maximumSize,
                initialCapacity: initialDecodeCapacity(inputSize: source.count, maximumSize: maximumSize)
            ) { region in
                var produced = 0
                while true {
                    var sourceSize = source.count - consumed
                    var destinationSize = region.count - produced
                    let hint = LZ4F_decompress(
                        context,
                        region.baseAddress.map { $0 + produced },
                        &destinationSize,
                        source.baseAddress! + consumed,
                        &sourceSize,
                        nil
                    )
                    guard LZ4F_isError(hint) == 0 else { throw codec.failure(lz4ErrorName(hint)) }
                    consumed += sourceSize
                    produced += destinationSize
                    if hint == 0 && consumed == source.count { return (produced, true) }
                    if produced == region.count { return (produced, false) }
                    if consumed == source.count { return (produced, false) }  // truncated
                    if sourceSize == 0 && destinationSize == 0 && hint != 0 {
                        throw codec.failure("decoder made no progress")
                    }
                }
            }
        }
    }

    // MARK: - zstd

    static func zstdCompress(_ input: ByteBuffer, into output: inout ByteBuffer, level: Int?) throws {
        let codec = KafkaCompression.zstd
        let bound = ZSTD_compressBound(input.readableBytes)
        guard ZSTD_isError(bound) == 0 else { throw codec.compressionFailure("input too large") }
        let level = Int32(clamping: level ?? Int(ZSTD_CLEVEL_DEFAULT))
        _ = try input.withUnsafeReadableBytes { source in
            try output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { destination in
                let written = ZSTD_compress(
                    destination.baseAddress,
                    destination.count,
                    source.baseAddress,
                    source.count,
                    level
                )
                guard ZSTD_isError(written) == 0 else {
                    throw codec.compressionFailure(String(cString: ZSTD_getErrorName(written)))
                }
                return written
            }
        }
    }

    static func zstdDecompress(_ input: ByteBuffer, maximumSize: Int) throws -> ByteBuffer {
        let codec = KafkaCompression.zstd
        guard let context = ZSTD_createDCtx() else { throw codec.failure("cannot create ZSTD context") }
        defer { ZSTD_freeDCtx(context) }
        // Bound the window the decoder may allocate: enough for every standard level (up to 2^23
        // for level 19) and for the maximum output, never beyond zstd's default limit (2^27).
        let neededLog = Int.bitWidth - max(maximumSize, 1).leadingZeroBitCount
        let windowLogMax = Int32(min(27, max(23, neededLog)))
        _ = ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, windowLogMax)
        return try input.withUnsafeReadableBytes { source in
            guard source.count > 0 else { throw codec.failure("empty input") }
            var initial = initialDecodeCapacity(inputSize: source.count, maximumSize: maximumSize)
            let contentSize = ZSTD_getFrameContentSize(source.baseAddress, source.count)
            if contentSize < UInt64.max - 1 {  // neither unknown nor an error
                guard contentSize <= UInt64(maximumSize) else {
                    throw codec.failure("decompressed size exceeds maximum \(maximumSize)")
                }
                // Trust the declared size for the first allocation only within a plausible
                // ratio; beyond it the output grows as it is actually produced.
                if contentSize <= UInt64(max(source.count * 64, 1 << 20)) {
                    initial = Int(contentSize) + 1
                }
            }
            var inBuffer = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
            return try decodeGrowing(codec: codec, maximumSize: maximumSize, initialCapacity: initial) { region in
                var outBuffer = ZSTD_outBuffer(dst: region.baseAddress, size: region.count, pos: 0)
                while true {
                    let before = (inBuffer.pos, outBuffer.pos)
                    let result = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
                    guard ZSTD_isError(result) == 0 else {
                        throw codec.failure(String(cString: ZSTD_getErrorName(result)))
                    }
                    if result == 0 && inBuffer.pos == inBuffer.size { return (outBuffer.pos, true) }
                    if outBuffer.pos == outBuffer.size { return (outBuffer.pos, false) }
                    if inBuffer.pos == inBuffer.size { return (outBuffer.pos, false) }  // truncated
                    if before == (inBuffer.pos, outBuffer.pos) && result != 0 {
                        throw codec.failure("decoder made no progress")
                    }
                }
            }
        }
    }
}
