import ConnectAPI
import Testing

@testable import ConnectTransforms

@Suite struct HeaderFromTests {
    /// Fields, in order, with schema and value.
    struct Fields {
        var entries: [(String, Schema, ConnectValue)] = []

        func with(_ name: String, _ schema: Schema, _ value: ConnectValue) -> Fields {
            var copy = self
            copy.entries.append((name, schema, value))
            return copy
        }

        func schema() throws -> Schema {
            var builder = SchemaBuilder.struct()
            for (name, schema, _) in entries { builder.addField(name, schema) }
            return try builder.build()
        }

        func structValue(_ schema: Schema) throws -> ConnectValue {
            var result = try Struct(schema: schema)
            for (name, _, value) in entries { try result.put(name, value) }
            return .struct(result)
        }

        var map: ConnectValue {
            .map(ConnectMap(entries.map { (ConnectValue.string($0.0), $0.2) }))
        }
    }

    private static func record(
        keyTransform: Bool,
        schema: Schema?,
        value: ConnectValue,
        headers: [(String, Schema, ConnectValue)]
    ) -> SourceRecord {
        var connectHeaders = Headers()
        for (key, headerSchema, headerValue) in headers {
            connectHeaders.add(Header(key: key, schema: schema == nil ? nil : headerSchema, value: headerValue))
        }
        return sourceRecord(
            keySchema: keyTransform ? schema : nil,
            key: keyTransform ? value : "key",
            valueSchema: keyTransform ? nil : schema,
            value: keyTransform ? "value" : value,
            timestamp: 0,
            headers: connectHeaders
        )
    }

