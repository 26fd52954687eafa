import Testing

@testable import ConnectAPI

/// Kafka's `SimpleHeaderConverterTest` and the parts of `ValuesTest` about `Values.parseString` and
/// `Values.convertToString`.
@Suite struct SimpleHeaderConverterTests {
    let converter = SimpleHeaderConverter()

    func roundTrip(_ schema: Schema?, _ value: ConnectValue) throws -> SchemaAndValue {
        let bytes = try converter.fromConnectHeader(topic: "topic", headerKey: "header", schema: schema, value: value)
        return try converter.toConnectHeader(topic: "topic", headerKey: "header", bytes: bytes)
    }

    /// Kafka's `assertRoundTrip`: the same schema and value come back, also on a second round trip.
    func expectRoundTrip(
        _ schema: Schema,
        _ value: ConnectValue,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let first = try roundTrip(schema, value)
        #expect(first == SchemaAndValue(schema: schema, value: value), sourceLocation: sourceLocation)
        #expect(try roundTrip(first.schema, first.value) == first, sourceLocation: sourceLocation)
    }

    static let stringMap: ConnectValue = .map(["foo": "123", "bar": "baz"])
    static let shortMap: ConnectValue = .map(["foo": .int16(12345), "bar": .int16(0), "baz": .int16(-4321)])
    static let intMap: ConnectValue = .map([
        "foo": .int32(1_234_567_890), "bar": .int32(0), "baz": .int32(-987_654_321),
    ])

    @Test func nullsConvertToNulls() throws {
        #expect(try converter.fromConnectHeader(topic: "t", headerKey: "h", schema: .string, value: .null) == nil)
        #expect(try converter.toConnectHeader(topic: "t", headerKey: "h", bytes: nil) == .null)
        #expect(try converter.toConnectHeader(topic: "t", headerKey: "h", bytes: Array("null".utf8)) == .null)
    }

    @Test func strings() throws {
        try expectRoundTrip(.string, "simple")
        try expectRoundTrip(.string, "")
        try expectRoundTrip(.string, "three\"blind\\\"mice")
        try expectRoundTrip(.string, "string with delimiters: <>?,./\\=+-!@#$%^&*(){}[]|;':")
        try expectRoundTrip(.string, "null=")
    }

    @Test func mapsAndLists() throws {
        try expectRoundTrip(try SchemaBuilder.map(.string, .string).build(), Self.stringMap)
        try expectRoundTrip(try SchemaBuilder.map(.string, .int16).build(), Self.shortMap)
        try expectRoundTrip(try SchemaBuilder.map(.string, .int32).build(), Self.intMap)
        try expectRoundTrip(try SchemaBuilder.array(.string).build(), ["foo", "bar"])
        try expectRoundTrip(try SchemaBuilder.array(.int32).build(), [.int32(1_234_567_890), .int32(-987_654_321)])
    }

