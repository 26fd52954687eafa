import ConnectAPI

/// Casts fields, or the entire key or value, to another primitive type (Kafka's
/// `org.apache.kafka.connect.transforms.Cast$Key` / `Cast$Value`).
///
/// `spec` lists `field:type` pairs (structs and maps), or a single `type` to cast the whole key or
/// value. Types: `int8`, `int16`, `int32`, `int64`, `float32`, `float64`, `boolean`, `string`
/// (case-insensitive). Inputs may be integers, floats, booleans, strings and, to `string` only, bytes
/// (Base64). Logical values cast to numbers through their encoded form (days, milliseconds; decimals
/// through their numeric value) and to strings in ISO 8601 (`2024-01-31`, `13:45:00.123Z`,
/// `2024-01-31T13:45:00.123Z`). Numbers narrow as Java casts do (wrapping); strings must parse
/// (`Value (abc) was out of range for requested data type …` otherwise). Null values pass through.
///
/// Deviation from Kafka: a whole-value cast of a logical schema (e.g. `Timestamp` → `int64`) drops
/// the logical name and parameters from the new schema; Kafka keeps them, which makes the converter
/// reject the record later.
public struct Cast<Part: RecordPart>: Transformation {
    /// The configuration keys: `spec`, `replace.null.with.default`.
    public static var configDef: ConfigDef { CastConfig.definition }

    /// Casts by field name, in spec order (empty for a whole-value cast).
    let fieldCasts: [(field: String, type: Schema.Kind)]
    private let castsByField: [String: Schema.Kind]
    /// The type for a whole-value cast.
    let wholeValueType: Schema.Kind?
    let replaceNullWithDefault: Bool
    private let cache = SchemaCache<CastLayout>()

    /// Configures the transform.
    /// - Throws: ``ConfigError`` for a missing or empty `spec`, an unknown or unsupported type, a
    ///   malformed entry, or a whole-value type combined with other entries.
    public init(configs: [String: String]) throws(ConfigError) {
        let config = try CommonConfig.parse(CastConfig.definition, configs)
        let spec = try CastConfig.parseSpec(config.list(CastConfig.spec))
        var byField: [String: Schema.Kind] = [:]
        var ordered: [(field: String, type: Schema.Kind)] = []
        for (field, type) in spec.fields {
            if byField.updateValue(type, forKey: field) == nil {
                ordered.append((field, type))
            } else if let position = ordered.firstIndex(where: { $0.field == field }) {
                ordered[position].type = type
            }
        }
        fieldCasts = ordered
        castsByField = byField
        wholeValueType = spec.whole
        replaceNullWithDefault = try config.bool(CommonConfig.replaceNullWithDefaultName)
    }

    /// Casts the configured fields or the whole key/value; records whose key/value is null are
    /// returned unchanged.
    /// - Throws: ``DataError`` for a value that is not a struct (with a schema) or map (without), an
    ///   input type that cannot be cast, or a string that does not parse as the target type.
    @_specialize(where Part == RecordValue, R == SinkRecord)
    @_specialize(where Part == RecordValue, R == SourceRecord)
    @_specialize(where Part == RecordKey, R == SinkRecord)
    @_specialize(where Part == RecordKey, R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) throws(DataError) -> R? {
        let value = Part.value(of: record)
        if value.isNull { return record }
        guard let schema = Part.schema(of: record) else { return try applySchemaless(record, value) }
        if let wholeValueType {
            let layout = try cache.derived(for: schema) { (schema) throws(DataError) in try buildLayout(schema) }
            let cast = try Self.castValue(schema: schema, value, to: wholeValueType)
            return Part.replacing(record, schema: layout.schema, value: cast)
        }
        let input = try Requirements.requireStruct(value, purpose: CastConfig.purpose)
        let layout = try cache.derived(for: input.schema) { (schema) throws(DataError) in try buildLayout(schema) }
        let fields = input.schema.fields
        var values = input.values
        if replaceNullWithDefault && layout.hasDefaults {
            for field in fields where values[field.index].isNull { values[field.index] = field.schema.defaultValue }
        }
        for (index, target) in layout.casts {
            values[index] = try Self.castValue(schema: fields[index].schema, values[index], to: target)
        }
        return Part.replacing(
            record,
            schema: layout.schema,
            value: .struct(try Struct(schema: layout.schema, values: values))
        )
    }