    private static func transform(
        keyTransform: Bool,
        fields: [String],
        headers: [String],
        operation: String,
        replaceNullWithDefault: Bool = true
    ) throws -> any Transformation {
        let config = [
            "fields": fields.joined(separator: ","), "headers": headers.joined(separator: ","),
            "operation": operation, "replace.null.with.default": String(replaceNullWithDefault),
        ]
        return keyTransform ? try HeaderFrom<RecordKey>(configs: config) : try HeaderFrom<RecordValue>(configs: config)
    }

    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let fields: [String]
        let headers: [String]
        let operation: String
        let replaceNullWithDefault: Bool
        let originalFields: @Sendable () throws -> Fields
        let originalHeaders: [(String, Schema, ConnectValue)]
        let expectedFields: @Sendable () throws -> Fields
        let expectedHeaders: [(String, Schema, ConnectValue)]
    }

    static let nested = try! structSchema(("foo", .string))
    static let nestedValue = ConnectValue.struct(try! makeStruct(nested, ["foo": "foo-value"]))
    static let defaulted = try! SchemaBuilder.string().defaultValue("default").optional().build()
    static let existing: [(String, Schema, ConnectValue)] = [("header1", .string, "existing-value")]
    static let twoStrings = Fields().with("field1", .string, "field1-value").with("field2", .string, "field2-value")

    static let cases: [Case] = [
        Case(
            description: "basic copy",
            fields: ["field1"],
            headers: ["inserted1"],
            operation: "copy",
            replaceNullWithDefault: true,
            originalFields: { twoStrings },
            originalHeaders: existing,
            expectedFields: { twoStrings },
            expectedHeaders: existing + [("inserted1", .string, "field1-value")]
        ),
        Case(
            description: "basic move",
            fields: ["field1"],
            headers: ["inserted1"],
            operation: "move",
            replaceNullWithDefault: true,
            originalFields: { twoStrings },
            originalHeaders: existing,
            expectedFields: { Fields().with("field2", .string, "field2-value") },
            expectedHeaders: existing + [("inserted1", .string, "field1-value")]
        ),
        Case(
            description: "copy with preexisting header",
            fields: ["field1"],
            headers: ["inserted1"],
            operation: "copy",
            replaceNullWithDefault: true,
            originalFields: { twoStrings },
            originalHeaders: [("inserted1", .string, "existing-value")],
            expectedFields: { twoStrings },
            expectedHeaders: [("inserted1", .string, "existing-value"), ("inserted1", .string, "field1-value")]
        ),
        Case(
            description: "move with struct value",
            fields: ["field1"],
            headers: ["inserted1"],
            operation: "move",
            replaceNullWithDefault: true,
            originalFields: { Fields().with("field1", nested, nestedValue).with("field2", .string, "field2-value") },
            originalHeaders: existing,
            expectedFields: { Fields().with("field2", .string, "field2-value") },
            expectedHeaders: existing + [("inserted1", nested, nestedValue)]
        ),
        Case(
            description: "two headers from same field",
            fields: ["field1", "field1"],
            headers: ["inserted1", "inserted2"],
            operation: "move",
            replaceNullWithDefault: true,
            originalFields: { twoStrings },
            originalHeaders: existing,
            expectedFields: { Fields().with("field2", .string, "field2-value") },
            expectedHeaders: existing + [
                ("inserted1", .string, "field1-value"), ("inserted2", .string, "field1-value"),
            ]
        ),
        Case(
            description: "two fields to same header",
            fields: ["field1", "field2"],
            headers: ["inserted1", "inserted1"],
            operation: "move",
            replaceNullWithDefault: true,
            originalFields: { twoStrings },
            originalHeaders: existing,
            expectedFields: { Fields() },
            expectedHeaders: existing + [
                ("inserted1", .string, "field1-value"), ("inserted1", .string, "field2-value"),
            ]
        ),
        Case(
            description: "copy null field without default",
            fields: ["field1", "field2"],
            headers: ["inserted1", "inserted2"],
            operation: "copy",
            replaceNullWithDefault: false,
            originalFields: { Fields().with("field1", defaulted, "field1-value").with("field2", defaulted, .null) },
            originalHeaders: existing,
            expectedFields: { Fields().with("field1", defaulted, "field1-value").with("field2", defaulted, .null) },
            expectedHeaders: existing + [("inserted1", defaulted, "field1-value"), ("inserted2", defaulted, .null)]
        ),
        Case(
            description: "move null field with default",
            fields: ["field1", "field2"],
            headers: ["inserted1", "inserted2"],
            operation: "move",
            replaceNullWithDefault: true,
            originalFields: { Fields().with("field1", defaulted, "field1-value").with("field2", defaulted, .null) },
            originalHeaders: existing,
            expectedFields: { Fields() },
            expectedHeaders: existing + [("inserted1", defaulted, "field1-value"), ("inserted2", defaulted, "default")]
        ),
    ]

    @Test(arguments: cases, [true, false])
    func withSchema(_ testCase: Case, keyTransform: Bool) throws {
        let xform = try Self.transform(
            keyTransform: keyTransform,
            fields: testCase.fields,
            headers: testCase.headers,
            operation: testCase.operation,
            replaceNullWithDefault: testCase.replaceNullWithDefault
        )
        let original = try testCase.originalFields()
        let originalSchema = try original.schema()
        let record = Self.record(
            keyTransform: keyTransform,
            schema: originalSchema,
            value: try original.structValue(originalSchema),
            headers: testCase.originalHeaders
        )
        let expected = try testCase.expectedFields()
        let expectedSchema = try expected.schema()
        let expectedRecord = Self.record(
            keyTransform: keyTransform,
            schema: expectedSchema,
            value: try expected.structValue(expectedSchema),
            headers: testCase.expectedHeaders
        )
        let transformed = try #require(try xform.apply(record))
        #expect(transformed == expectedRecord)
    }

    @Test(arguments: cases, [true, false])
    func schemaless(_ testCase: Case, keyTransform: Bool) throws {
        let xform = try Self.transform(
            keyTransform: keyTransform,
            fields: testCase.fields,
            headers: testCase.headers,
            operation: testCase.operation,
            replaceNullWithDefault: testCase.replaceNullWithDefault
        )
        let record = Self.record(
            keyTransform: keyTransform,
            schema: nil,
            value: try testCase.originalFields().map,
            headers: testCase.originalHeaders
        )
        // Without schemas there are no defaults: a null field gives a null header.
        let expectedHeaders = testCase.expectedHeaders.map {
            ($0.0, $0.1, $0.2 == "default" ? ConnectValue.null : $0.2)
        }
        let expectedRecord = Self.record(
            keyTransform: keyTransform,
            schema: nil,
            value: try testCase.expectedFields().map,
            headers: expectedHeaders
        )
        let transformed = try #require(try xform.apply(record))
        #expect(transformed == expectedRecord)
    }

    @Test(arguments: [true, false])
    func invalidConfigs(keyTransform: Bool) throws {
        let make: ([String: String]) throws -> Void = { config in
            if keyTransform {
                _ = try HeaderFrom<RecordKey>(configs: config)
            } else {
                _ = try HeaderFrom<RecordValue>(configs: config)
            }
        }
        let mismatch = "'fields' config must have the same number of elements as 'headers' config."
        #expect(
            configErrorMessage { try make(["fields": "foo", "headers": "foo,bar", "operation": "copy"]) } == mismatch
        )
        #expect(
            configErrorMessage { try make(["fields": "foo,bar", "headers": "foo", "operation": "copy"]) } == mismatch
        )
        #expect(
            configErrorMessage { try make(["fields": "", "headers": "", "operation": "copy"]) }
                == "Invalid value [] for configuration fields: Empty list"
        )
        #expect(
            configErrorMessage { try make(["fields": "a", "headers": "b", "operation": "rename"]) }
                == "Invalid value rename for configuration operation: String must be one of: move, copy"
        )
    }

    @Test func missingFieldWithSchemaIsDataError() throws {
        let xform = try HeaderFrom<RecordValue>(configs: ["fields": "nope", "headers": "h", "operation": "copy"])
        let schema = try structSchema(("a", .int32))
        #expect(
            dataErrorMessage {
                _ = try xform.apply(
                    sourceRecord(valueSchema: schema, value: .struct(try makeStruct(schema, ["a": .int32(1)])))
                )
            } == "Field does not exist: nope"
        )
        #expect(
            dataErrorMessage { _ = try xform.apply(sourceRecord(value: .null)) }
                == "Only Map objects supported in absence of schema for [header copy], found: null"
        )
    }
}
