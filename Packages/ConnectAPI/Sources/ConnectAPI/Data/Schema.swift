/// The schema of a Connect value (Kafka's `Schema`/`ConnectSchema`): its kind, whether it is optional,
/// its default value, name, version, documentation and parameters, and — for containers — the schemas
/// of its elements, keys, values or fields.
///
/// Schemas are immutable and compare by content (every attribute, deeply), as in Kafka. They are a
/// `final class` so that sharing one schema between millions of values costs one reference, and so
/// that equality checks between the same instance (the common case when validating a ``Struct``)
/// take the identity fast path. The hash is computed once, when the schema is built.
///
/// Build schemas with ``SchemaBuilder``, or use the predefined ones (``int32``, ``optionalString``, …,
/// the logical ``decimal(scale:)``, ``date``, ``time``, ``timestamp``):
///
/// ```swift
/// let schema = try SchemaBuilder.struct().name("com.example.Order")
///     .field("id", .int64)
///     .field("note", .optionalString)
///     .field("amount", .decimal(scale: 2))
///     .build()
/// ```
public final class Schema: Sendable, Hashable, CustomStringConvertible {
    /// The type of a schema (Kafka's `Schema.Type`; named `Kind` because `Schema.Type` is Swift's
    /// metatype).
    public enum Kind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// 8-bit signed integer; values are ``ConnectValue/int8(_:)``.
        case int8
        /// 16-bit signed integer; values are ``ConnectValue/int16(_:)``.
        case int16
        /// 32-bit signed integer; values are ``ConnectValue/int32(_:)`` (or, for the logical `Date` and
        /// `Time`, ``ConnectValue/date(days:)`` and ``ConnectValue/time(millis:)``).
        case int32
        /// 64-bit signed integer; values are ``ConnectValue/int64(_:)`` (or, for the logical
        /// `Timestamp`, ``ConnectValue/timestamp(millis:)``).
        case int64
        /// IEEE 754 single precision; values are ``ConnectValue/float32(_:)``.
        case float32
        /// IEEE 754 double precision; values are ``ConnectValue/float64(_:)``.
        case float64
        /// Boolean; values are ``ConnectValue/boolean(_:)``.
        case boolean
        /// UTF-8 text; values are ``ConnectValue/string(_:)``.
        case string
        /// Byte sequence; values are ``ConnectValue/bytes(_:)`` (or, for the logical `Decimal`,
        /// ``ConnectValue/decimal(_:)``).
        case bytes
        /// Ordered list of values of ``Schema/valueSchema``; values are ``ConnectValue/array(_:)``.
        case array
        /// Map from ``Schema/keySchema`` to ``Schema/valueSchema``; values are ``ConnectValue/map(_:)``.
        case map
        /// Record with named fields ``Schema/fields``; values are ``ConnectValue/struct(_:)``.
        case `struct`

        /// The lowercase name (`"int32"`, `"float64"`, …), as Kafka's `Schema.Type.getName()`.
        /// (The JSON converter's envelope uses `"float"`/`"double"` for the floating-point kinds.)
        public var name: String { rawValue }

        /// The uppercase name (`"INT32"`), as Kafka's `Schema.Type.toString()` used in messages.
        public var description: String { rawValue.uppercased() }

