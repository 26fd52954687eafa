import ConnectAPI
import Testing

/// Kafka's `NumberConverterTest` subclasses and `BooleanConverterTest`: the big-endian wire formats of
/// Kafka's serializers, nulls, wrong types and wrong sizes.
@Suite struct NumberConverterTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let make: @Sendable () -> any ValueHeaderConverter
        let schema: Schema
        let value: ConnectValue
        let bytes: [UInt8]
        let wrongValue: ConnectValue
        let sizeMessage: String

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "short",
            make: { ShortConverter() },
            schema: .optionalInt16,
            value: .int16(-2),
            bytes: [0xFF, 0xFE],
            wrongValue: .int32(1),
            sizeMessage: "Failed to deserialize short: Size of data received by ShortDeserializer is not 2"
        ),
        Case(
            name: "integer",
            make: { IntegerConverter() },
            schema: .optionalInt32,
            value: .int32(0x0102_0304),
            bytes: [1, 2, 3, 4],
            wrongValue: .int64(1),
            sizeMessage: "Failed to deserialize integer: Size of data received by IntegerDeserializer is not 4"
        ),
        Case(
            name: "long",
            make: { LongConverter() },
            schema: .optionalInt64,
            value: .int64(Int64.min),
            bytes: [0x80, 0, 0, 0, 0, 0, 0, 0],
            wrongValue: .int32(1),
            sizeMessage: "Failed to deserialize long: Size of data received by LongDeserializer is not 8"
        ),
        Case(
            name: "float",
            make: { FloatConverter() },
            schema: .optionalFloat32,
            value: .float32(1.5),
            bytes: [0x3F, 0xC0, 0, 0],
            wrongValue: .float64(1.5),
            sizeMessage: "Failed to deserialize float: Size of data received by Deserializer is not 4"
        ),
        Case(
            name: "double",
            make: { DoubleConverter() },
            schema: .optionalFloat64,
            value: .float64(-2),
            bytes: [0xC0, 0, 0, 0, 0, 0, 0, 0],
            wrongValue: .float32(-2),
            sizeMessage: "Failed to deserialize double: Size of data received by Deserializer is not 8"
        ),
        Case(
            name: "boolean",
            make: { BooleanConverter() },
            schema: .optionalBoolean,
            value: .boolean(true),
            bytes: [1],
            wrongValue: "true",
            sizeMessage: "Failed to deserialize boolean: Size of data received by BooleanDeserializer is not 1"
        ),
    ]

    @Test(arguments: cases)
    func roundTripsWithKafkasBytes(_ testCase: Case) throws {
        let converter = testCase.make()
        try converter.configure(configs: [:], isKey: false)
        #expect(try converter.fromConnectData(topic: "t", schema: nil, value: testCase.value) == testCase.bytes)
        #expect(
            try converter.toConnectData(topic: "t", bytes: testCase.bytes)
                == SchemaAndValue(schema: testCase.schema, value: testCase.value)
        )
    }

    @Test(arguments: cases)
    func headersConvertLikeValues(_ testCase: Case) throws {
        let converter = testCase.make()
        try converter.configure(configs: [:])
        #expect(
            try converter.fromConnectHeader(topic: "t", headerKey: "h", schema: nil, value: testCase.value)
                == testCase.bytes
        )
        #expect(
            try converter.toConnectHeader(topic: "t", headerKey: "h", bytes: testCase.bytes)
                == SchemaAndValue(schema: testCase.schema, value: testCase.value)
        )
        #expect(throws: DataError.self) {
            try converter.fromConnectHeader(topic: "t", headerKey: "h", schema: nil, value: testCase.wrongValue)
        }
    }

    @Test(arguments: cases)
    func nullsMapToNulls(_ testCase: Case) throws {
        let converter = testCase.make()
        #expect(try converter.fromConnectData(topic: "t", schema: testCase.schema, value: .null) == nil)
        #expect(
            try converter.toConnectData(topic: "t", bytes: nil) == SchemaAndValue(schema: testCase.schema, value: .null)
        )
    }

    @Test(arguments: cases)
    func wrongTypesAndSizesAreDataErrors(_ testCase: Case) throws {
        let converter = testCase.make()
        #expect(throws: DataError.self) {
            try converter.fromConnectData(topic: "t", schema: nil, value: testCase.wrongValue)
        }
        let sizeError = try #require(throws: DataError.self) {
            try converter.toConnectData(topic: "t", bytes: testCase.bytes + [0])
        }
        #expect(sizeError.message == testCase.sizeMessage)
        #expect(throws: DataError.self) { try converter.toConnectData(topic: "t", bytes: []) }
    }

    @Test func floatSpecialValuesKeepTheirBits() throws {
        let converter = DoubleConverter()
        for value in [Double.nan, .infinity, -0.0, .leastNonzeroMagnitude] {
            let bytes = try #require(try converter.fromConnectData(topic: "t", schema: nil, value: .float64(value)))
            #expect(try converter.toConnectData(topic: "t", bytes: bytes).value == .float64(value))
        }
    }

    @Test func booleanRejectsOtherBytesAndSchemas() throws {
        let converter = BooleanConverter()
        #expect(try converter.fromConnectData(topic: "t", schema: .boolean, value: false) == [0])
        let byteError = try #require(throws: DataError.self) { try converter.toConnectData(topic: "t", bytes: [2]) }
        #expect(
            byteError.message == "Failed to deserialize boolean: Unexpected byte received by BooleanDeserializer: 2"
        )
        let schemaError = try #require(throws: DataError.self) {
            try converter.fromConnectData(topic: "t", schema: .int8, value: true)
        }
        #expect(schemaError.message == "Invalid schema type for BooleanConverter: INT8")
    }

    @Test func converterTypeIsValidated() throws {
        let converter = IntegerConverter()
        #expect(throws: ConfigError.self) { try converter.configure(configs: ["converter.type": "sideways"]) }
        try converter.configure(configs: ["converter.type": "header"])
        #expect(try converter.toConnectHeader(topic: "t", headerKey: "h", bytes: [0, 0, 0, 7]).value == .int32(7))
        #expect(
            try converter.fromConnectHeader(topic: "t", headerKey: "h", schema: .int32, value: .int32(7)) == [
                0, 0, 0, 7,
            ]
        )
    }
}