    private func applySchemaless<R: ConnectRecord>(_ record: R, _ value: ConnectValue) throws(DataError) -> R {
        if let wholeValueType {
            return Part.replacing(
                record,
                schema: nil,
                value: try Self.castValue(schema: nil, value, to: wholeValueType)
            )
        }
        let map = try Requirements.requireMap(value, purpose: CastConfig.purpose)
        var updated = map
        for (field, type) in fieldCasts {
            // Like Kafka, a configured field missing from the map is added as null.
            updated[.string(field)] = try Self.castValue(schema: nil, map[.string(field)] ?? .null, to: type)
        }
        return Part.replacing(record, schema: nil, value: .map(updated))
    }

    private func buildLayout(_ schema: Schema) throws(DataError) -> CastLayout {
        let casts = schema.fields.compactMap { field in castsByField[field.name].map { (field.index, $0) } }
        let hasDefaults = schema.fields.contains { !$0.schema.defaultValue.isNull }
        return CastLayout(schema: try buildSchema(schema), casts: casts, hasDefaults: hasDefaults)
    }

    private func buildSchema(_ schema: Schema) throws(DataError) -> Schema {
        var builder: SchemaBuilder
        if let wholeValueType {
            // Kafka copies name, version, doc and parameters; a logical type's are dropped here (see above).
            let isLogical = schema.name.map(CastConfig.isLogicalName) ?? false
            builder = isLogical ? SchemaBuilder(wholeValueType) : SchemaBuilder(wholeValueType, basicsOf: schema)
        } else {
            builder = SchemaBuilder(.struct, basicsOf: schema)
            for field in schema.fields {
                if let target = castsByField[field.name] {
                    var fieldBuilder = SchemaBuilder(target)
                    if field.schema.isOptional { fieldBuilder = fieldBuilder.optional() }
                    if !field.schema.defaultValue.isNull {
                        let cast = try Self.castValue(schema: field.schema, field.schema.defaultValue, to: target)
                        fieldBuilder = fieldBuilder.defaultValue(cast)
                    }
                    builder.addField(field.name, try fieldBuilder.build())
                } else {
                    builder.addField(field.name, field.schema)
                }
            }
        }
        if schema.isOptional { builder = builder.optional() }
        if !schema.defaultValue.isNull {
            builder = builder.defaultValue(try Self.castValue(schema: schema, schema.defaultValue, to: builder.kind))
        }
        return try builder.build()
    }

    // MARK: Casting one value (Kafka's castValueToType)

    static func castValue(
        schema: Schema?,
        _ value: ConnectValue,
        to target: Schema.Kind
    ) throws(DataError)
        -> ConnectValue
    {
        try CastConfig.castValue(schema: schema, value, to: target)
    }
}

/// What ``Cast`` derives from an input schema: the output schema and the positions of the fields to cast.
struct CastLayout: Sendable {
    let schema: Schema
    let casts: [(index: Int, type: Schema.Kind)]
    /// Whether a field has a default (`replace.null.with.default` then needs a pass over the values).
    let hasDefaults: Bool
}

/// The non-generic parts of ``Cast``.
enum CastConfig {
    static let spec = "spec"
    static let purpose = "cast types"

    static let outputTypes: [Schema.Kind] = [.int8, .int16, .int32, .int64, .float32, .float64, .boolean, .string]
    static let inputTypes: [Schema.Kind] = outputTypes + [.bytes]

