import ConnectAPI
import Testing

@testable import ConnectTransforms

@Suite struct SetSchemaMetadataTests {
    typealias SetValue = SetSchemaMetadata<RecordValue>

    @Test func nameAndVersionUpdates() throws {
        let empty = try SchemaBuilder.struct().build()
        #expect(
            try SetValue(configs: ["schema.name": "foo"]).apply(sinkRecord(topic: "", valueSchema: empty))?.valueSchema?
                .name == "foo"
        )
        #expect(
            try SetValue(configs: ["schema.version": "42"]).apply(sinkRecord(topic: "", valueSchema: empty))?
                .valueSchema?.version == 42
        )
        let both = try #require(
            try SetValue(configs: ["schema.name": "foo", "schema.version": "42"]).apply(
                sinkRecord(topic: "", valueSchema: empty)
            )
        )
        #expect(both.valueSchema?.name == "foo")
        #expect(both.valueSchema?.version == 42)
    }

    @Test func structIsRebuiltAgainstNewSchema() throws {
        let schema = try SchemaBuilder.struct().name("my.orig.SchemaDefn").field("f1", .string).field("f2", .int32)
            .build()
        let value = try makeStruct(schema, ["f1": "value1", "f2": .int32(1)])
        let xform = try SetValue(configs: ["schema.name": "foo", "schema.version": "42"])
        let updated = try #require(try xform.apply(sinkRecord(topic: "", valueSchema: schema, value: .struct(value))))
        let updatedSchema = try #require(updated.valueSchema)
        #expect(updatedSchema.name == "foo")
        #expect(updatedSchema.version == 42)
        let updatedValue = try structValue(updated.value)
        #expect(updatedValue.schema === updatedSchema)
        #expect(try updatedValue.get("f1") == "value1")
        #expect(try updatedValue.get("f2") == .int32(1))
        for field in updatedSchema.fields { #expect(field.schema === schema.fields[field.index].schema) }
    }

    @Test(arguments: [(false, ConnectValue.null), (true, ConnectValue.string("default"))])
    func nullFieldWithDefault(replaceNullWithDefault: Bool, expected: ConnectValue) throws {
        let schema = try SchemaBuilder.struct().name("my.orig.SchemaDefn")
            .field("f1", SchemaBuilder.string().defaultValue("default").optional().build()).field("f2", .int32).build()
        let value = try makeStruct(schema, ["f2": .int32(1)])
        let xform = try SetValue(configs: [
            "schema.name": "foo", "schema.version": "42", "replace.null.with.default": String(replaceNullWithDefault),
        ])
        let updated = try #require(try xform.apply(sinkRecord(topic: "", valueSchema: schema, value: .struct(value))))
        #expect(try structValue(updated.value).getWithoutDefault("f1") == expected)
    }

    @Test func schemaRequiredUnlessNullRecord() throws {
        let xform = try SetValue(configs: ["schema.name": "foo"])
        #expect(
            dataErrorMessage { _ = try xform.apply(sinkRecord(topic: "", value: .int32(42))) }
                == "Schema required for [updating schema metadata]"
        )
        let tombstone = sinkRecord(topic: "")
        #expect(try xform.apply(tombstone) == tombstone)
    }

    @Test func nonStructValuesAreKept() throws {
        let xform = try SetSchemaMetadata<RecordKey>(configs: ["schema.name": "com.example.Id"])
        let updated = try #require(try xform.apply(sinkRecord(keySchema: .int64, key: .int64(5))))
        #expect(updated.keySchema == (try SchemaBuilder.int64().name("com.example.Id").build()))
        #expect(updated.key == .int64(5))
        let optionalNull = try #require(try xform.apply(sinkRecord(keySchema: .optionalInt64)))
        #expect(optionalNull.keySchema?.name == "com.example.Id")
        #expect(optionalNull.keySchema?.isOptional == true)
    }

    @Test func configErrors() {
        #expect(
            configErrorMessage { _ = try SetValue(configs: [:]) }
                == "Neither schema name nor version configured: set schema.name and/or schema.version"
        )
        #expect(
            configErrorMessage { _ = try SetValue(configs: ["schema.version": "x"]) }
                == "Invalid value x for configuration schema.version: Not a number of type INT"
        )
    }
}
