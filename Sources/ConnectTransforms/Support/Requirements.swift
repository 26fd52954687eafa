import ConnectAPI

/// Kafka's `org.apache.kafka.connect.transforms.util.Requirements` and the Java class names its
/// messages print, so that data errors read as Kafka's (`Only Struct objects supported for [cast
/// types], found: java.lang.String`).
enum Requirements {
    /// `DataError("Schema required for [<purpose>]")` when there is no schema.
    static func requireSchema(_ schema: Schema?, purpose: String) throws(DataError) -> Schema {
        guard let schema else { throw DataError("Schema required for [\(purpose)]") }
        return schema
    }

    /// The value as a map, or `Only Map objects supported in absence of schema for [<purpose>], found: <class>`.
    static func requireMap(_ value: ConnectValue, purpose: String) throws(DataError) -> ConnectMap {
        guard case .map(let map) = value else {
            throw DataError(
                "Only Map objects supported in absence of schema for [\(purpose)], found: \(javaClassName(value))"
            )
        }
        return map
    }

    /// `nil` for ``ConnectValue/null``, else ``requireMap(_:purpose:)``.
    static func requireMapOrNull(_ value: ConnectValue, purpose: String) throws(DataError) -> ConnectMap? {
        if value.isNull { return nil }
        return try requireMap(value, purpose: purpose)
    }

    /// The value as a struct, or `Only Struct objects supported for [<purpose>], found: <class>`.
    static func requireStruct(_ value: ConnectValue, purpose: String) throws(DataError) -> Struct {
        guard case .struct(let value) = value else {
            throw DataError("Only Struct objects supported for [\(purpose)], found: \(javaClassName(value))")
        }
        return value
    }

    /// `nil` for ``ConnectValue/null``, else ``requireStruct(_:purpose:)``.
    static func requireStructOrNull(_ value: ConnectValue, purpose: String) throws(DataError) -> Struct? {
        if value.isNull { return nil }
        return try requireStruct(value, purpose: purpose)
    }

    /// The record as a sink record, or `Only SinkRecord supported for [<purpose>], found: <class>`.
    static func requireSinkRecord<R: ConnectRecord>(_ record: R, purpose: String) throws(DataError) -> SinkRecord {
        guard let sink = record as? SinkRecord else {
            let name = record is SourceRecord ? "org.apache.kafka.connect.source.SourceRecord" : "\(R.self)"
            throw DataError("Only SinkRecord supported for [\(purpose)], found: \(name)")
        }
        return sink
    }

    /// The Java class Kafka would hold for this value (`java.lang.Integer`, `java.util.HashMap`,
    /// `[B` for bytes, `null` for null), as printed in Kafka's error messages.
    static func javaClassName(_ value: ConnectValue) -> String {
        switch value {
        case .null: "null"
        case .int8: "java.lang.Byte"
        case .int16: "java.lang.Short"
        case .int32: "java.lang.Integer"
        case .int64: "java.lang.Long"
        case .float32: "java.lang.Float"
        case .float64: "java.lang.Double"
        case .boolean: "java.lang.Boolean"
        case .string: "java.lang.String"
        case .bytes: "[B"
        case .array: "java.util.ArrayList"
        case .map: "java.util.HashMap"
        case .struct: "org.apache.kafka.connect.data.Struct"
        case .decimal: "java.math.BigDecimal"
        case .date, .time, .timestamp: "java.util.Date"
        }
    }

    /// `class <java class name>`, as Java's `Class.toString()` (used where Kafka prints
    /// `value.getClass()`).
    static func javaClass(_ value: ConnectValue) -> String {
        "class \(javaClassName(value))"
    }

    /// The schema kind Kafka infers for a schemaless value (`ConnectSchema.schemaType(Class)`); `nil`
    /// for classes Connect's data API does not map (logical values: `BigDecimal`, `java.util.Date`).
    static func schemalessKind(_ value: ConnectValue) -> Schema.Kind? {
        switch value {
        case .decimal, .date, .time, .timestamp, .null: nil
        default: value.kind
        }
    }

    /// Milliseconds since the epoch of a logical date/time value (Java's `java.util.Date.getTime()`).
    static func epochMillis(_ value: ConnectValue) -> Int64? {
        switch value {
        case .date(let days): Int64(days) * LogicalType.millisPerDay
        case .time(let millis): Int64(millis)
        case .timestamp(let millis): millis
        default: nil
        }
    }
}

/// Reads a struct field with or without its schema default (Kafka's `replace.null.with.default`).
@inline(__always)
func fieldValue(_ value: Struct, _ field: Field, replaceNullWithDefault: Bool) -> ConnectValue {
    replaceNullWithDefault ? value.get(field) : value.values[field.index]
}

extension ConnectMap {
    /// The value for a string key (schemaless records use string keys).
    @inline(__always)
    subscript(string key: String) -> ConnectValue? {
        get { self[.string(key)] }
        set { self[.string(key)] = newValue }
    }
}
