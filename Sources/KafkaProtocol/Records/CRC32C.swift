import CISAL
import NIOCore

/// CRC-32C (Castagnoli, reflected polynomial `0x82F63B78`), the checksum of Kafka record batches
/// (magic v2).
///
/// Computed by Intel ISA-L (`crc32_iscsi`, Debian's libisal-dev), which uses the processor's CRC
/// instructions: it is the hottest loop of producing and consuming. A portable Swift version
/// (slice-by-16 with three interleaved lanes, ~4 GB/s) is kept as the reference the tests compare with.
///
/// Values are the finished CRC (initial value and final XOR already applied), so checksums can be
/// chained: `CRC32C.update(CRC32C.checksum(a), b) == CRC32C.checksum(a + b)`.
public enum CRC32C {
    /// The reflected Castagnoli polynomial.
    public static let polynomial: UInt32 = 0x82F6_3B78

    /// `tables[k * 256 + b]`: slice-by-16 table k (table 0 is the classic byte-wise table).
    static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 16 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1
            }
            tables[byte] = crc
        }
        for byte in 0..<256 {
            var crc = tables[byte]
            for k in 1..<16 {
                crc = tables[Int(crc & 0xFF)] ^ (crc >> 8)
                tables[k * 256 + byte] = crc
            }
        }
        return tables
    }()

    /// The length of each of the three lanes of the interleaved loop.
    static let laneLength = 512

    /// `laneShift[k * 256 + b]`: the CRC register `b << 8k` after `laneLength` zero bytes. The
    /// register update is linear, so `register(s, A + B) = shift(register(s, A)) ^ register(0, B)`.
    static let laneShift: [UInt32] = {
        let table = tables
        // The images of the 32 basis vectors, then all byte values by linearity.
        var basis = [UInt32](repeating: 0, count: 32)
        for bit in 0..<32 {
            var register = UInt32(1) << UInt32(bit)
            for _ in 0..<laneLength {
                register = table[Int(register & 0xFF)] ^ (register >> 8)
            }
            basis[bit] = register
        }
        var shift = [UInt32](repeating: 0, count: 4 * 256)
        for k in 0..<4 {
            for byte in 0..<256 {
                var value: UInt32 = 0
                for bit in 0..<8 where byte & (1 << bit) != 0 {
                    value ^= basis[k * 8 + bit]
                }
                shift[k * 256 + byte] = value
            }
        }
        return shift
    }()

    /// The CRC-32C of `bytes`.
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        update(0, bytes)
    }

    /// The CRC-32C of the readable bytes of `buffer` (the reader index is not moved).
    @inlinable
    public static func checksum(_ buffer: ByteBuffer) -> UInt32 {
        buffer.withUnsafeReadableBytes { update(0, $0) }
    }

    /// The CRC-32C of a byte sequence (convenience for tests and small inputs).
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        let array = Array(bytes)
        return array.withUnsafeBytes { update(0, $0) }
    }

    /// Continues the checksum `crc` (of the bytes before) over the readable bytes of `buffer`.
    @inlinable
    public static func update(_ crc: UInt32, _ buffer: ByteBuffer) -> UInt32 {
        buffer.withUnsafeReadableBytes { update(crc, $0) }
    }

    /// Continues the checksum `crc` (of the bytes before) over `bytes`, with ISA-L's hardware
    /// implementation (SSE4.2/AVX-512 CRC instructions, chosen at run time).
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        // ISA-L's iSCSI CRC is CRC-32C without the final inversion; its input length is an int.
        var register = ~crc
        var offset = 0
        while offset < bytes.count {
            let length = min(bytes.count - offset, Int(Int32.max))
            register = crc32_iscsi(
                UnsafeMutablePointer(mutating: base.advanced(by: offset).assumingMemoryBound(to: UInt8.self)),
                Int32(length),
                register
            )
            offset += length
        }
        return ~register
    }

    /// The same as ``update(_:_:)-(_,UnsafeRawBufferPointer)`` in portable Swift (slice-by-16 with
    /// three interleaved lanes); the tests check the two agree.
    static func softwareUpdate(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        if bytes.count < 3 * laneLength {
            return tables.withUnsafeBufferPointer { ~run(~crc, base, bytes.count, $0.baseAddress!) }
        }
        return tables.withUnsafeBufferPointer { table in
            laneShift.withUnsafeBufferPointer { shift in
                ~runInterleaved(~crc, base, bytes.count, table.baseAddress!, shift.baseAddress!)
            }
        }
    }

    // MARK: - Register updates (no initial or final inversion)

    @inline(__always)
    static func stepByte(_ register: UInt32, _ byte: UInt8, _ t: UnsafePointer<UInt32>) -> UInt32 {
        t[Int((register ^ UInt32(byte)) & 0xFF)] ^ (register >> 8)
    }

    /// Sixteen bytes at an 8-byte aligned `pointer`.
    @inline(__always)
    static func step16(_ register: UInt32, _ pointer: UnsafeRawPointer, _ t: UnsafePointer<UInt32>) -> UInt32 {
        // The lookups of the second word do not depend on the register; computing them first lets
        // LLVM put them at the start of its XOR chain, so only the eight lookups of the first word
        // wait for the previous step.
        let word1 = UInt64(littleEndian: pointer.load(fromByteOffset: 8, as: UInt64.self))
        let c = UInt32(truncatingIfNeeded: word1)
        let d = UInt32(truncatingIfNeeded: word1 >> 32)
        let y0 = t[7 * 256 + Int(c & 0xFF)] ^ t[6 * 256 + Int((c >> 8) & 0xFF)]
        let y1 = t[5 * 256 + Int((c >> 16) & 0xFF)] ^ t[4 * 256 + Int(c >> 24)]
        let y2 = t[3 * 256 + Int(d & 0xFF)] ^ t[2 * 256 + Int((d >> 8) & 0xFF)]
        let y3 = t[1 * 256 + Int((d >> 16) & 0xFF)] ^ t[Int(d >> 24)]
        let independent = (y0 ^ y1) ^ (y2 ^ y3)
        let word0 = UInt64(littleEndian: pointer.load(as: UInt64.self))
        let a = register ^ UInt32(truncatingIfNeeded: word0)
        let b = UInt32(truncatingIfNeeded: word0 >> 32)
        let x0 = t[15 * 256 + Int(a & 0xFF)] ^ t[14 * 256 + Int((a >> 8) & 0xFF)]
        let x1 = t[13 * 256 + Int((a >> 16) & 0xFF)] ^ t[12 * 256 + Int(a >> 24)]
        let x2 = t[11 * 256 + Int(b & 0xFF)] ^ t[10 * 256 + Int((b >> 8) & 0xFF)]
        let x3 = t[9 * 256 + Int((b >> 16) & 0xFF)] ^ t[8 * 256 + Int(b >> 24)]
        return independent ^ ((x0 ^ x1) ^ (x2 ^ x3))
    }

    /// Single lane: bytes up to 8-byte alignment, 16 bytes per step, then the tail.
    static func run(_ register: UInt32, _ base: UnsafeRawPointer, _ count: Int, _ t: UnsafePointer<UInt32>) -> UInt32 {
        var register = register
        var pointer = base
        var remaining = count
        while remaining > 0 && UInt(bitPattern: pointer) & 7 != 0 {
            register = stepByte(register, pointer.load(as: UInt8.self), t)
            pointer += 1
            remaining -= 1
        }
        while remaining >= 16 {
            register = step16(register, pointer, t)
            pointer += 16
            remaining -= 16
        }
        while remaining > 0 {
            register = stepByte(register, pointer.load(as: UInt8.self), t)
            pointer += 1
            remaining -= 1
        }
        return register
    }

    /// Three lanes of `laneLength` bytes at a time, joined with the lane shift tables; the rest
    /// single-lane.
    static func runInterleaved(
        _ register: UInt32,
        _ base: UnsafeRawPointer,
        _ count: Int,
        _ t: UnsafePointer<UInt32>,
        _ shift: UnsafePointer<UInt32>
    ) -> UInt32 {
        @inline(__always)
        func shifted(_ r: UInt32) -> UInt32 {
            (shift[Int(r & 0xFF)] ^ shift[256 + Int((r >> 8) & 0xFF)])
                ^ (shift[512 + Int((r >> 16) & 0xFF)] ^ shift[768 + Int(r >> 24)])
        }
        var register = register
        var pointer = base
        var remaining = count
        while remaining > 0 && UInt(bitPattern: pointer) & 7 != 0 {
            register = stepByte(register, pointer.load(as: UInt8.self), t)
            pointer += 1
            remaining -= 1
        }
        let lane = laneLength
        while remaining >= 3 * lane {
            var r0 = register
            var r1: UInt32 = 0
            var r2: UInt32 = 0
            var p = pointer
            let end = pointer + lane
            while p < end {
                r0 = step16(r0, p, t)
                r1 = step16(r1, p + lane, t)
                r2 = step16(r2, p + 2 * lane, t)
                p += 16
            }
            register = shifted(shifted(r0) ^ r1) ^ r2
            pointer += 3 * lane
            remaining -= 3 * lane
        }
        return run(register, pointer, remaining, t)
    }
}
