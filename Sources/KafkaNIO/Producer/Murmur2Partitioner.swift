import NIOCore

/// The Java client's default partitioner for keyed records: `toPositive(murmur2(key)) % partitions`.
/// librdkafka's `murmur2_random` partitioner computes the same, so keyed records land on the same
/// partition whichever client produced them.
public enum Murmur2Partitioner {
    /// Kafka's murmur2 variant (seed 0x9747b28c), as `org.apache.kafka.common.utils.Utils.murmur2`.
    public static func murmur2<Bytes: Collection>(_ data: Bytes) -> Int32 where Bytes.Element == UInt8 {
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        let length = data.count
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: length)
        var iterator = data.makeIterator()
        var remaining = length
        while remaining >= 4 {
            let b0 = UInt32(iterator.next() ?? 0)
            let b1 = UInt32(iterator.next() ?? 0)
            let b2 = UInt32(iterator.next() ?? 0)
            let b3 = UInt32(iterator.next() ?? 0)
            var k = b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
            remaining -= 4
        }
        var tail: [UInt32] = []
        while let byte = iterator.next() { tail.append(UInt32(byte)) }
        if tail.count == 3 { h ^= tail[2] << 16 }
        if tail.count >= 2 { h ^= tail[1] << 8 }
        if tail.count >= 1 {
            h ^= tail[0]
            h = h &* m
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    /// The partition for `key` among `partitionCount` partitions.
    public static func partition(forKey key: ByteBuffer, partitionCount: Int) -> Int32 {
        let hash = key.withUnsafeReadableBytes { murmur2($0) }
        return Int32((UInt32(bitPattern: hash) & 0x7fff_ffff) % UInt32(partitionCount))
    }
}
