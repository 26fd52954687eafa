import ConnectAPI
import ConnectJSON
import Testing

/// Bad input never crashes: malformed JSON, wrong envelopes, invalid schemas and values that do not fit
/// their schema are reported as DataErrors saying what was expected.
@Suite struct JSONConverterErrorTests {
    static let envelopeMessage =
        "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration."

    func error(decoding json: String, schemasEnabled: Bool = true) throws -> DataError {
        let converter = try JSONTestSupport.converter(schemasEnabled: schemasEnabled)
        return try #require(throws: DataError.self) { try JSONTestSupport.decode(converter, json) }
    }

    func error(decodingBytes bytes: [UInt8], schemasEnabled: Bool = true) throws -> DataError {
        let converter = try JSONTestSupport.converter(schemasEnabled: schemasEnabled)
        return try #require(throws: DataError.self) { try converter.toConnectData(topic: "t", bytes: bytes) }
    }

    static let malformed: [String] = [
        "{", "[1,2", #"{"a":1,}"#, "[1,]", #"{a:1}"#, #"{'a':1}"#, "NaN", "[Infinity]", "tru", "nul", "01.", "1.e5",
        "-", "1e", "+1", ".5", #""unterminated"#, "\"tab\there\"", #""bad \x escape""#, #""\u12G4""#,
        "[1] [2]", "{} x", "/* comment */ 1", "[1 2]", #"{"a" 1}"#, #"{"a":1 "b":2}"#,
    ]

    @Test(arguments: malformed)
    func malformedJSONIsADataError(_ json: String) throws {
        let error = try error(decoding: json, schemasEnabled: false)
        #expect(error.message.hasPrefix("Converting byte[] to Kafka Connect data failed due to serialization error: "))
        // With schemas enabled the JSON must parse before the envelope is checked.
        let enveloped = try self.error(decoding: #"{"schema":null,"payload":"# + json + "}", schemasEnabled: true)
        #expect(
            enveloped.message.hasPrefix("Converting byte[] to Kafka Connect data failed due to serialization error: ")
        )
    }

    @Test func invalidUTF8IsRejected() throws {
        for bytes: [UInt8] in [
            [0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22],
        ] {
            let error = try error(decodingBytes: bytes, schemasEnabled: false)
            #expect(error.message.contains("Invalid UTF-8"))
        }
    }

    @Test func errorMessagesSayWhatWasExpected() throws {
        #expect(try error(decoding: "[1 2]", schemasEnabled: false).message.contains("expected ',' or ']'"))
        #expect(try error(decoding: #"{"a":}"#, schemasEnabled: false).message.contains("expected a value"))
        #expect(try error(decoding: "", schemasEnabled: true).message == Self.envelopeMessage)
    }

    static let badEnvelopes: [String] = [
        "{}", #"{"schema":null}"#, #"{"payload":1}"#, #"{"schema":null,"payload":1,"extra":2}"#, "[1]", "42",
        #""text""#,
        #"{"Schema":null,"payload":1}"#,
    ]

    @Test(arguments: badEnvelopes)
    func envelopeMustHaveExactlySchemaAndPayload(_ json: String) throws {
        #expect(try error(decoding: json).message == Self.envelopeMessage)
    }

    @Test func envelopeErrorTakesPrecedenceOverPayloadErrors() throws {
        #expect(
            try error(decoding: #"{"schema":{"type":"int32"},"payload":"x","more":1}"#).message == Self.envelopeMessage
        )
    }

