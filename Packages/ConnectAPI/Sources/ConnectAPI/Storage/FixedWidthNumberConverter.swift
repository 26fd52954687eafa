/// A converter between one fixed-width number kind and its big-endian bytes, as Kafka's
/// `ShortConverter`, `IntegerConverter`, `LongConverter`, `FloatConverter` and `DoubleConverter`
/// (spec §4.6); also a header converter.
///
/// ``Converter/fromConnectData(topic:headers:schema:value:)`` ignores the schema (as Kafka) and
/// requires the converter's value kind or ``ConnectValue/null``; ``Converter/toConnectData(topic:headers:bytes:)``
/// returns the kind's optional schema. `nil` bytes and ``ConnectValue/null`` map to each other. The
/// only setting is `converter.type`. Conforming types supply only what differs between the kinds.
public protocol FixedWidthNumberConverter: ValueHeaderConverter {
    /// The integer the value travels as (its bit pattern for floating point).
    associatedtype Bits: FixedWidthInteger
    /// The optional schema of decoded values.
    static var valueSchema: Schema { get }
    /// Kafka's word for the type in error messages ("integer", "double").
    static var typeName: String { get }
    /// The deserializer Kafka names in its size error ("IntegerDeserializer", or "Deserializer").
    static var deserializerName: String { get }
    /// The bits of a value of this converter's kind, or nil for any other value.
    static func bits(of value: ConnectValue) -> Bits?
    /// The value for decoded bits.
    static func value(of bits: Bits) -> ConnectValue
}

extension FixedWidthNumberConverter {
    /// `converter.type` only.
    public static var configDef: ConfigDef { ConverterConfig.newConfigDef() }

    /// Checks `converter.type`.
    /// - Throws: ``ConfigError`` for an invalid `converter.type`.
    public func configure(configs: [String: String], isKey: Bool) throws {
        try FixedWidthCoding.configure(configs, definition: Self.configDef, isKey: isKey)
    }

    /// Checks `converter.type` (a missing type means `header`).
    /// - Throws: ``ConfigError`` for an invalid `converter.type`.
    public func configure(configs: [String: String]) throws {
        try FixedWidthCoding.configure(configs, definition: Self.configDef, isKey: nil)
    }

    /// The big-endian bytes of the value, or `nil` for ``ConnectValue/null``.
    /// - Throws: ``DataError`` if the value is of another kind.
    public func fromConnectData(
        topic: String,
        headers: Headers,
        schema: Schema?,
        value: ConnectValue
    ) throws -> [UInt8]? {
        if case .null = value { return nil }
        guard let bits = Self.bits(of: value) else {
            throw DataError("Failed to serialize to \(Self.typeName) (was \(value.caseName))")
        }
        return FixedWidthCoding.bigEndianBytes(bits)
    }

    /// The optional schema and the decoded number (``ConnectValue/null`` for `nil` bytes).
    /// - Throws: ``DataError`` if there are not exactly as many bytes as the type has.
    public func toConnectData(topic: String, headers: Headers, bytes: [UInt8]?) throws -> SchemaAndValue {
        guard let bytes else { return SchemaAndValue(schema: Self.valueSchema, value: .null) }
        let bits = try FixedWidthCoding.integer(
            Bits.self,
            from: bytes,
            typeName: Self.typeName,
            deserializerName: Self.deserializerName
        )
        return SchemaAndValue(schema: Self.valueSchema, value: Self.value(of: bits))
    }

    /// Does nothing (no resources).
    public func close() {}
}

/// `org.apache.kafka.connect.converters.ShortConverter`: ``ConnectValue/int16(_:)`` as 2 bytes.
public final class ShortConverter: FixedWidthNumberConverter {
    public static let valueSchema = Schema.optionalInt16
    public static let typeName = "short"
    public static let deserializerName = "ShortDeserializer"
    public init() {}
    public static func bits(of value: ConnectValue) -> Int16? {
        if case .int16(let number) = value { return number }
        return nil
    }
    public static func value(of bits: Int16) -> ConnectValue { .int16(bits) }
}

/// `org.apache.kafka.connect.converters.IntegerConverter`: ``ConnectValue/int32(_:)`` as 4 bytes.
public final class IntegerConverter: FixedWidthNumberConverter {
    public static let valueSchema = Schema.optionalInt32
    public static let typeName = "integer"
    public static let deserializerName = "IntegerDeserializer"
    public init() {}
    public static func bits(of value: ConnectValue) -> Int32? {
        if case .int32(let number) = value { return number }
        return nil
    }
    public static func value(of bits: Int32) -> ConnectValue { .int32(bits) }
}

/// `org.apache.kafka.connect.converters.LongConverter`: ``ConnectValue/int64(_:)`` as 8 bytes.
public final class LongConverter: FixedWidthNumberConverter {
    public static let valueSchema = Schema.optionalInt64
    public static let typeName = "long"
    public static let deserializerName = "LongDeserializer"
    public init() {}
    public static func bits(of value: ConnectValue) -> Int64? {
        if case .int64(let number) = value { return number }
        return nil
    }
    public static func value(of bits: Int64) -> ConnectValue { .int64(bits) }
}

/// `org.apache.kafka.connect.converters.FloatConverter`: ``ConnectValue/float32(_:)`` as its 4-byte
/// IEEE 754 bits (Kafka's size error names a plain `Deserializer`).
public final class FloatConverter: FixedWidthNumberConverter {
    public static let valueSchema = Schema.optionalFloat32
    public static let typeName = "float"
    public static let deserializerName = "Deserializer"
    public init() {}
    public static func bits(of value: ConnectValue) -> UInt32? {
        if case .float32(let number) = value { return number.bitPattern }
        return nil
    }
    public static func value(of bits: UInt32) -> ConnectValue { .float32(Float(bitPattern: bits)) }
}

/// `org.apache.kafka.connect.converters.DoubleConverter`: ``ConnectValue/float64(_:)`` as its
/// 8-byte IEEE 754 bits (Kafka's size error names a plain `Deserializer`).
public final class DoubleConverter: FixedWidthNumberConverter {
    public static let valueSchema = Schema.optionalFloat64
    public static let typeName = "double"
    public static let deserializerName = "Deserializer"
    public init() {}
    public static func bits(of value: ConnectValue) -> UInt64? {
        if case .float64(let number) = value { return number.bitPattern }
        return nil
    }
    public static func value(of bits: UInt64) -> ConnectValue { .float64(Double(bitPattern: bits)) }
}
