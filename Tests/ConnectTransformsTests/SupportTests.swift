import ConnectAPI
import Testing

@testable import ConnectTransforms

@Suite struct SimpleDateFormatTests {
    @Test func formatsLikeJavaInUTC() throws {
        let millis: Int64 = 1_706_708_700_123  // 2024-01-31T13:45:00.123Z, a Wednesday
        func format(_ pattern: String) throws -> String { try SimpleDateFormat(pattern).format(epochMillis: millis) }
        #expect(try format("yyyyMMdd") == "20240131")
        #expect(try format("yy-M-d H:m:s.S") == "24-1-31 13:45:0.123")
        #expect(try format("EEE, d MMM yyyy hh:mm a z") == "Wed, 31 Jan 2024 01:45 PM UTC")
        #expect(try format("EEEE MMMM G") == "Wednesday January AD")
        #expect(try format("D w W F u k K Z X XXX") == "31 5 5 5 3 13 1 +0000 Z Z")
        #expect(try format("'quoted' ''yyyy''") == "quoted '2024'")
        #expect(try SimpleDateFormat("yyyy-MM-dd HH:mm:ss.SSS").format(epochMillis: -1) == "1969-12-31 23:59:59.999")
        #expect(try SimpleDateFormat("Y-ww").format(epochMillis: 1_735_603_200_000) == "2025-01")  // 2024-12-31
    }

    @Test func rejectsInvalidPatterns() {
        #expect(throws: SimpleDateFormat.PatternError.self) { try SimpleDateFormat("bad-format") }
        #expect(throws: SimpleDateFormat.PatternError.self) { try SimpleDateFormat("'unterminated") }
        #expect(throws: SimpleDateFormat.PatternError.self) { try SimpleDateFormat("XXXX") }
        do {
            _ = try SimpleDateFormat("yyyy-qq")
        } catch {
            #expect(error.message == "Illegal pattern character 'q'")
        }
    }

    @Test func parsesLeniently() throws {
        let format = try SimpleDateFormat("yyyy-MM-dd HH:mm:ss")
        #expect(format.parse("1970-01-02 00:00:01") == 86_401_000)
        #expect(format.parse("2024-13-01 00:00:00") == (try SimpleDateFormat("yyyy-MM-dd").parse("2025-01-01")))
        #expect(format.parse("1970-01-01 00:00:00 and more") == 0)
        #expect(format.parse("1970/01/01 00:00:00") == nil)
        #expect(format.parse("") == nil)
        #expect(format.parse("99999999999999999999-01-01 00:00:00") == nil)  // overflow is a parse failure
        #expect(try SimpleDateFormat("yyyy").parse("9223372036854775807") == nil)
        #expect(try SimpleDateFormat("yyyyMMdd").parse("20240131") == 1_706_659_200_000)
        #expect(try SimpleDateFormat("dd MMM yyyy").parse("31 jan 2024") == 1_706_659_200_000)
        #expect(try SimpleDateFormat("hh:mm a").parse("01:45 PM") == 49_500_000)
        #expect(try SimpleDateFormat("HH:mm XXX").parse("13:45 +01:00") == 45_900_000)
        #expect(try SimpleDateFormat("HH:mm z").parse("13:45 GMT-01:00") == 53_100_000)
    }

    @Test func isoFormatsOfValues() {
        #expect(JavaNumbers.isoString(epochMillis: 0) == "00:00:00.000Z")
        #expect(JavaNumbers.isoString(epochMillis: 3_600_000) == "01:00:00.000Z")
        #expect(JavaNumbers.isoString(epochMillis: 86_400_000) == "1970-01-02")
        #expect(JavaNumbers.isoString(epochMillis: 86_400_001) == "1970-01-02T00:00:00.001Z")
    }
}

@Suite struct FieldPathTests {
    private func steps(_ path: String) throws -> [String] { try SingleFieldPath(path, version: .v2).steps }

    @Test func v1KeepsThePathWhole() throws {
        for path in ["foo.bar.baz", "foo`bar`", "foo.`bar.baz`"] {
            #expect(try SingleFieldPath(path, version: .v1).steps == [path])
        }
    }

