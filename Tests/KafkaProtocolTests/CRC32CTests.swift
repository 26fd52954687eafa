import NIOCore
import Testing

@testable import KafkaProtocol

@Suite("CRC32C")
struct CRC32CTests {
    /// Bit-at-a-time reference implementation.
    static func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
            }
        }
        return ~crc
    }

    @Test func checkValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        var buffer = ByteBuffer()
        buffer.writeString("123456789")
        #expect(CRC32C.checksum(buffer) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    /// RFC 3720 (iSCSI), appendix B.4.
    @Test func rfc3720Vectors() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
    }

    @Test func matchesReferenceForAllLengthsAndAlignments() {
        var generator = SplitMix64(seed: 42)
        let data = (0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for start in 0..<9 {
            for end in stride(from: start, through: data.count, by: 7) {
                let slice = Array(data[start..<end])
                let expected = Self.reference(slice)
                let actual = data.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
                #expect(actual == expected, "start \(start) end \(end)")
            }
        }
    }

    /// Inputs of three lanes (3 x 512 bytes) and more take the interleaved path.
    @Test func interleavedPathMatchesReference() {
        var generator = SplitMix64(seed: 7)
        let data = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for start in [0, 1, 3, 7, 8, 9] {
            for length in [1535, 1536, 1537, 1543, 2000, 3071, 3072, 3073, 4608, 4990]
            where start + length <= data.count {
                let slice = Array(data[start..<(start + length)])
                let actual = data.withUnsafeBytes {
                    CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<(start + length)]))
                }
                #expect(actual == Self.reference(slice), "start \(start) length \(length)")
            }
        }
        // Chaining across the paths.
        let whole = CRC32C.checksum(data)
        for split in [1, 100, 1536, 2500, 4000] {
            let chained = data.withUnsafeBytes {
                CRC32C.update(
                    CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[..<split])),
                    UnsafeRawBufferPointer(rebasing: $0[split...])
                )
            }
            #expect(chained == whole)
        }
        #expect(whole == Self.reference(data))
    }

    @Test func portableSwiftVersionAgreesWithTheHardwareOne() {
        var generator = SplitMix64(seed: 42)
        let data = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for length in [0, 1, 7, 8, 15, 16, 100, 1535, 1536, 4608, 4609, 70_000] {
            data.withUnsafeBytes { all in
                let bytes = UnsafeRawBufferPointer(rebasing: all[..<length])
                #expect(CRC32C.softwareUpdate(0, bytes) == CRC32C.update(0, bytes), "length \(length)")
                #expect(CRC32C.softwareUpdate(0x1234_5678, bytes) == CRC32C.update(0x1234_5678, bytes))
            }
        }
    }

    @Test func chaining() {
        let a = Array("hello, ".utf8)
        let b = Array("world".utf8)
        let chained = b.withUnsafeBytes { CRC32C.update(CRC32C.checksum(a), $0) }
        #expect(chained == CRC32C.checksum(a + b))
        var buffer = ByteBuffer()
        buffer.writeBytes(b)
        #expect(CRC32C.update(CRC32C.checksum(a), buffer) == CRC32C.checksum(a + b))
    }
}

/// A small deterministic generator for tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
