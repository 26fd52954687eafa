/// Converts between Connect header values and the bytes of a Kafka record header (Kafka's
/// `org.apache.kafka.connect.storage.HeaderConverter`, spec §4.3, §4.7).
///
/// The runtime creates one header converter per task with ``init()`` and calls
/// ``configure(configs:)`` with the `header.converter.` settings (prefix removed) plus
/// `converter.type=header`, then converts each header separately. The default is
/// ``SimpleHeaderConverter``; ``StringConverter``, ``ByteArrayConverter``, the number converters and
/// the JSON converter are header converters too.
public protocol HeaderConverter: AnyObject, Sendable {
    /// Creates an unconfigured header converter.
    init()

    /// The header converter's configuration keys (Kafka's `config()`).
    static var configDef: ConfigDef { get }

    /// Configures the header converter (Kafka's `configure(Map)`).
    /// - Throws: ``ConfigError`` for an invalid setting.
    func configure(configs: [String: String]) throws

    /// Deserializes one header value.
    /// - Parameters:
    ///   - topic: The topic the record was read from.
    ///   - headerKey: The header's key.
    ///   - bytes: The header's value, or `nil` for a Kafka `null`.
    /// - Returns: The schema (or `nil`) and value.
    /// - Throws: ``DataError`` if the bytes cannot be converted.
    func toConnectHeader(topic: String, headerKey: String, bytes: [UInt8]?) throws -> SchemaAndValue

    /// Serializes one header value.
    /// - Parameters:
    ///   - topic: The topic the record is written to.
    ///   - headerKey: The header's key.
    ///   - schema: The value's schema, or `nil` for schemaless values.
    ///   - value: The value.
    /// - Returns: The bytes, or `nil` for a Kafka `null`.
    /// - Throws: ``DataError`` if the value cannot be converted.
    func fromConnectHeader(topic: String, headerKey: String, schema: Schema?, value: ConnectValue) throws -> [UInt8]?

    /// Releases resources when the task stops. The default does nothing.
    func close()
}

extension HeaderConverter {
    /// Does nothing.
    public func close() {}
}

/// A converter that converts header values exactly as it converts record keys and values, as
/// Kafka's String, ByteArray, number, Boolean and JSON converters do.
///
/// Conforming types get ``HeaderConverter/toConnectHeader(topic:headerKey:bytes:)`` and
/// ``HeaderConverter/fromConnectHeader(topic:headerKey:schema:value:)`` from their
/// ``Converter`` methods (called with empty record headers).
public protocol ValueHeaderConverter: Converter, HeaderConverter {}

extension ValueHeaderConverter {
    /// Same as ``Converter/fromConnectData(topic:headers:schema:value:)``.
    public func fromConnectHeader(
        topic: String,
        headerKey: String,
        schema: Schema?,
        value: ConnectValue
    ) throws -> [UInt8]? {
        try fromConnectData(topic: topic, headers: Headers(), schema: schema, value: value)
    }

    /// Same as ``Converter/toConnectData(topic:headers:bytes:)``.
    public func toConnectHeader(topic: String, headerKey: String, bytes: [UInt8]?) throws -> SchemaAndValue {
        try toConnectData(topic: topic, headers: Headers(), bytes: bytes)
    }
}