    @Test func v2Steps() throws {
        #expect(try steps("..") == ["", "", ""])
        #expect(try steps("foo..") == ["foo", "", ""])
        #expect(try steps(".bar.") == ["", "bar", ""])
        #expect(try steps("..baz") == ["", "", "baz"])
        #expect(try steps("") == [])
        #expect(try steps("foobarbaz") == ["foobarbaz"])
        #expect(try steps("foo.bar.baz") == ["foo", "bar", "baz"])
        #expect(try steps("foo`bar`baz") == ["foo`bar`baz"])
        #expect(try steps("`foo.bar.baz`") == ["foo.bar.baz"])
        #expect(try steps("foo.`bar.baz`") == ["foo", "bar.baz"])
        #expect(try steps("`foo.bar`.baz") == ["foo.bar", "baz"])
        #expect(try steps("foo.`bar`.baz") == ["foo", "bar", "baz"])
        #expect(try steps("foo.``bar.baz`") == ["foo", "`bar.baz"])
        #expect(try steps("foo.`bar.baz``") == ["foo", "bar.baz`"])
        #expect(try steps("foo.`ba`r.baz`") == ["foo", "ba`r.baz"])
        #expect(try steps("foo.ba`r.baz") == ["foo", "ba`r", "baz"])
        #expect(try steps("foo.``bar``.baz") == ["foo", "`bar`", "baz"])
        #expect(try steps("``foo.bar.baz``") == ["`foo.bar.baz`"])
        #expect(try steps("foo.`bar\\`.baz`") == ["foo", "bar`.baz"])
        #expect(try steps("foo.`bar.`baz`") == ["foo", "bar.`baz"])
        #expect(try steps("foo.`bar\\`.`baz`") == ["foo", "bar`.`baz"])
        #expect(try steps("foo.`bar\\\\`.\\`baz`") == ["foo", "bar\\`.\\`baz"])
    }

    @Test func v2IncompleteBackticks() {
        for (path, position) in [("`foo.bar.baz", 0), ("foo.`bar.baz", 4), ("foo.bar.`baz", 8), ("foo.bar.`baz\\`", 8)]
        {
            #expect(
                configErrorMessage { _ = try SingleFieldPath(path, version: .v2) }
                    == "Incomplete backtick pair in path: [\(path)], consider adding a backslash before backtick at "
                    + "position \(position) to escape it"
            )
        }
    }

    @Test func lookups() throws {
        let baz = try SchemaBuilder.struct().field("inner", .string).optional().build()
        let bar = try structSchema(("bar", .int32), ("baz", baz))
        let schema = try structSchema(("foo", bar))
        #expect(try SingleFieldPath("foo.bar", version: .v2).field(in: schema) == bar.field(named: "bar"))
        #expect(try SingleFieldPath("foo", version: .v2).field(in: schema) == schema.field(named: "foo"))
        for missing in ["un.known", "foo.unknown", "unknown"] {
            #expect(try SingleFieldPath(missing, version: .v2).field(in: schema) == nil)
        }
        #expect(try SingleFieldPath("test", version: .v2).field(in: nil) == nil)

        let value = try makeStruct(schema, ["foo": .struct(try makeStruct(bar, ["bar": .int32(42)]))])
        #expect(try SingleFieldPath("foo.bar", version: .v2).value(in: value) == .int32(42))
        #expect(try SingleFieldPath("foo.baz", version: .v2).value(in: value) == .null)
        for missing in ["un.known", "foo.unknown", "unknown", "foo.baz.inner"] {
            #expect(try SingleFieldPath(missing, version: .v2).value(in: value) == .null)
        }

        let map = try mapValue(map(["foo": map(["bar": .int32(42), "baz": .null])]))
        #expect(try SingleFieldPath("foo.bar", version: .v2).value(in: map) == .int32(42))
        for missing in ["foo.baz", "un.known", "foo.unknown", "unknown", "foo.baz.inner"] {
            #expect(try SingleFieldPath(missing, version: .v2).value(in: map) == .null)
        }
    }
}

@Suite struct ValueLiteralParserTests {
    private func parse(_ text: String) -> SchemaAndValue { ValueLiteralParser.parse(text) }

