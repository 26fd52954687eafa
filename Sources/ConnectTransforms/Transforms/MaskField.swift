import ConnectAPI

/// Replaces the listed fields with an "empty" value of their type, or with a replacement (Kafka's
/// `org.apache.kafka.connect.transforms.MaskField$Key` / `MaskField$Value`).
///
/// Without `replacement`: `false`, `0` (of the field's integer or float type), `""`, a zero decimal,
/// the epoch for `Date`/`Time`/`Timestamp`, an empty array or map. With `replacement`, numeric and
/// string fields get the replacement converted to their type (`"123.9"` masks an INT32 as 123, like
/// Java's `BigDecimal.longValue()`); other types are a ``DataError``. Null fields stay null. The schema
/// is unchanged. The key/value must be a struct (with a schema) or a map (without), so tombstones are
/// rejected; guard the transform with a `RecordIsTombstone` predicate and `negate=true` if needed.
public struct MaskField<Part: RecordPart>: Transformation {
    /// The configuration keys: `fields`, `replacement`, `replace.null.with.default`.
    public static var configDef: ConfigDef { MaskFieldConfig.definition }

    /// The fields masked.
    public let fields: [String]
    private let maskedFields: Set<String>
    /// The replacement, if configured.
    public let replacement: String?
    let replaceNullWithDefault: Bool
    /// Per input schema: the positions of the masked fields.
    private let cache = SchemaCache<[Int]>()

    /// Configures the transform.
    /// - Throws: ``ConfigError`` if `fields` is missing or empty, or `replacement` is empty.
    public init(configs: [String: String]) throws(ConfigError) {
        let config = try CommonConfig.parse(MaskFieldConfig.definition, configs)
        fields = try config.list(MaskFieldConfig.fields)
        maskedFields = Set(fields)
        replacement = try config.string(MaskFieldConfig.replacement)
        replaceNullWithDefault = try config.bool(CommonConfig.replaceNullWithDefaultName)
    }

    /// The record with the fields masked.
    /// - Throws: ``DataError`` if the key/value is not a struct/map, or a field's type cannot be masked
    ///   (bytes, structs; anything but numbers and strings with a replacement), or the replacement does
    ///   not convert to the field's type.
    @_specialize(where Part == RecordValue, R == SinkRecord)
    @_specialize(where Part == RecordValue, R == SourceRecord)
    @_specialize(where Part == RecordKey, R == SinkRecord)
    @_specialize(where Part == RecordKey, R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) throws(DataError) -> R? {
        let value = Part.value(of: record)
        guard let schema = Part.schema(of: record) else {
            let map = try Requirements.requireMap(value, purpose: MaskFieldConfig.purpose)
            var updated = map
            for field in fields {
                // Like Kafka, a configured field missing from the map is added as null.
                updated[.string(field)] = try masked(map[.string(field)] ?? .null)
            }
            return Part.replacing(record, schema: nil, value: .map(updated))
        }
        let input = try Requirements.requireStruct(value, purpose: MaskFieldConfig.purpose)
        let masks = cache.derived(for: input.schema) { schema in
            schema.fields.filter { maskedFields.contains($0.name) }.map(\.index)
        }
        let fields = input.schema.fields
        var values = input.values
        if replaceNullWithDefault {
            for field in fields where values[field.index].isNull { values[field.index] = field.schema.defaultValue }
        }
        for index in masks { values[index] = try masked(values[index]) }
        return Part.replacing(record, schema: schema, value: .struct(try Struct(schema: input.schema, values: values)))
    }

    private func masked(_ value: ConnectValue) throws(DataError) -> ConnectValue {
        if value.isNull { return .null }
        guard let replacement else { return try Self.emptyValue(like: value) }
        return try Self.replacementValue(like: value, replacement)
    }

    private static func emptyValue(like value: ConnectValue) throws(DataError) -> ConnectValue {
        switch value {
        case .boolean: return .boolean(false)
        case .int8: return .int8(0)
        case .int16: return .int16(0)
        case .int32: return .int32(0)
        case .int64: return .int64(0)
        case .float32: return .float32(0)
        case .float64: return .float64(0)
        case .decimal: return .decimal(ConnectDecimal(unscaled: 0))
        case .date: return .date(days: 0)
        case .time: return .time(millis: 0)
        case .timestamp: return .timestamp(millis: 0)
        case .string: return .string("")
        case .array: return .array([])
        case .map: return .map(ConnectMap())
        default: throw DataError("Cannot mask value of type: \(Requirements.javaClass(value))")
        }
    }

    private static func replacementValue(
        like value: ConnectValue,
        _ replacement: String
    ) throws(DataError)
        -> ConnectValue
    {
        func decimal() throws(DataError) -> ConnectDecimal {
            guard let decimal = ConnectDecimal(replacement) else {
                throw DataError("Unable to convert \(replacement) (class java.lang.String) to a number")
            }
            return decimal
        }
        switch value {
        case .int8: return .int8(Int8(truncatingIfNeeded: JavaNumbers.int64(try decimal())))
        case .int16: return .int16(Int16(truncatingIfNeeded: JavaNumbers.int64(try decimal())))
        case .int32: return .int32(Int32(truncatingIfNeeded: JavaNumbers.int64(try decimal())))
        case .int64: return .int64(JavaNumbers.int64(try decimal()))
        case .float32: return .float32(Float(JavaNumbers.double(try decimal())))
        case .float64: return .float64(JavaNumbers.double(try decimal()))
        case .string: return .string(replacement)
        case .decimal:
            guard let decimal = ConnectDecimal(replacement) else {
                throw DataError("Unable to convert \(replacement) (class java.lang.String) to number")
            }
            return .decimal(decimal)
        default:
            throw DataError("Cannot mask value of type \(Requirements.javaClass(value)) with custom replacement.")
        }
    }
}

enum MaskFieldConfig {
    static let fields = "fields"
    static let replacement = "replacement"
    static let purpose = "mask fields"

    static let definition = ConfigDef([
        ConfigKey(
            fields,
            type: .list,
            validator: .nonEmptyList,
            importance: .high,
            documentation: "Names of fields to mask."
        ),
        ConfigKey(
            replacement,
            type: .string,
            default: nil,
            validator: .nonEmptyString,
            importance: .low,
            documentation: "Custom value replacement, that will be applied to all 'fields' values (numeric or "
                + "non-empty string values only)."
        ),
        CommonConfig.replaceNullWithDefault,
    ])
}