    static let definition = ConfigDef([
        ConfigKey(
            spec,
            type: .list,
            validator: ConfigValidator(description: "list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>")
            {
                name,
                value throws(ConfigError) in
                guard case .list(let items) = value else {
                    throw ConfigError(
                        name: name,
                        parsedValue: value,
                        reason: "Must specify at least one field to cast."
                    )
                }
                _ = try parseSpec(items)
            },
            importance: .high,
            documentation: "List of fields and the type to cast them to of the form field1:type,field2:type to cast "
                + "fields of Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, "
                + "int32, int64, float32, float64, boolean, and string. Note that binary fields can only be cast to "
                + "string."
        ),
        CommonConfig.replaceNullWithDefault,
    ])

    static func isLogicalName(_ name: String) -> Bool {
        name == LogicalType.decimalName || name == LogicalType.dateName || name == LogicalType.timeName
            || name == LogicalType.timestampName
    }

    /// Parses `spec` entries (Kafka's `parseFieldTypes`).
    static func parseSpec(
        _ items: [String]
    ) throws(ConfigError) -> (fields: [(String, Schema.Kind)], whole: Schema.Kind?) {
        guard !items.isEmpty else {
            throw ConfigError(name: spec, value: "", reason: "Must specify at least one field to cast.")
        }
        var fields: [(String, Schema.Kind)] = []
        var whole: Schema.Kind?
        for item in items {
            // Java's String.split(":") drops trailing empty strings ("a:" is one part).
            var parts = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            while let last = parts.last, last.isEmpty, parts.count > 0 { parts.removeLast() }
            switch parts.count {
            case 1:
                whole = try outputType(parts[0], entry: item)
            case 2:
                fields.append((javaTrim(parts[0]), try outputType(parts[1], entry: item)))
            default:
                throw ConfigError(
                    name: spec,
                    value: item,
                    reason: "Invalid cast mapping: \(item). Use field:type to cast a field, or a single type to cast "
                        + "the whole key or value"
                )
            }
        }
        if whole != nil && items.count > 1 {
            throw ConfigError(
                name: spec,
                value: items.joined(separator: ","),
                reason: "Cast transformations that specify a type to cast the entire value to may only specify a "
                    + "single cast in their spec"
            )
        }
        return (fields, whole)
    }

    private static func outputType(_ text: String, entry: String) throws(ConfigError) -> Schema.Kind {
        let name = javaTrim(text)
        let valid = outputTypes.map(\.name).joined(separator: ", ")
        guard let kind = Schema.Kind(rawValue: name.lowercased()) else {
            throw ConfigError(
                name: spec,
                value: entry,
                reason: "Invalid type found in casting spec: \(name). Valid types are \(valid)"
            )
        }
        guard outputTypes.contains(kind) else {
            throw ConfigError(
                name: spec,
                value: entry,
                reason: "Cast transformation does not support casting to \(kind); supported types are \(valid)"
            )
        }
        return kind
    }

    // MARK: Casting

