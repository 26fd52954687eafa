/// Kafka Connect's logical types: a well-known schema name on a primitive schema, with an in-memory
/// value that differs from the encoded one.
///
/// | Logical type | Schema name | Encoded as | In memory |
/// |---|---|---|---|
/// | `decimal(scale:)` | `org.apache.kafka.connect.data.Decimal` (+ parameter `scale`) | `BYTES`: unscaled big-endian two's complement | ``ConnectValue/decimal(_:)`` |
/// | `date` | `org.apache.kafka.connect.data.Date` | `INT32`: days since the epoch | ``ConnectValue/date(days:)`` |
/// | `time` | `org.apache.kafka.connect.data.Time` | `INT32`: milliseconds since midnight | ``ConnectValue/time(millis:)`` |
/// | `timestamp` | `org.apache.kafka.connect.data.Timestamp` | `INT64`: milliseconds since the epoch | ``ConnectValue/timestamp(millis:)`` |
///
/// All four have schema version 1. Converters decode the encoded form with ``toLogical(_:)`` (or
/// ``Schema/toLogical(_:)``, which does nothing for non-logical schemas) and encode with
/// ``fromLogical(_:)``.
public enum LogicalType: Sendable, Hashable {
    /// Arbitrary-precision decimal with a fixed scale (Kafka's `Decimal`).
    case decimal(scale: Int32)
    /// A calendar date (Kafka's `Date`).
    case date
    /// A time of day (Kafka's `Time`).
    case time
    /// An instant (Kafka's `Timestamp`).
    case timestamp

    /// `org.apache.kafka.connect.data.Decimal`
    public static let decimalName = "org.apache.kafka.connect.data.Decimal"
    /// `org.apache.kafka.connect.data.Date`
    public static let dateName = "org.apache.kafka.connect.data.Date"
    /// `org.apache.kafka.connect.data.Time`
    public static let timeName = "org.apache.kafka.connect.data.Time"
    /// `org.apache.kafka.connect.data.Timestamp`
    public static let timestampName = "org.apache.kafka.connect.data.Timestamp"
    /// The schema parameter holding a decimal's scale: `scale`.
    public static let scaleParameter = "scale"
    /// Milliseconds in a day: 86 400 000.
    public static let millisPerDay: Int64 = 86_400_000

    /// The schema name identifying this logical type.
    public var name: String {
        switch self {
        case .decimal: Self.decimalName
        case .date: Self.dateName
        case .time: Self.timeName
        case .timestamp: Self.timestampName
        }
    }

    /// The kind of the encoded form: `BYTES`, `INT32`, `INT32`, `INT64`.
    public var underlyingKind: Schema.Kind {
        switch self {
        case .decimal: .bytes
        case .date, .time: .int32
        case .timestamp: .int64
        }
    }

    /// A builder for this logical type's schema (name, version 1 and, for decimals, the `scale`
    /// parameter), to which `optional()`, `defaultValue(_:)`, … can be added.
    public func builder() -> SchemaBuilder {
        var builder = SchemaBuilder(underlyingKind).name(name)
        if case .decimal(let scale) = self { builder = builder.parameter(Self.scaleParameter, String(scale)) }
        return builder.version(1)
    }

    /// The required schema of this logical type.
    public var schema: Schema {
        switch self {
        case .date: Schema.date
        case .time: Schema.time
        case .timestamp: Schema.timestamp
        case .decimal(let scale): Schema.decimal(scale: scale)
        }
    }

    /// Converts an encoded value to the in-memory logical value (Kafka's `Decimal.toLogical`,
    /// `Date.toLogical`, …). ``ConnectValue/null`` and values already in logical form pass through.
    /// - Throws: ``DataError`` if the value is not of the encoded kind, a time is outside
    ///   0…86 400 000 ms, or decimal bytes are empty.
    public func toLogical(_ value: ConnectValue) throws(DataError) -> ConnectValue {
        switch (self, value) {
        case (_, .null): return .null
        case (.decimal(let scale), .bytes(let bytes)):
            guard !bytes.isEmpty else { throw DataError("Invalid Decimal value: zero-length unscaled bytes") }
            return .decimal(ConnectDecimal(unscaledBytes: bytes, scale: scale))
        case (.decimal(let scale), .decimal(let decimal)):
            guard decimal.scale == scale else { throw Self.scaleMismatch(schema: scale, value: decimal.scale) }
            return value
        case (.date, .int32(let days)): return .date(days: days)
        case (.date, .date): return value
        case (.time, .int32(let millis)):
            guard millis >= 0 && Int64(millis) <= Self.millisPerDay else {
                throw DataError(
                    "Time values must use number of milliseconds greater than 0 and less than 86400000"
                )
            }
            return .time(millis: millis)
        case (.time, .time): return value
        case (.timestamp, .int64(let millis)): return .timestamp(millis: millis)
        case (.timestamp, .timestamp): return value
        default:
            throw DataError(
                "Requested conversion of \(familyName) value but the value is \(value.caseName), not \(underlyingKind)"
            )
        }
    }

