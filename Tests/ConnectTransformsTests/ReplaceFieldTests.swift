import ConnectAPI
import Testing

@testable import ConnectTransforms

@Suite struct ReplaceFieldTests {
    typealias ReplaceValue = ReplaceField<RecordValue>
    typealias ReplaceKey = ReplaceField<RecordKey>

    static let schema = try! structSchema(("dont", .string), ("abc", .int32), ("foo", .boolean), ("etc", .string))

    @Test func tombstones() throws {
        let xform = try ReplaceValue(configs: ["include": "abc,foo", "renames": "abc:xyz,foo:bar"])
        let schemaless = sinkRecord()
        #expect(try xform.apply(schemaless) == schemaless)
        let withSchema = sinkRecord(valueSchema: Self.schema)
        #expect(try xform.apply(withSchema) == withSchema)
    }

    @Test func schemaless() throws {
        let xform = try ReplaceValue(configs: ["exclude": "dont", "renames": "abc:xyz,foo:bar"])
        let value = map(["dont": "whatever", "abc": .int32(42), "foo": .boolean(true), "etc": "etc"])
        let transformed = try #require(try xform.apply(sinkRecord(value: value)))
        #expect(transformed.value == map(["xyz": .int32(42), "bar": .boolean(true), "etc": "etc"]))
        #expect(try mapValue(transformed.value).keys == ["xyz", "bar", "etc"])
    }

    @Test func withSchema() throws {
        let xform = try ReplaceValue(configs: ["include": "abc,foo", "renames": "abc:xyz,foo:bar"])
        let value = try makeStruct(
            Self.schema,
            ["dont": "whatever", "abc": .int32(42), "foo": .boolean(true), "etc": "etc"]
        )
        let transformed = try #require(try xform.apply(sinkRecord(valueSchema: Self.schema, value: .struct(value))))
        let updated = try structValue(transformed.value)
        #expect(updated.schema.fields.map(\.name) == ["xyz", "bar"])
        #expect(try updated.get("xyz") == .int32(42))
        #expect(try updated.get("bar") == .boolean(true))
        #expect(transformed.valueSchema === updated.schema)
    }

    @Test func excludeWinsOverInclude() throws {
        let xform = try ReplaceValue(configs: ["include": "abc,foo", "exclude": "foo"])
        let value = try makeStruct(Self.schema, ["dont": "x", "abc": .int32(1), "foo": .boolean(false), "etc": "y"])
        let transformed = try #require(try xform.apply(sinkRecord(valueSchema: Self.schema, value: .struct(value))))
        #expect(transformed.valueSchema?.fields.map(\.name) == ["abc"])
    }

    @Test func deprecatedWhitelistAndBlacklist() throws {
        let include = try ReplaceValue(configs: ["whitelist": "abc,foo", "renames": "abc:xyz,foo:bar"])
        #expect(include.include == ["abc", "foo"])
        let tombstone = sinkRecord()
        #expect(try include.apply(tombstone) == tombstone)
        let exclude = try ReplaceValue(configs: ["blacklist": "dont", "renames": "abc:xyz,foo:bar"])
        let value = map(["dont": "whatever", "abc": .int32(42), "foo": .boolean(true), "etc": "etc"])
        #expect(
            try exclude.apply(sinkRecord(value: value))?.value
                == map(["xyz": .int32(42), "bar": .boolean(true), "etc": "etc"])
        )
        // The current name wins over the deprecated one.
        let both = try ReplaceValue(configs: ["exclude": "etc", "blacklist": "dont"])
        #expect(both.exclude == ["etc"])
    }

    @Test(arguments: [(false, ConnectValue.null), (true, ConnectValue.int32(42))])
    func replaceNullWithDefault(replaceNullWithDefault: Bool, expected: ConnectValue) throws {
        let config = [
            "include": "abc", "renames": "abc:optional_with_default",
            "replace.null.with.default": String(replaceNullWithDefault),
        ]
        let schema = try structSchema(("abc", SchemaBuilder.int32().optional().defaultValue(.int32(42)).build()))
        let value = try ReplaceValue(configs: config)
        let transformedValue = try structValue(
            try #require(try value.apply(sinkRecord(valueSchema: schema, value: .struct(try Struct(schema: schema)))))
                .value
        )
        #expect(transformedValue.schema.fields.count == 1)
        #expect(try transformedValue.getWithoutDefault("optional_with_default") == expected)
        let key = try ReplaceKey(configs: config)
        let transformedKey = try structValue(
            try #require(try key.apply(sinkRecord(keySchema: schema, key: .struct(try Struct(schema: schema))))).key
        )
        #expect(try transformedKey.getWithoutDefault("optional_with_default") == expected)
    }

    @Test func invalidRenames() {
        #expect(
            configErrorMessage { _ = try ReplaceValue(configs: ["renames": "abc:xyz,foo"]) }
                == "Invalid value [abc:xyz, foo] for configuration renames: Invalid rename mapping: foo. Use old:new "
                + "pairs, e.g. foo:bar,abc:xyz"
        )
        #expect(
            configErrorMessage { _ = try ReplaceValue(configs: ["renames": "a:b:c"]) }?.contains(
                "Invalid rename mapping: a:b:c"
            ) == true
        )
        #expect(
            configErrorMessage { _ = try ReplaceValue(configs: ["renames": "a:"]) }?.contains(
                "Invalid rename mapping: a:"
            ) == true
        )
    }

    @Test func collidingRenameIsDataError() throws {
        let xform = try ReplaceValue(configs: ["renames": "abc:etc"])
        let value = try makeStruct(Self.schema, ["dont": "x", "abc": .int32(1), "foo": .boolean(false), "etc": "y"])
        #expect(
            dataErrorMessage { _ = try xform.apply(sinkRecord(valueSchema: Self.schema, value: .struct(value))) }
                == "Cannot create field because of field name duplication etc"
        )
        #expect(
            dataErrorMessage { _ = try xform.apply(sinkRecord(value: .int32(1))) }
                == "Only Map objects supported in absence of schema for [field replacement], found: java.lang.Integer"
        )
    }
}