    @Test func scalars() {
        #expect(parse("") == SchemaAndValue(schema: .string, value: ""))
        #expect(parse("null") == .null)
        #expect(parse("true") == SchemaAndValue(schema: .boolean, value: .boolean(true)))
        #expect(parse("true}") == SchemaAndValue(schema: .string, value: "true}"))
        #expect(parse("127") == SchemaAndValue(schema: .int8, value: .int8(127)))
        #expect(parse("-129") == SchemaAndValue(schema: .int16, value: .int16(-129)))
        #expect(parse("1.0") == SchemaAndValue(schema: .int8, value: .int8(1)))  // Kafka quirk: integral decimals
        #expect(parse("1e3") == SchemaAndValue(schema: .int16, value: .int16(1000)))
        #expect(parse("2.5") == SchemaAndValue(schema: .float32, value: .float32(2.5)))
        #expect(parse("1e300") == SchemaAndValue(schema: .float64, value: .float64(1e300)))
        #expect(parse("1.5e300") == SchemaAndValue(schema: .float64, value: .float64(1.5e300)))
        #expect(
            parse("99999999999999999999")
                == SchemaAndValue(schema: .decimal(scale: 0), value: .decimal(ConnectDecimal("99999999999999999999")!))
        )
        #expect(parse(" 42 ") == SchemaAndValue(schema: .int8, value: .int8(42)))
        #expect(parse("hello, world") == SchemaAndValue(schema: .string, value: "hello, world"))
        #expect(parse("1,2") == SchemaAndValue(schema: .int8, value: .int8(1)))  // Kafka reads the first number
    }

    @Test func containers() throws {
        #expect(
            parse("[1,2,3]")
                == SchemaAndValue(
                    schema: try SchemaBuilder.array(.int8).build(),
                    value: [.int8(1), .int8(2), .int8(3)]
                )
        )
        #expect(
            parse("[1, 1000]")
                == SchemaAndValue(schema: try SchemaBuilder.array(.int16).build(), value: [.int16(1), .int16(1000)])
        )
        #expect(
            parse("[1, 2.5]")
                == SchemaAndValue(
                    schema: try SchemaBuilder.array(.float32).build(),
                    value: [.float32(1), .float32(2.5)]
                )
        )
        #expect(
            parse("[\"a\",\"b\"]")
                == SchemaAndValue(schema: try SchemaBuilder.array(.string).build(), value: ["a", "b"])
        )
        #expect(
            parse("{\"a\":1,\"b\":2}")
                == SchemaAndValue(
                    schema: try SchemaBuilder.map(.string, .int8).build(),
                    value: ["a": .int8(1), "b": .int8(2)]
                )
        )
        #expect(parse("[1,true]") == SchemaAndValue(schema: nil, value: [.int8(1), .boolean(true)]))
        #expect(parse("[1,null]") == SchemaAndValue(schema: .string, value: "[1,null]"))  // null in a required array
        #expect(parse("[1,2") == SchemaAndValue(schema: .string, value: "[1,2"))
        #expect(parse("{a:1") == SchemaAndValue(schema: .string, value: "{a:1"))
        #expect(parse("[]") == SchemaAndValue(schema: nil, value: []))
    }

    @Test func temporals() {
        #expect(parse("2024-01-31") == SchemaAndValue(schema: .date, value: .date(days: 19753)))
        #expect(parse("13:45:00.123Z") == SchemaAndValue(schema: .time, value: .time(millis: 49_500_123)))
        #expect(
            parse("2024-01-31T13:45:00.123Z")
                == SchemaAndValue(schema: .timestamp, value: .timestamp(millis: 1_706_708_700_123))
        )
        #expect(parse("[2024-01-31,2024-02-01]").schema == (try! SchemaBuilder.array(.date).build()))
    }
}

@Suite struct JavaRegexTests {
    @Test func matchesIsWholeInput() throws {
        let pattern = try JavaPattern("a|ab")
        #expect(pattern.matches("ab"))
        #expect(pattern.matches("a"))
        #expect(!pattern.matches("abc"))
        #expect(try JavaPattern("\\Qa.b").matches("a.b"))
        #expect(try JavaPattern("(?<=a)b|ab").matches("ab"))
        #expect(try JavaPattern("\\p{javaLowerCase}+").matches("abc"))
    }

