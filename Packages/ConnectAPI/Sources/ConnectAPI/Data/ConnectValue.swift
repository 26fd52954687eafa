/// A Connect data value, with or without a schema (Kafka uses `Object` for this).
///
/// One case per schema kind, plus ``null`` and the four logical types. A schema'd value must match its
/// schema (``Schema/validate(_:)``): the case must be the one for the schema's kind, or, for a schema
/// whose name is a logical type, the logical case (``decimal(_:)`` for `Decimal`, ``date(days:)``,
/// ``time(millis:)``, ``timestamp(millis:)``). Schemaless data (Kafka's convention, spec §4.8) uses
/// ``map(_:)`` with string keys, ``array(_:)``, ``string(_:)``, ``int64(_:)``, ``float64(_:)``,
/// ``boolean(_:)`` and ``bytes(_:)``.
///
/// Values compare by content: bytes byte-by-byte, arrays element-wise, maps as unordered sets of
/// entries (like Java's `Map.equals`; iteration order is still insertion order), structs by schema and
/// field values. Floating-point values compare like Java's `Float.equals`/`Double.equals`, so that
/// equality is reflexive and hashing is consistent: every NaN equals every NaN, and `0.0` and `-0.0`
/// differ.
public enum ConnectValue: Sendable {
    /// No value (Java `null`). Valid only for optional schemas (or schemaless data).
    case null
    /// An `INT8` value.
    case int8(Int8)
    /// An `INT16` value.
    case int16(Int16)
    /// An `INT32` value.
    case int32(Int32)
    /// An `INT64` value.
    case int64(Int64)
    /// A `FLOAT32` value.
    case float32(Float)
    /// A `FLOAT64` value.
    case float64(Double)
    /// A `BOOLEAN` value.
    case boolean(Bool)
    /// A `STRING` value.
    case string(String)
    /// A `BYTES` value.
    case bytes([UInt8])
    /// An `ARRAY` value.
    case array([ConnectValue])
    /// A `MAP` value; keeps insertion order.
    case map(ConnectMap)
    /// A `STRUCT` value.
    case `struct`(Struct)
    /// A `Decimal` logical value (schema kind `BYTES`, name `org.apache.kafka.connect.data.Decimal`):
    /// an arbitrary-precision unscaled integer and a scale.
    case decimal(ConnectDecimal)
    /// A `Date` logical value (schema kind `INT32`): days since the Unix epoch.
    case date(days: Int32)
    /// A `Time` logical value (schema kind `INT32`): milliseconds since midnight, 0…86 400 000.
    case time(millis: Int32)
    /// A `Timestamp` logical value (schema kind `INT64`): milliseconds since the Unix epoch.
    case timestamp(millis: Int64)
}

// MARK: - Inspection

extension ConnectValue {
    /// Whether this is ``null``.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The schema kind this value belongs to, as Kafka infers it for schemaless data
    /// (`ConnectSchema.schemaType`); logical values report their underlying kind. `nil` for ``null``.
    public var kind: Schema.Kind? {
        switch self {
        case .null: nil
        case .int8: .int8
        case .int16: .int16
        case .int32, .date, .time: .int32
        case .int64, .timestamp: .int64
        case .float32: .float32
        case .float64: .float64
        case .boolean: .boolean
        case .string: .string
        case .bytes, .decimal: .bytes
        case .array: .array
        case .map: .map
        case .struct: .struct
        }
    }

    /// A number identifying the case, for cheap comparisons in validation (payloads are not touched).
    @inline(__always)
    var tag: UInt8 {
        switch self {
        case .null: 0
        case .int8: 1
        case .int16: 2
        case .int32: 3
        case .int64: 4
        case .float32: 5
        case .float64: 6
        case .boolean: 7
        case .string: 8
        case .bytes: 9
        case .array: 10
        case .map: 11
        case .struct: 12
        case .decimal: 13
        case .date: 14
        case .time: 15
        case .timestamp: 16
        }
    }

