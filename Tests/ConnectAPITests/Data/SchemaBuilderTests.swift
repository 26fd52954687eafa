import ConnectAPI
import Testing

@Suite struct SchemaBuilderTests {
    @Test func predefinedSchemasMatchKafkas() {
        #expect(Schema.int32.kind == .int32)
        #expect(!Schema.int32.isOptional)
        #expect(Schema.optionalString.kind == .string)
        #expect(Schema.optionalString.isOptional)
        #expect(Schema.int32.name == nil)
        #expect(Schema.int32.defaultValue == .null)
        #expect(Schema.primitive(.float64, optional: true) === Schema.optionalFloat64)
        #expect(Schema.primitive(.struct) == nil)
        #expect(Schema.int8.description == "Schema{INT8}")
        #expect(Schema.date.description == "Schema{org.apache.kafka.connect.data.Date:INT32}")
    }

    @Test func buildsAStructWithOrderedFields() throws {
        let schema = try SchemaBuilder.struct().name("com.example.Order").version(2).doc("An order")
            .field("id", .int64)
            .field("note", .optionalString)
            .field("amount", .decimal(scale: 2))
            .build()
        #expect(schema.kind == .struct)
        #expect(schema.name == "com.example.Order")
        #expect(schema.version == 2)
        #expect(schema.doc == "An order")
        #expect(schema.fields.map(\.name) == ["id", "note", "amount"])
        #expect(schema.fields.map(\.index) == [0, 1, 2])
        #expect(schema.field(named: "note")?.schema == .optionalString)
        #expect(schema.field(named: "missing") == nil)
        #expect(schema.fieldIndex(named: "amount") == 2)
    }

    @Test func looksUpFieldsOfLargeStructs() throws {
        var builder = SchemaBuilder.struct()
        for index in 0..<40 { builder.addField("f\(index)", .int32) }
        let schema = try builder.build()
        #expect(schema.fields.count == 40)
        #expect(schema.fieldIndex(named: "f0") == 0)
        #expect(schema.fieldIndex(named: "f39") == 39)
        #expect(schema.field(named: "f40") == nil)
    }

