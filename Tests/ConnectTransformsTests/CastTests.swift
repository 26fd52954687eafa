import ConnectAPI
import Testing

@testable import ConnectTransforms

@Suite struct CastTests {
    typealias CastKey = Cast<RecordKey>
    typealias CastValue = Cast<RecordValue>

    // MARK: Configuration

    @Test func configEmptyIsRejected() {
        #expect(
            configErrorMessage { _ = try CastKey(configs: ["spec": ""]) }
                == "Invalid value  for configuration spec: Must specify at least one field to cast."
        )
        #expect(
            configErrorMessage { _ = try CastKey(configs: [:]) }
                == "Missing required configuration \"spec\" which has no default value."
        )
    }

    @Test func configInvalidSchemaType() {
        #expect(
            configErrorMessage { _ = try CastKey(configs: ["spec": "foo:faketype"]) }
                == "Invalid value foo:faketype for configuration spec: Invalid type found in casting spec: faketype. "
                + "Valid types are int8, int16, int32, int64, float32, float64, boolean, string"
        )
        #expect(
            configErrorMessage { _ = try CastValue(configs: ["spec": "int9"]) }
                == "Invalid value int9 for configuration spec: Invalid type found in casting spec: int9. "
                + "Valid types are int8, int16, int32, int64, float32, float64, boolean, string"
        )
    }

    @Test func configUnsupportedTargetTypes() {
        for spec in ["foo:array", "array", "foo:bytes", "foo:struct", "map"] {
            let message = configErrorMessage { _ = try CastKey(configs: ["spec": spec]) }
            #expect(message?.contains("Cast transformation does not support casting to") == true, "\(spec)")
        }
    }

    @Test func configInvalidMapAndMixedWholeAndField() {
        #expect(
            configErrorMessage { _ = try CastKey(configs: ["spec": "foo:int8:extra"]) }?
                .hasPrefix("Invalid value foo:int8:extra for configuration spec: Invalid cast mapping") == true
        )
        #expect(
            configErrorMessage { _ = try CastKey(configs: ["spec": "foo:int8,int32"]) }
                == "Invalid value foo:int8,int32 for configuration spec: Cast transformations that specify a type to "
                + "cast the entire value to may only specify a single cast in their spec"
        )
    }

    @Test func typesAreCaseInsensitiveAndTrimmed() throws {
        let cast = try CastValue(configs: ["spec": " a : INT16 , b:String"])
        #expect(cast.fieldCasts.map(\.field) == ["a", "b"])
        #expect(cast.fieldCasts.map(\.type) == [.int16, .string])
    }

    // MARK: Nulls

    @Test func nullValuesPassThrough() throws {
        let value = try CastValue(configs: ["spec": "foo:int64"])
        let withSchema = sourceRecord(keySchema: .string, key: "key", valueSchema: .optionalString, value: .null)
        #expect(try value.apply(withSchema) == withSchema)
        let schemaless = sourceRecord(keySchema: .string, key: "key")
        #expect(try value.apply(schemaless) == schemaless)
        let key = try CastKey(configs: ["spec": "foo:int64"])
        let nullKey = sourceRecord(keySchema: .optionalString, valueSchema: .string, value: "value")
        #expect(try key.apply(nullKey) == nullKey)
        let nullKeySchemaless = sourceRecord(valueSchema: .string, value: "value")
        #expect(try key.apply(nullKeySchemaless) == nullKeySchemaless)
    }

    @Test(arguments: [(false, ConnectValue.null), (true, ConnectValue.string("10"))])
    func fieldWithDefaultValue(replaceNullWithDefault: Bool, expected: ConnectValue) throws {
        let cast = try CastValue(configs: [
            "spec": "magic:string", "replace.null.with.default": String(replaceNullWithDefault),
        ])
        let schema = try structSchema(("magic", SchemaBuilder.int32().optional().defaultValue(.int32(10)).build()))
        let record = sourceRecord(
            keySchema: .string,
            key: "key",
            valueSchema: schema,
            value: .struct(try Struct(schema: schema))
        )
        let transformed = try #require(try cast.apply(record))
        #expect(transformed.valueSchema?.field(named: "magic")?.schema.kind == .string)
        #expect(try structValue(transformed.value).getWithoutDefault("magic") == expected)
        #expect(transformed.valueSchema?.field(named: "magic")?.schema.defaultValue == .string("10"))
    }

    // MARK: Whole value

    @Test func wholeKeyWithSchema() throws {
        let cast = try CastKey(configs: ["spec": "int8"])
        let transformed = try #require(
            try cast.apply(sourceRecord(keySchema: .int32, key: .int32(42), valueSchema: .string, value: "bogus"))
        )
        #expect(transformed.keySchema?.kind == .int8)
        #expect(transformed.key == .int8(42))
        #expect(transformed.value == "bogus")
    }

    @Test(arguments: [
        ("int8", ConnectValue.int8(42)), ("int16", .int16(42)), ("int32", .int32(42)), ("int64", .int64(42)),
        ("float32", .float32(42)), ("float64", .float64(42)), ("boolean", .boolean(true)), ("string", "42"),
    ])
    func wholeValueWithSchema(type: String, expected: ConnectValue) throws {
        let cast = try CastValue(configs: ["spec": type])
        let transformed = try #require(try cast.apply(sourceRecord(valueSchema: .int32, value: .int32(42))))
        #expect(transformed.valueSchema == Schema.primitive(expected.kind!))
        #expect(transformed.value == expected)
        // Schemaless: same values, no schema.
        let schemaless = try #require(try cast.apply(sourceRecord(value: .int32(42))))
        #expect(schemaless.valueSchema == nil)
        #expect(schemaless.value == expected)
    }

    @Test func wholeValueBooleanFalse() throws {
        let cast = try CastValue(configs: ["spec": "boolean"])
        #expect(try cast.apply(sourceRecord(valueSchema: .int32, value: .int32(0)))?.value == .boolean(false))
        #expect(try cast.apply(sourceRecord(value: .int32(0)))?.value == .boolean(false))
    }

    @Test func wholeDecimalAndTimestampToString() throws {
        let cast = try CastValue(configs: ["spec": "string"])
        let decimal = try #require(
            try cast.apply(sourceRecord(valueSchema: .decimal(scale: 0), value: .decimal(ConnectDecimal(unscaled: 42))))
        )
        #expect(decimal.valueSchema == .string)  // the Decimal name and scale do not stay on a STRING schema
        #expect(decimal.value == "42")
        let timestamp = try #require(
            try cast.apply(sourceRecord(valueSchema: .timestamp, value: .timestamp(millis: millisPerDay + 1)))
        )
        #expect(timestamp.valueSchema == .string)
        #expect(timestamp.value == "1970-01-02T00:00:00.001Z")
    }

    @Test func wholeValueDefaultIsCast() throws {
        let cast = try CastValue(configs: ["spec": "int32"])
        let schema = try SchemaBuilder.float32().defaultValue(.float32(-42.125)).build()
        let transformed = try #require(try cast.apply(sourceRecord(valueSchema: schema, value: .float32(42.125))))
        #expect(transformed.valueSchema?.kind == .int32)
        #expect(transformed.value == .int32(42))
        #expect(transformed.valueSchema?.defaultValue == .int32(-42))
    }

    @Test func wholeValueKeepsNameVersionDocOfNonLogicalSchema() throws {
        let cast = try CastValue(configs: ["spec": "int64"])
        let schema = try SchemaBuilder.int32().name("com.example.Id").version(3).doc("an id").optional().build()
        let transformed = try #require(try cast.apply(sourceRecord(valueSchema: schema, value: .int32(7))))
        let expected = try SchemaBuilder.int64().name("com.example.Id").version(3).doc("an id").optional().build()
        #expect(transformed.valueSchema == expected)
        #expect(transformed.value == .int64(7))
    }

    @Test func wholeKeySchemaless() throws {
        let cast = try CastKey(configs: ["spec": "int8"])
        let transformed = try #require(
            try cast.apply(sourceRecord(key: .int32(42), valueSchema: .string, value: "bogus"))
        )
        #expect(transformed.keySchema == nil)
        #expect(transformed.key == .int8(42))
    }

    @Test func wholeValueSchemalessUnsupportedType() throws {
        let cast = try CastValue(configs: ["spec": "int8"])
        #expect(
            dataErrorMessage { _ = try cast.apply(sourceRecord(value: ["foo"])) }
                == "Cast transformation does not support casting from ARRAY; supported types are [INT8, INT16, INT32, "
                + "INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"
        )
    }

    // MARK: Fields

    @Test func logicalToPrimitive() throws {
        let cast = try CastValue(configs: [
            "spec": "date_to_int32:int32,timestamp_to_int64:int64,time_to_int64:int64,decimal_to_int32:int32,"
                + "timestamp_to_float64:float64,null_timestamp_to_int32:int32"
        ])
        let schema = try structSchema(
            ("date_to_int32", .date),
            ("timestamp_to_int64", .timestamp),
            ("time_to_int64", .time),
            ("decimal_to_int32", .decimal(scale: 0)),
            ("timestamp_to_float64", .timestamp),
            ("null_timestamp_to_int32", SchemaBuilder.timestamp().optional().build())
        )
        let value = try makeStruct(
            schema,
            [
                "date_to_int32": .date(days: 1),
                "timestamp_to_int64": .timestamp(millis: 0),
                "time_to_int64": .time(millis: 1),
                "decimal_to_int32": .decimal(ConnectDecimal(unscaled: Int64(Int32.max) + 1)),
                "timestamp_to_float64": .timestamp(millis: .max),
            ]
        )
        let transformed = try structValue(
            try #require(try cast.apply(sourceRecord(valueSchema: schema, value: .struct(value)))).value
        )
        #expect(try transformed.get("date_to_int32") == .int32(1))
        #expect(try transformed.get("timestamp_to_int64") == .int64(0))
        #expect(try transformed.get("time_to_int64") == .int64(1))
        #expect(try transformed.get("decimal_to_int32") == .int32(.min))  // wraps like BigDecimal.intValue()
        #expect(try transformed.get("timestamp_to_float64") == .float64(9.223372036854776E18))
        #expect(try transformed.get("null_timestamp_to_int32") == .null)
        let fields = transformed.schema
        #expect(fields.field(named: "date_to_int32")?.schema == .int32)
        #expect(fields.field(named: "timestamp_to_int64")?.schema == .int64)
        #expect(fields.field(named: "time_to_int64")?.schema == .int64)
        #expect(fields.field(named: "decimal_to_int32")?.schema == .int32)
        #expect(fields.field(named: "timestamp_to_float64")?.schema == .float64)
        #expect(fields.field(named: "null_timestamp_to_int32")?.schema == .optionalInt32)
    }

    @Test func logicalToString() throws {
        let cast = try CastValue(configs: ["spec": "date:string,decimal:string,time:string,timestamp:string"])
        let schema = try structSchema(
            ("date", .date),
            ("decimal", .decimal(scale: 0)),
            ("time", .time),
            ("timestamp", .timestamp)
        )
        let value = try makeStruct(
            schema,
            [
                "date": .date(days: 1), "decimal": .decimal(ConnectDecimal(unscaled: 1982)),
                "time": .time(millis: 3_600_000), "timestamp": .timestamp(millis: 1_700_000_000_123),
            ]
        )
        let transformed = try structValue(
            try #require(try cast.apply(sourceRecord(valueSchema: schema, value: .struct(value)))).value
        )
        #expect(try transformed.get("date") == "1970-01-02")
        #expect(try transformed.get("decimal") == "1982")
        #expect(try transformed.get("time") == "01:00:00.000Z")
        #expect(try transformed.get("timestamp") == "2023-11-14T22:13:20.123Z")
        #expect(transformed.schema.fields.allSatisfy { $0.schema == .string })
    }

    @Test func fieldsWithSchema() throws {
        let cast = try CastValue(configs: [
            "spec": "int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,boolean:int8,"
                + "string:int32,bigdecimal:string,date:string,optional:int32,bytes:string"
        ])
        let schema = try structSchema(
            ("int8", .int8),
            ("int16", .optionalInt16),
            ("int32", SchemaBuilder.int32().defaultValue(.int32(2)).build()),
            ("int64", .int64),
            ("float32", .float32),
            ("float64", SchemaBuilder.float64().defaultValue(.float64(-1.125)).build()),
            ("boolean", .boolean),
            ("string", .string),
            ("bigdecimal", .decimal(scale: 0)),
            ("date", .date),
            ("optional", .optionalFloat32),
            ("timestamp", .timestamp),
            ("bytes", .bytes)
        )
        let value = try makeStruct(
            schema,
            [
                "int8": .int8(8), "int16": .int16(16), "int32": .int32(32), "int64": .int64(64),
                "float32": .float32(32), "float64": .float64(-64), "boolean": .boolean(true),
                "bigdecimal": .decimal(ConnectDecimal(unscaled: 42)), "date": .date(days: 1), "string": "42",
                "timestamp": .timestamp(millis: 0), "bytes": .bytes([0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10]),
            ]
        )
        let transformed = try structValue(
            try #require(try cast.apply(sourceRecord(valueSchema: schema, value: .struct(value)))).value
        )
        #expect(try transformed.get("int8") == .int16(8))
        #expect(transformed.schema.field(named: "int16")?.schema.isOptional == true)
        #expect(try transformed.get("int16") == .int32(16))
        #expect(try transformed.get("int32") == .int64(32))
        #expect(transformed.schema.field(named: "int32")?.schema.defaultValue == .int64(2))
        #expect(try transformed.get("int64") == .boolean(true))
        #expect(try transformed.get("float32") == .float64(32))
        #expect(try transformed.get("float64") == .boolean(true))
        #expect(transformed.schema.field(named: "float64")?.schema.defaultValue == .boolean(true))
        #expect(try transformed.get("boolean") == .int8(1))
        #expect(try transformed.get("string") == .int32(42))
        #expect(try transformed.get("bigdecimal") == "42")
        #expect(try transformed.get("date") == "1970-01-02")
        #expect(try transformed.get("timestamp") == .timestamp(millis: 0))
        #expect(try transformed.get("bytes") == "/ty6mHZUMhA=")
        #expect(try transformed.get("optional") == .null)
        #expect(transformed.schema.field(named: "optional")?.schema == .optionalInt32)
        #expect(transformed.schema.field(named: "timestamp")?.schema == .timestamp)
        #expect(transformed.schema.field(named: "bytes")?.schema == .string)
    }

    @Test func fieldsSchemaless() throws {
        let cast = try CastValue(configs: [
            "spec": "int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,boolean:int8,"
                + "string:int32"
        ])
        let value = map([
            "int8": .int8(8), "int16": .int16(16), "int32": .int32(32), "int64": .int64(64), "float32": .float32(32),
            "float64": .float64(-64), "boolean": .boolean(true), "string": "42", "other": "untouched",
        ])
        let transformed = try #require(try cast.apply(sourceRecord(value: value)))
        #expect(transformed.valueSchema == nil)
        let result = try mapValue(transformed.value)
        #expect(result[string: "int8"] == .int16(8))
        #expect(result[string: "int16"] == .int32(16))
        #expect(result[string: "int32"] == .int64(32))
        #expect(result[string: "int64"] == .boolean(true))
        #expect(result[string: "float32"] == .float64(32))
        #expect(result[string: "float64"] == .boolean(true))
        #expect(result[string: "boolean"] == .int8(1))
        #expect(result[string: "string"] == .int32(42))
        #expect(result[string: "other"] == "untouched")
        #expect(result.keys.first == "int8")  // order kept
    }

    @Test func schemalessMissingFieldIsAddedAsNullLikeKafka() throws {
        let cast = try CastValue(configs: ["spec": "missing:int32"])
        let transformed = try #require(try cast.apply(sourceRecord(value: map(["a": .int64(1)]))))
        #expect(try mapValue(transformed.value).count == 2)
        #expect(try mapValue(transformed.value)[string: "missing"] == .null)
    }

    // MARK: Narrowing and parsing (Java rules)

    @Test func numbersNarrowLikeJavaCasts() throws {
        #expect(try CastConfig.castValue(schema: .int32, .int32(300), to: .int8) == .int8(44))
        #expect(try CastConfig.castValue(schema: .int64, .int64(-1), to: .int16) == .int16(-1))
        #expect(try CastConfig.castValue(schema: .int64, .int64(1 << 40), to: .int32) == .int32(0))
        #expect(try CastConfig.castValue(schema: .float64, .float64(1e20), to: .int32) == .int32(.max))
        #expect(try CastConfig.castValue(schema: .float64, .float64(1e20), to: .int8) == .int8(-1))
        #expect(try CastConfig.castValue(schema: .float64, .float64(.nan), to: .int64) == .int64(0))
        #expect(try CastConfig.castValue(schema: .float64, .float64(-2.9), to: .int64) == .int64(-2))
        #expect(try CastConfig.castValue(schema: .float64, .float64(0.5), to: .boolean) == .boolean(false))
        #expect(try CastConfig.castValue(schema: .float32, .float32(1.5), to: .string) == "1.5")
        #expect(try CastConfig.castValue(schema: .float64, .float64(1e10), to: .string) == "1.0E10")
        let decimal = ConnectDecimal(unscaled: -12345, scale: 2)
        #expect(try CastConfig.castValue(schema: .decimal(scale: 2), .decimal(decimal), to: .int32) == .int32(-123))
        #expect(
            try CastConfig.castValue(schema: .decimal(scale: 2), .decimal(decimal), to: .float64) == .float64(-123.45)
        )
        #expect(try CastConfig.castValue(schema: .decimal(scale: 2), .decimal(decimal), to: .string) == "-123.45")
    }

    @Test func stringsParseLikeJava() throws {
        #expect(try CastConfig.castValue(schema: .string, "127", to: .int8) == .int8(127))
        #expect(try CastConfig.castValue(schema: .string, "+5", to: .int16) == .int16(5))
        #expect(try CastConfig.castValue(schema: .string, "-9223372036854775808", to: .int64) == .int64(.min))
        #expect(try CastConfig.castValue(schema: .string, " 1.5 ", to: .float64) == .float64(1.5))
        #expect(try CastConfig.castValue(schema: .string, "1e3f", to: .float32) == .float32(1000))
        #expect(try CastConfig.castValue(schema: .string, "NaN", to: .float64) == .float64(.nan))
        #expect(try CastConfig.castValue(schema: .string, "TRUE", to: .boolean) == .boolean(true))
        #expect(try CastConfig.castValue(schema: .string, "yes", to: .boolean) == .boolean(false))
        #expect(try CastConfig.castValue(schema: .boolean, .boolean(true), to: .float32) == .float32(1))
    }

    @Test func unparsableStringsAreDataErrors() throws {
        let cast = try CastValue(configs: ["spec": "a:int8"])
        let schema = try structSchema(("a", .string))
        for text in ["128", "abc", " 1", "1.0", ""] {
            let record = sourceRecord(valueSchema: schema, value: .struct(try makeStruct(schema, ["a": .string(text)])))
            #expect(
                dataErrorMessage { _ = try cast.apply(record) }
                    == "Value (\(text)) was out of range for requested data type: For input string: \"\(text)\" (INT8)"
            )
        }
        #expect(
            dataErrorMessage { _ = try CastConfig.castValue(schema: .string, "nan", to: .float64) }?
                .hasPrefix("Value (nan) was out of range") == true
        )
    }

    @Test func wrongContainerIsDataError() throws {
        let cast = try CastValue(configs: ["spec": "a:int8"])
        #expect(
            dataErrorMessage { _ = try cast.apply(sourceRecord(valueSchema: .string, value: "x")) }
                == "Only Struct objects supported for [cast types], found: java.lang.String"
        )
        #expect(
            dataErrorMessage { _ = try cast.apply(sourceRecord(value: .int64(1))) }
                == "Only Map objects supported in absence of schema for [cast types], found: java.lang.Long"
        )
    }

    @Test func bytesOnlyCastToString() throws {
        #expect(
            dataErrorMessage { _ = try CastConfig.castValue(schema: .bytes, .bytes([1]), to: .int32) }
                == "Unexpected type in Cast transformation: class [B"
        )
        #expect(try CastConfig.castValue(schema: nil, .bytes([1, 2, 3]), to: .string) == "AQID")
    }

    @Test func schemalessLogicalValuesAreNotSupported() {
        #expect(
            dataErrorMessage { _ = try CastConfig.castValue(schema: nil, .timestamp(millis: 1), to: .int64) }
                == "Cast transformation was passed a value of type class java.util.Date which is not supported by "
                + "Connect's data API"
        )
    }

    @Test func derivedSchemaIsCachedPerInputSchema() throws {
        let cast = try CastValue(configs: ["spec": "a:string"])
        let schema = try structSchema(("a", .int32), ("b", .int32))
        let first = try #require(
            try cast.apply(
                sourceRecord(
                    valueSchema: schema,
                    value: .struct(try makeStruct(schema, ["a": .int32(1), "b": .int32(2)]))
                )
            )
        )
        // An equal schema built separately hits the same cache entry and yields the same instance.
        let equal = try structSchema(("a", .int32), ("b", .int32))
        let second = try #require(
            try cast.apply(
                sourceRecord(
                    valueSchema: equal,
                    value: .struct(try makeStruct(equal, ["a": .int32(3), "b": .int32(4)]))
                )
            )
        )
        #expect(first.valueSchema === second.valueSchema)
        #expect(try structValue(second.value).get("a") == "3")
    }

    @Test func keyVariantLeavesValueAlone() throws {
        let cast = try CastKey(configs: ["spec": "id:string"])
        let schema = try structSchema(("id", .int64))
        let record = sinkRecord(
            keySchema: schema,
            key: .struct(try makeStruct(schema, ["id": .int64(7)])),
            valueSchema: .string,
            value: "v",
            offset: 12,
            timestamp: 99,
            headers: [Header(key: "h", schema: .string, value: "x")]
        )
        let transformed = try #require(try cast.apply(record))
        #expect(try structValue(transformed.key).get("id") == "7")
        #expect(transformed.value == "v")
        #expect(transformed.kafkaOffset == 12)
        #expect(transformed.timestamp == 99)
        #expect(transformed.headers.count == 1)
    }
}
