import ConnectAPI

/// Converts timestamps between epoch numbers, formatted strings and Connect's `Date`, `Time` and
/// `Timestamp` logical types, for the whole key/value or one field (Kafka's
/// `org.apache.kafka.connect.transforms.TimestampConverter$Key` / `TimestampConverter$Value`).
///
/// `target.type` is `string`, `unix`, `Date`, `Time` or `Timestamp` (case-sensitive). The input type
/// comes from the schema (a logical name, else INT64 is unix time and STRING a formatted string) or,
/// without a schema, from the value (`.int64` is unix time, `.string` formatted, logical values are
/// instants). Strings are parsed and formatted with the `format` pattern (Java `SimpleDateFormat`
/// syntax, in UTC); `unix.precision` scales epoch numbers (`seconds`, `milliseconds`, `microseconds`,
/// `nanoseconds`; sub-millisecond digits are lost). `Date` keeps the day (midnight UTC), `Time` the
/// time of day. Nulls stay null; the new schema keeps the input's optionality.
public struct TimestampConverter<Part: RecordPart>: Transformation {
    /// The representation converted to (`target.type`).
    public enum TargetType: String, Sendable, Hashable, CaseIterable {
        /// A formatted string (`string`).
        case string
        /// Epoch number (`unix`), INT64.
        case unix
        /// The `Date` logical type.
        case date = "Date"
        /// The `Time` logical type.
        case time = "Time"
        /// The `Timestamp` logical type.
        case timestamp = "Timestamp"
    }

    /// The unit of epoch numbers (`unix.precision`).
    public enum UnixPrecision: String, Sendable, Hashable, CaseIterable {
        /// `seconds`
        case seconds
        /// `milliseconds` (the default)
        case milliseconds
        /// `microseconds`
        case microseconds
        /// `nanoseconds`
        case nanoseconds
    }

    /// The configuration keys: `field`, `target.type`, `format`, `unix.precision`,
    /// `replace.null.with.default`.
    public static var configDef: ConfigDef { TimestampConverterConfig.definition }

    /// The field converted; empty for the whole key/value.
    public let field: String
    /// The representation converted to.
    public let targetType: TargetType
    /// The unit of epoch numbers.
    public let unixPrecision: UnixPrecision
    /// The `format` pattern, if set.
    public var format: String? { dateFormat?.pattern }
    private let dateFormat: SimpleDateFormat?
    let replaceNullWithDefault: Bool
    private let cache = SchemaCache<Schema>()

    /// Configures the transform.
    /// - Throws: ``ConfigError`` if `target.type` is missing or unknown, `unix.precision` is unknown,
    ///   `format` is missing for `target.type=string`, or `format` is not a valid pattern.
    public init(configs: [String: String]) throws(ConfigError) {
        let config = try CommonConfig.parse(TimestampConverterConfig.definition, configs)
        field = try config.string(TimestampConverterConfig.field) ?? ""
        targetType = TargetType(rawValue: try config.requiredString(TimestampConverterConfig.targetType)) ?? .timestamp
        unixPrecision =
            UnixPrecision(rawValue: try config.requiredString(TimestampConverterConfig.unixPrecision)) ?? .milliseconds
        replaceNullWithDefault = try config.bool(CommonConfig.replaceNullWithDefaultName)
        let pattern = try config.string(TimestampConverterConfig.format) ?? ""
        let blank = javaTrim(pattern).isEmpty
        if targetType == .string && blank {
            throw ConfigError(
                name: TimestampConverterConfig.format,
                value: pattern,
                reason: "TimestampConverter requires format option to be specified when using string timestamps"
            )
        }
        if blank {
            dateFormat = nil
        } else {
            do throws(SimpleDateFormat.PatternError) {
                dateFormat = try SimpleDateFormat(pattern)
            } catch {
                throw ConfigError(
                    name: TimestampConverterConfig.format,
                    value: pattern,
                    reason: "TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: "
                        + error.message
                )
            }
        }
    }

