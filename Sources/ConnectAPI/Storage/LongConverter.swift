/// Converts ``ConnectValue/int64(_:)`` values to and from 8 big-endian bytes (two's complement), as Kafka's
/// `org.apache.kafka.connect.converters.LongConverter` (spec §4.6); also a header converter.
///
/// ``fromConnectData(topic:headers:schema:value:)`` ignores the schema (as Kafka) and requires a
/// ``ConnectValue/int64(_:)`` or ``ConnectValue/null`` value; ``toConnectData(topic:headers:bytes:)``
/// returns ``Schema/optionalInt64``. `nil` bytes and ``ConnectValue/null`` map to each other. The only
/// setting is `converter.type`.
public final class LongConverter: Converter, HeaderConverter {
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
    /// - Throws: ``DataError`` if the value is not ``ConnectValue/int64(_:)``.
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
        case .int64(let number): return FixedWidthCoding.bigEndianBytes(number)
        default: throw DataError("Failed to serialize to long (was \(value.caseName))")
        }
    }

    /// ``Schema/optionalInt64`` and the decoded number (``ConnectValue/null`` for `nil` bytes).
    /// - Throws: ``DataError`` if there are not exactly 8 bytes.
    public func toConnectData(topic: String, headers: Headers, bytes: [UInt8]?) throws -> SchemaAndValue {
        guard let bytes else { return SchemaAndValue(schema: .optionalInt64, value: .null) }
        return SchemaAndValue(
            schema: .optionalInt64,
            value: .int64(
                try FixedWidthCoding.integer(
                    Int64.self,
                    from: bytes,
                    typeName: "long",
                    deserializerName: "LongDeserializer"
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
