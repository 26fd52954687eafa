import ConnectAPI
import ConnectAPIExamples
import Testing

@Suite struct DataModelExampleTests {
    private let schemas: OrderSchemas
    /// 2024-05-01T10:00:00Z.
    private let placedAt: Int64 = 1_714_557_600_000
    private let order: Order

    init() throws {
        schemas = try OrderSchemas()
        order = Order(
            id: 42,
            street: "Unter den Linden 1",
            city: "Berlin",
            items: [
                Order.Item(sku: "MUG-1", quantity: 2, unitPriceCents: 1999),
                Order.Item(sku: "TEA-7", quantity: 1, unitPriceCents: 1999),
            ],
            attributes: ["gift": "yes"],
            placedAtMillis: placedAt
        )
    }

    @Test func theOrderSchemaHasTheFieldsAndTypesItDeclares() throws {
        let schema = schemas.orderSchema
        #expect(schema.kind == .struct && schema.name == "com.example.Order" && schema.version == 1)
        #expect(
            schema.fields.map(\.name) == [
                "id", "shipTo", "items", "attributes", "channel", "total", "placedOn", "placedAt",
            ]
        )
        #expect(schema.field(named: "shipTo")?.schema == schemas.addressSchema)
        #expect(schema.field(named: "items")?.schema.valueSchema == schemas.lineItemSchema)
        let attributes = try #require(schema.field(named: "attributes")?.schema)
        #expect(attributes.kind == .map && attributes.isOptional && attributes.keySchema == .string)
        let channel = try #require(schema.field(named: "channel")?.schema)
        #expect(channel.isOptional && channel.defaultValue == "web")
        #expect(schema.field(named: "total")?.schema.logicalType == .decimal(scale: 2))
        #expect(schema.field(named: "placedOn")?.schema.logicalType == .date)
        #expect(schema.field(named: "placedAt")?.schema.logicalType == .timestamp)
        #expect(try OrderSchemas().orderSchema == schema)  // schemas compare by content
    }

    @Test func anOrderBecomesAValidStruct() throws {
        let value = try schemas.makeStruct(order)
        try schemas.orderSchema.validate(.struct(value))
        #expect(try value.get("total") == .decimal(ConnectDecimal(unscaled: 5997, scale: 2)))
        #expect(try value.get("placedOn") == .date(days: 19844))
        #expect(try value.get("placedAt") == .timestamp(millis: placedAt))
        #expect(try value.get("attributes") == ["gift": "yes"])
        #expect(try value.get("shipTo").structValue?.get("postcode") == .null)
        let items = try #require(try value.get("items").arrayValue)
        #expect(items.count == 2)
        #expect(try items[0].structValue?.get("unitPrice") == .decimal(ConnectDecimal(unscaled: 1999, scale: 2)))
    }

    @Test func unsetFieldsReadAsTheirDefault() throws {
        let value = try schemas.makeStruct(order)
        #expect(try value.get("channel") == "web")
        #expect(try value.getWithoutDefault("channel") == .null)
        #expect(try schemas.summary(of: value) == "order 42 to Berlin: 2 items, 59.97 via web on 2024-05-01")

        var phone = order
        phone.channel = "phone"
        #expect(try schemas.summary(of: try schemas.makeStruct(phone)).hasSuffix("via phone on 2024-05-01"))
    }

    @Test func structsCompareByContent() throws {
        let one = try schemas.makeStruct(order)
        #expect(one == (try schemas.makeStruct(order)))
        #expect(one.hashValue == (try schemas.makeStruct(order)).hashValue)
        var changed = order
        changed.items[1].quantity = 3
        #expect(one != (try schemas.makeStruct(changed)))
    }

    @Test func instantsBeforeNineteenSeventyFallOnTheRightDay() throws {
        var early = order
        early.placedAtMillis = -1
        #expect(try schemas.makeStruct(early).get("placedOn") == .date(days: -1))
    }

    @Test func schemalessOrdersAreMapsThatIgnoreKeyOrder() throws {
        let value = OrderSchemas.schemaless(order)
        let map = try #require(value.mapValue)
        #expect(map.keys == ["id", "shipTo", "items", "total", "placedAt", "attributes"])  // insertion order
        #expect(map["total"] == "59.97")
        #expect(map["items"]?.arrayValue?.first?.mapValue?["unitPrice"] == "19.99")

        let reordered: ConnectValue = [
            "placedAt": .int64(placedAt),
            "attributes": ["gift": "yes"],
            "total": "59.97",
            "shipTo": ["city": "Berlin", "street": "Unter den Linden 1"],
            "id": .int64(42),
            "items": [
                ["sku": "MUG-1", "quantity": .int64(2), "unitPrice": "19.99"],
                ["sku": "TEA-7", "quantity": .int64(1), "unitPrice": "19.99"],
            ],
        ]
        #expect(value == reordered)
        #expect(value.hashValue == reordered.hashValue)
    }

    @Test func theDataModelRejectsWhatDoesNotMatchTheSchema() throws {
        // snippet.data-validation
        var item = try Struct(schema: schemas.lineItemSchema)
        #expect(
            dataError { try item.put("quantity", .int64(3)) }  // int64 for an int32 field
                == #"Invalid value for schema with type INT32: int64 for field: "quantity""#
        )
        #expect(
            dataError { try item.put("sku", .null) }  // null for a required field
                == #"Invalid value: null used for required field: "sku", schema type: STRING"#
        )
        #expect(dataError { try item.put("colour", "red") } == "colour is not a valid field name")

        try item.put("sku", "MUG-1")  // quantity and unitPrice are still unset
        #expect(
            dataError { try item.validate() }
                == #"Invalid value: null used for required field: "quantity", schema type: INT32"#
        )

        var order = try Struct(schema: schemas.orderSchema)
        #expect(
            dataError { try order.put("items", ["MUG-1"]) }  // array elements are checked too
                == #"Invalid value for schema "com.example.LineItem" with type STRUCT: string for element of array field: "items""#
        )
        #expect(
            dataError { try order.put("shipTo", .struct(item)) }  // a struct of another schema
                == #"Struct schemas do not match for field: "shipTo"."#
        )

        // A decimal's scale is checked when the value is converted, not when it is put (as in Kafka):
        let unitPrice = try #require(schemas.lineItemSchema.field(named: "unitPrice")).schema
        let threeDecimals = ConnectValue.decimal(ConnectDecimal(unscaled: 19_990, scale: 3))
        #expect(dataError { try item.put("unitPrice", threeDecimals) } == nil)
        #expect(
            dataError { _ = try unitPrice.fromLogical(threeDecimals) }
                == "Decimal value has mismatching scale for given Decimal schema. Schema has scale 2, value has scale 3."
        )

        // Builder mistakes surface when the schema is built:
        #expect(
            dataError { _ = try SchemaBuilder.int32().defaultValue("ten").build() }
                == "Invalid default value: Invalid value for schema with type INT32: string for value"
        )
        #expect(
            dataError { _ = try SchemaBuilder.struct().field("id", .int64).field("id", .string).build() }
                == "Cannot create field because of field name duplication id"
        )
        // snippet.end
    }
}

/// The message of the ``DataError`` that `body` throws, or `nil` if it throws nothing.
private func dataError(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as DataError {
        return error.message
    } catch {
        return "not a DataError: \(error)"
    }
}