    /// The record with the timestamp converted.
    /// - Throws: ``DataError`` if the value is not of the expected type, a string does not match the
    ///   format, or (with a schema) the schema is not a timestamp type.
    @_specialize(where Part == RecordValue, R == SinkRecord)
    @_specialize(where Part == RecordValue, R == SourceRecord)
    @_specialize(where Part == RecordKey, R == SinkRecord)
    @_specialize(where Part == RecordKey, R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) throws(DataError) -> R? {
        let value = Part.value(of: record)
        guard let schema = Part.schema(of: record) else {
            if value.isNull || field.isEmpty {
                return Part.replacing(record, schema: nil, value: try convert(value, from: nil))
            }
            var map = try Requirements.requireMap(value, purpose: TimestampConverterConfig.purpose)
            // Like Kafka, a missing field is added as null.
            map[.string(field)] = try convert(map[.string(field)] ?? .null, from: nil)
            return Part.replacing(record, schema: nil, value: .map(map))
        }
        if field.isEmpty {
            let sourceType = try Self.timestampType(of: schema)
            let converted = try convert(value, from: sourceType)
            return Part.replacing(
                record,
                schema: Self.schema(of: targetType, optional: schema.isOptional),
                value: converted
            )
        }
        let input = try Requirements.requireStructOrNull(value, purpose: TimestampConverterConfig.purpose)
        let updatedSchema = try cache.derived(for: schema) { (schema) throws(DataError) in
            var builder = SchemaBuilder(.struct, basicsOf: schema)
            for schemaField in schema.fields {
                builder.addField(
                    schemaField.name,
                    schemaField.name == field
                        ? Self.schema(of: targetType, optional: schemaField.schema.isOptional) : schemaField.schema
                )
            }
            if schema.isOptional { builder = builder.optional() }
            return try builder.build()
        }
        guard let input else { return Part.replacing(record, schema: updatedSchema, value: .null) }
        var values: [ConnectValue] = []
        values.reserveCapacity(input.schema.fields.count)
        for inputField in input.schema.fields {
            let original = fieldValue(input, inputField, replaceNullWithDefault: replaceNullWithDefault)
            if inputField.name == field {
                values.append(try convert(original, from: Self.timestampType(of: inputField.schema)))
            } else {
                values.append(original)
            }
        }
        return Part.replacing(
            record,
            schema: updatedSchema,
            value: .struct(try Struct(schema: updatedSchema, values: values))
        )
    }

    // MARK: Conversion

    /// The representation a schema describes (Kafka's `timestampTypeFromSchema`).
    static func timestampType(of schema: Schema) throws(DataError) -> TargetType {
        switch schema.name {
        case LogicalType.timestampName: return .timestamp
        case LogicalType.dateName: return .date
        case LogicalType.timeName: return .time
        default: break
        }
        switch schema.kind {
        case .string: return .string
        case .int64: return .unix
        default: throw DataError("Schema \(schema) does not correspond to a known timestamp type format")
        }
    }

    /// The schema of a representation.
    static func schema(of type: TargetType, optional: Bool) -> Schema {
        switch type {
        case .string: optional ? .optionalString : .string
        case .unix: optional ? .optionalInt64 : .int64
        case .date: optional ? TimestampConverterConfig.optionalDate : .date
        case .time: optional ? TimestampConverterConfig.optionalTime : .time
        case .timestamp: optional ? TimestampConverterConfig.optionalTimestamp : .timestamp
        }
    }

    private func convert(_ value: ConnectValue, from sourceType: TargetType?) throws(DataError) -> ConnectValue {
        if value.isNull { return .null }
        let source: TargetType
        if let sourceType { source = sourceType } else { source = try Self.inferType(value) }
        let millis = try toEpochMillis(value, from: source)
        return try fromEpochMillis(millis)
    }

    /// Kafka's `inferTimestampType`: logical values are instants, INT64 epoch numbers, strings formatted.
    private static func inferType(_ value: ConnectValue) throws(DataError) -> TargetType {
        switch value {
        case .date, .time, .timestamp: return .timestamp
        case .int64: return .unix
        case .string: return .string
        default:
            throw DataError(
                "TimestampConverter does not support \(Requirements.javaClass(value)) objects as timestamps"
            )
        }
    }

