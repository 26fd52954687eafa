import KafkaNIO
import NIOCore
import Testing

@Suite struct Murmur2PartitionerTests {
    /// `org.apache.kafka.common.utils.UtilsTest.testMurmur2`, verbatim.
    static let kafkaVectors: [(String, Int32)] = [
        ("21", -973_932_308),
        ("foobar", -790_332_482),
        ("a-little-bit-long-string", -985_981_536),
        ("a-little-bit-longer-string", -1_486_304_829),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
        ("abc", 479_470_107),
    ]

    @Test(arguments: kafkaVectors)
    func matchesKafkasTestVectors(input: String, expected: Int32) {
        #expect(Murmur2Partitioner.murmur2(Array(input.utf8)) == expected)
        // Any collection of bytes gives the same hash.
        #expect(Murmur2Partitioner.murmur2(input.utf8) == expected)
        #expect(ByteBuffer(string: input).withUnsafeReadableBytes { Murmur2Partitioner.murmur2($0) } == expected)
    }

    @Test func emptyAndBinaryKeys() {
        // Not in UtilsTest; computed with Kafka's algorithm (and cross-checked against kafkautil's
        // JVM-generated vector for the binary key).
        #expect(Murmur2Partitioner.murmur2([UInt8]()) == 275_646_681)
        #expect(Murmur2Partitioner.murmur2([12, 42, 56, 24, 109, 111] as [UInt8]) == 274_204_207)
    }

    /// `toPositive(murmur2(key)) % partitions`, as the Java client's default partitioner.
    @Test func partitionForKeyIsPositiveHashModuloCount() {
        let expected: [(String, [Int: Int32])] = [
            ("21", [1: 0, 3: 0, 6: 0, 12: 0, 100: 40]),
            ("foobar", [1: 0, 3: 0, 6: 0, 12: 6, 100: 66]),
            ("a-little-bit-long-string", [3: 2, 6: 2, 12: 8, 100: 12]),
            ("a-little-bit-longer-string", [3: 2, 6: 5, 12: 11, 100: 19]),
            ("abc", [6: 3, 12: 3, 100: 7]),
        ]
        for (key, partitions) in expected {
            for (count, partition) in partitions {
                #expect(
                    Murmur2Partitioner.partition(forKey: ByteBuffer(string: key), partitionCount: count) == partition,
                    "\(key) over \(count) partitions"
                )
            }
        }
    }

    @Test func partitionIsAlwaysInRange() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<2_000 {
            let key = (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random)
            }
            let count = Int.random(in: 1...1_000, using: &random)
            let partition = Murmur2Partitioner.partition(forKey: ByteBuffer(bytes: key), partitionCount: count)
            #expect((0..<Int32(count)).contains(partition))
            let hash = Murmur2Partitioner.murmur2(key)
            #expect(partition == Int32((UInt32(bitPattern: hash) & 0x7FFF_FFFF) % UInt32(count)))
        }
    }

    @Test func partitionUsesOnlyTheReadableBytes() {
        var buffer = ByteBuffer(string: "xxfoobar")
        buffer.moveReaderIndex(forwardBy: 2)
        #expect(Murmur2Partitioner.partition(forKey: buffer, partitionCount: 12) == 6)
    }
}
