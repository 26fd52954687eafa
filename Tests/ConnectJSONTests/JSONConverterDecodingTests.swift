import ConnectAPI
import Testing

@testable import ConnectJSON

/// Reading JSON as Kafka's JsonConverter produces and accepts it: the `…ToConnect` cases of Kafka's
/// `JsonConverterTest` (which use spaces and members in other orders than Kafka writes), schemaless
/// inference, caching, and the rules for nulls and defaults.
@Suite struct JSONConverterDecodingTests {
    let converter: JSONConverter

    init() throws {
        converter = try JSONTestSupport.converter()
    }

    func decode(_ json: String) throws -> SchemaAndValue {
        try JSONTestSupport.decode(converter, json)
    }

    // JsonConverterTest.testConnectSchemaMetadataTranslation
    @Test func schemaMetadata() throws {
        #expect(
            try decode(#"{ "schema": { "type": "boolean" }, "payload": true }"#)
                == SchemaAndValue(schema: .boolean, value: true)
        )
        #expect(
            try decode(#"{ "schema": { "type": "boolean", "optional": true }, "payload": null }"#)
                == SchemaAndValue(schema: .optionalBoolean, value: .null)
        )
        #expect(
            try decode(#"{ "schema": { "type": "boolean", "default": true }, "payload": null }"#)
                == SchemaAndValue(schema: try SchemaBuilder.boolean().defaultValue(true).build(), value: true)
        )
        let expected = try SchemaBuilder.boolean().required().name("bool").version(2).doc("the documentation")
            .parameter("foo", "bar").build()
        #expect(
            try decode(
                #"{ "schema": { "type": "boolean", "optional": false, "name": "bool", "version": 2, "doc": "the documentation", "parameters": { "foo": "bar" }}, "payload": true }"#
            ) == SchemaAndValue(schema: expected, value: true)
        )
    }

    // JsonConverterTest.booleanToConnect … stringToConnect, numberWithLeadingZerosToConnect
    @Test func primitives() throws {
        #expect(try decode(#"{ "schema": { "type": "boolean" }, "payload": false }"#).value == false)
        #expect(
            try decode(#"{ "schema": { "type": "int8" }, "payload": 12 }"#)
                == SchemaAndValue(schema: .int8, value: .int8(12))
        )
        #expect(
            try decode(#"{ "schema": { "type": "int16" }, "payload": 12 }"#)
                == SchemaAndValue(schema: .int16, value: .int16(12))
        )
        #expect(
            try decode(#"{ "schema": { "type": "int32" }, "payload": 12 }"#)
                == SchemaAndValue(schema: .int32, value: .int32(12))
        )
        #expect(
            try decode(#"{ "schema": { "type": "int64" }, "payload": 4398046511104 }"#)
                == SchemaAndValue(schema: .int64, value: .int64(4_398_046_511_104))
        )
        #expect(try decode(#"{ "schema": { "type": "int8" }, "payload": 0012 }"#).value == .int8(12))
        #expect(try decode(#"{ "schema": { "type": "int16" }, "payload": 000123 }"#).value == .int16(123))
        #expect(try decode(#"{ "schema": { "type": "int32" }, "payload": 000012345 }"#).value == .int32(12345))
        #expect(
            try decode(#"{ "schema": { "type": "int64" }, "payload": 00000123456789 }"#).value == .int64(123_456_789)
        )
        #expect(
            try decode(#"{ "schema": { "type": "float" }, "payload": 12.34 }"#)
                == SchemaAndValue(schema: .float32, value: .float32(12.34))
        )
        #expect(
            try decode(#"{ "schema": { "type": "double" }, "payload": 12.34 }"#)
                == SchemaAndValue(schema: .float64, value: .float64(12.34))
        )
        #expect(
            try decode(#"{ "schema": { "type": "bytes" }, "payload": "dGVzdC1zdHJpbmc=" }"#).value
                == .bytes(Array("test-string".utf8))
        )
        #expect(
            try decode(#"{ "schema": { "type": "string" }, "payload": "foo-bar-baz" }"#)
                == SchemaAndValue(schema: .string, value: "foo-bar-baz")
        )
    }

    // Java casts without range checks: (byte) 300 = 44, (int) of a decimal truncates.
    @Test func integersNarrowLikeJavaCasts() throws {
        #expect(try decode(#"{"schema":{"type":"int8"},"payload":300}"#).value == .int8(44))
        #expect(try decode(#"{"schema":{"type":"int16"},"payload":-32769}"#).value == .int16(32767))
        #expect(try decode(#"{"schema":{"type":"int32"},"payload":1.9}"#).value == .int32(1))
        #expect(try decode(#"{"schema":{"type":"int32"},"payload":-1.5e1}"#).value == .int32(-15))
        #expect(try decode(#"{"schema":{"type":"int64"},"payload":18446744073709551617}"#).value == .int64(1))
        #expect(try decode(#"{"schema":{"type":"double"},"payload":1}"#).value == .float64(1))
        #expect(try decode(#"{"schema":{"type":"float"},"payload":1e-50}"#).value == .float32(0))
    }

    // JsonConverterTest.arrayToConnect, mapToConnectStringKeys, mapToConnectNonStringKeys
    @Test func containers() throws {
        #expect(
            try decode(#"{ "schema": { "type": "array", "items": { "type" : "int32" } }, "payload": [1, 2, 3] }"#)
                == SchemaAndValue(
                    schema: try SchemaBuilder.array(.int32).build(),
                    value: [.int32(1), .int32(2), .int32(3)]
                )
        )
        #expect(
            try decode(
                #"{ "schema": { "type": "map", "keys": { "type" : "string" }, "values": { "type" : "int32" } }, "payload": { "key1": 12, "key2": 15} }"#
            )
                == SchemaAndValue(
                    schema: try SchemaBuilder.map(.string, .int32).build(),
                    value: .map(["key1": .int32(12), "key2": .int32(15)])
                )
        )
        #expect(
            try decode(
                #"{ "schema": { "type": "map", "keys": { "type" : "int32" }, "values": { "type" : "int32" } }, "payload": [ [1, 12], [2, 15] ] }"#
            )
                == SchemaAndValue(
                    schema: try SchemaBuilder.map(.int32, .int32).build(),
                    value: .map([.int32(1): .int32(12), .int32(2): .int32(15)])
                )
        )
    }

    // JsonConverterTest.structToConnect, structWithOptionalFieldToConnect ("field" first, no "optional")
    @Test func structs() throws {
        let schema = try SchemaBuilder.struct().field("field1", .boolean).field("field2", .string).build()
        #expect(
            try decode(
                #"{ "schema": { "type": "struct", "fields": [{ "field": "field1", "type": "boolean" }, { "field": "field2", "type": "string" }] }, "payload": { "field1": true, "field2": "string" } }"#
            ) == SchemaAndValue(schema: schema, value: .struct(try Struct(schema: schema, values: [true, "string"])))
        )
        let optionalSchema = try SchemaBuilder.struct().field("optional", .optionalString).field("required", .string)
            .build()
        #expect(
            try decode(
                #"{ "schema": { "type": "struct", "fields": [{ "field":"optional", "type": "string", "optional": true }, {  "field": "required", "type": "string" }] }, "payload": { "required": "required" } }"#
            )
                == SchemaAndValue(
                    schema: optionalSchema,
                    value: .struct(try Struct(schema: optionalSchema, values: [.null, "required"]))
                )
        )
        // Members in any order, unknown members ignored.
        let reordered = try decode(
            #"{"payload":{"extra":[1,{"x":null}],"field2":"b","field1":false},"schema":{"fields":[{"type":"boolean","field":"field1"},{"type":"string","field":"field2"}],"type":"struct"}}"#
        )
        #expect(
            reordered
                == SchemaAndValue(schema: schema, value: .struct(try Struct(schema: schema, values: [false, "b"])))
        )
    }

    // JsonConverterTest.nullToConnect, emptyBytesToConnect, nullSchemaPrimitiveToConnect,
    // schemalessWithEmptyFieldValueToConnect, noSchemaToConnect
    @Test func nullsAndSchemaless() throws {
        #expect(try converter.toConnectData(topic: "topic", bytes: nil) == .null)
        #expect(try decode(#"{ "schema": null, "payload": null }"#) == .null)
        #expect(try decode(#"{ "schema": null, "payload": true }"#) == SchemaAndValue(schema: nil, value: true))
        #expect(try decode(#"{ "schema": null, "payload": 12 }"#) == SchemaAndValue(schema: nil, value: .int64(12)))
        #expect(
            try decode(#"{ "schema": null, "payload": 12.24 }"#) == SchemaAndValue(schema: nil, value: .float64(12.24))
        )
        #expect(
            try decode(#"{ "schema": null, "payload": "a string" }"#) == SchemaAndValue(schema: nil, value: "a string")
        )
        #expect(
            try decode(#"{ "schema": null, "payload": [1, "2", 3] }"#)
                == SchemaAndValue(schema: nil, value: [.int64(1), "2", .int64(3)])
        )
        #expect(
            try decode(#"{ "schema": null, "payload": { "field1": 1, "field2": 2} }"#)
                == SchemaAndValue(schema: nil, value: .map(["field1": .int64(1), "field2": .int64(2)]))
        )

        let schemaless = try JSONTestSupport.converter(schemasEnabled: false, isKey: true)
        #expect(try JSONTestSupport.decode(schemaless, "") == .null)
        #expect(try JSONTestSupport.decode(schemaless, " \n") == .null)
        #expect(try JSONTestSupport.decode(schemaless, "true") == SchemaAndValue(schema: nil, value: true))
        #expect(
            try JSONTestSupport.decode(schemaless, #"{ "a": "", "b": null}"#)
                == SchemaAndValue(schema: nil, value: .map(["a": "", "b": .null]))
        )
        // Schemaless inference, including numbers that do not fit.
        #expect(
            try JSONTestSupport.decode(
                schemaless,
                #"[1e400, -1e400, 1e-400, 123456789012345678901234567890, -0.0, 0.1]"#
            ).value
                == [
                    .float64(.infinity), .float64(-.infinity), .float64(0), .int64(-4_362_896_299_872_285_998),
                    .float64(-0.0), .float64(0.1),
                ]
        )
    }

    // JsonConverterTest.decimalToConnect* and numericDecimal*ToConnect
    @Test func decimals() throws {
        let header = #"{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "#
        let reference = ConnectDecimal(unscaled: 156, scale: 2)
        #expect(
            try decode(header + #""parameters": { "scale": "2" } }, "payload": "AJw=" }"#)
                == SchemaAndValue(schema: .decimal(scale: 2), value: .decimal(reference))
        )
        #expect(
            try decode(header + #""optional": true, "parameters": { "scale": "2" } }, "payload": null }"#)
                == SchemaAndValue(schema: try SchemaBuilder.decimal(scale: 2).optional().build(), value: .null)
        )
        #expect(
            try decode(header + #""default": "AJw=", "parameters": { "scale": "2" } }, "payload": null }"#)
                == SchemaAndValue(
                    schema: try SchemaBuilder.decimal(scale: 2).defaultValue(.decimal(reference)).build(),
                    value: .decimal(reference)
                )
        )
        #expect(
            try decode(
                header + #""optional": true, "default": "AJw=", "parameters": { "scale": "2" } }, "payload": null }"#
            )
                == SchemaAndValue(
                    schema: try SchemaBuilder.decimal(scale: 2).optional().defaultValue(.decimal(reference)).build(),
                    value: .decimal(reference)
                )
        )
        #expect(
            try decode(header + #""parameters": { "scale": "2" } }, "payload": 1.56 }"#).value == .decimal(reference)
        )
        #expect(
            try decode(header + #""parameters": { "scale": "4" } }, "payload": 1.5600 }"#).value
                == .decimal(ConnectDecimal(unscaled: 15600, scale: 4))
        )
        #expect(
            try decode(header + #""parameters": { "scale": "17" } }, "payload": 1.23456789123456789 }"#).value
                == .decimal(try #require(ConnectDecimal("1.23456789123456789")))
        )
    }

    // JsonConverterTest.dateToConnect*, timeToConnect*, timestampToConnect*
    @Test func temporalTypes() throws {
        let date = #"{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Date", "version": 1"#
        #expect(
            try decode(date + #" }, "payload": 10000 }"#) == SchemaAndValue(schema: .date, value: .date(days: 10000))
        )
        #expect(
            try decode(date + #", "optional": true }, "payload": null }"#)
                == SchemaAndValue(schema: try SchemaBuilder.date().optional().build(), value: .null)
        )
        #expect(
            try decode(date + #", "default": 0 }, "payload": null }"#)
                == SchemaAndValue(
                    schema: try SchemaBuilder.date().defaultValue(.date(days: 0)).build(),
                    value: .date(days: 0)
                )
        )
        let time = #"{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Time", "version": 1"#
        #expect(
            try decode(time + #" }, "payload": 14400000 }"#)
                == SchemaAndValue(schema: .time, value: .time(millis: 14_400_000))
        )
        #expect(
            try decode(time + #", "optional": true, "default": 0 }, "payload": null }"#)
                == SchemaAndValue(
                    schema: try SchemaBuilder.time().optional().defaultValue(.time(millis: 0)).build(),
                    value: .time(millis: 0)
                )
        )
        let timestamp =
            #"{ "schema": { "type": "int64", "name": "org.apache.kafka.connect.data.Timestamp", "version": 1"#
        #expect(
            try decode(timestamp + #" }, "payload": 4000000000 }"#)
                == SchemaAndValue(schema: .timestamp, value: .timestamp(millis: 4_000_000_000))
        )
        #expect(
            try decode(timestamp + #",  "optional": true, "default": 42 }, "payload": null }"#)
                == SchemaAndValue(
                    schema: try SchemaBuilder.timestamp().optional().defaultValue(.timestamp(millis: 42)).build(),
                    value: .timestamp(millis: 42)
                )
        )
    }

    // JsonConverterTest.deserializeNullToDefault/ToNull, deserializeFieldNullToDefault/ToNull
    @Test func nullsAndDefaults() throws {
        let value = #"{"schema":{"type":"string","optional":true,"default":"default"},"payload":null}"#
        #expect(try decode(value).value == "default")
        let keepNulls = try JSONTestSupport.converter(replaceNullWithDefault: false)
        #expect(try JSONTestSupport.decode(keepNulls, value).value == .null)

        let field =
            #"{"schema":{"type":"struct","fields":[{"field":"field1","type":"string","optional":true,"default":"default"}],"optional":false},"payload":{"field1":null}}"#
        let fieldSchema = try SchemaBuilder.string().optional().defaultValue("default").build()
        let structSchema = try SchemaBuilder.struct().field("field1", fieldSchema).build()
        #expect(try decode(field).value == .struct(try Struct(schema: structSchema, values: ["default"])))
        #expect(try JSONTestSupport.decode(keepNulls, field).value == .struct(try Struct(schema: structSchema)))
    }

    // JsonConverterTest.stringHeaderToConnect
    @Test func headers() throws {
        #expect(
            try converter.toConnectHeader(
                topic: "topic",
                headerKey: "h",
                bytes: Array(#"{ "schema": { "type": "string" }, "payload": "foo-bar-baz" }"#.utf8)
            )
                == SchemaAndValue(schema: .string, value: "foo-bar-baz")
        )
    }

    @Test func payloadBeforeSchemaAndDuplicateMembers() throws {
        #expect(
            try decode(#"{"payload":7,"schema":{"type":"int32"}}"#) == SchemaAndValue(schema: .int32, value: .int32(7))
        )
        // Jackson keeps the last of duplicate members; the envelope still has exactly two fields.
        #expect(
            try decode(#"{"schema":{"type":"string"},"payload":1,"schema":{"type":"int64"}}"#)
                == SchemaAndValue(schema: .int64, value: .int64(1))
        )
        #expect(try decode(#"{"schema":{"type":"int8"},"payload":1,"payload":2}"#).value == .int8(2))
        // A duplicated struct member: last wins.
        #expect(
            try decode(#"{"schema":{"type":"struct","fields":[{"type":"int32","field":"a"}]},"payload":{"a":1,"a":2}}"#)
                .value.structValue?.values == [.int32(2)]
        )
    }

    @Test func nonFiniteStringsDecodeForFloatSchemas() throws {
        let value = try decode(
            #"{"schema":{"type":"array","items":{"type":"double"}},"payload":["NaN","Infinity","-Infinity"]}"#
        )
        #expect(value.value == [.float64(.nan), .float64(.infinity), .float64(-.infinity)])
        #expect(try decode(#"{"schema":{"type":"float"},"payload":"NaN"}"#).value == .float32(.nan))
    }

    // JsonConverterTest.testCacheSchemaToConnectConversion: one entry per distinct schema text
    @Test func schemaCacheIsKeyedByText() throws {
        let converter = JSONConverter()
        #expect(converter.decodeCacheCount == 0)
        _ = try JSONTestSupport.decode(converter, #"{ "schema": { "type": "boolean" }, "payload": true }"#)
        #expect(converter.decodeCacheCount == 1)
        _ = try JSONTestSupport.decode(converter, #"{ "schema": { "type": "boolean" }, "payload": true }"#)
        #expect(converter.decodeCacheCount == 1)
        _ = try JSONTestSupport.decode(
            converter,
            #"{ "schema": { "type": "boolean", "optional": true }, "payload": true }"#
        )
        #expect(converter.decodeCacheCount == 2)
        // Even an equivalent schema with a different JSON text gets its own entry (as in Kafka).
        let last = try JSONTestSupport.decode(
            converter,
            #"{ "schema": { "type": "boolean", "optional": false }, "payload": false }"#
        )
        #expect(converter.decodeCacheCount == 3)
        #expect(last == SchemaAndValue(schema: .boolean, value: false))
        // Alternate between two cached schemas: each must still be decoded with its own schema.
        for _ in 0..<3 {
            #expect(
                try JSONTestSupport.decode(
                    converter,
                    #"{ "schema": { "type": "boolean", "optional": true }, "payload": null }"#
                ) == SchemaAndValue(schema: .optionalBoolean, value: .null)
            )
            #expect(
                try JSONTestSupport.decode(converter, #"{ "schema": { "type": "boolean" }, "payload": true }"#)
                    == SchemaAndValue(schema: .boolean, value: true)
            )
        }
        // A prefix of a cached schema text is not mistaken for it.
        #expect(throws: DataError.self) {
            try JSONTestSupport.decode(converter, #"{ "schema": { "type": "boolean" "#)
        }
    }

    // JsonConverterTest.testCacheSchemaToJsonConversion: equal schemas share an entry
    @Test func writeCacheIsKeyedBySchemaContent() throws {
        let converter = JSONConverter()
        #expect(converter.encodeCacheCount == 0)
        _ = try converter.fromConnectData(topic: "t", schema: try SchemaBuilder.boolean().build(), value: true)
        #expect(converter.encodeCacheCount == 1)
        _ = try converter.fromConnectData(topic: "t", schema: try SchemaBuilder.boolean().build(), value: true)
        #expect(converter.encodeCacheCount == 1)
        _ = try converter.fromConnectData(
            topic: "t",
            schema: try SchemaBuilder.boolean().optional().build(),
            value: true
        )
        #expect(converter.encodeCacheCount == 2)
    }

    @Test func cacheSizeLimitsCachedSchemas() throws {
        let converter = JSONConverter()
        try converter.configure(configs: ["schemas.cache.size": "2"], isKey: false)
        for kind in ["int8", "int16", "int32", "int64", "int8"] {
            let result = try JSONTestSupport.decode(converter, #"{"schema":{"type":""# + kind + #""},"payload":1}"#)
            #expect(result.schema?.kind.name == kind)
        }
        #expect(converter.decodeCacheCount == 2)
        for schema in [Schema.optionalInt8, .optionalInt16, .optionalInt32] {
            _ = try converter.fromConnectData(topic: "t", schema: schema, value: .null)
        }
        #expect(converter.encodeCacheCount == 2)
    }
}