    static func castValue(
        schema: Schema?,
        _ value: ConnectValue,
        to target: Schema.Kind
    ) throws(DataError)
        -> ConnectValue
    {
        if value.isNull { return .null }
        guard let inferred = schema?.kind ?? Requirements.schemalessKind(value) else {
            throw DataError(
                "Cast transformation was passed a value of type \(Requirements.javaClass(value)) which is not "
                    + "supported by Connect's data API"
            )
        }
        guard inputTypes.contains(inferred) else {
            throw DataError(
                "Cast transformation does not support casting from \(inferred); supported types are "
                    + "[\(inputTypes.map(\.description).joined(separator: ", "))]"
            )
        }
        var input = value
        if target != .string {
            // Logical date/time values are cast from their encoded form (Kafka's encodeLogicalType).
            switch value {
            case .date(let days): input = .int32(days)
            case .time(let millis): input = .int32(millis)
            case .timestamp(let millis): input = .int64(millis)
            default: break
            }
        }
        switch target {
        case .int8:
            return .int8(Int8(truncatingIfNeeded: try integer(input, target, Int8.self)))
        case .int16:
            return .int16(Int16(truncatingIfNeeded: try integer(input, target, Int16.self)))
        case .int32:
            return .int32(Int32(truncatingIfNeeded: try integer(input, target, Int32.self)))
        case .int64:
            return .int64(try integer(input, target, Int64.self))
        case .float32:
            switch input {
            case .int8(let v): return .float32(Float(v))
            case .int16(let v): return .float32(Float(v))
            case .int32(let v): return .float32(Float(v))
            case .int64(let v): return .float32(Float(v))
            case .float32: return input
            case .float64(let v): return .float32(Float(v))
            case .decimal(let v): return .float32(JavaNumbers.float(v))
            case .boolean(let v): return .float32(v ? 1 : 0)
            case .string(let text):
                guard let parsed = JavaNumbers.parseFloat(text) else { throw unparsable(text, target) }
                return .float32(parsed)
            default: throw unexpected(input)
            }
        case .float64:
            switch input {
            case .int8(let v): return .float64(Double(v))
            case .int16(let v): return .float64(Double(v))
            case .int32(let v): return .float64(Double(v))
            case .int64(let v): return .float64(Double(v))
            case .float32(let v): return .float64(Double(v))
            case .float64: return input
            case .decimal(let v): return .float64(JavaNumbers.double(v))
            case .boolean(let v): return .float64(v ? 1 : 0)
            case .string(let text):
                guard let parsed = JavaNumbers.parseDouble(text) else { throw unparsable(text, target) }
                return .float64(parsed)
            default: throw unexpected(input)
            }
        case .boolean:
            switch input {
            case .boolean: return input
            case .string(let text): return .boolean(text.lowercased() == "true")  // Boolean.parseBoolean
            default:
                guard let number = longValue(input) else { throw unexpected(input) }
                return .boolean(number != 0)
            }
        case .string:
            switch input {
            case .string: return input
            case .bytes(let bytes): return .string(JavaNumbers.base64(bytes))
            case .date, .time, .timestamp:
                return .string(JavaNumbers.isoString(epochMillis: Requirements.epochMillis(input)!))
            default: return .string(input.description)
            }
        default:
            throw DataError("\(target) is not supported in the Cast transformation.")
        }
    }

    /// Java's `Number.longValue()` (the low bits are then kept by the narrower casts).
    private static func longValue(_ value: ConnectValue) -> Int64? {
        switch value {
        case .int8(let v): Int64(v)
        case .int16(let v): Int64(v)
        case .int32(let v): Int64(v)
        case .int64(let v): v
        case .float32(let v): JavaNumbers.int64(Double(v))
        case .float64(let v): JavaNumbers.int64(v)
        case .decimal(let v): JavaNumbers.int64(v)
        default: nil
        }
    }

    /// A cast to an integer type: numbers narrow like Java (`(byte) 300` is 44; floats saturate to
    /// `int` first for the types up to `int32`), booleans are 1/0, strings must parse in range.
    private static func integer<T: FixedWidthInteger & SignedInteger>(
        _ value: ConnectValue,
        _ target: Schema.Kind,
        _ type: T.Type
    ) throws(DataError) -> Int64 {
        switch value {
        case .boolean(let v): return v ? 1 : 0
        case .string(let text):
            guard let parsed = JavaNumbers.parseInteger(text, as: type) else { throw unparsable(text, target) }
            return Int64(parsed)
        case .float32(let v) where T.bitWidth <= 32: return Int64(JavaNumbers.int32(Double(v)))
        case .float64(let v) where T.bitWidth <= 32: return Int64(JavaNumbers.int32(v))
        default:
            guard let number = longValue(value) else { throw unexpected(value) }
            return number
        }
    }

    private static func unparsable(_ text: String, _ target: Schema.Kind) -> DataError {
        DataError("Value (\(text)) was out of range for requested data type: For input string: \"\(text)\" (\(target))")
    }

    private static func unexpected(_ value: ConnectValue) -> DataError {
        DataError("Unexpected type in Cast transformation: \(Requirements.javaClass(value))")
    }
}

/// Java's `String.trim()`.
func javaTrim(_ value: String) -> String {
    let scalars = value.unicodeScalars
    guard let first = scalars.firstIndex(where: { $0.value > 0x20 }) else { return "" }
    let last = scalars.lastIndex(where: { $0.value > 0x20 })!
    return String(scalars[first...last])
}
