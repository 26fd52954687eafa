import ConnectAPI
import Testing

@testable import ConnectTransforms

@Suite struct ValueToKeyTests {
    @Test func schemaless() throws {
        let xform = try ValueToKey(configs: ["fields": "a,b"])
        let transformed = try #require(
            try xform.apply(sinkRecord(topic: "", value: map(["a": .int32(1), "b": .int32(2), "c": .int32(3)])))
        )
        #expect(transformed.keySchema == nil)
        #expect(transformed.key == map(["a": .int32(1), "b": .int32(2)]))
    }

    @Test func withSchema() throws {
        let xform = try ValueToKey(configs: ["fields": "a,b"])
        let schema = try structSchema(("a", .int32), ("b", .int32), ("c", .int32))
        let value = try makeStruct(schema, ["a": .int32(1), "b": .int32(2), "c": .int32(3)])
        let transformed = try #require(
            try xform.apply(sinkRecord(topic: "", valueSchema: schema, value: .struct(value)))
        )
        let expectedSchema = try structSchema(("a", .int32), ("b", .int32))
        #expect(transformed.keySchema == expectedSchema)
        #expect(transformed.key == .struct(try makeStruct(expectedSchema, ["a": .int32(1), "b": .int32(2)])))
        #expect(transformed.value == .struct(value))
    }

    @Test func keyFieldOrderFollowsConfig() throws {
        let xform = try ValueToKey(configs: ["fields": "c,a"])
        let schema = try structSchema(("a", .int32), ("b", .int32), ("c", .string))
        let value = try makeStruct(schema, ["a": .int32(1), "b": .int32(2), "c": "x"])
        let transformed = try #require(try xform.apply(sinkRecord(valueSchema: schema, value: .struct(value))))
        #expect(transformed.keySchema?.fields.map(\.name) == ["c", "a"])
        #expect(try structValue(transformed.key).get("c") == "x")
    }

    @Test func nonExistingField() throws {
        let xform = try ValueToKey(configs: ["fields": "not_exist"])
        let schema = try structSchema(("a", .int32))
        #expect(
            dataErrorMessage {
                _ = try xform.apply(
                    sinkRecord(valueSchema: schema, value: .struct(try makeStruct(schema, ["a": .int32(1)])))
                )
            } == "Field does not exist: not_exist"
        )
        #expect(try xform.apply(sinkRecord(value: map(["a": .int32(1)])))?.key == map(["not_exist": .null]))
    }

    @Test(arguments: [(false, ConnectValue.null), (true, ConnectValue.int32(42))])
    func replaceNullWithDefault(replaceNullWithDefault: Bool, expected: ConnectValue) throws {
        let xform = try ValueToKey(configs: [
            "fields": "optional_with_default", "replace.null.with.default": String(replaceNullWithDefault),
        ])
        let schema = try structSchema(
            ("optional_with_default", SchemaBuilder.int32().optional().defaultValue(.int32(42)).build())
        )
        let transformed = try #require(
            try xform.apply(sinkRecord(valueSchema: schema, value: .struct(try Struct(schema: schema))))
        )
        #expect(try structValue(transformed.key).getWithoutDefault("optional_with_default") == expected)
    }

    @Test func tombstonesAndConfig() throws {
        let xform = try ValueToKey(configs: ["fields": "a"])
        #expect(
            dataErrorMessage { _ = try xform.apply(sinkRecord()) }
                == "Only Map objects supported in absence of schema for [copying fields from value to key], found: null"
        )
        #expect(
            configErrorMessage { _ = try ValueToKey(configs: ["fields": ""]) }
                == "Invalid value [] for configuration fields: Empty list"
        )
    }
}