        /// Whether the kind is primitive: every kind except array, map and struct.
        public var isPrimitive: Bool {
            switch self {
            case .array, .map, .struct: false
            default: true
            }
        }
    }

    /// The kind of value this schema describes.
    public let kind: Kind
    /// Whether `null` (``ConnectValue/null``) is a valid value.
    public let isOptional: Bool
    /// The default value, or ``ConnectValue/null`` when the schema has none (as in Kafka, a `null`
    /// default and no default are the same). It was validated against the schema when built.
    public let defaultValue: ConnectValue
    /// The schema's name: a record name for structs, the logical type's name for logical types.
    public let name: String?
    /// The schema's version.
    public let version: Int?
    /// Human-readable documentation.
    public let doc: String?
    /// Extra parameters, in insertion order (logical types keep theirs here, such as the decimal
    /// `scale`). Empty when the schema has none.
    public let parameters: SchemaParameters
    /// The fields of a struct schema, in order (each field's ``Field/index`` is its position); empty
    /// for every other kind.
    public let fields: [Field]
    /// The key schema of a map schema; `nil` for every other kind.
    public let keySchema: Schema?
    /// The element schema of an array schema or the value schema of a map schema; `nil` otherwise.
    public let valueSchema: Schema?
    /// The logical type, if the schema's ``name`` is one of Kafka's logical type names and, for
    /// `Decimal`, its `scale` parameter is a valid integer.
    public let logicalType: LogicalType?

    /// The logical family implied by the name alone (even when a decimal's scale is invalid); drives
    /// value validation, which Kafka does by name.
    let logicalFamily: LogicalType.Family?
    /// The ``ConnectValue/tag`` of the only non-null case a value of this schema can have without
    /// further checks (a primitive or logical case); `UInt8.max` for containers, which need a deep check.
    let acceptedTag: UInt8
    /// One ``ConnectValue/null`` per field: the initial values of a ``Struct``, shared until first written.
    let unsetFieldValues: [ConnectValue]
    /// Field positions by name for large structs; small ones are searched linearly.
    private let fieldPositions: [String: Int]?
    private let precomputedHash: Int

    /// Structs with up to this many fields look fields up by a linear scan instead of hashing.
    private static let linearLookupLimit = 12

    init(
        kind: Kind,
        isOptional: Bool = false,
        defaultValue: ConnectValue = .null,
        name: String? = nil,
        version: Int? = nil,
        doc: String? = nil,
        parameters: SchemaParameters = SchemaParameters(),
        fields: [Field] = [],
        keySchema: Schema? = nil,
        valueSchema: Schema? = nil
    ) {
        self.kind = kind
        self.isOptional = isOptional
        self.defaultValue = defaultValue
        self.name = name
        self.version = version
        self.doc = doc
        self.parameters = parameters
        self.fields = kind == .struct ? fields : []
        self.keySchema = keySchema
        self.valueSchema = valueSchema
        let family = name.flatMap(LogicalType.Family.init(name:))
        self.logicalFamily = family
        self.logicalType = family.flatMap { LogicalType(family: $0, parameters: parameters) }
        self.acceptedTag = Self.acceptedTag(kind: kind, family: family)
        self.unsetFieldValues = Array(repeating: .null, count: self.fields.count)
        if self.fields.count > Self.linearLookupLimit {
            var positions: [String: Int] = [:]
            positions.reserveCapacity(self.fields.count)
            for field in self.fields { positions[field.name] = field.index }
            self.fieldPositions = positions
        } else {
            self.fieldPositions = nil
        }
        var hasher = Hasher()
        hasher.combine(kind)
        hasher.combine(isOptional)
        hasher.combine(defaultValue)
        hasher.combine(name)
        hasher.combine(version)
        hasher.combine(doc)
        hasher.combine(parameters)
        hasher.combine(self.fields)
        hasher.combine(keySchema)
        hasher.combine(valueSchema)
        self.precomputedHash = hasher.finalize()
    }

    private static func acceptedTag(kind: Kind, family: LogicalType.Family?) -> UInt8 {
        switch family {
        case .decimal: return ConnectValue.decimal(ConnectDecimal(unscaled: 0)).tag
        case .date: return ConnectValue.date(days: 0).tag
        case .time: return ConnectValue.time(millis: 0).tag
        case .timestamp: return ConnectValue.timestamp(millis: 0).tag
        case nil: break
        }
        switch kind {
        case .int8: return ConnectValue.int8(0).tag
        case .int16: return ConnectValue.int16(0).tag
        case .int32: return ConnectValue.int32(0).tag
        case .int64: return ConnectValue.int64(0).tag
        case .float32: return ConnectValue.float32(0).tag
        case .float64: return ConnectValue.float64(0).tag
        case .boolean: return ConnectValue.boolean(false).tag
        case .string: return ConnectValue.string("").tag
        case .bytes: return ConnectValue.bytes([]).tag
        case .array, .map, .struct: return .max
        }
    }

    /// The field with the given name, or `nil` if there is none (or this is not a struct schema).
    public func field(named name: String) -> Field? {
        guard let index = fieldIndex(named: name) else { return nil }
        return fields[index]
    }

    /// The position of the field with the given name, or `nil` if there is none.
    public func fieldIndex(named name: String) -> Int? {
        if let fieldPositions { return fieldPositions[name] }
        for field in fields where field.name == name { return field.index }
        return nil
    }

    /// Schemas are equal when every attribute is equal, deeply (Kafka's `ConnectSchema.equals`).
    public static func == (lhs: Schema, rhs: Schema) -> Bool {
        if lhs === rhs { return true }
        return lhs.precomputedHash == rhs.precomputedHash
            && lhs.kind == rhs.kind
            && lhs.isOptional == rhs.isOptional
            && lhs.version == rhs.version
            && lhs.name == rhs.name
            && lhs.doc == rhs.doc
            && lhs.defaultValue == rhs.defaultValue
            && lhs.fields == rhs.fields
            && lhs.keySchema == rhs.keySchema
            && lhs.valueSchema == rhs.valueSchema
            && lhs.parameters == rhs.parameters
    }

    /// Hashes the schema's content (precomputed when the schema was built).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(precomputedHash)
    }

    /// `Schema{<name>:<KIND>}` or `Schema{<KIND>}`, as Kafka's `ConnectSchema.toString()`.
    public var description: String {
        if let name { return "Schema{\(name):\(kind)}" }
        return "Schema{\(kind)}"
    }
}

