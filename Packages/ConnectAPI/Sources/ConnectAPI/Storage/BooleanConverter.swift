/// Converts ``ConnectValue/boolean(_:)`` values to and from one byte (`0x01` true, `0x00` false), as
/// Kafka's `org.apache.kafka.connect.converters.BooleanConverter` (spec §4.6); also a header converter.
///
/// ``fromConnectData(topic:headers:schema:value:)`` accepts a `nil` or `BOOLEAN` schema;
/// ``toConnectData(topic:headers:bytes:)`` returns ``Schema/optionalBoolean``. `nil` bytes and
/// ``ConnectValue/null`` map to each other. The only setting is `converter.type`.
public final class BooleanConverter: ValueHeaderConverter {
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

    /// `[0x01]` or `[0x00]`, or `nil` for ``ConnectValue/null``.
    /// - Throws: ``DataError`` for a schema other than `BOOLEAN` or a value that is not a boolean.
    public func fromConnectData(
        topic: String,
        headers: Headers,
        schema: Schema?,
        value: ConnectValue
    ) throws
        -> [UInt8]?
    {
        if let schema, schema.kind != .boolean {
            throw DataError("Invalid schema type for BooleanConverter: \(schema.kind)")
        }
        switch value {
        case .null: return nil
        case .boolean(let flag): return [flag ? 1 : 0]
        default: throw DataError("BooleanConverter is not compatible with objects of type \(value.caseName)")
        }
    }

    /// ``Schema/optionalBoolean`` and the decoded flag (``ConnectValue/null`` for `nil` bytes).
    /// - Throws: ``DataError`` unless the bytes are exactly `[0x00]` or `[0x01]`.
    public func toConnectData(topic: String, headers: Headers, bytes: [UInt8]?) throws -> SchemaAndValue {
        guard let bytes else { return SchemaAndValue(schema: .optionalBoolean, value: .null) }
        guard bytes.count == 1 else {
            throw DataError("Failed to deserialize boolean: Size of data received by BooleanDeserializer is not 1")
        }
        switch bytes[0] {
        case 1: return SchemaAndValue(schema: .optionalBoolean, value: .boolean(true))
        case 0: return SchemaAndValue(schema: .optionalBoolean, value: .boolean(false))
        default:
            throw DataError(
                "Failed to deserialize boolean: Unexpected byte received by BooleanDeserializer: \(Int8(bitPattern: bytes[0]))"
            )
        }
    }

    /// Does nothing (no resources).
    public func close() {}
}
