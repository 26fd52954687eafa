import ConnectAPI
import Testing

@testable import ConnectTransforms

@Suite struct InsertFieldTests {
    typealias InsertKey = InsertField<RecordKey>
    typealias InsertValue = InsertField<RecordValue>

    static let allFields = [
        "topic.field": "topic_field!", "partition.field": "partition_field", "timestamp.field": "timestamp_field?",
        "static.field": "instance_id", "static.value": "my-instance-id",
    ]

    @Test func topLevelStructRequired() throws {
        let xform = try InsertValue(configs: ["topic.field": "topic_field"])
        #expect(
            dataErrorMessage { _ = try xform.apply(sourceRecord(topic: "", valueSchema: .int32, value: .int32(42))) }
                == "Only Struct objects supported for [field insertion], found: java.lang.Integer"
        )
    }

    @Test func copySchemaAndInsertConfiguredFields() throws {
        let xform = try InsertValue(configs: Self.allFields)
        let schema = try SchemaBuilder.struct().name("name").version(1).doc("doc").field("magic", .optionalInt64)
            .build()
        let record = sourceRecord(
            topic: "test",
            valueSchema: schema,
            value: .struct(try makeStruct(schema, ["magic": .int64(42)])),
            timestamp: 789
        )
        let transformed = try #require(try xform.apply(record))
        let updated = try #require(transformed.valueSchema)
        #expect(updated.name == "name")
        #expect(updated.version == 1)
        #expect(updated.doc == "doc")
        #expect(updated.field(named: "magic")?.schema == .optionalInt64)
        #expect(updated.field(named: "topic_field")?.schema == .string)
        #expect(updated.field(named: "partition_field")?.schema == .optionalInt32)
        #expect(updated.field(named: "timestamp_field")?.schema == (try SchemaBuilder.timestamp().optional().build()))
        #expect(updated.field(named: "instance_id")?.schema == .optionalString)
        let value = try structValue(transformed.value)
        #expect(try value.get("magic") == .int64(42))
        #expect(try value.get("topic_field") == "test")
        #expect(try value.get("partition_field") == .int32(0))
        #expect(try value.get("timestamp_field") == .timestamp(millis: 789))
        #expect(try value.get("instance_id") == "my-instance-id")

        // The derived schema is cached.
        let second = try #require(
            try xform.apply(
                sourceRecord(
                    topic: "test",
                    partition: 1,
                    valueSchema: schema,
                    value: .struct(try Struct(schema: schema))
                )
            )
        )
        #expect(second.valueSchema === transformed.valueSchema)
        #expect(try structValue(second.value).get("timestamp_field") == .null)
    }

    @Test func schemalessInsertConfiguredFields() throws {
        let xform = try InsertValue(configs: Self.allFields)
        let transformed = try #require(
            try xform.apply(sourceRecord(topic: "test", value: map(["magic": .int64(42)]), timestamp: 123))
        )
        let value = try mapValue(transformed.value)
        #expect(value[string: "magic"] == .int64(42))
        #expect(value[string: "topic_field"] == "test")
        #expect(value[string: "partition_field"] == .int32(0))
        #expect(value[string: "timestamp_field"] == .int64(123))
        #expect(value[string: "instance_id"] == "my-instance-id")
        #expect(value.keys == ["magic", "topic_field", "partition_field", "timestamp_field", "instance_id"])
    }

    @Test func tombstonesAreLeftUnchanged() throws {
        let xform = try InsertValue(configs: Self.allFields)
        let schemaless = sourceRecord(topic: "test")
        #expect(try xform.apply(schemaless) == schemaless)
        let schema = try SchemaBuilder.struct().name("name").version(1).doc("doc").field("magic", .optionalInt64)
            .build()
        let withSchema = sourceRecord(topic: "test", valueSchema: schema)
        #expect(try xform.apply(withSchema) == withSchema)
    }

    @Test func insertKeyFieldsIntoTombstone() throws {
        let xform = try InsertKey(configs: Self.allFields)
        let transformed = try #require(try xform.apply(sourceRecord(topic: "test", key: map(["magic": .int64(42)]))))
        let key = try mapValue(transformed.key)
        #expect(key[string: "magic"] == .int64(42))
        #expect(key[string: "topic_field"] == "test")
        #expect(key[string: "partition_field"] == .int32(0))
        #expect(key[string: "timestamp_field"] == nil)
        #expect(key[string: "instance_id"] == "my-instance-id")
        #expect(transformed.value == .null)
        let nullKey = sourceRecord(topic: "test", value: map(["magic": .int64(42)]))
        #expect(try xform.apply(nullKey) == nullKey)
    }

    @Test(arguments: [(false, ConnectValue.null), (true, ConnectValue.int64(42))])
    func unsetOptionalFieldWithDefault(replaceNullWithDefault: Bool, expected: ConnectValue) throws {
        var config = Self.allFields
        config["replace.null.with.default"] = String(replaceNullWithDefault)
        let xform = try InsertValue(configs: config)
        let magic = try SchemaBuilder.int64().optional().defaultValue(.int64(42)).build()
        let schema = try SchemaBuilder.struct().name("name").version(1).doc("doc").field("magic_with_default", magic)
            .build()
        let transformed = try #require(
            try xform.apply(
                sourceRecord(
                    topic: "test",
                    valueSchema: schema,
                    value: .struct(try Struct(schema: schema)),
                    timestamp: 789
                )
            )
        )
        #expect(transformed.valueSchema?.field(named: "magic_with_default")?.schema == magic)
        #expect(try structValue(transformed.value).getWithoutDefault("magic_with_default") == expected)
    }

    @Test func offsetFieldNeedsSinkRecords() throws {
        let xform = try InsertValue(configs: ["offset.field": "offset!"])
        let schema = try structSchema(("a", .int32))
        let sink = sinkRecord(valueSchema: schema, value: .struct(try makeStruct(schema, ["a": .int32(1)])), offset: 77)
        let transformed = try #require(try xform.apply(sink))
        #expect(transformed.valueSchema?.field(named: "offset")?.schema == .int64)
        #expect(try structValue(transformed.value).get("offset") == .int64(77))
        #expect(try xform.apply(sinkRecord(value: map([:]), offset: 5))?.value == map(["offset": .int64(5)]))
        #expect(
            dataErrorMessage { _ = try xform.apply(sourceRecord(value: map([:]))) }
                == "Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord"
        )
    }

    @Test func configErrors() {
        #expect(
            configErrorMessage { _ = try InsertValue(configs: [:]) }
                == "No field insertion configured: set at least one of topic.field, partition.field, offset.field, "
                + "timestamp.field or static.field"
        )
        #expect(
            configErrorMessage { _ = try InsertValue(configs: ["static.field": "instance"]) }
                == "Invalid value null for configuration static.value: No value specified for static field: instance"
        )
    }

    @Test func collidingFieldIsDataError() throws {
        let xform = try InsertValue(configs: ["topic.field": "a"])
        let schema = try structSchema(("a", .int32))
        #expect(
            dataErrorMessage {
                _ = try xform.apply(
                    sourceRecord(valueSchema: schema, value: .struct(try makeStruct(schema, ["a": .int32(1)])))
                )
            }
                == "Cannot create field because of field name duplication a"
        )
    }
}