    /// Converts an in-memory logical value to its encoded form (Kafka's `Decimal.fromLogical`,
    /// `Date.fromLogical`, …). ``ConnectValue/null`` and values already encoded pass through.
    /// - Throws: ``DataError`` if the value is not this logical type, a decimal's scale differs from the
    ///   schema's (`Decimal value has mismatching scale for given Decimal schema. Schema has scale 2,
    ///   value has scale 3.`), or a time is outside 0…86 400 000 ms.
    public func fromLogical(_ value: ConnectValue) throws(DataError) -> ConnectValue {
        switch (self, value) {
        case (_, .null): return .null
        case (.decimal(let scale), .decimal(let decimal)):
            guard decimal.scale == scale else { throw Self.scaleMismatch(schema: scale, value: decimal.scale) }
            return .bytes(decimal.unscaledBytes)
        case (.decimal, .bytes): return value
        case (.date, .date(let days)): return .int32(days)
        case (.date, .int32): return value
        case (.time, .time(let millis)):
            guard millis >= 0 && Int64(millis) <= Self.millisPerDay else {
                throw DataError("Kafka Connect Time type should not have any date fields set to non-zero values.")
            }
            return .int32(millis)
        case (.time, .int32): return value
        case (.timestamp, .timestamp(let millis)): return .int64(millis)
        case (.timestamp, .int64): return value
        default:
            throw DataError("Requested conversion of \(familyName) object but the value is \(value.caseName)")
        }
    }

    private var familyName: String {
        switch self {
        case .decimal: "Decimal"
        case .date: "Date"
        case .time: "Time"
        case .timestamp: "Timestamp"
        }
    }

    private static func scaleMismatch(schema: Int32, value: Int32) -> DataError {
        DataError(
            "Decimal value has mismatching scale for given Decimal schema. Schema has scale \(schema), value has scale \(value)."
        )
    }
}

// MARK: - Recognizing logical schemas

extension LogicalType {
    /// The logical type named by a schema name, regardless of parameters.
    enum Family: Sendable, Hashable {
        case decimal
        case date
        case time
        case timestamp

        init?(name: String) {
            switch name {
            case LogicalType.decimalName: self = .decimal
            case LogicalType.dateName: self = .date
            case LogicalType.timeName: self = .time
            case LogicalType.timestampName: self = .timestamp
            default: return nil
            }
        }
    }

    /// The logical type for a family; `nil` for a decimal whose `scale` parameter is missing or invalid.
    init?(family: Family, parameters: SchemaParameters) {
        switch family {
        case .decimal:
            guard let text = parameters[Self.scaleParameter], let scale = Int32(text) else { return nil }
            self = .decimal(scale: scale)
        case .date: self = .date
        case .time: self = .time
        case .timestamp: self = .timestamp
        }
    }
}

// MARK: - Schemas

extension Schema {
    /// The required `Date` schema (`Date.SCHEMA`): INT32, name `org.apache.kafka.connect.data.Date`,
    /// version 1.
    public static let date = Schema(kind: .int32, name: LogicalType.dateName, version: 1)
    /// The required `Time` schema (`Time.SCHEMA`): INT32, name `org.apache.kafka.connect.data.Time`,
    /// version 1.
    public static let time = Schema(kind: .int32, name: LogicalType.timeName, version: 1)
    /// The required `Timestamp` schema (`Timestamp.SCHEMA`): INT64, name
    /// `org.apache.kafka.connect.data.Timestamp`, version 1.
    public static let timestamp = Schema(kind: .int64, name: LogicalType.timestampName, version: 1)

    /// A required `Decimal` schema (`Decimal.schema(scale)`): BYTES, name
    /// `org.apache.kafka.connect.data.Decimal`, parameter `scale`, version 1.
    public static func decimal(scale: Int32) -> Schema {
        Schema(
            kind: .bytes,
            name: LogicalType.decimalName,
            version: 1,
            parameters: [LogicalType.scaleParameter: String(scale)]
        )
    }

    /// Converts an encoded value to its logical form if this schema is a logical type; returns the
    /// value unchanged otherwise. Converters call this on every decoded value.
    /// - Throws: ``DataError`` as ``LogicalType/toLogical(_:)``, or
    ///   `Invalid Decimal schema: scale parameter not found.` for a decimal schema without a valid scale.
    public func toLogical(_ value: ConnectValue) throws(DataError) -> ConnectValue {
        guard logicalFamily != nil else { return value }
        return try requireLogicalType().toLogical(value)
    }

    /// Converts a logical value to its encoded form if this schema is a logical type; returns the value
    /// unchanged otherwise. Converters call this before encoding every value.
    /// - Throws: ``DataError`` as ``LogicalType/fromLogical(_:)``, or
    ///   `Invalid Decimal schema: scale parameter not found.` for a decimal schema without a valid scale.
    public func fromLogical(_ value: ConnectValue) throws(DataError) -> ConnectValue {
        guard logicalFamily != nil else { return value }
        return try requireLogicalType().fromLogical(value)
    }

    private func requireLogicalType() throws(DataError) -> LogicalType {
        if let logicalType { return logicalType }
        if parameters[LogicalType.scaleParameter] == nil {
            throw DataError("Invalid Decimal schema: scale parameter not found.")
        }
        throw DataError("Invalid scale parameter found in Decimal schema: \(parameters[LogicalType.scaleParameter]!)")
    }
}
