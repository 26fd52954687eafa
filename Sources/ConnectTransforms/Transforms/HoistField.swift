import ConnectAPI

/// Wraps the key or value in a struct (with a schema) or map (without) with a single field (Kafka's
/// `org.apache.kafka.connect.transforms.HoistField$Key` / `HoistField$Value`).
///
/// With a schema the new schema is a struct with one field `field` of the original schema (a null
/// value is wrapped too, and must then be allowed by that schema).
public struct HoistField<Part: RecordPart>: Transformation {
    /// The configuration keys: `field` (STRING, required).
    public static var configDef: ConfigDef { HoistFieldConfig.definition }

    /// The name of the single field.
    public let field: String
    private let cache = SchemaCache<Schema>()

    /// Configures the transform.
    /// - Throws: ``ConfigError`` if `field` is missing.
    public init(configs: [String: String]) throws(ConfigError) {
        let config = try CommonConfig.parse(HoistFieldConfig.definition, configs)
        field = try config.requiredString(HoistFieldConfig.field)
    }

    /// The record with the key/value wrapped.
    /// - Throws: ``DataError`` if the wrapped value does not match its schema (e.g. null for a
    ///   required schema) or `field` is empty.
    @_specialize(where Part == RecordValue, R == SinkRecord)
    @_specialize(where Part == RecordValue, R == SourceRecord)
    @_specialize(where Part == RecordKey, R == SinkRecord)
    @_specialize(where Part == RecordKey, R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) throws(DataError) -> R? {
        let value = Part.value(of: record)
        guard let schema = Part.schema(of: record) else {
            var map = ConnectMap(minimumCapacity: 1)
            map[.string(field)] = value
            return Part.replacing(record, schema: nil, value: .map(map))
        }
        let updatedSchema = try cache.derived(for: schema) { (schema) throws(DataError) in
            try SchemaBuilder.struct().field(field, schema).build()
        }
        var wrapped = try Struct(schema: updatedSchema)
        try wrapped.put(updatedSchema.fields[0], value)
        return Part.replacing(record, schema: updatedSchema, value: .struct(wrapped))
    }
}

enum HoistFieldConfig {
    static let field = "field"

    static let definition = ConfigDef([
        ConfigKey(
            field,
            type: .string,
            importance: .medium,
            documentation: "Field name for the single field that will be created in the resulting Struct or Map."
        )
    ])
}
