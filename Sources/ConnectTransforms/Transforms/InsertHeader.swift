import ConnectAPI

/// Adds a header with a fixed value to every record (Kafka's
/// `org.apache.kafka.connect.transforms.InsertHeader`).
///
/// The header's schema and value are inferred from `value.literal` as Kafka's `Values.parseString`
/// does: `1` is an INT8, `true` a BOOLEAN, `[1,2]` an ARRAY of INT8, `2024-01-31` a `Date`, anything
/// else a STRING. The header is appended; existing headers with the same key stay.
public struct InsertHeader: Transformation {
    static let headerName = "header"
    static let valueLiteralName = "value.literal"

    /// The configuration keys: `header`, `value.literal` (both STRING, required).
    public static let configDef = ConfigDef([
        ConfigKey(
            headerName,
            type: .string,
            validator: .nonNull,
            importance: .high,
            documentation: "The name of the header."
        ),
        ConfigKey(
            valueLiteralName,
            type: .string,
            validator: .nonNull,
            importance: .high,
            documentation: "The literal value that is to be set as the header value on all records."
        ),
    ])

    /// The header added.
    public let header: Header

    /// Configures the transform.
    /// - Throws: ``ConfigError`` if a key is missing, or the literal infers a value that does not match
    ///   its inferred schema (Kafka would fail every record instead).
    public init(configs: [String: String]) throws(ConfigError) {
        let config = try CommonConfig.parse(Self.configDef, configs)
        let key = try config.requiredString(Self.headerName)
        let literal = try config.requiredString(Self.valueLiteralName)
        let parsed = ValueLiteralParser.parse(literal)
        if let schema = parsed.schema {
            do throws(DataError) {
                try schema.validate(parsed.value)
            } catch {
                throw ConfigError(name: Self.valueLiteralName, value: literal, reason: error.message)
            }
        }
        header = Header(key: key, schema: parsed.schema, value: parsed.value)
    }

    /// The record with the header appended.
    @_specialize(where R == SinkRecord)
    @_specialize(where R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) -> R? {
        var copy = record
        copy.headers.add(header)
        return copy
    }
}