    /// A short name of the case, used in error messages (`"int32"`, `"null"`, `"decimal"`).
    public var caseName: String {
        switch self {
        case .null: "null"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .float32: "float32"
        case .float64: "float64"
        case .boolean: "boolean"
        case .string: "string"
        case .bytes: "bytes"
        case .array: "array"
        case .map: "map"
        case .struct: "struct"
        case .decimal: "decimal"
        case .date: "date"
        case .time: "time"
        case .timestamp: "timestamp"
        }
    }

    /// The payload of ``int8(_:)``, else `nil`.
    public var int8Value: Int8? {
        if case .int8(let value) = self { return value }
        return nil
    }

    /// The payload of ``int16(_:)``, else `nil`.
    public var int16Value: Int16? {
        if case .int16(let value) = self { return value }
        return nil
    }

    /// The payload of ``int32(_:)``, else `nil`.
    public var int32Value: Int32? {
        if case .int32(let value) = self { return value }
        return nil
    }

    /// The payload of ``int64(_:)``, else `nil`.
    public var int64Value: Int64? {
        if case .int64(let value) = self { return value }
        return nil
    }

    /// The payload of ``float32(_:)``, else `nil`.
    public var float32Value: Float? {
        if case .float32(let value) = self { return value }
        return nil
    }

    /// The payload of ``float64(_:)``, else `nil`.
    public var float64Value: Double? {
        if case .float64(let value) = self { return value }
        return nil
    }

    /// The payload of ``boolean(_:)``, else `nil`.
    public var booleanValue: Bool? {
        if case .boolean(let value) = self { return value }
        return nil
    }

    /// The payload of ``string(_:)``, else `nil`.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The payload of ``bytes(_:)``, else `nil`.
    public var bytesValue: [UInt8]? {
        if case .bytes(let value) = self { return value }
        return nil
    }

    /// The payload of ``array(_:)``, else `nil`.
    public var arrayValue: [ConnectValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The payload of ``map(_:)``, else `nil`.
    public var mapValue: ConnectMap? {
        if case .map(let value) = self { return value }
        return nil
    }

    /// The payload of ``struct(_:)``, else `nil`.
    public var structValue: Struct? {
        if case .struct(let value) = self { return value }
        return nil
    }

    /// The payload of ``decimal(_:)``, else `nil`.
    public var decimalValue: ConnectDecimal? {
        if case .decimal(let value) = self { return value }
        return nil
    }

    /// Any integer payload (int8…int64) widened to `Int64`, else `nil`. Logical values are not
    /// integers here.
    public var integerValue: Int64? {
        switch self {
        case .int8(let value): Int64(value)
        case .int16(let value): Int64(value)
        case .int32(let value): Int64(value)
        case .int64(let value): value
        default: nil
        }
    }
}

// MARK: - Literals

extension ConnectValue: ExpressibleByNilLiteral, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// `nil` is ``null``.
    public init(nilLiteral: ()) {
        self = .null
    }

    /// A string literal is ``string(_:)``.
    public init(stringLiteral value: String) {
        self = .string(value)
    }

    /// A boolean literal is ``boolean(_:)``.
    public init(booleanLiteral value: Bool) {
        self = .boolean(value)
    }

    /// An array literal is ``array(_:)``.
    public init(arrayLiteral elements: ConnectValue...) {
        self = .array(elements)
    }

    /// A dictionary literal is ``map(_:)``, in the literal's order. (There are deliberately no integer
    /// or float literals: whether `1` is an int8, int32 or int64 depends on the schema.)
    public init(dictionaryLiteral elements: (ConnectValue, ConnectValue)...) {
        self = .map(ConnectMap(elements))
    }
}

// MARK: - Equality

