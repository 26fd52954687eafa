/// Passes raw bytes through (Kafka's `org.apache.kafka.connect.converters.ByteArrayConverter`, spec
/// §4.6); also a header converter.
///
/// ``fromConnectData(topic:headers:schema:value:)`` accepts a `nil` or `BYTES` schema and a
/// ``ConnectValue/bytes(_:)`` or ``ConnectValue/null`` value; ``toConnectData(topic:headers:bytes:)``
/// returns ``Schema/optionalBytes`` and the bytes as they are. The only setting is `converter.type`.
public final class ByteArrayConverter: ValueHeaderConverter {
    /// `converter.type` only.
    public static var configDef: ConfigDef { ConverterConfig.newConfigDef() }

    /// Creates the converter.
    public init() {}

    /// Accepts any settings (as Kafka, nothing is parsed).
    public func configure(configs: [String: String], isKey: Bool) throws {}

    /// Accepts any settings.
    public func configure(configs: [String: String]) throws {}

    /// The bytes of a ``ConnectValue/bytes(_:)`` value; `nil` for ``ConnectValue/null``.
    /// - Throws: ``DataError`` for a schema other than `BYTES` or a value that is not bytes.
    public func fromConnectData(
        topic: String,
        headers: Headers,
        schema: Schema?,
        value: ConnectValue
    ) throws
        -> [UInt8]?
    {
        if let schema, schema.kind != .bytes {
            throw DataError("Invalid schema type for ByteArrayConverter: \(schema.kind)")
        }
        switch value {
        case .null: return nil
        case .bytes(let bytes): return bytes
        default: throw DataError("ByteArrayConverter is not compatible with objects of type \(value.caseName)")
        }
    }

    /// ``Schema/optionalBytes`` and the bytes (``ConnectValue/null`` for `nil`).
    public func toConnectData(topic: String, headers: Headers, bytes: [UInt8]?) throws -> SchemaAndValue {
        SchemaAndValue(schema: .optionalBytes, value: bytes.map(ConnectValue.bytes) ?? .null)
    }

    /// Does nothing (no resources).
    public func close() {}
}