    private func toEpochMillis(_ value: ConnectValue, from source: TargetType) throws(DataError) -> Int64 {
        switch source {
        case .string:
            guard case .string(let text) = value else {
                throw DataError("Expected string timestamp to be a String, but found \(Requirements.javaClass(value))")
            }
            guard let dateFormat else {
                throw DataError(
                    "TimestampConverter requires format option to be specified when using string timestamps"
                )
            }
            guard let millis = dateFormat.parse(text) else {
                throw DataError(
                    "Could not parse timestamp: value (\(text)) does not match pattern (\(dateFormat.pattern))"
                )
            }
            return millis
        case .unix:
            guard case .int64(let number) = value else {
                throw DataError("Expected Unix timestamp to be a Long, but found \(Requirements.javaClass(value))")
            }
            switch unixPrecision {
            case .seconds: return Self.saturatingMultiply(number, 1000)
            case .milliseconds: return number
            case .microseconds: return number / 1000
            case .nanoseconds: return number / 1_000_000
            }
        case .date, .time, .timestamp:
            guard let millis = Requirements.epochMillis(value) else {
                throw DataError(
                    "Expected \(source.rawValue) to be a java.util.Date, but found \(Requirements.javaClass(value))"
                )
            }
            return millis
        }
    }

    private func fromEpochMillis(_ millis: Int64) throws(DataError) -> ConnectValue {
        switch targetType {
        case .string:
            return .string(dateFormat!.format(epochMillis: millis))
        case .unix:
            switch unixPrecision {
            case .seconds: return .int64(millis / 1000)
            case .milliseconds: return .int64(millis)
            case .microseconds: return .int64(Self.saturatingMultiply(millis, 1000))
            case .nanoseconds: return .int64(Self.saturatingMultiply(millis, 1_000_000))
            }
        case .date:
            guard let days = Int32(exactly: floorDivide(millis, LogicalType.millisPerDay)) else {
                throw DataError("Timestamp \(millis) is out of the range of the Date logical type")
            }
            return .date(days: days)
        case .time:
            return .time(millis: Int32(floorModulo(millis, LogicalType.millisPerDay)))
        case .timestamp:
            return .timestamp(millis: millis)
        }
    }

    /// `TimeUnit` conversions saturate instead of overflowing.
    private static func saturatingMultiply(_ value: Int64, _ factor: Int64) -> Int64 {
        let (product, overflow) = value.multipliedReportingOverflow(by: factor)
        if overflow { return value < 0 ? .min : .max }
        return product
    }
}

enum TimestampConverterConfig {
    static let field = "field"
    static let targetType = "target.type"
    static let format = "format"
    static let unixPrecision = "unix.precision"
    static let purpose = "converting timestamp formats"

    static let optionalDate = try! SchemaBuilder.date().optional().build()
    static let optionalTime = try! SchemaBuilder.time().optional().build()
    static let optionalTimestamp = try! SchemaBuilder.timestamp().optional().build()

    static let definition = ConfigDef([
        ConfigKey(
            field,
            type: .string,
            default: "",
            importance: .high,
            documentation: "The field containing the timestamp, or empty if the entire value is a timestamp"
        ),
        ConfigKey(
            targetType,
            type: .string,
            validator: .validString(in: ["string", "unix", "Date", "Time", "Timestamp"]),
            importance: .high,
            documentation: "The desired timestamp representation: string, unix, Date, Time, or Timestamp"
        ),
        ConfigKey(
            format,
            type: .string,
            default: "",
            importance: .medium,
            documentation: "A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when "
                + "type=string or used to parse the input if the input is a string."
        ),
        ConfigKey(
            unixPrecision,
            type: .string,
            default: "milliseconds",
            validator: .validString(in: ["nanoseconds", "microseconds", "milliseconds", "seconds"]),
            importance: .low,
            documentation: "The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or "
                + "nanoseconds. Used to generate the output when type=unix or used to parse the input if the input "
                + "is a Long.Note: This SMT will cause precision loss during conversions from, and to, values with "
                + "sub-millisecond components."
        ),
        CommonConfig.replaceNullWithDefault,
    ])
}
