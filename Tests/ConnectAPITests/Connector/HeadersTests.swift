import ConnectAPI
import Testing

@Suite struct HeadersTests {
    @Test func keepsOrderAndDuplicates() {
        var headers = Headers()
        headers.addString("source", "db")
        headers.addInt("attempt", 1)
        headers.addString("source", "replica")
        headers.addLong("ts", 5)
        #expect(headers.count == 4)
        #expect(headers.map(\.key) == ["source", "attempt", "source", "ts"])
        #expect(headers.lastWithName("source")?.value == "replica")
        #expect(headers.allWithName("source").map(\.value) == ["db", "replica"])
        #expect(headers.lastWithName("nope") == nil)
        #expect(headers[1].schema == .int32)
    }

    @Test func typedAddsPickTheSchema() {
        var headers = Headers()
        headers.addString("nil", nil)
        headers.addBytes("b", [1])
        headers.addBoolean("flag", true)
        headers.addDouble("d", 1.5)
        headers.addDecimal("price", ConnectDecimal(unscaled: 199, scale: 2))
        headers.addDate("day", days: 1)
        headers.addTimestamp("at", millis: 2)
        #expect(
            headers.map { $0.schema } == [
                .optionalString, .bytes, .boolean, .float64, .decimal(scale: 2), .date, .timestamp,
            ]
        )
        #expect(headers[0].value == .null)
    }

    @Test func validatesAgainstTheGivenSchema() throws {
        var headers = Headers()
        try headers.add("n", .int64(1), schema: .int64)
        try headers.add("schemaless", ["any": "thing"], schema: nil)
        let error = try #require(throws: DataError.self) { try headers.add("n", .string("x"), schema: .int64) }
        #expect(error.message == "Invalid value for schema with type INT64: string for header \"n\"")
        #expect(throws: DataError.self) { try headers.addList("l", [.int32(1)], schema: .int32) }
        try headers.addList("l", [.int32(1)], schema: SchemaBuilder.array(.int32).build())
        #expect(headers.count == 3)
    }

    @Test func removesRetainsAndTransforms() {
        var headers: Headers = [
            Header(key: "a", schema: .int32, value: .int32(1)),
            Header(key: "b", schema: .int32, value: .int32(2)),
            Header(key: "a", schema: .int32, value: .int32(3)),
            Header(key: "b", schema: .int32, value: .int32(4)),
        ]
        var latestA = headers
        latestA.retainLatest("a")
        #expect(latestA.map(\.value) == [.int32(2), .int32(3), .int32(4)])

        var latest = headers
        latest.retainLatest()
        #expect(latest.map(\.value) == [.int32(3), .int32(4)])

        var renamed = headers
        renamed.apply("b") { $0.renamed(to: "c") }
        #expect(renamed.map(\.key) == ["a", "c", "a", "c"])

        var dropped = headers
        dropped.apply { $0.value == .int32(1) ? nil : $0 }
        #expect(dropped.count == 3)

        headers.remove("a")
        #expect(headers.map(\.key) == ["b", "b"])
        headers.clear()
        #expect(headers.isEmpty)
    }

    @Test func copiesAreIndependent() {
        var original = Headers()
        original.addString("k", "v")
        var copy = original
        copy.addString("k2", "v2")
        #expect(original.count == 1)
        #expect(copy.count == 2)
        #expect(original != copy)
    }
}
