import ConnectAPI
import Testing

@Suite struct ConnectMapTests {
    @Test func keepsInsertionOrderAndLastValueForRepeatedKeys() {
        var map = ConnectMap()
        map["a"] = .int32(1)
        map["b"] = .int32(2)
        map["a"] = .int32(3)
        #expect(map.count == 2)
        #expect(map.keys == ["a", "b"])
        #expect(map.values == [.int32(3), .int32(2)])
        #expect(map[0].key == "a" && map[0].value == .int32(3))
        #expect(!map.isEmpty && ConnectMap().isEmpty)
    }

    /// Maps past the linear-search size build a hash index; lookups, replacements and removals stay
    /// consistent across that threshold.
    @Test func largeMapsStayConsistent() {
        var map = ConnectMap()
        for index in 0..<100 { map[.string("k\(index)")] = .int64(Int64(index)) }
        for index in 0..<100 { map[.string("k\(index)")] = .int64(Int64(index * 2)) }
        #expect(map.count == 100)
        for index in 0..<100 { #expect(map[.string("k\(index)")] == .int64(Int64(index * 2))) }
        for index in stride(from: 0, to: 100, by: 2) { map[.string("k\(index)")] = nil }
        #expect(map.count == 50)
        #expect(map[.string("k1")] == .int64(2) && map[.string("k2")] == nil)
        #expect(map.keys.first == "k1" && map.keys.last == "k99")
    }

    @Test func iterationFollowsInsertionOrder() {
        let map: ConnectMap = ["z": .int32(1), "y": .int32(2), "x": .int32(3)]
        #expect(map.map(\.key) == ["z", "y", "x"])
        #expect(map.indices == 0..<3)
        #expect(map == ["x": .int32(3), "y": .int32(2), "z": .int32(1)])
    }
}
