@_spi(ConnectInternals) import ConnectAPI

/// Writes Connect values as JSON, following Kafka's `JsonConverter.convertToJson` (spec §4.4): with a
/// schema, the schema decides the encoding (logical types, maps as objects or pair arrays, struct field
/// order, defaults for nulls); without one, the value's own kind does.
struct JSONValueEncoder {
    let options: JSONCodingOptions

    /// Nesting beyond this depth in schemaless values is rejected rather than risking the stack.
    static let maxDepth = 1000

    /// Encodes a value with its schema's plan.
    /// - Parameter isDefault: Whether this is the schema's own default value, whose struct schema may be
    ///   the schema without its default (as Kafka builds defaults from JSON).
    func encode(
        _ value: ConnectValue,
        plan: SchemaPlan,
        into writer: inout ByteWriter,
        isDefault: Bool = false
    ) throws(JSONFailure) {
        if case .null = value {
            if plan.hasDefault && options.replaceNullWithDefault {
                if let failure = plan.defaultJSONFailure { throw failure }
                writer.append(plan.defaultJSON)
                return
            }
            if plan.isOptional {
                writer.append(ascii: "null")
                return
            }
            throw .data("Conversion error: null value for field that is required and has no default value")
        }
        if case .none = plan.logical {
        } else {
            try encodeLogical(value, plan: plan, into: &writer)
            return
        }
        switch (plan.kind, value) {
        case (.int8, .int8(let number)): writer.appendInteger(Int64(number))
        case (.int16, .int16(let number)): writer.appendInteger(Int64(number))
        case (.int32, .int32(let number)): writer.appendInteger(Int64(number))
        case (.int64, .int64(let number)): writer.appendInteger(number)
        case (.float32, .float32(let number)): Self.appendFloat(number, into: &writer)
        case (.float64, .float64(let number)): Self.appendDouble(number, into: &writer)
        case (.boolean, .boolean(let flag)):
            if flag { writer.append(ascii: "true") } else { writer.append(ascii: "false") }
        case (.string, .string(let text)): writer.appendString(text)
        case (.bytes, .bytes(let bytes)): writer.appendBase64String(bytes)
        case (.array, .array(let elements)):
            writer.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { writer.append(UInt8(ascii: ",")) }
                if let elementPlan = plan.element {
                    try encode(element, plan: elementPlan, into: &writer)
                } else {
                    try encodeSchemaless(element, into: &writer, depth: 1)
                }
            }
            writer.append(UInt8(ascii: "]"))
        case (.map, .map(let map)):
            try encodeMap(map, plan: plan, into: &writer)
        case (.struct, .struct(let value)):
            try encodeStruct(value, plan: plan, into: &writer, isDefault: isDefault)
        default:
            throw .data("Invalid type for \(plan.kind): \(value.caseName)")
        }
    }

    private func encodeStruct(
        _ value: Struct,
        plan: SchemaPlan,
        into writer: inout ByteWriter,
        isDefault: Bool
    ) throws(JSONFailure) {
        if value.schema !== plan.schema && value.schema != plan.schema {
            // A default struct built from schema JSON carries the schema as it was before the default was
            // set; accept it when the fields agree.
            guard isDefault, value.schema.fields == plan.schema.fields else { throw .data("Mismatching schema.") }
        }
        let values = value.values
        let keys = plan.fieldKeys
        let offsets = plan.fieldKeyOffsets
        let codes = plan.fieldCodes
        writer.append(UInt8(ascii: "{"))
        for index in codes.indices {
            if index > 0 { writer.append(UInt8(ascii: ",")) }
            writer.append(keys, from: offsets[index], to: offsets[index + 1])
            // Primitive fields inline; nulls, containers and logical types through the field's plan.
            switch (codes[index], values[index]) {
            case (.int32, .int32(let number)): writer.appendInteger(Int64(number))
            case (.int64, .int64(let number)): writer.appendInteger(number)
            case (.string, .string(let text)): writer.appendString(text)
            case (.boolean, .boolean(let flag)):
                if flag { writer.append(ascii: "true") } else { writer.append(ascii: "false") }
            case (.float64, .float64(let number)): Self.appendDouble(number, into: &writer)
            case (.float32, .float32(let number)): Self.appendFloat(number, into: &writer)
            case (.int8, .int8(let number)): writer.appendInteger(Int64(number))
            case (.int16, .int16(let number)): writer.appendInteger(Int64(number))
            case (.bytes, .bytes(let bytes)): writer.appendBase64String(bytes)
            default: try encode(values[index], plan: plan.fieldPlans[index], into: &writer)
            }
        }
        writer.append(UInt8(ascii: "}"))
    }

    private func encodeMap(_ map: ConnectMap, plan: SchemaPlan, into writer: inout ByteWriter) throws(JSONFailure) {
        guard let keyPlan = plan.key, let valuePlan = plan.element else {
            try encodeSchemaless(.map(map), into: &writer, depth: 1)
            return
        }
        if plan.mapAsObject {
            writer.append(UInt8(ascii: "{"))
            for (position, entry) in map.enumerated() {
                if position > 0 { writer.append(UInt8(ascii: ",")) }
                // Kafka converts the key with the key schema, then uses the JSON node's text.
                switch entry.key {
                case .string(let text): writer.appendString(text)
                case .null:
                    if keyPlan.hasDefault && options.replaceNullWithDefault,
                        case .string(let text) = keyPlan.defaultValue
                    {
                        writer.appendString(text)
                    } else if keyPlan.isOptional {
                        writer.append(ascii: "\"null\"")
                    } else {
                        throw .data("Conversion error: null value for field that is required and has no default value")
                    }
                default: throw .data("Invalid type for STRING: \(entry.key.caseName)")
                }
                writer.append(UInt8(ascii: ":"))
                try encode(entry.value, plan: valuePlan, into: &writer)
            }
            writer.append(UInt8(ascii: "}"))
        } else {
            writer.append(UInt8(ascii: "["))
            for (position, entry) in map.enumerated() {
                if position > 0 { writer.append(UInt8(ascii: ",")) }
                writer.append(UInt8(ascii: "["))
                try encode(entry.key, plan: keyPlan, into: &writer)
                writer.append(UInt8(ascii: ","))
                try encode(entry.value, plan: valuePlan, into: &writer)
                writer.append(UInt8(ascii: "]"))
            }
            writer.append(UInt8(ascii: "]"))
        }
    }

    private func encodeLogical(
        _ value: ConnectValue,
        plan: SchemaPlan,
        into writer: inout ByteWriter
    ) throws(JSONFailure) {
        switch plan.logical {
        case .none:
            return
        case .decimal(let scale):
            let decimal: ConnectDecimal
            switch value {
            case .decimal(let value): decimal = value
            case .bytes(let bytes):
                // Already in encoded form (Kafka would reject a byte[] here; accepting it is harmless).
                guard let scale else { throw .data("Invalid Decimal schema: scale parameter not found.") }
                decimal = ConnectDecimal(unscaledBytes: bytes, scale: scale)
            default:
                throw .data("Invalid type for Decimal, expected a decimal value but was \(value.caseName)")
            }
            switch options.decimalFormat {
            case .numeric:
                // Jackson writes BigDecimal with toString() (WRITE_BIGDECIMAL_AS_PLAIN is off).
                var text = decimal.description
                text.withUTF8 { writer.append($0) }
            case .base64:
                guard let scale else { throw .data("Invalid Decimal schema: scale parameter not found.") }
                guard decimal.scale == scale else {
                    throw .data(
                        "Decimal value has mismatching scale for given Decimal schema. Schema has scale \(scale), value has scale \(decimal.scale)."
                    )
                }
                writer.appendBase64String(decimal.unscaledBytes)
            }
        case .date:
            switch value {
            case .date(let days): writer.appendInteger(Int64(days))
            case .int32(let days): writer.appendInteger(Int64(days))
            default: throw .data("Invalid type for Date, expected a date value but was \(value.caseName)")
            }
        case .time:
            let millis: Int32
            switch value {
            case .time(let value): millis = value
            case .int32(let value): millis = value
            default: throw .data("Invalid type for Time, expected a time value but was \(value.caseName)")
            }
            guard millis >= 0 && millis <= 86_400_000 else {
                throw .data("Kafka Connect Time type should not have any date fields set to non-zero values.")
            }
            writer.appendInteger(Int64(millis))
        case .timestamp:
            switch value {
            case .timestamp(let millis): writer.appendInteger(millis)
            case .int64(let millis): writer.appendInteger(millis)
            default: throw .data("Invalid type for Timestamp, expected a timestamp value but was \(value.caseName)")
            }
        }
    }

    /// Encodes a value without a schema (Kafka infers the type from the Java class).
    func encodeSchemaless(_ value: ConnectValue, into writer: inout ByteWriter, depth: Int) throws(JSONFailure) {
        switch value {
        case .null: writer.append(ascii: "null")
        case .int8(let number): writer.appendInteger(Int64(number))
        case .int16(let number): writer.appendInteger(Int64(number))
        case .int32(let number): writer.appendInteger(Int64(number))
        case .int64(let number): writer.appendInteger(number)
        case .float32(let number): Self.appendFloat(number, into: &writer)
        case .float64(let number): Self.appendDouble(number, into: &writer)
        case .boolean(let flag):
            if flag { writer.append(ascii: "true") } else { writer.append(ascii: "false") }
        case .string(let text): writer.appendString(text)
        case .bytes(let bytes): writer.appendBase64String(bytes)
        case .array(let elements):
            guard depth < Self.maxDepth else { throw Self.tooDeep }
            writer.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { writer.append(UInt8(ascii: ",")) }
                try encodeSchemaless(element, into: &writer, depth: depth + 1)
            }
            writer.append(UInt8(ascii: "]"))
        case .map(let map):
            guard depth < Self.maxDepth else { throw Self.tooDeep }
            // Written as an object in one pass; if a key turns out not to be a string, the output is
            // rewound and the map written as an array of [key, value] pairs instead (as Kafka does).
            let start = writer.count
            writer.append(UInt8(ascii: "{"))
            let allStringKeys = try map.withEntries { entries throws(JSONFailure) -> Bool in
                for index in entries.indices {
                    guard case .string(let key) = entries[index].key else { return false }
                    if index > 0 { writer.append(UInt8(ascii: ",")) }
                    writer.appendString(key)
                    writer.append(UInt8(ascii: ":"))
                    try encodeSchemaless(entries[index].value, into: &writer, depth: depth + 1)
                }
                return true
            }
            if allStringKeys {
                writer.append(UInt8(ascii: "}"))
            } else {
                writer.truncate(to: start)
                writer.append(UInt8(ascii: "["))
                for index in map.indices {
                    let entry = map[index]
                    if index > 0 { writer.append(UInt8(ascii: ",")) }
                    writer.append(UInt8(ascii: "["))
                    try encodeSchemaless(entry.key, into: &writer, depth: depth + 1)
                    writer.append(UInt8(ascii: ","))
                    try encodeSchemaless(entry.value, into: &writer, depth: depth + 1)
                    writer.append(UInt8(ascii: "]"))
                }
                writer.append(UInt8(ascii: "]"))
            }
        case .struct:
            // Kafka compares the struct's schema with the (null) schema and fails.
            throw .data("Mismatching schema.")
        case .decimal, .date, .time, .timestamp:
            throw .data(
                "Schemaless \(value.caseName) value has no corresponding schema type; logical values need a schema"
            )
        }
    }

    private static let tooDeep = JSONFailure.data(
        "Value nesting exceeds the maximum depth of \(maxDepth)"
    )

    static func appendDouble(_ value: Double, into writer: inout ByteWriter) {
        if value.isFinite {
            writer.appendJavaDouble(value)
        } else {
            writer.append(ascii: value.isNaN ? "\"NaN\"" : value < 0 ? "\"-Infinity\"" : "\"Infinity\"")
        }
    }

    static func appendFloat(_ value: Float, into writer: inout ByteWriter) {
        if value.isFinite {
            writer.appendJavaFloat(value)
        } else {
            writer.append(ascii: value.isNaN ? "\"NaN\"" : value < 0 ? "\"-Infinity\"" : "\"Infinity\"")
        }
    }
}