// MARK: - Predefined schemas (Kafka's `Schema.INT8_SCHEMA`, …)

extension Schema {
    /// Required 8-bit integer (`Schema.INT8_SCHEMA`).
    public static let int8 = Schema(kind: .int8)
    /// Required 16-bit integer (`Schema.INT16_SCHEMA`).
    public static let int16 = Schema(kind: .int16)
    /// Required 32-bit integer (`Schema.INT32_SCHEMA`).
    public static let int32 = Schema(kind: .int32)
    /// Required 64-bit integer (`Schema.INT64_SCHEMA`).
    public static let int64 = Schema(kind: .int64)
    /// Required single-precision float (`Schema.FLOAT32_SCHEMA`).
    public static let float32 = Schema(kind: .float32)
    /// Required double-precision float (`Schema.FLOAT64_SCHEMA`).
    public static let float64 = Schema(kind: .float64)
    /// Required boolean (`Schema.BOOLEAN_SCHEMA`).
    public static let boolean = Schema(kind: .boolean)
    /// Required string (`Schema.STRING_SCHEMA`).
    public static let string = Schema(kind: .string)
    /// Required bytes (`Schema.BYTES_SCHEMA`).
    public static let bytes = Schema(kind: .bytes)

    /// Optional 8-bit integer (`Schema.OPTIONAL_INT8_SCHEMA`).
    public static let optionalInt8 = Schema(kind: .int8, isOptional: true)
    /// Optional 16-bit integer (`Schema.OPTIONAL_INT16_SCHEMA`).
    public static let optionalInt16 = Schema(kind: .int16, isOptional: true)
    /// Optional 32-bit integer (`Schema.OPTIONAL_INT32_SCHEMA`).
    public static let optionalInt32 = Schema(kind: .int32, isOptional: true)
    /// Optional 64-bit integer (`Schema.OPTIONAL_INT64_SCHEMA`).
    public static let optionalInt64 = Schema(kind: .int64, isOptional: true)
    /// Optional single-precision float (`Schema.OPTIONAL_FLOAT32_SCHEMA`).
    public static let optionalFloat32 = Schema(kind: .float32, isOptional: true)
    /// Optional double-precision float (`Schema.OPTIONAL_FLOAT64_SCHEMA`).
    public static let optionalFloat64 = Schema(kind: .float64, isOptional: true)
    /// Optional boolean (`Schema.OPTIONAL_BOOLEAN_SCHEMA`).
    public static let optionalBoolean = Schema(kind: .boolean, isOptional: true)
    /// Optional string (`Schema.OPTIONAL_STRING_SCHEMA`).
    public static let optionalString = Schema(kind: .string, isOptional: true)
    /// Optional bytes (`Schema.OPTIONAL_BYTES_SCHEMA`).
    public static let optionalBytes = Schema(kind: .bytes, isOptional: true)

    /// The required schema of a primitive kind with no other attributes (`int32` → ``int32``); `nil`
    /// for array, map and struct, which need element or field schemas.
    public static func primitive(_ kind: Kind, optional: Bool = false) -> Schema? {
        switch (kind, optional) {
        case (.int8, false): .int8
        case (.int16, false): .int16
        case (.int32, false): .int32
        case (.int64, false): .int64
        case (.float32, false): .float32
        case (.float64, false): .float64
        case (.boolean, false): .boolean
        case (.string, false): .string
        case (.bytes, false): .bytes
        case (.int8, true): .optionalInt8
        case (.int16, true): .optionalInt16
        case (.int32, true): .optionalInt32
        case (.int64, true): .optionalInt64
        case (.float32, true): .optionalFloat32
        case (.float64, true): .optionalFloat64
        case (.boolean, true): .optionalBoolean
        case (.string, true): .optionalString
        case (.bytes, true): .optionalBytes
        case (.array, _), (.map, _), (.struct, _): nil
        }
    }
}
