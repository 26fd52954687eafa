import ConnectAPI
import ConnectJSON
import Testing

/// Object members decode into ``ConnectMap``s in document order; a repeated member name keeps its first
/// position and its last value (Jackson's `ObjectNode` is a `LinkedHashMap`, whose `put` replaces).
@Suite struct JSONObjectMemberTests {
    func schemaless(_ json: String) throws -> ConnectMap {
        let converter = try JSONTestSupport.converter(schemasEnabled: false)
        return try #require(JSONTestSupport.decode(converter, json).value.mapValue)
    }

    @Test func repeatedMembersKeepTheLastValue() throws {
        let map = try schemaless(#"{"a":1,"b":2,"a":3,"c":4,"b":5}"#)
        #expect(map.keys == ["a", "b", "c"])
        #expect(map.values == [.int64(3), .int64(5), .int64(4)])
    }

    /// Escaped and plain spellings of one name are the same member.
    @Test func escapedSpellingsOfOneName() throws {
        let plainFirst = try schemaless(#"{"a":1,"\u0061":2,"b":3}"#)
        #expect(plainFirst.keys == ["a", "b"] && plainFirst["a"] == .int64(2))
        let escapedFirst = try schemaless(#"{"\u0061":1,"x":0,"a":2}"#)
        #expect(escapedFirst.keys == ["a", "x"] && escapedFirst["a"] == .int64(2))
        let bothEscaped = try schemaless(#"{"\u0061b":1,"a\u0062":2}"#)
        #expect(bothEscaped.keys == ["ab"] && bothEscaped["ab"] == .int64(2))
    }

    @Test func nestedObjectsHaveTheirOwnMembers() throws {
        let map = try schemaless(#"{"a":{"a":1,"a":2},"b":{"a":3},"a":{"c":{"a":4,"a":5}}}"#)
        #expect(map.keys == ["a", "b"])
        #expect(map["a"] == .map(["c": .map(["a": .int64(5)])]))
        #expect(map["b"] == .map(["a": .int64(3)]))
    }

    /// Keys of every length (the duplicate filter hashes short and long keys differently), many members
    /// (past the filter's and the map's index sizes), and repeats of each.
    @Test func manyMembersWithRepeats() throws {
        let names = (0..<400).map { index in String(repeating: "k", count: index % 20) + "\(index)" }
        var members = names.enumerated().map { "\"\($0.element)\":\($0.offset)" }
        members += names.enumerated().filter { $0.offset % 3 == 0 }.map { "\"\($0.element)\":\(-$0.offset)" }
        let map = try schemaless("{" + members.joined(separator: ",") + "}")
        #expect(map.count == names.count)
        #expect(map.keys == names.map { .string($0) })
        for (index, name) in names.enumerated() {
            #expect(map[.string(name)] == .int64(Int64(index % 3 == 0 ? -index : index)), "\(name)")
        }
    }

    @Test func mapsWithSchemaKeepTheLastValue() throws {
        let converter = try JSONTestSupport.converter()
        let json = """
            {"schema":{"type":"map","keys":{"type":"string","optional":false},\
            "values":{"type":"int32","optional":false},"optional":false},\
            "payload":{"x":1,"y":2,"x":5,"\\u0079":6}}
            """
        let map = try #require(JSONTestSupport.decode(converter, json).value.mapValue)
        #expect(map.keys == ["x", "y"])
        #expect(map.values == [.int32(5), .int32(6)])
    }

    /// The JSON writer's fast number formatting agrees with ConnectAPI's `description` on subnormals
    /// (both follow JDK 19+: `4.9E-324`, `9.9E-324`, `1.4E-45`).
    @Test func subnormalsAgreeWithDescription() throws {
        let converter = try JSONTestSupport.converter(schemasEnabled: false)
        var values: [ConnectValue] = (UInt64(1)...300).map { .float64(Double(bitPattern: $0)) }
        values += (UInt32(1)...300).map { .float32(Float(bitPattern: $0)) }
        values += [.float64(Double(bitPattern: 0x000F_FFFF_FFFF_FFFF)), .float32(Float(bitPattern: 0x007F_FFFF))]
        let json = try #require(try JSONTestSupport.encode(converter, nil, .array(values)))
        let written = json.dropFirst().dropLast().split(separator: ",").map(String.init)
        #expect(written == values.map(\.description))
    }
}
