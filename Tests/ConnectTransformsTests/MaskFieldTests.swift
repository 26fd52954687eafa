import ConnectAPI
import Testing

@testable import ConnectTransforms

@Suite struct MaskFieldTests {
    static let schema = try! SchemaBuilder.struct()
        .field("magic", .int32)
        .field("bool", .boolean)
        .field("byte", .int8)
        .field("short", .int16)
        .field("int", .int32)
        .field("long", .int64)
        .field("float", .float32)
        .field("double", .float64)
        .field("string", .string)
        .field("date", .date)
        .field("time", .time)
        .field("timestamp", .timestamp)
        .field("decimal", .decimal(scale: 0))
        .field("array", SchemaBuilder.array(.int32).build())
        .field("map", SchemaBuilder.map(.string, .string).build())
        .field("withDefault", SchemaBuilder.string().optional().defaultValue("default").build())
        .build()

    static let valuesWithSchema = try! makeStruct(
        schema,
        [
            "magic": .int32(42), "bool": .boolean(true), "byte": .int8(42), "short": .int16(42), "int": .int32(42),
            "long": .int64(42), "float": .float32(42), "double": .float64(42), "string": "hmm",
            "date": .date(days: 19000), "time": .time(millis: 1234), "timestamp": .timestamp(millis: 1_700_000_000_000),
            "decimal": .decimal(ConnectDecimal(unscaled: 42)), "array": [.int32(1), .int32(2), .int32(3)],
            "map": ["what": "what"],
        ]
    )

    static let schemalessValues = map([
        "magic": .int32(42), "bool": .boolean(true), "byte": .int8(42), "short": .int16(42), "int": .int32(42),
        "long": .int64(42), "float": .float32(42), "double": .float64(42), "string": "55.121.20.20",
        "date": .timestamp(millis: 1_700_000_000_000), "bigdec": .decimal(ConnectDecimal("42.0")!),
        "list": [.int32(42)], "map": ["key": "value"],
    ])

    private static func transform(_ fields: [String], _ replacement: String?) throws -> MaskField<RecordValue> {
        var config = ["fields": fields.joined(separator: ","), "replace.null.with.default": "false"]
        config["replacement"] = replacement
        return try MaskField<RecordValue>(configs: config)
    }

