import ConnectAPI

/// The Connect schemas of an ``Order`` and the conversions between orders and Connect values: the
/// examples of `docs/guides/data-model.md`.
///
/// Schemas are immutable and cheap to share: build them once (in `start`, or in a `static let`) and
/// use the same instances for every record, which also makes the equality checks of ``Struct``
/// validation take their identity fast path.
public struct OrderSchemas: Sendable {
    /// `com.example.Address`: a struct with two required strings and an optional one.
    public let addressSchema: Schema
    /// `com.example.LineItem`: a struct with a string, an `int32` and a decimal.
    public let lineItemSchema: Schema
    /// `com.example.Order` version 1: nested struct, array, optional map, optional string with a
    /// default, and the logical types Decimal, Date and Timestamp.
    public let orderSchema: Schema

    /// Builds the schemas.
    /// - Throws: ``DataError`` if a schema breaks a builder rule (these do not).
    public init() throws(DataError) {
        // snippet.data-nested-schemas
        addressSchema = try SchemaBuilder.struct()
            .name("com.example.Address")
            .field("street", .string)
            .field("city", .string)
            .field("postcode", .optionalString)
            .build()

        lineItemSchema = try SchemaBuilder.struct()
            .name("com.example.LineItem")
            .field("sku", .string)
            .field("quantity", .int32)
            .field("unitPrice", .decimal(scale: 2))
            .build()
        // snippet.end

        // snippet.data-order-schema
        orderSchema = try SchemaBuilder.struct()
            .name("com.example.Order")
            .version(1)
            .doc("An order placed in the web shop.")
            .field("id", .int64)
            .field("shipTo", addressSchema)  // a nested struct
            .field("items", SchemaBuilder.array(lineItemSchema).build())  // an array of structs
            .field("attributes", SchemaBuilder.map(.string, .string).optional().build())  // an optional map
            .field("channel", SchemaBuilder.string().optional().defaultValue("web").build())  // with a default
            .field("total", .decimal(scale: 2))  // logical types: Decimal,
            .field("placedOn", .date)  // Date
            .field("placedAt", .timestamp)  // and Timestamp
            .build()
        // snippet.end
    }

    // snippet.data-struct-value
    /// The order as a `Struct`. Every `put` checks the value against its field's schema and throws a
    /// ``DataError`` naming the field; `validate()` then checks that no required field is left unset.
    public func makeStruct(_ order: Order) throws(DataError) -> Struct {
        var shipTo = try Struct(schema: addressSchema)
        try shipTo.put("street", .string(order.street))
        try shipTo.put("city", .string(order.city))
        if let postcode = order.postcode { try shipTo.put("postcode", .string(postcode)) }

        var items: [ConnectValue] = []
        for item in order.items {
            // Every field's value, in field order: validated in one pass, no lookups by name.
            let unitPrice = ConnectDecimal(unscaled: item.unitPriceCents, scale: 2)
            let values: [ConnectValue] = [.string(item.sku), .int32(item.quantity), .decimal(unitPrice)]
            items.append(.struct(try Struct(schema: lineItemSchema, values: values)))
        }

        var value = try Struct(schema: orderSchema)
        try value.put("id", .int64(order.id))
        try value.put("shipTo", .struct(shipTo))
        try value.put("items", .array(items))
        if let attributes = order.attributes {
            try value.put("attributes", .map(ConnectMap(attributes.mapValues { .string($0) })))
        }
        if let channel = order.channel { try value.put("channel", .string(channel)) }
        try value.put("total", .decimal(ConnectDecimal(unscaled: order.totalCents, scale: 2)))
        try value.put("placedOn", .date(days: Self.epochDay(ofMillis: order.placedAtMillis)))
        try value.put("placedAt", .timestamp(millis: order.placedAtMillis))
        try value.validate()
        return value
    }
    // snippet.end

    // snippet.data-read
    /// A one-line summary of an order `Struct`, such as `order 42 to Berlin: 2 items, 59.97 via web on
    /// 2024-05-01`. `get` returns the field's default when a field is unset: `channel` reads `web`.
    public func summary(of value: Struct) throws(DataError) -> String {
        guard value.schema == orderSchema else { throw DataError("Not an order: \(value.schema)") }
        let id = try value.get("id")
        let city = try value.get("shipTo").structValue?.get("city") ?? .null
        let itemCount = try value.get("items").arrayValue?.count ?? 0
        let total = try value.get("total")  // .decimal: prints as 59.97
        let channel = try value.get("channel")
        let placedOn = try value.get("placedOn")  // .date: prints as 2024-05-01
        return "order \(id) to \(city): \(itemCount) items, \(total) via \(channel) on \(placedOn)"
    }
    // snippet.end

    // snippet.data-schemaless
    /// The same order without a schema, the way a JSON converter with `schemas.enable=false` hands it
    /// over: maps with string keys, arrays, strings, `int64`s, `float64`s and booleans. There are no
    /// logical types: the money travels as decimal strings (no cent lost to binary floating point),
    /// the instant as epoch milliseconds.
    public static func schemaless(_ order: Order) -> ConnectValue {
        var shipTo: ConnectMap = ["street": .string(order.street), "city": .string(order.city)]
        if let postcode = order.postcode { shipTo["postcode"] = .string(postcode) }
        let items = order.items.map { item -> ConnectValue in
            [
                "sku": .string(item.sku),
                "quantity": .int64(Int64(item.quantity)),
                "unitPrice": .string(ConnectDecimal(unscaled: item.unitPriceCents, scale: 2).description),
            ]
        }
        var value: ConnectMap = [
            "id": .int64(order.id),
            "shipTo": .map(shipTo),
            "items": .array(items),
            "total": .string(ConnectDecimal(unscaled: order.totalCents, scale: 2).description),
            "placedAt": .int64(order.placedAtMillis),
        ]
        if let attributes = order.attributes {
            value["attributes"] = .map(ConnectMap(attributes.mapValues { .string($0) }))
        }
        if let channel = order.channel { value["channel"] = .string(channel) }
        return .map(value)
    }
    // snippet.end

    /// The UTC day of an instant, counted as the `Date` logical type counts days: floor division, so
    /// that instants before 1970 fall on the right day.
    /// - Throws: ``DataError`` if the day does not fit the type's `int32`.
    static func epochDay(ofMillis millis: Int64) throws(DataError) -> Int32 {
        let (quotient, remainder) = millis.quotientAndRemainder(dividingBy: LogicalType.millisPerDay)
        guard let day = Int32(exactly: remainder < 0 ? quotient - 1 : quotient) else {
            throw DataError("The instant \(millis) is outside the Date type's range")
        }
        return day
    }
}