    @Test func mapTextWithOrWithoutWhitespaceParsesAsMaps() throws {
        let stringMap = try SchemaBuilder.map(.string, .string).build()
        #expect(
            try roundTrip(.string, #"{"foo":"123","bar":"baz"}"#)
                == SchemaAndValue(schema: stringMap, value: Self.stringMap)
        )
        #expect(
            try roundTrip(.string, "{ \"foo\" : \"123\", \n\"bar\" : \"baz\" } ")
                == SchemaAndValue(schema: stringMap, value: Self.stringMap)
        )
        let shortMap = try SchemaBuilder.map(.string, .int16).build()
        #expect(
            try roundTrip(.string, #" { "foo" :  12345 , "bar" : 0,  "baz" : -4321 }  "#)
                == SchemaAndValue(schema: shortMap, value: Self.shortMap)
        )
        let intMap = try SchemaBuilder.map(.string, .int32).build()
        #expect(
            try roundTrip(.string, #"{"foo":1234567890,"bar":0,"baz":-987654321}"#)
                == SchemaAndValue(schema: intMap, value: Self.intMap)
        )
    }

    @Test func mixedValuesHaveNoCommonSchema() throws {
        let map = try roundTrip(nil, .map(["foo": "bar", "baz": .int16(3456)]))
        #expect(map.schema?.kind == .map)
        #expect(map.schema?.keySchema == .string)
        #expect(map.schema?.valueSchema == nil)
        #expect(map.value == .map(["foo": "bar", "baz": .int16(3456)]))

        let list = try roundTrip(nil, ["foo", .int16(13344)])
        #expect(list.schema?.kind == .array)
        #expect(list.schema?.valueSchema == nil)
        #expect(list.value == ["foo", .int16(13344)])

        let emptyMap = try roundTrip(nil, .map(ConnectMap()))
        #expect(
            emptyMap.schema?.kind == .map && emptyMap.schema?.keySchema == nil && emptyMap.value == .map(ConnectMap())
        )
        let emptyList = try roundTrip(nil, [])
        #expect(emptyList.schema?.kind == .array && emptyList.schema?.valueSchema == nil && emptyList.value == [])
    }

    @Test func primitivesRoundTrip() throws {
        try expectRoundTrip(.boolean, true)
        try expectRoundTrip(.int8, .int8(-5))
        try expectRoundTrip(.int16, .int16(300))
        try expectRoundTrip(.int32, .int32(66000))
        try expectRoundTrip(.int64, .int64(5_000_000_000))
        try expectRoundTrip(.float32, .float32(1.5))
        try expectRoundTrip(.float64, .float64(1.7976931348623157e308))
        try expectRoundTrip(.decimal(scale: 0), .decimal(try #require(ConnectDecimal("9223372036854775808"))))
        try expectRoundTrip(.date, .date(days: 18131))
        try expectRoundTrip(.time, .time(millis: 52_494_346))
        try expectRoundTrip(.timestamp, .timestamp(millis: 1_566_570_894_346))
    }

    // ValuesTest.shouldParse*: inference quirks kept from Kafka
    @Test func parsingInfersKafkasTypes() throws {
        func parse(_ text: String) throws -> SchemaAndValue { try Values.parseString(text) }
        #expect(try parse("1.0") == SchemaAndValue(schema: .int8, value: .int8(1)))
        #expect(try parse("1.1") == SchemaAndValue(schema: .float32, value: .float32(1.1)))
        #expect(try parse("300.0") == SchemaAndValue(schema: .int16, value: .int16(300)))
        #expect(try parse("66000.0") == SchemaAndValue(schema: .int32, value: .int32(66000)))
        #expect(try parse("66000.0008") == SchemaAndValue(schema: .float32, value: .float32(66000.0008)))
        #expect(
            try parse("3.4028235E38") == SchemaAndValue(schema: .float32, value: .float32(.greatestFiniteMagnitude))
        )
        #expect(
            try parse("1.7976931348623157E308")
                == SchemaAndValue(schema: .float64, value: .float64(.greatestFiniteMagnitude))
        )
        #expect(try parse("9223372036854775808").schema == .decimal(scale: 0))
        #expect(try parse("-9223372036854775809").schema == .decimal(scale: 0))
        #expect(try parse("  true  ") == SchemaAndValue(schema: .boolean, value: true))
        #expect(try parse("  null  ") == .null)
        for text in [
            "true}", "false]", "null=", "{foo: 3}", "{3: foo}", "[foo]", "{6:9 4:20}", "[0 1 2]", "{null: 3}",
            "[1, 2, 3,,,]", "[1, null]", "[null, 1]", "\u{FFFF}",
        ] {
            #expect(try parse(text) == SchemaAndValue(schema: .string, value: .string(text)), "\(text)")
        }
        #expect(
            try parse("[true, false]")
                == SchemaAndValue(schema: try SchemaBuilder.array(.boolean).build(), value: [true, false])
        )
        let booleans = try parse("{true: false, false: true}")
        #expect(booleans.schema == (try SchemaBuilder.map(.boolean, .boolean).build()))
        #expect(booleans.value == .map([.boolean(true): .boolean(false), .boolean(false): .boolean(true)]))
        #expect(try parse("{3: null}").value == .map([.int8(3): .null]))
        #expect(try parse("{3: null}").schema?.keySchema == .int8)
        #expect(try parse("[null]").value == [.null])
        #expect(try parse("[[]]").schema?.valueSchema?.kind == .array)
        #expect(try parse("[{}]").schema?.valueSchema?.kind == .map)
        #expect(try parse(#"{"a":[]}"#).schema?.valueSchema?.kind == .array)
        // Numbers widen to the largest element type.
        let widened = try parse("[1, 2, 32768]")
        #expect(
            widened
                == SchemaAndValue(
                    schema: try SchemaBuilder.array(.int32).build(),
                    value: [.int32(1), .int32(2), .int32(32768)]
                )
        )
        #expect(
            try parse("[1, 2, 3.4028235E38]").value == [.float32(1), .float32(2), .float32(.greatestFiniteMagnitude)]
        )
        // Different kinds: no common schema, values as parsed.
        let mixed = try parse(#"[1, 2, 300, "four"]"#)
        #expect(mixed.schema?.valueSchema == nil)
        #expect(mixed.value == [.int8(1), .int8(2), .int16(300), "four"])
        let mixedKeys = try parse(#"{1:1, 2:1, 300:300, "four":1}"#)
        #expect(
            mixedKeys.value
                == .map([.int8(1): .int8(1), .int8(2): .int8(1), .int16(300): .int16(300), "four": .int8(1)])
        )
        let mixedValues = try parse(#"{4:"four", 1:1, 2:1, 300:300}"#)
        #expect(mixedValues.schema?.keySchema == .int16)
        #expect(
            mixedValues.value
                == .map([.int16(4): "four", .int16(1): .int8(1), .int16(2): .int8(1), .int16(300): .int16(300)])
        )
    }

    // ValuesTest.shouldParse*Timestamp*/Date*/Time*
    @Test func temporalText() throws {
        #expect(
            try Values.parseString("2019-08-23T14:34:54.346Z")
                == SchemaAndValue(schema: .timestamp, value: .timestamp(millis: 1_566_570_894_346))
        )
        #expect(try Values.parseString("2019-08-23T14\\:34\\:54.346Z").value == .timestamp(millis: 1_566_570_894_346))
        #expect(try Values.parseString("2019-08-23") == SchemaAndValue(schema: .date, value: .date(days: 18131)))
        #expect(
            try Values.parseString("14:34:54.346Z") == SchemaAndValue(schema: .time, value: .time(millis: 52_494_346))
        )
        #expect(try Values.parseString("14\\:34\\:54.346Z").value == .time(millis: 52_494_346))
        let array = try Values.parseString(
            "[2019-08-23T14:34:54.346Z,2019-01-23T15:12:34.567Z,   2019-04-23T19:12:34.567Z]"
        )
        #expect(array.schema?.valueSchema == .timestamp)
        #expect(array.value.arrayValue?.count == 3)
        #expect(try Values.parseString("[2019-08-23]").value == [.date(days: 18131)])
        let quoted = try Values.parseString(#"{"k1":"14:34:54.346Z"}"#)
        #expect(quoted.schema?.valueSchema == .time)
        // SimpleDateFormat is lenient: month 13 rolls into the next year.
        #expect(try Values.parseString("2019-13-01").value == .date(days: 18262))
    }

    @Test func renderingFollowsValuesConvertToString() throws {
        func text(_ value: ConnectValue) -> String? { Values.convertToString(schema: nil, value: value) }
        #expect(text(.null) == nil)
        #expect(text("plain \"text\"") == "plain \"text\"")
        #expect(text(["a\"b", .int32(1), .null]) == #"["a\"b",1,null]"#)
        #expect(text(.map(["k": .float64(1.5)])) == #"{"k":1.5}"#)
        #expect(text(.bytes([1, 2, 3])) == "AQID")
        #expect(text([.bytes([1, 2, 3])]) == #"["AQID"]"#)
        #expect(text(.float64(1e10)) == "1.0E10")
        #expect(text(.decimal(ConnectDecimal(unscaled: 15, scale: -2))) == "1.5E+3")
        #expect(text(.date(days: 18131)) == "2019-08-23")
        #expect(text(.time(millis: 52_494_346)) == "14:34:54.346Z")
        #expect(text(.timestamp(millis: 1_566_570_894_346)) == "2019-08-23T14:34:54.346Z")
        // Kafka picks the format by the millisecond value: the epoch day renders as a time.
        #expect(text(.date(days: 0)) == "00:00:00.000Z")
        let schema = try SchemaBuilder.struct().field("a", .int32).field(
            "b",
            try SchemaBuilder.string().optional().defaultValue("d").build()
        ).build()
        #expect(text(.struct(try Struct(schema: schema, values: [.int32(1), .null]))) == #"{"a":1,"b":"d"}"#)
        #expect(Values.escape("three\"blind\\\"mice") == "three\\\"blind\\\\\\\"mice")
    }

    @Test func unparsableTextIsKeptAsBytes() throws {
        // Invalid UTF-8 still decodes (with replacement characters) and parses as a string.
        let result = try converter.toConnectHeader(topic: "t", headerKey: "h", bytes: [0x61, 0xFF])
        #expect(result == SchemaAndValue(schema: .string, value: "a\u{FFFD}"))
    }
}
