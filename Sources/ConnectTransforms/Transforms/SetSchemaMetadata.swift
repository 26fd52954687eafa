import ConnectAPI

/// Sets the name and/or version of the key or value schema (Kafka's
/// `org.apache.kafka.connect.transforms.SetSchemaMetadata$Key` / `SetSchemaMetadata$Value`).
///
/// A struct key/value is rebuilt against the renamed schema. The key/value must have a schema
/// (``DataError`` otherwise), unless both schema and value are null.
public struct SetSchemaMetadata<Part: RecordPart>: Transformation {
    /// The configuration keys: `schema.name`, `schema.version`, `replace.null.with.default`.
    public static var configDef: ConfigDef { SetSchemaMetadataConfig.definition }

    /// The name set, if configured.
    public let schemaName: String?
    /// The version set, if configured.
    public let schemaVersion: Int?
    let replaceNullWithDefault: Bool
    private let cache = SchemaCache<Schema>()

    /// Configures the transform.
    /// - Throws: ``ConfigError`` if neither `schema.name` nor `schema.version` is set, or the version is
    ///   not an integer.
    public init(configs: [String: String]) throws(ConfigError) {
        let config = try CommonConfig.parse(SetSchemaMetadataConfig.definition, configs)
        schemaName = try config.string(SetSchemaMetadataConfig.name)
        schemaVersion = try config.value(SetSchemaMetadataConfig.version).flatMap {
            if case .int(let version) = $0 { return Int(version) }
            return nil
        }
        replaceNullWithDefault = try config.bool(CommonConfig.replaceNullWithDefaultName)
        if schemaName == nil && schemaVersion == nil {
            throw ConfigError("Neither schema name nor version configured: set schema.name and/or schema.version")
        }
    }

    /// The record with the schema renamed (and a struct value rebuilt against it).
    /// - Throws: ``DataError`` if the key/value has no schema.
    @_specialize(where Part == RecordValue, R == SinkRecord)
    @_specialize(where Part == RecordValue, R == SourceRecord)
    @_specialize(where Part == RecordKey, R == SinkRecord)
    @_specialize(where Part == RecordKey, R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) throws(DataError) -> R? {
        let value = Part.value(of: record)
        let schema = Part.schema(of: record)
        if value.isNull && schema == nil { return record }
        let original = try Requirements.requireSchema(schema, purpose: "updating schema metadata")
        let updatedSchema = try cache.derived(for: original) { (schema) throws(DataError) in
            // Every attribute of the schema, with the name and/or version replaced (Kafka builds a new
            // ConnectSchema the same way).
            var builder = SchemaBuilder(schema.kind)
            if schema.kind == .array, let element = schema.valueSchema { builder = SchemaBuilder.array(element) }
            if schema.kind == .map, let key = schema.keySchema, let value = schema.valueSchema {
                builder = SchemaBuilder.map(key, value)
            }
            if let name = schemaName ?? schema.name { builder = builder.name(name) }
            if let version = schemaVersion ?? schema.version { builder = builder.version(version) }
            if let doc = schema.doc { builder = builder.doc(doc) }
            if !schema.parameters.isEmpty { builder = builder.parameters(schema.parameters) }
            for field in schema.fields { builder.addField(field.name, field.schema) }
            if schema.isOptional { builder = builder.optional() }
            if !schema.defaultValue.isNull { builder = builder.defaultValue(schema.defaultValue) }
            return try builder.build()
        }
        guard case .struct(let input) = value else {
            return Part.replacing(record, schema: updatedSchema, value: value)
        }
        var values: [ConnectValue] = []
        values.reserveCapacity(updatedSchema.fields.count)
        for field in updatedSchema.fields {
            guard field.index < input.values.count else { throw DataError("\(field.name) is not a valid field name") }
            values.append(
                replaceNullWithDefault ? input.get(input.schema.fields[field.index]) : input.values[field.index]
            )
        }
        return Part.replacing(
            record,
            schema: updatedSchema,
            value: .struct(try Struct(schema: updatedSchema, values: values))
        )
    }
}

enum SetSchemaMetadataConfig {
    static let name = "schema.name"
    static let version = "schema.version"

    static let definition = ConfigDef([
        ConfigKey(name, type: .string, default: nil, importance: .high, documentation: "Schema name to set."),
        ConfigKey(version, type: .int, default: nil, importance: .high, documentation: "Schema version to set."),
        CommonConfig.replaceNullWithDefault,
    ])
}
