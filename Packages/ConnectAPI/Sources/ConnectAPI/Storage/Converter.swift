/// Converts between Connect data (a ``Schema`` and a ``ConnectValue``) and the bytes of a Kafka record
/// key or value (Kafka's `org.apache.kafka.connect.storage.Converter`, spec §4.3).
///
/// The runtime creates one converter per role (key or value) and task with ``init()``, calls
/// ``configure(configs:isKey:)`` once with the worker's or connector's `key.converter.*` /
/// `value.converter.*` settings (prefix removed), and then converts every record. Configure before
/// sharing an instance: conversions may run concurrently, but not concurrently with `configure`.
///
/// A `nil` byte array is a Kafka `null` (a tombstone key or value). Converters signal bad data with
/// ``DataError`` (the runtime's error tolerance applies) and bad configuration with ``ConfigError``.
///
/// ```swift
/// final class UppercaseStringConverter: Converter {
///     static var configDef: ConfigDef { ConverterConfig.newConfigDef() }
///     init() {}
///     func configure(configs: [String: String], isKey: Bool) throws {}
///     func fromConnectData(topic: String, headers: Headers, schema: Schema?, value: ConnectValue) throws -> [UInt8]? {
///         value.isNull ? nil : Array(value.description.uppercased().utf8)
///     }
///     func toConnectData(topic: String, headers: Headers, bytes: [UInt8]?) throws -> SchemaAndValue {
///         SchemaAndValue(schema: .optionalString, value: bytes.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null)
///     }
/// }
/// ```
public protocol Converter: AnyObject, Sendable {
    /// Creates an unconfigured converter; the runtime calls ``configure(configs:isKey:)`` next.
    init()

    /// The converter's configuration keys (Kafka's `config()`), used to validate prefixed converter
    /// settings in connector configurations.
    static var configDef: ConfigDef { get }

    /// Configures the converter (Kafka's `configure(Map, boolean)`); the runtime passes the
    /// `key.converter.` or `value.converter.` settings with the prefix removed. Implementations that
    /// use ``ConverterConfig`` set `converter.type` from `isKey`.
    /// - Parameters:
    ///   - configs: The converter's settings.
    ///   - isKey: Whether the converter handles record keys (otherwise values).
    /// - Throws: ``ConfigError`` for an invalid setting.
    func configure(configs: [String: String], isKey: Bool) throws

    /// Serializes a value (Kafka's 4-argument `fromConnectData`).
    /// - Parameters:
    ///   - topic: The topic the record is written to.
    ///   - headers: The record's headers; converters may read or ignore them.
    ///   - schema: The value's schema, or `nil` for schemaless data.
    ///   - value: The value; ``ConnectValue/null`` for none.
    /// - Returns: The serialized bytes, or `nil` for a Kafka `null` (tombstone).
    /// - Throws: ``DataError`` if the value cannot be converted.
    func fromConnectData(topic: String, headers: Headers, schema: Schema?, value: ConnectValue) throws -> [UInt8]?

    /// Deserializes a record key or value (Kafka's 3-argument `toConnectData`).
    /// - Parameters:
    ///   - topic: The topic the record was read from.
    ///   - headers: The record's headers; converters may read or ignore them.
    ///   - bytes: The serialized form, or `nil` for a Kafka `null` (tombstone).
    /// - Returns: The schema (or `nil` for schemaless data) and the value.
    /// - Throws: ``DataError`` if the bytes cannot be converted.
    func toConnectData(topic: String, headers: Headers, bytes: [UInt8]?) throws -> SchemaAndValue

    /// Releases resources when the task stops. The default does nothing.
    func close()
}

extension Converter {
    /// Does nothing.
    public func close() {}

    /// Serializes a value without record headers (Kafka's 3-argument `fromConnectData`).
    /// - Returns: The serialized bytes, or `nil` for a Kafka `null`.
    /// - Throws: ``DataError`` if the value cannot be converted.
    public func fromConnectData(topic: String, schema: Schema?, value: ConnectValue) throws -> [UInt8]? {
        try fromConnectData(topic: topic, headers: noHeaders, schema: schema, value: value)
    }

    /// Deserializes bytes without record headers (Kafka's 2-argument `toConnectData`).
    /// - Throws: ``DataError`` if the bytes cannot be converted.
    public func toConnectData(topic: String, bytes: [UInt8]?) throws -> SchemaAndValue {
        try toConnectData(topic: topic, headers: noHeaders, bytes: bytes)
    }
}

/// One shared empty `Headers` for the header-less conveniences (creating one per call showed up in
/// converter benchmarks).
private let noHeaders = Headers()
