import ConnectAPI
import Testing

/// Kafka's `ByteArrayConverterTest`.
@Suite struct ByteArrayConverterTests {
    let converter = ByteArrayConverter()
    let sample: [UInt8] = [0x74, 0x65, 0x73, 0x74, 0xFF, 0x00]

    @Test func bytesPassThrough() throws {
        #expect(try converter.fromConnectData(topic: "t", schema: .bytes, value: .bytes(sample)) == sample)
        #expect(try converter.fromConnectData(topic: "t", schema: nil, value: .bytes(sample)) == sample)
        #expect(try converter.fromConnectData(topic: "t", schema: .optionalBytes, value: .null) == nil)
        #expect(
            try converter.toConnectData(topic: "t", bytes: sample)
                == SchemaAndValue(schema: .optionalBytes, value: .bytes(sample))
        )
        #expect(
            try converter.toConnectData(topic: "t", bytes: nil) == SchemaAndValue(schema: .optionalBytes, value: .null)
        )
    }

    @Test func otherSchemasAndValuesAreRejected() throws {
        let schemaError = try #require(throws: DataError.self) {
            try converter.fromConnectData(topic: "t", schema: .int32, value: .bytes(sample))
        }
        #expect(schemaError.message == "Invalid schema type for ByteArrayConverter: INT32")
        let valueError = try #require(throws: DataError.self) {
            try converter.fromConnectData(topic: "t", schema: .bytes, value: "string")
        }
        #expect(valueError.message == "ByteArrayConverter is not compatible with objects of type string")
    }

    @Test func headerMethodsDelegate() throws {
        #expect(
            try converter.fromConnectHeader(topic: "t", headerKey: "h", schema: .bytes, value: .bytes(sample)) == sample
        )
        #expect(try converter.toConnectHeader(topic: "t", headerKey: "h", bytes: sample).value == .bytes(sample))
    }
}
