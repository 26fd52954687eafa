/// The default header converter (Kafka's `org.apache.kafka.connect.storage.SimpleHeaderConverter`, spec
/// §4.7): header values as UTF-8 text in the ``Values`` syntax, with the schema inferred when reading.
///
/// - ``fromConnectHeader(topic:headerKey:schema:value:)``: `nil` for ``ConnectValue/null``; otherwise
///   ``Values/convertToString(schema:value:)`` as UTF-8 (strings verbatim, numbers as Java prints them,
///   bytes as Base64, `[1,2]`, `{"a":1}`, dates as `2024-01-31`).
/// - ``toConnectHeader(topic:headerKey:bytes:)``: ``SchemaAndValue/null`` for `nil`; otherwise
///   ``Values/parseString(_:)`` of the UTF-8 text (`42` → `INT8`, `true` → `BOOLEAN`, `1.5` → `FLOAT32`,
///   `2024-01-31` → `Date`, anything else a `STRING`). Text that cannot be parsed at all is kept as raw
///   bytes with ``Schema/bytes``.
///
/// It has no settings.
public final class SimpleHeaderConverter: HeaderConverter {
    /// No settings.
    public static var configDef: ConfigDef { ConfigDef() }

    /// Creates the converter.
    public init() {}

    /// Ignores the settings (there are none).
    public func configure(configs: [String: String]) throws {}

    /// The inferred schema and value of the header's UTF-8 text.
    public func toConnectHeader(topic: String, headerKey: String, bytes: [UInt8]?) throws -> SchemaAndValue {
        guard let bytes else { return .null }
        do {
            return try Values.parseString(String(decoding: bytes, as: UTF8.self))
        } catch {
            // Kafka logs a warning and keeps the bytes.
            return SchemaAndValue(schema: .bytes, value: .bytes(bytes))
        }
    }

    /// The value's text form in UTF-8, or `nil` for ``ConnectValue/null``.
    public func fromConnectHeader(
        topic: String,
        headerKey: String,
        schema: Schema?,
        value: ConnectValue
    ) throws
        -> [UInt8]?
    {
        guard let text = Values.convertToString(schema: schema, value: value) else { return nil }
        return Array(text.utf8)
    }
}