    @Test func rejectsDuplicateFieldNames() {
        #expect(throws: DataError.self) {
            try SchemaBuilder.struct().field("a", .int32).field("a", .string).build()
        }
        do {
            _ = try SchemaBuilder.struct().field("a", .int32).field("a", .string).build()
        } catch {
            #expect(error.message == "Cannot create field because of field name duplication a")
        }
    }

    @Test func rejectsFieldsOnNonStructsAndEmptyNames() {
        #expect(buildError(SchemaBuilder.int32().field("a", .int32)) == "Cannot create fields on type INT32")
        #expect(buildError(SchemaBuilder.struct().field("", .int32)) == "fieldName cannot be null.")
    }

    @Test func attributesMayBeSetOnlyOnce() {
        #expect(
            buildError(SchemaBuilder.string().name("a").name("b"))
                == "Invalid SchemaBuilder call: name has already been set."
        )
        #expect(
            buildError(SchemaBuilder.string().optional().required())
                == "Invalid SchemaBuilder call: optional has already been set."
        )
        #expect(
            buildError(SchemaBuilder.string().version(1).version(2))
                == "Invalid SchemaBuilder call: version has already been set."
        )
        // Setting the same value again is harmless.
        #expect(throws: Never.self) { try SchemaBuilder.string().name("a").name("a").optional().optional().build() }
    }

    @Test func validatesTheDefaultValue() throws {
        let schema = try SchemaBuilder.int32().defaultValue(.int32(7)).build()
        #expect(schema.defaultValue == .int32(7))

        let wrongType = buildError(SchemaBuilder.int32().defaultValue(.string("seven")))
        #expect(wrongType?.hasPrefix("Invalid default value: Invalid value for schema with type INT32: string") == true)

        let nullForRequired = buildError(SchemaBuilder.int32().defaultValue(.null))
        #expect(
            nullForRequired == "Invalid default value: Invalid value: null used for required value, schema type: INT32"
        )

        // A null default on an optional schema means "no default".
        let optional = try SchemaBuilder.int32().optional().defaultValue(.null).build()
        #expect(optional.defaultValue == .null)

        // Logical defaults must be logical values.
        #expect(try SchemaBuilder.date().defaultValue(.date(days: 3)).build().defaultValue == .date(days: 3))
        #expect(buildError(SchemaBuilder.date().defaultValue(.int32(3))) != nil)
    }

    @Test func acceptsAStructDefaultOfTheSameSchema() throws {
        let plain = try SchemaBuilder.struct().field("x", .int32).optional().build()
        var value = try Struct(schema: plain)
        try value.put("x", .int32(1))
        let withDefault = try SchemaBuilder.struct().field("x", .int32).optional().defaultValue(.struct(value)).build()
        #expect(withDefault.defaultValue == .struct(value))
    }

    @Test func buildsArraysAndMaps() throws {
        let array = try SchemaBuilder.array(.string).optional().build()
        #expect(array.kind == .array)
        #expect(array.valueSchema == .string)
        #expect(array.keySchema == nil)
        let map = try SchemaBuilder.map(.string, .int64).build()
        #expect(map.keySchema == .string)
        #expect(map.valueSchema == .int64)
        #expect(buildError(SchemaBuilder(.array)) == "valueSchema cannot be null.")
    }

    @Test func schemasCompareByContent() throws {
        let first = try SchemaBuilder.struct().name("P").field("x", .int32).parameter("a", "1").build()
        let second = try SchemaBuilder.struct().name("P").field("x", .int32).parameter("a", "1").build()
        #expect(first == second)
        #expect(first !== second)
        #expect(first.hashValue == second.hashValue)
        #expect(Set([first, second]).count == 1)

        let otherDoc = try SchemaBuilder.struct().name("P").doc("d").field("x", .int32).parameter("a", "1").build()
        #expect(first != otherDoc)
        let otherField = try SchemaBuilder.struct().name("P").field("x", .int64).parameter("a", "1").build()
        #expect(first != otherField)
        #expect(try SchemaBuilder.int32().optional().build() == .optionalInt32)
        #expect(try SchemaBuilder.int32().build() != .optionalInt32)
    }

    @Test func parametersKeepInsertionOrderButCompareAsSets() throws {
        let schema = try SchemaBuilder.string().parameter("z", "1").parameter("a", "2").parameter("m", "3").build()
        #expect(schema.parameters.keys == ["z", "a", "m"])
        #expect(schema.parameters["a"] == "2")
        let reordered = try SchemaBuilder.string().parameter("a", "2").parameter("m", "3").parameter("z", "1").build()
        #expect(schema == reordered)
        #expect(schema.hashValue == reordered.hashValue)
    }

    @Test func copyingBuilderAllowsOverridingCopiedAttributes() throws {
        let original = try SchemaBuilder.struct().name("Old").version(1).field("a", .int32).build()
        let renamed = try SchemaBuilder(copying: original).name("New").optional().build()
        #expect(renamed.name == "New")
        #expect(renamed.version == 1)
        #expect(renamed.isOptional)
        #expect(renamed.fields == original.fields)
    }

    @Test func copyingBasicsLeavesFieldsAndOptionalityOut() throws {
        let original = try SchemaBuilder.struct().name("Row").version(3).doc("d").parameter("p", "1")
            .field("a", .int32).field("b", .string).optional().build()
        let trimmed = try SchemaBuilder(.struct, basicsOf: original).field("a", .int32).build()
        #expect(trimmed.name == "Row")
        #expect(trimmed.version == 3)
        #expect(trimmed.doc == "d")
        #expect(trimmed.parameters == ["p": "1"])
        #expect(trimmed.fields.map(\.name) == ["a"])
        #expect(!trimmed.isOptional)
        #expect(try SchemaBuilder(.struct, basicsOf: original).name("Other").build().name == "Other")
    }

    @Test func logicalSchemasAreRecognized() throws {
        #expect(Schema.decimal(scale: 2).logicalType == .decimal(scale: 2))
        #expect(Schema.decimal(scale: 2).parameters["scale"] == "2")
        #expect(Schema.decimal(scale: 2).version == 1)
        #expect(Schema.date.logicalType == .date)
        #expect(Schema.time.logicalType == .time)
        #expect(Schema.timestamp.logicalType == .timestamp)
        #expect(Schema.int32.logicalType == nil)
        let optionalTimestamp = try SchemaBuilder.timestamp().optional().build()
        #expect(optionalTimestamp.logicalType == .timestamp)
        #expect(optionalTimestamp.kind == .int64)
        #expect(try SchemaBuilder.decimal(scale: 3).build() == Schema.decimal(scale: 3))
        #expect(LogicalType.date.schema === Schema.date)
    }

    private func buildError(_ builder: SchemaBuilder) -> String? {
        do {
            _ = try builder.build()
            return nil
        } catch {
            return error.message
        }
    }
}

extension SchemaBuilderTests {
    @Test func copyingARequiredSchemaWithoutDefaultBuildsAndKeepsNoDefault() throws {
        let original = try SchemaBuilder.struct().name("Copied").field("a", .int32).build()
        let copy = try SchemaBuilder(copying: original).build()
        #expect(copy == original)
        #expect(copy.defaultValue.isNull)
        let primitive = try SchemaBuilder(copying: Schema.int64).build()
        #expect(primitive == Schema.int64)
    }
}