    @Test func schemaless() throws {
        let fields = [
            "bool", "byte", "short", "int", "long", "float", "double", "string", "date", "bigdec", "list", "map",
        ]
        let transformed = try #require(
            try Self.transform(fields, nil).apply(sinkRecord(topic: "", value: Self.schemalessValues))
        )
        let value = try mapValue(transformed.value)
        #expect(value[string: "magic"] == .int32(42))
        #expect(value[string: "bool"] == .boolean(false))
        #expect(value[string: "byte"] == .int8(0))
        #expect(value[string: "short"] == .int16(0))
        #expect(value[string: "int"] == .int32(0))
        #expect(value[string: "long"] == .int64(0))
        #expect(value[string: "float"] == .float32(0))
        #expect(value[string: "double"] == .float64(0))
        #expect(value[string: "string"] == "")
        #expect(value[string: "date"] == .timestamp(millis: 0))
        #expect(value[string: "bigdec"] == .decimal(ConnectDecimal(unscaled: 0)))
        #expect(value[string: "list"] == [])
        #expect(value[string: "map"] == .map(ConnectMap()))
    }

    @Test func withSchema() throws {
        let fields = Self.schema.fields.map(\.name).filter { $0 != "magic" }
        let transformed = try #require(
            try Self.transform(fields, nil).apply(
                sinkRecord(topic: "", valueSchema: Self.schema, value: .struct(Self.valuesWithSchema))
            )
        )
        #expect(transformed.valueSchema === Self.schema)
        let value = try structValue(transformed.value)
        #expect(try value.get("magic") == .int32(42))
        #expect(try value.get("bool") == .boolean(false))
        #expect(try value.get("byte") == .int8(0))
        #expect(try value.get("short") == .int16(0))
        #expect(try value.get("int") == .int32(0))
        #expect(try value.get("long") == .int64(0))
        #expect(try value.get("float") == .float32(0))
        #expect(try value.get("double") == .float64(0))
        #expect(try value.get("string") == "")
        #expect(try value.get("date") == .date(days: 0))
        #expect(try value.get("time") == .time(millis: 0))
        #expect(try value.get("timestamp") == .timestamp(millis: 0))
        #expect(try value.get("decimal") == .decimal(ConnectDecimal(unscaled: 0)))
        #expect(try value.get("array") == [])
        #expect(try value.get("map") == .map(ConnectMap()))
        #expect(try value.getWithoutDefault("withDefault") == .null)
    }

    @Test(arguments: [
        ("short", ConnectValue.int16(123)), ("byte", .int8(123)), ("int", .int32(123)), ("long", .int64(123)),
        ("float", .float32(123)), ("double", .float64(123)), ("string", "123"),
    ])
    func replacementSchemalessAndWithSchema(field: String, expected: ConnectValue) throws {
        let replacement = field == "float" || field == "double" ? "123.0" : "123"
        let xform = try Self.transform([field], replacement)
        #expect(
            try mapValue(try #require(try xform.apply(sinkRecord(value: Self.schemalessValues))).value)[string: field]
                == expected
        )
        let withSchema = try #require(
            try xform.apply(sinkRecord(valueSchema: Self.schema, value: .struct(Self.valuesWithSchema)))
        )
        #expect(try structValue(withSchema.value).get(field) == expected)
    }

    @Test func decimalReplacementAndTruncation() throws {
        let xform = try Self.transform(["bigdec"], "123.0")
        #expect(
            try mapValue(try #require(try xform.apply(sinkRecord(value: Self.schemalessValues))).value)[
                string: "bigdec"
            ] == .decimal(ConnectDecimal("123.0")!)
        )
        let truncating = try Self.transform(["int", "byte"], "300.9")
        let value = try mapValue(try #require(try truncating.apply(sinkRecord(value: Self.schemalessValues))).value)
        #expect(value[string: "int"] == .int32(300))
        #expect(value[string: "byte"] == .int8(44))
    }

    @Test func unsupportedReplacementTypes() throws {
        for field in ["date", "bool", "list", "map"] {
            let message = dataErrorMessage {
                _ = try Self.transform([field], "123").apply(sinkRecord(value: Self.schemalessValues))
            }
            #expect(message?.hasPrefix("Cannot mask value of type class ") == true, "\(field)")
            #expect(message?.hasSuffix(" with custom replacement.") == true, "\(field)")
        }
        for field in ["time", "timestamp", "array"] {
            let message = dataErrorMessage {
                _ = try Self.transform([field], "123").apply(
                    sinkRecord(valueSchema: Self.schema, value: .struct(Self.valuesWithSchema))
                )
            }
            #expect(message?.hasPrefix("Cannot mask value of type class ") == true, "\(field)")
        }
    }

    @Test func replacementTypeMismatch() throws {
        for field in ["byte", "short", "int", "long", "float", "double"] {
            #expect(
                dataErrorMessage {
                    _ = try Self.transform([field], "foo").apply(sinkRecord(value: Self.schemalessValues))
                }
                    == "Unable to convert foo (class java.lang.String) to a number",
                "\(field)"
            )
        }
        #expect(
            dataErrorMessage {
                _ = try Self.transform(["bigdec"], "foo").apply(sinkRecord(value: Self.schemalessValues))
            }
                == "Unable to convert foo (class java.lang.String) to number"
        )
    }

    @Test func emptyReplacementIsRejected() {
        #expect(
            configErrorMessage { _ = try Self.transform(["short"], "") }
                == "Invalid value  for configuration replacement: String must be non-empty"
        )
        #expect(
            configErrorMessage { _ = try MaskField<RecordValue>(configs: ["fields": ""]) }
                == "Invalid value [] for configuration fields: Empty list"
        )
    }

    @Test func unmaskableAndTombstones() throws {
        let xform = try Self.transform(["b"], nil)
        #expect(
            dataErrorMessage { _ = try xform.apply(sinkRecord(value: map(["b": .bytes([1])]))) }
                == "Cannot mask value of type: class [B"
        )
        #expect(
            dataErrorMessage { _ = try xform.apply(sinkRecord()) }
                == "Only Map objects supported in absence of schema for [mask fields], found: null"
        )
        // Null fields stay null.
        #expect(
            try mapValue(try #require(try xform.apply(sinkRecord(value: map(["b": .null])))).value)[string: "b"]
                == .null
        )
    }

    @Test func keyVariant() throws {
        let xform = try MaskField<RecordKey>(configs: ["fields": "ssn"])
        let transformed = try #require(
            try xform.apply(sinkRecord(key: map(["ssn": "123-45-6789", "id": .int64(1)]), value: "v"))
        )
        #expect(transformed.key == map(["ssn": "", "id": .int64(1)]))
        #expect(transformed.value == "v")
    }
}