    @Test func replacementParsing() throws {
        let replacement = try JavaReplacement("x$1-${n}\\$", groupCount: 1, groupNames: ["n"])
        #expect(replacement.segments == [.literal("x"), .group(1), .literal("-"), .namedGroup("n"), .literal("$")])
        #expect(throws: JavaReplacement.SyntaxError.self) { try JavaReplacement("$", groupCount: 1, groupNames: []) }
        #expect(throws: JavaReplacement.SyntaxError.self) { try JavaReplacement("$a", groupCount: 1, groupNames: []) }
        #expect(throws: JavaReplacement.SyntaxError.self) { try JavaReplacement("${}", groupCount: 1, groupNames: []) }
        #expect(throws: JavaReplacement.SyntaxError.self) {
            try JavaReplacement("${n", groupCount: 1, groupNames: ["n"])
        }
        #expect(try JavaReplacement("$12", groupCount: 12, groupNames: []).segments == [.group(12)])
        #expect(try JavaReplacement("$12", groupCount: 1, groupNames: []).segments == [.group(1), .literal("2")])
    }
}

@Suite struct SupportTests {
    @Test func schemaCacheIsLRU() throws {
        let cache = SchemaCache<Int>(capacity: 2)
        let a = try SchemaBuilder.int32().name("a").build()
        let b = try SchemaBuilder.int32().name("b").build()
        let c = try SchemaBuilder.int32().name("c").build()
        cache.put(a, 1)
        cache.put(b, 2)
        #expect(cache.get(a) == 1)  // a is now the most recent
        cache.put(c, 3)  // evicts b
        #expect(cache.get(b) == nil)
        #expect(cache.get(a) == 1)
        #expect(cache.get(try SchemaBuilder.int32().name("c").build()) == 3)  // equal content hits
        #expect(cache.count == 2)
        var builds = 0
        let value = cache.derived(for: b) { _ in
            builds += 1
            return 9
        }
        _ = cache.derived(for: b) { _ in
            builds += 1
            return 10
        }
        #expect(value == 9 && builds == 1)
    }

    @Test func javaIntegerParsing() {
        #expect(JavaNumbers.parseInteger("-128", as: Int8.self) == -128)
        #expect(JavaNumbers.parseInteger("128", as: Int8.self) == nil)
        #expect(JavaNumbers.parseInteger("+0", as: Int32.self) == 0)
        #expect(JavaNumbers.parseInteger("", as: Int32.self) == nil)
        #expect(JavaNumbers.parseInteger("-", as: Int32.self) == nil)
        #expect(JavaNumbers.parseInteger("1_000", as: Int32.self) == nil)
        #expect(JavaNumbers.parseDouble("0x1p3") == 8)
        #expect(JavaNumbers.parseDouble("-Infinity") == -.infinity)
        #expect(JavaNumbers.parseDouble("inf") == nil)
        #expect(JavaNumbers.parseDouble("1.5d") == 1.5)
        #expect(JavaNumbers.base64([0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10]) == "/ty6mHZUMhA=")
        #expect(JavaNumbers.base64(Array("ab".utf8)) == "YWI=")
        #expect(JavaNumbers.int64(ConnectDecimal("-9.99")!) == -9)
        #expect(JavaNumbers.int64(ConnectDecimal("18446744073709551617")!) == 1)
        #expect(JavaNumbers.int64(ConnectDecimal("123E+1")!) == 1230)
        #expect(JavaNumbers.int64(ConnectDecimal("-1E+2000000000")!) == 0)  // 10^k is 0 modulo 2^64 for k >= 64
        #expect(JavaNumbers.int64(ConnectDecimal("7E-2000000000")!) == 0)
        #expect(JavaNumbers.exactInt64(ConnectDecimal("1.00")!) == 1)
        #expect(JavaNumbers.exactInt64(ConnectDecimal("-9223372036854775808")!) == .min)
        #expect(JavaNumbers.exactInt64(ConnectDecimal("9223372036854775808")!) == nil)
        #expect(JavaNumbers.exactInt64(ConnectDecimal("0E+100")!) == 0)
        #expect(JavaNumbers.exactInt64(ConnectDecimal("1.5")!) == nil)
    }
}
