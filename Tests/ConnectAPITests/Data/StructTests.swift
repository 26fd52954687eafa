import ConnectAPI
import Testing

@Suite struct StructTests {
    let schema: Schema = try! SchemaBuilder.struct().name("Person")
        .field("name", .string)
        .field("age", .optionalInt32)
        .field("country", SchemaBuilder.string().defaultValue("NL").build())
        .field("tags", SchemaBuilder.array(.string).optional().build())
        .build()

    @Test func putsAndGetsValues() throws {
        var person = try Struct(schema: schema)
        try person.put("name", "alice")
        try person.put("age", .int32(30))
        #expect(try person.get("name") == "alice")
        #expect(try person.get("age") == .int32(30))
        #expect(person["name"] == "alice")
        #expect(person["nope"] == nil)
        #expect(person.get(schema.fields[1]) == .int32(30))
        #expect(person.values == ["alice", .int32(30), .null, .null])
    }

    @Test func appliesFieldDefaultsOnRead() throws {
        var person = try Struct(schema: schema)
        try person.put("name", "bob")
        #expect(try person.get("country") == "NL")
        #expect(try person.getWithoutDefault("country") == .null)
        try person.put("country", "BE")
        #expect(try person.get("country") == "BE")
    }

    @Test func rejectsUnknownFields() throws {
        var person = try Struct(schema: schema)
        let error = try #require(throws: DataError.self) { try person.put("email", "a@b") }
        #expect(error.message == "email is not a valid field name")
        #expect(throws: DataError.self) { try person.get("email") }
    }

    @Test func rejectsValuesOfTheWrongTypeNamingTheField() throws {
        var person = try Struct(schema: schema)
        let error = try #require(throws: DataError.self) { try person.put("age", "thirty") }
        #expect(error.message == "Invalid value for schema with type INT32: string for field: \"age\"")
        let nested = try #require(throws: DataError.self) { try person.put("tags", [.int32(1)]) }
        #expect(
            nested.message == "Invalid value for schema with type STRING: int32 for element of array field: \"tags\""
        )
    }

    @Test func rejectsNullForRequiredFields() throws {
        var person = try Struct(schema: schema)
        let error = try #require(throws: DataError.self) { try person.put("name", .null) }
        #expect(error.message == "Invalid value: null used for required field: \"name\", schema type: STRING")
    }

    @Test func validateReportsMissingRequiredFields() throws {
        var person = try Struct(schema: schema)
        let error = try #require(throws: DataError.self) { try person.validate() }
        #expect(error.message == "Invalid value: null used for required field: \"name\", schema type: STRING")
        // Optional fields and fields with defaults may stay unset.
        try person.put("name", "carol")
        try person.validate()
    }

    @Test func requiresAStructSchema() {
        let error = #expect(throws: DataError.self) { try Struct(schema: .int32) }
        #expect(error?.message == "Not a struct schema: Schema{INT32}")
    }

    @Test func createsFromValuesInFieldOrder() throws {
        let person = try Struct(schema: schema, values: ["dave", .int32(4), .null, ["x"]])
        #expect(try person.get("tags") == ["x"])
        #expect(throws: DataError.self) { try Struct(schema: schema, values: ["too few"]) }
        #expect(throws: DataError.self) { try Struct(schema: schema, values: [.int32(1), .null, .null, .null]) }
    }

    @Test func nestedStructsMustCarryTheFieldSchema() throws {
        let inner = try SchemaBuilder.struct().field("x", .int32).build()
        let outer = try SchemaBuilder.struct().field("inner", inner).build()
        var value = try Struct(schema: outer)
        var good = try Struct(schema: inner)
        try good.put("x", .int32(1))
        try value.put("inner", .struct(good))

        let lookalike = try SchemaBuilder.struct().field("x", .int64).build()
        let bad = try Struct(schema: lookalike)
        let error = try #require(throws: DataError.self) { try value.put("inner", .struct(bad)) }
        #expect(error.message == "Struct schemas do not match for field: \"inner\".")

        // An incomplete nested struct fails validation.
        let incomplete = try Struct(schema: inner)
        #expect(throws: DataError.self) { try value.put("inner", .struct(incomplete)) }
    }

    @Test func isAValueTypeComparedByContent() throws {
        var first = try Struct(schema: schema)
        try first.put("name", "erin")
        var second = first
        #expect(first == second)
        try second.put("name", "frank")
        #expect(first != second)
        #expect(try first.get("name") == "erin")
        let rebuilt = try Struct(schema: schema, values: first.values)
        #expect(rebuilt == first)
        #expect(rebuilt.hashValue == first.hashValue)
    }

    @Test func describesLikeKafka() throws {
        var person = try Struct(schema: schema)
        try person.put("name", "gus")
        try person.put("age", .int32(7))
        #expect(person.description == "Struct{name=gus,age=7}")
    }
}
