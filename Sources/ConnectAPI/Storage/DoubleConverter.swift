/// Converts ``ConnectValue/float64(_:)`` values to and from 8 big-endian bytes (IEEE 754 bits), as Kafka's
/// `org.apache.kafka.connect.converters.DoubleConverter` (spec §4.6); also a header converter.
///
/// ``fromConnectData(topic:headers:schema:value:)`` ignores the schema (as Kafka) and requires a
/// ``ConnectValue/float64(_:)`` or ``ConnectValue/null`` value; ``toConnectData(topic:headers:bytes:)``
/// returns ``Schema/optionalFloat64``. `nil` bytes and ``ConnectValue/null`` map to each other. The only
/// setting is `converter.type`.
public final class DoubleConverter: Converter, HeaderConverter {
    /// `converter.type` only.
    public static var configDef: ConfigDef { ConverterConfig.newConfigDef() }

    /// Creates the converter.
    public init() {}

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

    /// The 8 big-endian bytes of the value, or `nil` for ``ConnectValue/null``.
    /// - Throws: ``DataError`` if the value is not ``ConnectValue/float64(_:)``.
    public func fromConnectData(
        topic: String,
        headers: Headers,
        schema: Schema?,
        value: ConnectValue
    ) throws
        -> [UInt8]?
    {
        switch value {
        case .null: return nil
        case .float64(let number): return FixedWidthCoding.bigEndianBytes(number.bitPattern)
        default: throw DataError("Failed to serialize to double (was \(value.caseName))")
        }
    }

    /// ``Schema/optionalFloat64`` and the decoded number (``ConnectValue/null`` for `nil` bytes).
    /// - Throws: ``DataError`` if there are not exactly 8 bytes.
    public func toConnectData(topic: String, headers: Headers, bytes: [UInt8]?) throws -> SchemaAndValue {
        guard let bytes else { return SchemaAndValue(schema: .optionalFloat64, value: .null) }
        return SchemaAndValue(
            schema: .optionalFloat64,
            value: .float64(
                Double(
                    bitPattern: try FixedWidthCoding.integer(
                        UInt64.self,
                        from: bytes,
                        typeName: "double",
                        deserializerName: "Deserializer"
                    )
                )
            )
        )
    }

    /// Same as ``fromConnectData(topic:headers:schema:value:)``.
    public func fromConnectHeader(
        topic: String,
        headerKey: String,
        schema: Schema?,
        value: ConnectValue
    ) throws
        -> [UInt8]?
    {
        try fromConnectData(topic: topic, headers: Headers(), schema: schema, value: value)
    }

    /// Same as ``toConnectData(topic:headers:bytes:)``.
    public func toConnectHeader(topic: String, headerKey: String, bytes: [UInt8]?) throws -> SchemaAndValue {
        try toConnectData(topic: topic, headers: Headers(), bytes: bytes)
    }

    /// Does nothing (no resources).
    public func close() {}
}