extension ConnectValue: Hashable {
    /// Content equality; see the type's documentation for floating-point and map semantics.
    public static func == (lhs: ConnectValue, rhs: ConnectValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.int8(let a), .int8(let b)): a == b
        case (.int16(let a), .int16(let b)): a == b
        case (.int32(let a), .int32(let b)): a == b
        case (.int64(let a), .int64(let b)): a == b
        case (.float32(let a), .float32(let b)): a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
        case (.float64(let a), .float64(let b)): a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
        case (.boolean(let a), .boolean(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.bytes(let a), .bytes(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.map(let a), .map(let b)): a == b
        case (.struct(let a), .struct(let b)): a == b
        case (.decimal(let a), .decimal(let b)): a == b
        case (.date(let a), .date(let b)): a == b
        case (.time(let a), .time(let b)): a == b
        case (.timestamp(let a), .timestamp(let b)): a == b
        default: false
        }
    }

    /// Hashes the case and its content, consistently with ``==(_:_:)``.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0 as UInt8)
        case .int8(let value):
            hasher.combine(1 as UInt8)
            hasher.combine(value)
        case .int16(let value):
            hasher.combine(2 as UInt8)
            hasher.combine(value)
        case .int32(let value):
            hasher.combine(3 as UInt8)
            hasher.combine(value)
        case .int64(let value):
            hasher.combine(4 as UInt8)
            hasher.combine(value)
        case .float32(let value):
            hasher.combine(5 as UInt8)
            hasher.combine(value.isNaN ? Float.nan.bitPattern : value.bitPattern)
        case .float64(let value):
            hasher.combine(6 as UInt8)
            hasher.combine(value.isNaN ? Double.nan.bitPattern : value.bitPattern)
        case .boolean(let value):
            hasher.combine(7 as UInt8)
            hasher.combine(value)
        case .string(let value):
            hasher.combine(8 as UInt8)
            hasher.combine(value)
        case .bytes(let value):
            hasher.combine(9 as UInt8)
            hasher.combine(value)
        case .array(let value):
            hasher.combine(10 as UInt8)
            hasher.combine(value)
        case .map(let value):
            hasher.combine(11 as UInt8)
            hasher.combine(value)
        case .struct(let value):
            hasher.combine(12 as UInt8)
            hasher.combine(value)
        case .decimal(let value):
            hasher.combine(13 as UInt8)
            hasher.combine(value)
        case .date(let value):
            hasher.combine(14 as UInt8)
            hasher.combine(value)
        case .time(let value):
            hasher.combine(15 as UInt8)
            hasher.combine(value)
        case .timestamp(let value):
            hasher.combine(16 as UInt8)
            hasher.combine(value)
        }
    }
}

// MARK: - Description

extension ConnectValue: CustomStringConvertible {
    /// Renders the value like Java's `toString()` of the corresponding Kafka object where that is
    /// meaningful: numbers as Java prints them (`1.0`, `1.0E10`, `NaN`), strings verbatim, arrays as
    /// `[a, b]`, maps as `{k=v, k2=v2}`, structs as `Struct{a=1,b=x}`, decimals as
    /// `BigDecimal.toString()`. Where Java's rendering is an identity hash or time-zone dependent, a
    /// stable form is used instead: bytes as `[1, 2, 255]` (unsigned), dates as `2024-01-31`, times as
    /// `13:45:00.123`, timestamps as `2024-01-31T13:45:00.123Z` (UTC), null as `null`.
    public var description: String {
        switch self {
        case .null: "null"
        case .int8(let value): String(value)
        case .int16(let value): String(value)
        case .int32(let value): String(value)
        case .int64(let value): String(value)
        case .float32(let value): JavaFormat.float(value)
        case .float64(let value): JavaFormat.double(value)
        case .boolean(let value): value ? "true" : "false"
        case .string(let value): value
        case .bytes(let value): "[" + value.map { String($0) }.joined(separator: ", ") + "]"
        case .array(let value): "[" + value.map(\.description).joined(separator: ", ") + "]"
        case .map(let value): value.description
        case .struct(let value): value.description
        case .decimal(let value): value.description
        case .date(let days): CivilTime.dateString(days: Int64(days))
        case .time(let millis): CivilTime.timeString(millisOfDay: Int64(millis))
        case .timestamp(let millis): CivilTime.timestampString(millis: millis)
        }
    }
}
