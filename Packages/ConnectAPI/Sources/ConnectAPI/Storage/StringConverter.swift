/// Converts values to and from text (Kafka's `org.apache.kafka.connect.storage.StringConverter`, spec
/// §4.5); also a header converter.
///
/// - ``fromConnectData(topic:headers:schema:value:)``: ``ConnectValue/null`` → `nil`; otherwise the
///   value's Java `toString()` rendering (``ConnectValue/description``: strings verbatim, numbers as
///   Java prints them, structs as `Struct{a=1,b=x}`), encoded with the configured character set. The
///   schema is ignored.
/// - ``toConnectData(topic:headers:bytes:)``: ``Schema/optionalString`` and the decoded text, or
///   `null` for `nil` bytes.
///
/// Settings: `converter.encoding` (default `UTF-8`; UTF-8, ISO-8859-1, US-ASCII and UTF-16/BE/LE with
/// their Java aliases), and, as Kafka's string serializers, `key.serializer.encoding` /
/// `value.serializer.encoding` and `key.deserializer.encoding` / `value.deserializer.encoding`, which
/// take precedence for their direction. Characters the encoding cannot represent are written as `?`;
/// malformed input decodes to U+FFFD.
///
/// Configure before sharing the instance across tasks (the settings are not synchronized).
public final class StringConverter: ValueHeaderConverter, @unchecked Sendable {
    /// `converter.encoding`: the Java character set name used to encode and decode text.
    /// Default: `UTF-8`.
    public static let encodingConfig = "converter.encoding"

    /// `converter.type`, `converter.encoding`.
    public static var configDef: ConfigDef {
        ConfigDef(
            ConverterConfig.newConfigDef().configKeys + [
                ConfigKey(
                    encodingConfig,
                    type: .string,
                    default: "UTF-8",
                    importance: .high,
                    documentation: "The name of the Java character set to use for encoding strings as byte arrays.",
                    width: .medium,
                    displayName: "Encoding"
                )
            ]
        )
    }

    private var serializerEncoding: StringEncoding = .utf8
    private var deserializerEncoding: StringEncoding = .utf8

    /// A converter using UTF-8 until configured.
    public init() {}

    /// Configures a key or value converter.
    /// - Throws: ``ConfigError`` for an unsupported encoding.
    public func configure(configs: [String: String], isKey: Bool) throws {
        try apply(ConverterConfig.parse(configs, definition: Self.configDef, isKey: isKey), configs: configs)
    }

    /// Configures a header converter (or a key/value converter if `converter.type` says so).
    /// - Throws: ``ConfigError`` for an unsupported encoding.
    public func configure(configs: [String: String]) throws {
        try apply(ConverterConfig.parse(configs, definition: Self.configDef, isKey: nil), configs: configs)
    }

    private func apply(_ config: ParsedConfig, configs: [String: String]) throws(ConfigError) {
        let encodingName = try config.string(Self.encodingConfig) ?? "UTF-8"
        let isKey = ConverterConfig.type(of: config) == .key
        // Kafka's StringSerializer/StringDeserializer prefer the key./value.-prefixed legacy settings over
        // the `serializer.encoding` that StringConverter passes them.
        let serializerName = configs[isKey ? "key.serializer.encoding" : "value.serializer.encoding"] ?? encodingName
        let deserializerName =
            configs[isKey ? "key.deserializer.encoding" : "value.deserializer.encoding"] ?? encodingName
        serializerEncoding = try Self.encoding(named: serializerName)
        deserializerEncoding = try Self.encoding(named: deserializerName)
    }

    private static func encoding(named name: String) throws(ConfigError) -> StringEncoding {
        guard let encoding = StringEncoding(javaName: name) else {
            throw ConfigError(name: encodingConfig, value: name, reason: "Unsupported encoding \(name)")
        }
        return encoding
    }

    /// The value's text in the configured encoding, or `nil` for ``ConnectValue/null``.
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
        case .string(let text): return serializerEncoding.encode(text)
        default: return serializerEncoding.encode(value.description)
        }
    }

    /// ``Schema/optionalString`` and the decoded text (``ConnectValue/null`` for `nil` bytes).
    public func toConnectData(topic: String, headers: Headers, bytes: [UInt8]?) throws -> SchemaAndValue {
        guard let bytes else { return SchemaAndValue(schema: .optionalString, value: .null) }
        return SchemaAndValue(schema: .optionalString, value: .string(deserializerEncoding.decode(bytes)))
    }

    /// Does nothing (no resources).
    public func close() {}
}
