import ConnectAPI
import Testing

@Suite struct ValidationTests {
    @Test func nullIsValidOnlyForOptionalSchemas() throws {
        try Schema.optionalInt8.validate(.null)
        let error = try #require(throws: DataError.self) { try Schema.int8.validate(.null) }
        #expect(error.message == "Invalid value: null used for required value, schema type: INT8")
    }

    static let matching: [(Schema, ConnectValue)] = [
        (Schema.int8, ConnectValue.int8(1)),
        (.int16, .int16(1)),
        (.int32, .int32(1)),
        (.int64, .int64(1)),
        (.float32, .float32(1)),
        (.float64, .float64(1)),
        (.boolean, .boolean(true)),
        (.string, .string("s")),
        (.bytes, .bytes([])),
        (.date, .date(days: 0)),
        (.time, .time(millis: 0)),
        (.timestamp, .timestamp(millis: 0)),
        (.decimal(scale: 2), .decimal(ConnectDecimal(unscaled: 1, scale: 2))),
    ]

    @Test(arguments: matching)
    func acceptsTheMatchingCase(schema: Schema, value: ConnectValue) throws {
        try schema.validate(value)
    }

    static let mismatching: [(Schema, ConnectValue)] = [
        (Schema.int8, ConnectValue.int16(1)),
        (.int32, .int64(1)),
        (.float64, .float32(1)),
        (.string, .bytes([])),
        (.bytes, .string("")),
        (.date, .int32(0)),  // logical schemas want logical values, as in Kafka
        (.timestamp, .int64(0)),
        (.int32, .date(days: 0)),
        (.decimal(scale: 2), .bytes([1])),
    ]

    @Test(arguments: mismatching)
    func rejectsOtherCases(schema: Schema, value: ConnectValue) {
        #expect(throws: DataError.self) { try schema.validate(value) }
    }

    @Test func namesTheLogicalSchemaInTheMessage() {
        let error = #expect(throws: DataError.self) { try Schema.date.validate(.int32(0)) }
        #expect(
            error?.message
                == "Invalid value for schema \"org.apache.kafka.connect.data.Date\" with type INT32: int32 for value"
        )
    }

    @Test func validatesArrayElementsAndMapEntries() throws {
        let array = try SchemaBuilder.array(.int32).build()
        try array.validate([.int32(1), .int32(2)])
        let arrayError = #expect(throws: DataError.self) { try array.validate([.int32(1), .null]) }
        #expect(
            arrayError?.message == "Invalid value: null used for required element of array value, schema type: INT32"
        )

        let map = try SchemaBuilder.map(.string, .optionalInt64).build()
        try map.validate(["a": .int64(1), "b": nil])
        let keyError = #expect(throws: DataError.self) { try map.validate([.int32(1): .int64(1)]) }
        #expect(keyError?.message == "Invalid value for schema with type STRING: int32 for key of map value")
        let valueError = #expect(throws: DataError.self) {
            try Schema.validateValue(field: "m", schema: map, value: ["a": "x"])
        }
        #expect(valueError?.message == "Invalid value for schema with type INT64: string for value of map field: \"m\"")
    }

    @Test func validatesNestedStructs() throws {
        let inner = try SchemaBuilder.struct().field("x", .int32).build()
        let outer = try SchemaBuilder.array(inner).build()
        var value = try Struct(schema: inner)
        #expect(throws: DataError.self) { try outer.validate([.struct(value)]) }
        try value.put("x", .int32(3))
        try outer.validate([.struct(value)])
    }
}
