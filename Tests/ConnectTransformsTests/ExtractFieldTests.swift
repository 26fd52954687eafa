import ConnectAPI
import Testing

@testable import ConnectTransforms

@Suite struct ExtractFieldTests {
    typealias ExtractKey = ExtractField<RecordKey>
    typealias ExtractValue = ExtractField<RecordValue>

    @Test func schemaless() throws {
        let xform = try ExtractKey(configs: ["field": "magic"])
        let transformed = try #require(try xform.apply(sinkRecord(key: map(["magic": .int32(42)]))))
        #expect(transformed.keySchema == nil)
        #expect(transformed.key == .int32(42))
    }

    @Test func schemalessNestedPath() throws {
        let xform = try ExtractKey(configs: ["field.syntax.version": "v2", "field": "magic.foo"])
        let transformed = try #require(try xform.apply(sinkRecord(key: map(["magic": map(["foo": .int32(42)])]))))
        #expect(transformed.keySchema == nil)
        #expect(transformed.key == .int32(42))
    }

    @Test func nullSchemaless() throws {
        let xform = try ExtractKey(configs: ["field": "magic"])
        let transformed = try #require(try xform.apply(sinkRecord()))
        #expect(transformed.keySchema == nil)
        #expect(transformed.key == .null)
    }

    @Test func withSchema() throws {
        let xform = try ExtractKey(configs: ["field": "magic"])
        let schema = try structSchema(("magic", .int32))
        let transformed = try #require(
            try xform.apply(sinkRecord(keySchema: schema, key: .struct(try makeStruct(schema, ["magic": .int32(42)]))))
        )
        #expect(transformed.keySchema == .int32)
        #expect(transformed.key == .int32(42))
    }

    @Test func withSchemaNestedPath() throws {
        let xform = try ExtractKey(configs: ["field.syntax.version": "V2", "field": "magic.foo"])
        let foo = try structSchema(("foo", .int32))
        let schema = try structSchema(("magic", foo))
        let key = try makeStruct(schema, ["magic": .struct(try makeStruct(foo, ["foo": .int32(42)]))])
        let transformed = try #require(try xform.apply(sinkRecord(keySchema: schema, key: .struct(key))))
        #expect(transformed.keySchema == .int32)
        #expect(transformed.key == .int32(42))
    }

    @Test func nullWithSchema() throws {
        let xform = try ExtractKey(configs: ["field": "magic"])
        let schema = try structSchema(("magic", .int32), optional: true)
        let transformed = try #require(try xform.apply(sinkRecord(keySchema: schema)))
        #expect(transformed.keySchema == .int32)
        #expect(transformed.key == .null)
    }

    @Test func missingFieldSchemalessIsNull() throws {
        let xform = try ExtractKey(configs: ["field": "nonexistent"])
        #expect(try xform.apply(sinkRecord(key: map(["magic": .int32(42)])))?.key == .null)
        let nested = try ExtractKey(configs: ["field.syntax.version": "V2", "field": "magic.nonexistent"])
        #expect(try nested.apply(sinkRecord(key: map(["magic": map(["foo": .int32(42)])])))?.key == .null)
    }

    @Test func missingFieldWithSchemaFails() throws {
        let xform = try ExtractKey(configs: ["field": "nonexistent"])
        let schema = try structSchema(("magic", .int32))
        let record = sinkRecord(keySchema: schema, key: .struct(try makeStruct(schema, ["magic": .int32(42)])))
        #expect(dataErrorMessage { _ = try xform.apply(record) } == "Unknown field: nonexistent")
        let nested = try ExtractKey(configs: ["field.syntax.version": "V2", "field": "magic.nonexistent"])
        let foo = try structSchema(("foo", .int32))
        let outer = try structSchema(("magic", foo))
        let key = try makeStruct(outer, ["magic": .struct(try makeStruct(foo, ["foo": .int32(42)]))])
        #expect(
            dataErrorMessage { _ = try nested.apply(sinkRecord(keySchema: outer, key: .struct(key))) }
                == "Unknown field: magic.nonexistent"
        )
    }

    @Test(arguments: [(false, ConnectValue.null), (true, ConnectValue.int32(42))])
    func unsetOptionalFieldWithDefault(replaceNullWithDefault: Bool, expected: ConnectValue) throws {
        let config = ["field": "optional_with_default", "replace.null.with.default": String(replaceNullWithDefault)]
        let schema = try structSchema(
            ("optional_with_default", SchemaBuilder.int32().optional().defaultValue(.int32(42)).build())
        )
        let key = try ExtractKey(configs: config)
        #expect(try key.apply(sinkRecord(keySchema: schema, key: .struct(try Struct(schema: schema))))?.key == expected)
        let value = try ExtractValue(configs: config)
        #expect(
            try value.apply(sinkRecord(valueSchema: schema, value: .struct(try Struct(schema: schema))))?.value
                == expected
        )
    }

    @Test func wrongTypesAreDataErrors() throws {
        let xform = try ExtractValue(configs: ["field": "a"])
        #expect(
            dataErrorMessage { _ = try xform.apply(sinkRecord(valueSchema: .int32, value: .int32(1))) }
                == "Only Struct objects supported for [field extraction], found: java.lang.Integer"
        )
        #expect(
            dataErrorMessage { _ = try xform.apply(sinkRecord(value: "text")) }
                == "Only Map objects supported in absence of schema for [field extraction], found: java.lang.String"
        )
        let nested = try ExtractValue(configs: ["field.syntax.version": "V2", "field": "a.b"])
        #expect(
            dataErrorMessage { _ = try nested.apply(sinkRecord(value: map(["a": .int64(1)]))) }
                == "Only Map objects supported in absence of schema for [nested field access], found: java.lang.Long"
        )
    }

    @Test func configErrors() {
        #expect(
            configErrorMessage { _ = try ExtractValue(configs: [:]) }
                == "Missing required configuration \"field\" which has no default value."
        )
        #expect(
            configErrorMessage { _ = try ExtractValue(configs: ["field": "a", "field.syntax.version": "V3"]) }
                == "Invalid value V3 for configuration field.syntax.version: String must be one of (case insensitive): "
                + "V1, V2"
        )
        #expect(
            configErrorMessage { _ = try ExtractValue(configs: ["field": "`a.b", "field.syntax.version": "V2"]) }
                == "Incomplete backtick pair in path: [`a.b], consider adding a backslash before backtick at position 0 "
                + "to escape it"
        )
    }
}