    static let badSchemas: [(String, String)] = [
        (#"{"optional":true}"#, "Schema must contain 'type' field"),
        (#"{"type":5}"#, "Schema must contain 'type' field"),
        ("5", "Schema must contain 'type' field"),
        (#"{"type":"int128"}"#, "Unknown schema type: int128"),
        (#"{"type":"array"}"#, "Array schema did not specify the element type"),
        (#"{"type":"array","items":null}"#, "Array schema did not specify the element type"),
        (#"{"type":"map","values":{"type":"int8"}}"#, "Map schema did not specify the key type"),
        (#"{"type":"map","keys":{"type":"int8"}}"#, "Map schema did not specify the value type"),
        (#"{"type":"struct"}"#, #"Struct schema's "fields" argument is not an array."#),
        (#"{"type":"struct","fields":[{"type":"int8"}]}"#, "Struct schema's field name not specified properly"),
        (
            #"{"type":"struct","fields":[{"type":"int8","field":"a"},{"type":"int8","field":"a"}]}"#,
            "Cannot create field because of field name duplication a"
        ),
        (#"{"type":"int8","parameters":{"a":1}}"#, "Schema parameters must have string values."),
        (#"{"type":"int8","default":null}"#, "Invalid null value for required INT8 field"),
        (#"{"type":"int8","default":"x"}"#, "expected a number but found STRING"),
    ]

    @Test(arguments: badSchemas)
    func invalidSchemas(_ schema: String, _ message: String) throws {
        let error = try error(decoding: #"{"schema":"# + schema + #","payload":null}"#)
        #expect(error.message.contains(message))
    }

    static let mismatches: [(String, String, String)] = [
        (#"{"type":"int32"}"#, #""12""#, "Invalid value for INT32 field: expected a number but found STRING"),
        (#"{"type":"int64"}"#, "true", "Invalid value for INT64 field: expected a number but found BOOLEAN"),
        (#"{"type":"double"}"#, "[]", "Invalid value for FLOAT64 field: expected a number but found ARRAY"),
        (#"{"type":"double"}"#, #""1.5""#, "expected a number but found the string \"1.5\""),
        (#"{"type":"boolean"}"#, "1", "Invalid value for BOOLEAN field: expected true or false but found NUMBER"),
        (#"{"type":"string"}"#, "1", "Invalid value for STRING field: expected a string but found NUMBER"),
        (#"{"type":"bytes"}"#, "1", "expected a Base64 string but found NUMBER"),
        (#"{"type":"bytes"}"#, #""not base64!""#, "Invalid bytes field"),
        (#"{"type":"bytes"}"#, #""QQ""#, "Invalid bytes field"),
        (#"{"type":"array","items":{"type":"int8"}}"#, "{}", "expected an array but found OBJECT"),
        (#"{"type":"int32"}"#, "null", "Invalid null value for required INT32 field"),
        (#"{"type":"struct","fields":[]}"#, "[]", "Structs should be encoded as JSON objects, but found ARRAY"),
        (
            #"{"type":"struct","fields":[{"type":"int32","field":"id"}]}"#, "{}",
            #"Invalid null value for required INT32 field "id""#
        ),
        (
            #"{"type":"struct","fields":[{"type":"int32","field":"id"}]}"#, #"{"id":null}"#,
            #"Invalid null value for required INT32 field "id""#
        ),
        (
            #"{"type":"map","keys":{"type":"string"},"values":{"type":"int8"}}"#, "[]",
            "Maps with string fields should be encoded as JSON objects, but found ARRAY"
        ),
        (
            #"{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}}"#, "{}",
            "Maps with non-string fields should be encoded as JSON array of tuples, but found OBJECT"
        ),
        (
            #"{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}}"#, "[1]",
            "Found invalid map entry instead of array tuple: NUMBER"
        ),
        (
            #"{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}}"#, "[[1,2,3]]",
            "Found invalid map entry, expected length 2 but found :3"
        ),
        (
            #"{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}}"#, "[[1]]",
            "Found invalid map entry, expected length 2 but found :1"
        ),
        (
            #"{"type":"int32","name":"org.apache.kafka.connect.data.Date"}"#, "1.5",
            "Invalid type for Date, underlying representation should be integer but was NUMBER"
        ),
        (
            #"{"type":"int32","name":"org.apache.kafka.connect.data.Date"}"#, "3000000000",
            "Invalid type for Date, underlying representation should be integer but was NUMBER"
        ),
        (
            #"{"type":"int32","name":"org.apache.kafka.connect.data.Time"}"#, "86400001",
            "Time values must use number of milliseconds greater than 0 and less than 86400000"
        ),
        (
            #"{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp"}"#, #""2024""#,
            "Invalid type for Timestamp, underlying representation should be integral but was STRING"
        ),
        (
            #"{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}}"#, "true",
            "Invalid type for Decimal, underlying representation should be numeric or bytes but was BOOLEAN"
        ),
        (
            #"{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}}"#, #""""#,
            "Invalid bytes for Decimal field"
        ),
        (
            #"{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal"}"#, #""AJw=""#,
            "Invalid bytes for Decimal field"
        ),
    ]

    @Test(arguments: mismatches)
    func valuesThatDoNotFitTheSchema(_ schema: String, _ payload: String, _ message: String) throws {
        let error = try error(decoding: #"{"schema":"# + schema + #","payload":"# + payload + "}")
        #expect(error.message.contains(message), "\(error.message)")
        // Same when the payload comes first.
        let reversed = try self.error(decoding: #"{"payload":"# + payload + #","schema":"# + schema + "}")
        #expect(reversed.message.contains(message), "\(reversed.message)")
    }

    @Test func nestingIsBoundedLikeJackson() throws {
        let converter = try JSONTestSupport.converter(schemasEnabled: false)
        let ok = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(try JSONTestSupport.decode(converter, ok).value != .null)
        let tooDeep = String(repeating: "[", count: 1001) + String(repeating: "]", count: 1001)
        let error = try #require(throws: DataError.self) { try JSONTestSupport.decode(converter, tooDeep) }
        #expect(error.message.contains("nesting depth"))
        // Without the closing brackets too: no recursion beyond the limit, no crash.
        let unbalanced = String(repeating: "{\"a\":[", count: 100_000)
        #expect(throws: DataError.self) { try JSONTestSupport.decode(converter, unbalanced) }
    }

    @Test func hugeNumbersAreHandled() throws {
        let converter = try JSONTestSupport.converter(schemasEnabled: false)
        let long = String(repeating: "9", count: 1000)
        #expect(try JSONTestSupport.decode(converter, long).value.int64Value != nil)
        #expect(
            try JSONTestSupport.decode(converter, "0." + String(repeating: "1", count: 998)).value
                == .float64(0.1111111111111111)
        )
        let tooLong = String(repeating: "9", count: 1001)
        let error = try #require(throws: DataError.self) { try JSONTestSupport.decode(converter, tooLong) }
        #expect(error.message.contains("Number value length (1001) exceeds the maximum allowed (1000)"))
        #expect(try JSONTestSupport.decode(converter, "1e999999999999999999").value == .float64(.infinity))
        #expect(try JSONTestSupport.decode(converter, "1e-999999999999999999").value == .float64(0))
    }

    @Test func writingMismatchesAreDataErrors() throws {
        let converter = try JSONTestSupport.converter()
        // JsonConverterTest.mismatchSchemaJson
        #expect(throws: DataError.self) { try converter.fromConnectData(topic: "t", schema: .float64, value: true) }
        // JsonConverterTest.decimalToJsonWithoutSchema
        #expect(throws: DataError.self) {
            try converter.fromConnectData(
                topic: "t",
                schema: nil,
                value: .decimal(ConnectDecimal(unscaled: 156, scale: 2))
            )
        }
        let required = try #require(throws: DataError.self) {
            try converter.fromConnectData(topic: "t", schema: .int32, value: .null)
        }
        #expect(required.message == "Conversion error: null value for field that is required and has no default value")
        let wrongType = try #require(throws: DataError.self) {
            try converter.fromConnectData(topic: "t", schema: .int32, value: .int64(1))
        }
        #expect(wrongType.message == "Invalid type for INT32: int64")
        let schema = try SchemaBuilder.struct().field("a", .int8).build()
        let other = try SchemaBuilder.struct().field("a", .int16).build()
        let mismatch = try #require(throws: DataError.self) {
            try converter.fromConnectData(
                topic: "t",
                schema: schema,
                value: .struct(try Struct(schema: other, values: [.int16(1)]))
            )
        }
        #expect(mismatch.message == "Mismatching schema.")
        let scale = try #require(throws: DataError.self) {
            try converter.fromConnectData(
                topic: "t",
                schema: .decimal(scale: 2),
                value: .decimal(ConnectDecimal(unscaled: 1, scale: 3))
            )
        }
        #expect(scale.message.contains("mismatching scale"))
        // Schemaless structs have no JSON form (Kafka: "Mismatching schema.").
        #expect(throws: DataError.self) {
            try converter.fromConnectData(
                topic: "t",
                schema: nil,
                value: .struct(try Struct(schema: schema, values: [.int8(1)]))
            )
        }
    }

    @Test func invalidSettingsAreConfigErrors() throws {
        let converter = JSONConverter()
        #expect(throws: ConfigError.self) { try converter.configure(configs: ["decimal.format": "HEX"], isKey: false) }
        #expect(throws: ConfigError.self) {
            try converter.configure(configs: ["schemas.enable": "maybe"], isKey: false)
        }
        #expect(throws: ConfigError.self) {
            try converter.configure(configs: ["schemas.cache.size": "x"], isKey: false)
        }
        #expect(throws: ConfigError.self) { try converter.configure(configs: ["converter.type": "both"]) }
        try converter.configure(configs: ["decimal.format": "numeric", "schemas.enable": "FALSE"], isKey: true)
        #expect(converter.config == JSONConverterConfig(schemasEnabled: false, decimalFormat: .numeric, type: .key))
    }
}
