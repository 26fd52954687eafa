import ConnectAPI
import Testing

@Suite struct LogicalTypeTests {
    static let javaByteArrays: [(Int64, [UInt8])] = [
        (0, [0x00]),
        (1, [0x01]),
        (-1, [0xFF]),
        (127, [0x7F]),
        (128, [0x00, 0x80]),
        (-128, [0x80]),
        (-129, [0xFF, 0x7F]),
        (255, [0x00, 0xFF]),
        (256, [0x01, 0x00]),
        (-12_345, [0xCF, 0xC7]),
        (Int64.max, [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
        (Int64.min, [0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
    ]

    /// Unscaled values and the bytes Java's `BigInteger.toByteArray()` produces for them.
    @Test(arguments: javaByteArrays)
    func decimalBytesAreMinimalTwosComplement(unscaled: Int64, bytes: [UInt8]) {
        let decimal = ConnectDecimal(unscaled: unscaled, scale: 0)
        #expect(decimal.unscaledBytes == bytes)
        #expect(decimal.unscaledInt64 == unscaled)
        #expect(ConnectDecimal(unscaledBytes: bytes, scale: 0) == decimal)
    }

    @Test func normalizesRedundantSignBytes() {
        #expect(ConnectDecimal(unscaledBytes: [0x00, 0x00, 0x05], scale: 1).unscaledBytes == [0x05])
        #expect(ConnectDecimal(unscaledBytes: [0xFF, 0xFF, 0x80], scale: 1).unscaledBytes == [0x80])
        #expect(ConnectDecimal(unscaledBytes: [], scale: 1).isZero)
    }

    static let decimalTexts: [(String, String, Int32)] = [
        ("123.45", "123.45", 2),
        ("-123.45", "-123.45", 2),
        ("0.000001", "0.000001", 6),
        ("0.0000001", "1E-7", 7),
        ("1.50", "1.50", 2),
        ("-0.01", "-0.01", 2),
        ("1.5E+3", "1.5E+3", -2),
        ("1e3", "1E+3", -3),
        ("12345678901234567890123456789012345678.9", "12345678901234567890123456789012345678.9", 1),
        ("-98765432109876543210987654321.000", "-98765432109876543210987654321.000", 3),
        ("+7", "7", 0),
        (".5", "0.5", 1),
    ]

    @Test(arguments: decimalTexts)
    func decimalTextRoundTrips(text: String, javaString: String, scale: Int32) throws {
        let decimal = try #require(ConnectDecimal(text))
        #expect(decimal.scale == scale)
        #expect(decimal.description == javaString)
        // Through the encoded form and back, with the schema's scale.
        let schema = Schema.decimal(scale: scale)
        let encoded = try schema.fromLogical(.decimal(decimal))
        #expect(encoded == .bytes(decimal.unscaledBytes))
        #expect(try schema.toLogical(encoded) == .decimal(decimal))
        #expect(ConnectDecimal(decimal.description) == decimal)
    }

    @Test func decimalHelpers() throws {
        let price = ConnectDecimal(unscaled: -12_345, scale: 2)
        #expect(price.description == "-123.45")
        #expect(price.plainString == "-123.45")
        #expect(price.isNegative)
        #expect(price.unscaledDigits == "12345")
        #expect(price.doubleValue == -123.45)
        #expect(ConnectDecimal("-123.45") == price)
        #expect(ConnectDecimal("-123.450") != price)  // scale differs: Java's BigDecimal.equals
        #expect(ConnectDecimal(unscaled: 15, scale: -2).plainString == "1500")
        #expect(ConnectDecimal(unscaled: 15, scale: -2).description == "1.5E+3")
        // The most negative value of a byte width negates to itself: read as unsigned magnitude.
        #expect(ConnectDecimal(unscaledBytes: [0x80, 0x00], scale: 0).description == "-32768")
        #expect(ConnectDecimal("abc") == nil)
        #expect(ConnectDecimal("1.2.3") == nil)
        #expect(ConnectDecimal("") == nil)
        #expect(ConnectDecimal("1e") == nil)
    }

    @Test func decimalScaleMustMatchTheSchema() {
        let error = #expect(throws: DataError.self) {
            try Schema.decimal(scale: 2).fromLogical(.decimal(ConnectDecimal(unscaled: 1, scale: 3)))
        }
        #expect(
            error?.message
                == "Decimal value has mismatching scale for given Decimal schema. Schema has scale 2, value has scale 3."
        )
    }

    @Test func decimalSchemaNeedsAScale() throws {
        let broken = try SchemaBuilder.bytes().name(LogicalType.decimalName).build()
        #expect(broken.logicalType == nil)
        let error = #expect(throws: DataError.self) { try broken.toLogical(.bytes([1])) }
        #expect(error?.message == "Invalid Decimal schema: scale parameter not found.")
    }

    @Test func dateTimeAndTimestampConvert() throws {
        #expect(try Schema.date.toLogical(.int32(19_753)) == .date(days: 19_753))
        #expect(try Schema.date.fromLogical(.date(days: -3)) == .int32(-3))
        #expect(try Schema.time.toLogical(.int32(1000)) == .time(millis: 1000))
        #expect(try Schema.time.fromLogical(.time(millis: 86_400_000)) == .int32(86_400_000))
        #expect(try Schema.timestamp.toLogical(.int64(-5)) == .timestamp(millis: -5))
        #expect(try Schema.timestamp.fromLogical(.timestamp(millis: 1_700_000_000_000)) == .int64(1_700_000_000_000))
        #expect(try Schema.timestamp.toLogical(.null) == .null)
        // Idempotent on values already converted.
        #expect(try Schema.date.toLogical(.date(days: 1)) == .date(days: 1))
        #expect(try Schema.date.fromLogical(.int32(1)) == .int32(1))
    }

    @Test func timeMustBeWithinADay() {
        let error = #expect(throws: DataError.self) { try Schema.time.toLogical(.int32(86_400_001)) }
        #expect(error?.message == "Time values must use number of milliseconds greater than 0 and less than 86400000")
        #expect(throws: DataError.self) { try Schema.time.fromLogical(.time(millis: -1)) }
    }

    @Test func rejectsTheWrongEncodedKind() {
        #expect(throws: DataError.self) { try Schema.date.toLogical(.int64(1)) }
        #expect(throws: DataError.self) { try Schema.timestamp.fromLogical(.date(days: 1)) }
    }

    @Test func nonLogicalSchemasPassValuesThrough() throws {
        #expect(try Schema.int32.toLogical(.int32(5)) == .int32(5))
        #expect(try Schema.bytes.fromLogical(.bytes([1])) == .bytes([1]))
    }

    @Test func logicalTypeBuildersCarryNameVersionAndParameters() throws {
        let schema = try LogicalType.decimal(scale: 4).builder().optional().build()
        #expect(schema.name == "org.apache.kafka.connect.data.Decimal")
        #expect(schema.version == 1)
        #expect(schema.parameters.dictionary == ["scale": "4"])
        #expect(schema.kind == .bytes)
        #expect(schema.isOptional)
        #expect(LogicalType.time.underlyingKind == .int32)
    }
}
