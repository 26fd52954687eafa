import ConnectAPI
import Testing

@testable import ConnectTransforms

@Suite struct FlattenTests {
    typealias FlattenKey = Flatten<RecordKey>
    typealias FlattenValue = Flatten<RecordValue>

    private static func supportedTypesSchema() throws -> Schema {
        try structSchema(
            ("int8", .int8),
            ("int16", .int16),
            ("int32", .int32),
            ("int64", .int64),
            ("float32", .float32),
            ("float64", .float64),
            ("boolean", .boolean),
            ("string", .string),
            ("bytes", .bytes)
        )
    }

    private static let supportedValues: [String: ConnectValue] = [
        "int8": .int8(8), "int16": .int16(16), "int32": .int32(32), "int64": .int64(64), "float32": .float32(32),
        "float64": .float64(64), "boolean": .boolean(true), "string": "stringy", "bytes": .bytes(Array("bytes".utf8)),
    ]

    @Test func topLevelStructOrMapRequired() throws {
        let xform = try FlattenValue(configs: [:])
        #expect(
            dataErrorMessage { _ = try xform.apply(sourceRecord(valueSchema: .int32, value: .int32(42))) }
                == "Only Struct objects supported for [flattening], found: java.lang.Integer"
        )
        #expect(
            dataErrorMessage { _ = try xform.apply(sourceRecord(value: .int32(42))) }
                == "Only Map objects supported in absence of schema for [flattening], found: java.lang.Integer"
        )
    }

    @Test func nestedStruct() throws {
        let xform = try FlattenValue(configs: [:])
        let leaf = try Self.supportedTypesSchema()
        let middle = try structSchema(("B", leaf))
        let top = try structSchema(("A", middle))
        let value = try makeStruct(
            top,
            ["A": .struct(try makeStruct(middle, ["B": .struct(try makeStruct(leaf, Self.supportedValues))]))]
        )
        let transformed = try #require(try xform.apply(sourceRecord(valueSchema: top, value: .struct(value))))
        let result = try structValue(transformed.value)
        #expect(transformed.valueSchema?.kind == .struct)
        #expect(result.schema.fields.count == 9)
        for (name, expected) in Self.supportedValues { #expect(try result.get("A.B.\(name)") == expected) }
        #expect(result.schema.fields.first?.name == "A.B.int8")
    }

    @Test func nestedMapWithDelimiter() throws {
        let xform = try FlattenValue(configs: ["delimiter": "#"])
        let inner = ConnectValue.map(
            ConnectMap(Self.supportedValues.sorted { $0.key < $1.key }.map { (.string($0.key), $0.value) })
        )
        let transformed = try #require(try xform.apply(sourceRecord(value: map(["A": map(["B": inner])]))))
        #expect(transformed.valueSchema == nil)
        let result = try mapValue(transformed.value)
        #expect(result.count == 9)
        for (name, expected) in Self.supportedValues { #expect(result[string: "A#B#\(name)"] == expected) }
    }

    @Test func optionalFieldStructAndNullNestedStruct() throws {
        let xform = try FlattenValue(configs: [:])
        let leaf = try structSchema(("opt_int32", .optionalInt32))
        let top = try structSchema(("B", leaf))
        let value = try makeStruct(top, ["B": .struct(try Struct(schema: leaf))])
        let transformed = try #require(try xform.apply(sourceRecord(valueSchema: top, value: .struct(value))))
        #expect(try structValue(transformed.value).get("B.opt_int32") == .null)

        let optionalLeaf = try structSchema(("opt_int32", .optionalInt32), optional: true)
        let withOptional = try structSchema(("B", optionalLeaf), ("c", .int32))
        let nullNested = try makeStruct(withOptional, ["c": .int32(3)])
        let result = try structValue(
            try #require(try xform.apply(sourceRecord(valueSchema: withOptional, value: .struct(nullNested)))).value
        )
        #expect(try result.get("B.opt_int32") == .null)
        #expect(try result.get("c") == .int32(3))
    }

    @Test func optionalStructValueIsNull() throws {
        let xform = try FlattenValue(configs: [:])
        let schema = try structSchema(("opt_int32", .optionalInt32), optional: true)
        let transformed = try #require(try xform.apply(sourceRecord(valueSchema: schema, value: .null)))
        #expect(transformed.valueSchema == schema)
        #expect(transformed.value == .null)
    }

    @Test func optionalityIsPropagatedFromAncestors() throws {
        let xform = try FlattenValue(configs: [:])
        let child = try structSchema(
            ("req_field", .string),
            ("opt_field", SchemaBuilder.string().optional().defaultValue("child_default").build()),
            optional: true
        )
        let parent = try structSchema(("child", child), ("id", .int64))
        let transformed = try #require(
            try xform.apply(
                sourceRecord(valueSchema: parent, value: .struct(try makeStruct(parent, ["id": .int64(1)])))
            )
        )
        let schema = try #require(transformed.valueSchema)
        #expect(schema.field(named: "child.req_field")?.schema == .optionalString)
        #expect(
            schema.field(named: "child.opt_field")?.schema
                == (try SchemaBuilder.string().optional().defaultValue("child_default").build())
        )
        #expect(schema.field(named: "id")?.schema == .int64)
        #expect(try structValue(transformed.value).get("child.opt_field") == "child_default")
    }

    @Test func keyVariantSchemaless() throws {
        let xform = try FlattenKey(configs: [:])
        let transformed = try #require(
            try xform.apply(sourceRecord(partition: nil, key: map(["A": map(["B": .int32(12)])])))
        )
        #expect(transformed.keySchema == nil)
        #expect(try mapValue(transformed.key)[string: "A.B"] == .int32(12))
    }

    @Test func arraysAreNotFlattened() throws {
        let xform = try FlattenValue(configs: [:])
        let value = map(["foo": ["bar", map(["baz": map(["lfg": "lfg"])])]])
        #expect(try xform.apply(sourceRecord(value: value))?.value == value)

        let nested = try structSchema(("lfg", .string))
        let inner = try structSchema(("baz", nested))
        let schema = try structSchema(("foo", try SchemaBuilder.array(inner).doc("durk").build()))
        let element = try makeStruct(inner, ["baz": .struct(try makeStruct(nested, ["lfg": "lfg"]))])
        let structValue = try makeStruct(schema, ["foo": [.struct(element)]])
        let transformed = try #require(try xform.apply(sourceRecord(valueSchema: schema, value: .struct(structValue))))
        #expect(transformed.valueSchema == schema)
        #expect(transformed.value == .struct(structValue))
    }

    @Test func tombstonesPassThrough() throws {
        let xform = try FlattenValue(configs: [:])
        let schemaless = try #require(try xform.apply(sourceRecord()))
        #expect(schemaless.value == .null)
        #expect(schemaless.valueSchema == nil)
        let schema = try SchemaBuilder.struct().name("name").version(1).doc("doc").field("magic", .optionalInt64)
            .build()
        let withSchema = try #require(try xform.apply(sourceRecord(valueSchema: schema)))
        #expect(withSchema.value == .null)
        #expect(withSchema.valueSchema == schema)
    }

    @Test func nullFieldsKeepTheirOrder() throws {
        let xform = try FlattenValue(configs: [:])
        let value = map([
            "firstNull": .null, "firstNonNull": "nonNull", "secondNull": .null, "secondNonNull": "alsoNonNull",
            "thirdNonNull": .null,
        ])
        let transformed = try #require(try xform.apply(sourceRecord(value: value)))
        #expect(transformed.value == value)
        #expect(
            try mapValue(transformed.value).keys == [
                "firstNull", "firstNonNull", "secondNull", "secondNonNull", "thirdNonNull",
            ]
        )

        let schema = try structSchema(
            ("firstNull", .optionalString),
            ("firstNonNull", .optionalString),
            ("secondNull", .optionalString),
            ("secondNonNull", .optionalString),
            ("thirdNonNull", .optionalString)
        )
        let structValue = try makeStruct(schema, ["firstNonNull": "nonNull", "secondNonNull": "alsoNonNull"])
        #expect(
            try xform.apply(sourceRecord(valueSchema: schema, value: .struct(structValue)))?.value
                == .struct(structValue)
        )
    }

    @Test func unsupportedTypes() throws {
        let xform = try FlattenValue(configs: [:])
        let schema = try structSchema(("m", SchemaBuilder.map(.string, .string).build()))
        #expect(
            dataErrorMessage {
                _ = try xform.apply(
                    sourceRecord(valueSchema: schema, value: .struct(try makeStruct(schema, ["m": [:]])))
                )
            } == "Flatten transformation does not support MAP for record with schemas (for field m)."
        )
        #expect(
            dataErrorMessage { _ = try xform.apply(sourceRecord(value: map(["d": .timestamp(millis: 1)]))) }
                == "Flatten transformation was passed a value of type class java.util.Date which is not supported by "
                + "Connect's data API"
        )
    }

    @Test func schemaNameAndVersionAreKeptAndCached() throws {
        let xform = try FlattenValue(configs: ["delimiter": "_"])
        let inner = try structSchema(("x", .int32))
        let schema = try SchemaBuilder.struct().name("com.example.Point").version(2).field("p", inner).build()
        let value = try makeStruct(schema, ["p": .struct(try makeStruct(inner, ["x": .int32(1)]))])
        let first = try #require(try xform.apply(sourceRecord(valueSchema: schema, value: .struct(value))))
        let second = try #require(try xform.apply(sourceRecord(valueSchema: schema, value: .struct(value))))
        #expect(first.valueSchema?.name == "com.example.Point")
        #expect(first.valueSchema?.version == 2)
        #expect(first.valueSchema?.fields.map(\.name) == ["p_x"])
        #expect(first.valueSchema === second.valueSchema)
    }
}
