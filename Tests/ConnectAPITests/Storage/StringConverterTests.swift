import ConnectAPI
import Testing

/// Kafka's `StringConverterTest`, plus the other encodings and the legacy encoding settings.
@Suite struct StringConverterTests {
    let converter = StringConverter()

    @Test func stringsAndOtherValuesBecomeText() throws {
        #expect(try converter.fromConnectData(topic: "t", schema: .string, value: "a string") == Array("a string".utf8))
        #expect(try converter.fromConnectData(topic: "t", schema: .boolean, value: true) == Array("true".utf8))
        // The schema is ignored.
        #expect(try converter.fromConnectData(topic: "t", schema: nil, value: true) == Array("true".utf8))
        #expect(try converter.fromConnectData(topic: "t", schema: .optionalString, value: .null) == nil)
        #expect(try converter.fromConnectData(topic: "t", schema: nil, value: .float64(1e10)) == Array("1.0E10".utf8))
        let schema = try SchemaBuilder.struct().field("a", .int32).field("b", .string).build()
        let value = ConnectValue.struct(try Struct(schema: schema, values: [.int32(1), "x"]))
        #expect(
            try converter.fromConnectData(topic: "t", schema: schema, value: value) == Array("Struct{a=1,b=x}".utf8)
        )
    }

    @Test func bytesBecomeAnOptionalString() throws {
        #expect(
            try converter.toConnectData(topic: "t", bytes: Array("a string".utf8))
                == SchemaAndValue(schema: .optionalString, value: "a string")
        )
        #expect(
            try converter.toConnectData(topic: "t", bytes: nil) == SchemaAndValue(schema: .optionalString, value: .null)
        )
        // Malformed UTF-8 decodes with replacement characters, as Java does.
        #expect(try converter.toConnectData(topic: "t", bytes: [0x61, 0xFF]).value == "a\u{FFFD}")
    }

    @Test func utf16WritesAByteOrderMark() throws {
        try converter.configure(configs: ["converter.encoding": "UTF-16"], isKey: true)
        let bytes = try #require(try converter.fromConnectData(topic: "t", schema: .string, value: "ab"))
        #expect(bytes == [0xFE, 0xFF, 0x00, 0x61, 0x00, 0x62])
        #expect(try converter.toConnectData(topic: "t", bytes: bytes).value == "ab")
        #expect(try converter.toConnectData(topic: "t", bytes: [0xFF, 0xFE, 0x61, 0x00]).value == "a")
    }

    @Test func singleByteEncodings() throws {
        try converter.configure(configs: ["converter.encoding": "ISO-8859-1"], isKey: false)
        #expect(try converter.fromConnectData(topic: "t", schema: nil, value: "é€") == [0xE9, UInt8(ascii: "?")])
        #expect(try converter.toConnectData(topic: "t", bytes: [0xE9, 0x41]).value == "éA")

        try converter.configure(configs: ["converter.encoding": "us-ascii"], isKey: false)
        #expect(try converter.fromConnectData(topic: "t", schema: nil, value: "aé") == [0x61, UInt8(ascii: "?")])
        #expect(try converter.toConnectData(topic: "t", bytes: [0x61, 0xE9]).value == "a\u{FFFD}")
    }

    @Test func legacySerializerSettingsWinForTheirDirection() throws {
        try converter.configure(
            configs: ["converter.encoding": "UTF-8", "value.serializer.encoding": "ISO-8859-1"],
            isKey: false
        )
        #expect(try converter.fromConnectData(topic: "t", schema: nil, value: "é") == [0xE9])
        #expect(try converter.toConnectData(topic: "t", bytes: Array("é".utf8)).value == "é")
        // A key converter ignores the value.* settings.
        try converter.configure(configs: ["value.serializer.encoding": "ISO-8859-1"], isKey: true)
        #expect(try converter.fromConnectData(topic: "t", schema: nil, value: "é") == Array("é".utf8))
    }

    @Test func unsupportedEncodingIsAConfigError() {
        #expect(throws: ConfigError.self) {
            try converter.configure(configs: ["converter.encoding": "EBCDIC"], isKey: false)
        }
    }

    @Test func headerMethodsDelegate() throws {
        #expect(
            try converter.fromConnectHeader(topic: "t", headerKey: "h", schema: .boolean, value: true)
                == Array("true".utf8)
        )
        #expect(
            try converter.fromConnectHeader(topic: "t", headerKey: "h", schema: .optionalString, value: .null) == nil
        )
        try converter.configure(configs: ["converter.type": "header"])
        #expect(try converter.toConnectHeader(topic: "t", headerKey: "h", bytes: Array("x".utf8)).value == "x")
    }

    @Test func configDefHasKafkasKeys() {
        #expect(StringConverter.configDef.names == ["converter.type", "converter.encoding"])
    }
}
