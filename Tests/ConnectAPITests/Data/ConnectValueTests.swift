import ConnectAPI
import Testing

@Suite struct ConnectValueTests {
    @Test func bytesCompareByContent() {
        let first = ConnectValue.bytes([1, 2, 3])
        let second = ConnectValue.bytes(Array([0, 1, 2, 3].dropFirst()))
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        #expect(first != .bytes([1, 2]))
        #expect(first != .string("\u{1}\u{2}\u{3}"))
    }

    @Test func nestedValuesCompareDeeply() {
        let first: ConnectValue = ["a": [.int32(1), .bytes([9])], "b": nil]
        let second: ConnectValue = ["a": [.int32(1), .bytes([9])], "b": nil]
        let different: ConnectValue = ["a": [.int32(1), .bytes([8])], "b": nil]
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        #expect(first != different)
        // Same number, different kind: not equal (Java's Integer(1) != Long(1)).
        #expect(ConnectValue.int32(1) != .int64(1))
    }

    @Test func floatingPointFollowsJavaEquals() {
        #expect(ConnectValue.float64(.nan) == .float64(.nan))
        #expect(ConnectValue.float64(.nan) == .float64(-.nan))
        #expect(ConnectValue.float64(.nan).hashValue == ConnectValue.float64(-.nan).hashValue)
        #expect(ConnectValue.float32(.nan) == .float32(.nan))
        #expect(ConnectValue.float64(0.0) != .float64(-0.0))
        #expect(ConnectValue.float64(1.5) == .float64(1.5))
        #expect(Set<ConnectValue>([.float64(.nan), .float64(.nan)]).count == 1)
    }

    @Test func mapsKeepInsertionOrder() {
        var map = ConnectMap()
        for key in ["zeta", "alpha", "mu", "beta"] { map[.string(key)] = .int32(Int32(key.count)) }
        #expect(map.keys == ["zeta", "alpha", "mu", "beta"])
        map["alpha"] = .int32(0)  // replacing keeps the position
        #expect(map.keys == ["zeta", "alpha", "mu", "beta"])
        #expect(map["alpha"] == .int32(0))
        map["mu"] = nil
        #expect(map.keys == ["zeta", "alpha", "beta"])
        #expect(map.count == 3)
        let literal: ConnectValue = ["b": .int32(1), "a": .int32(2)]
        #expect(literal.mapValue?.keys == ["b", "a"])
    }

    @Test func largeMapsStayConsistent() {
        var map = ConnectMap()
        for index in 0..<500 { map[.int32(Int32(index))] = .string("v\(index)") }
        #expect(map.count == 500)
        #expect(map[.int32(499)] == "v499")
        #expect(map.keys.first == .int32(0))
        for index in stride(from: 0, to: 500, by: 2) { map.removeValue(forKey: .int32(Int32(index))) }
        #expect(map.count == 250)
        #expect(map[.int32(2)] == nil)
        #expect(map[.int32(3)] == "v3")
        #expect(map.keys.prefix(3) == [.int32(1), .int32(3), .int32(5)])
        map[.int32(3)] = "replaced"
        #expect(map[1].value == "replaced")
    }

    @Test func mapsCompareAsUnorderedEntrySets() {
        let first = ConnectMap([("a", .int32(1)), ("b", .int32(2))])
        let second = ConnectMap([("b", .int32(2)), ("a", .int32(1))])
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        #expect(first != ConnectMap([("a", .int32(1)), ("b", .int32(3))]))
        #expect(first != ConnectMap([("a", .int32(1))]))
    }

    @Test func repeatedKeysKeepTheLastValueAtTheFirstPosition() {
        let map = ConnectMap([("a", .int32(1)), ("b", .int32(2)), ("a", .int32(3))])
        #expect(map.count == 2)
        #expect(map.keys == ["a", "b"])
        #expect(map["a"] == .int32(3))
    }

    @Test func reportsItsKindAndPayload() {
        #expect(ConnectValue.int32(5).kind == .int32)
        #expect(ConnectValue.date(days: 1).kind == .int32)
        #expect(ConnectValue.timestamp(millis: 1).kind == .int64)
        #expect(ConnectValue.decimal(ConnectDecimal(unscaled: 1)).kind == .bytes)
        #expect(ConnectValue.null.kind == nil)
        #expect(ConnectValue.int16(-3).integerValue == -3)
        #expect(ConnectValue.string("x").stringValue == "x")
        #expect(ConnectValue.string("x").int32Value == nil)
        #expect(ConnectValue.null.isNull)
    }

    static let javaRenderings: [(ConnectValue, String)] = [
        (ConnectValue.float64(1), "1.0"),
        (.float64(0.001), "0.001"),
        (.float64(1e7), "1.0E7"),
        (.float64(1.0e-4), "1.0E-4"),
        (.float64(123_456.789), "123456.789"),
        (.float64(-1.5e300), "-1.5E300"),
        (.float64(-0.0), "-0.0"),
        (.float64(.nan), "NaN"),
        (.float64(-.infinity), "-Infinity"),
        (.float32(0.1), "0.1"),
        (.float32(1e10), "1.0E10"),
        (.int64(-5), "-5"),
        (.boolean(true), "true"),
        (.bytes([1, 255]), "[1, 255]"),
        (.array(["a", .int32(2)]), "[a, 2]"),
        (.map(["k": "v", "n": nil]), "{k=v, n=null}"),
        (.date(days: 19_753), "2024-01-31"),
        (.date(days: -1), "1969-12-31"),
        (.time(millis: 49_500_123), "13:45:00.123"),
        (.timestamp(millis: 1_706_708_700_123), "2024-01-31T13:45:00.123Z"),
        (.timestamp(millis: -1), "1969-12-31T23:59:59.999Z"),
    ]

    @Test(arguments: javaRenderings)
    func describesValuesLikeJava(value: ConnectValue, expected: String) {
        #expect(value.description == expected)
    }
}
