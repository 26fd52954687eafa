import ConnectAPI

/// Flattens nested structs (with a schema) or maps (without) into one level, naming each field
/// `parent<delimiter>child` (Kafka's `org.apache.kafka.connect.transforms.Flatten$Key` /
/// `Flatten$Value`).
///
/// Primitives and arrays are copied as they are (arrays are not flattened). A flattened field is
/// optional if it or any ancestor is optional, and takes the ancestor struct's default when it has
/// none of its own. Map fields in a schema are not supported (``DataError``). Null keys/values pass
/// through unchanged (with a schema, the schema is still flattened).
public struct Flatten<Part: RecordPart>: Transformation {
    /// The configuration keys: `delimiter` (default `.`).
    public static var configDef: ConfigDef { FlattenConfig.definition }

    /// The separator between parent and child names.
    public let delimiter: String
    private let cache = SchemaCache<Schema>()

    /// Configures the transform.
    public init(configs: [String: String]) throws(ConfigError) {
        let config = try CommonConfig.parse(FlattenConfig.definition, configs)
        delimiter = try config.string(FlattenConfig.delimiter) ?? "."
    }

    /// The record with its key/value flattened.
    /// - Throws: ``DataError`` if the key/value is not a struct/map, or contains a value the transform
    ///   does not support (a map inside a struct, a struct inside a map).
    @_specialize(where Part == RecordValue, R == SinkRecord)
    @_specialize(where Part == RecordValue, R == SourceRecord)
    @_specialize(where Part == RecordKey, R == SinkRecord)
    @_specialize(where Part == RecordKey, R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) throws(DataError) -> R? {
        let value = Part.value(of: record)
        if value.isNull { return record }
        guard let schema = Part.schema(of: record) else {
            let map = try Requirements.requireMap(value, purpose: FlattenConfig.purpose)
            var flattened = ConnectMap(minimumCapacity: map.count)
            try flattenSchemaless(map, prefix: "", into: &flattened)
            return Part.replacing(record, schema: nil, value: .map(flattened))
        }
        let input = try Requirements.requireStructOrNull(value, purpose: FlattenConfig.purpose)
        let updatedSchema = try cache.derived(for: schema) { (schema) throws(DataError) in
            var builder = SchemaBuilder(.struct, basicsOf: schema)
            try buildSchema(
                schema,
                prefix: "",
                into: &builder,
                optional: schema.isOptional,
                parentDefault: schema.defaultValue.structValue
            )
            return try builder.build()
        }
        guard let input else { return Part.replacing(record, schema: updatedSchema, value: .null) }
        var values: [ConnectValue] = []
        values.reserveCapacity(updatedSchema.fields.count)
        flattenValues(input, into: &values)
        return Part.replacing(
            record,
            schema: updatedSchema,
            value: .struct(try Struct(schema: updatedSchema, values: values))
        )
    }

    private func name(_ prefix: String, _ field: String) -> String {
        prefix.isEmpty ? field : prefix + delimiter + field
    }

    private func flattenSchemaless(_ map: ConnectMap, prefix: String, into result: inout ConnectMap) throws(DataError) {
        for (key, value) in map {
            let fieldName = name(prefix, key.stringValue ?? key.description)
            if value.isNull {
                result[.string(fieldName)] = .null
                continue
            }
            guard let kind = Requirements.schemalessKind(value) else {
                throw DataError(
                    "Flatten transformation was passed a value of type \(Requirements.javaClass(value)) which is not "
                        + "supported by Connect's data API"
                )
            }
            switch kind {
            case .map:
                try flattenSchemaless(value.mapValue!, prefix: fieldName, into: &result)
            case .struct:
                throw DataError(
                    "Flatten transformation does not support \(Requirements.javaClass(value)) for record without "
                        + "schemas (for field \(fieldName))."
                )
            default:
                result[.string(fieldName)] = value
            }
        }
    }

    private func buildSchema(
        _ schema: Schema,
        prefix: String,
        into builder: inout SchemaBuilder,
        optional: Bool,
        parentDefault: Struct?
    ) throws(DataError) {
        for field in schema.fields {
            let fieldName = name(prefix, field.name)
            let fieldIsOptional = optional || field.schema.isOptional
            var fieldDefault = field.schema.defaultValue
            if fieldDefault.isNull, let parentDefault { fieldDefault = parentDefault.get(field) }
            switch field.schema.kind {
            case .struct:
                try buildSchema(
                    field.schema,
                    prefix: fieldName,
                    into: &builder,
                    optional: fieldIsOptional,
                    parentDefault: fieldDefault.structValue
                )
            case .map:
                throw DataError(
                    "Flatten transformation does not support \(field.schema.kind) for record with schemas (for field "
                        + "\(fieldName))."
                )
            default:
                var fieldBuilder = copySchemaBasics(field.schema)
                if fieldIsOptional { fieldBuilder = fieldBuilder.optional() }
                if !fieldDefault.isNull { fieldBuilder = fieldBuilder.defaultValue(fieldDefault) }
                builder.addField(fieldName, try fieldBuilder.build())
            }
        }
    }

    /// Appends the leaf values in schema order; a null nested struct contributes nulls for its leaves.
    private func flattenValues(_ value: Struct, into values: inout [ConnectValue]) {
        for field in value.schema.fields {
            if field.schema.kind == .struct {
                if let nested = value.get(field).structValue {
                    flattenValues(nested, into: &values)
                } else {
                    values.append(contentsOf: repeatElement(.null, count: Self.leafCount(field.schema)))
                }
            } else {
                values.append(value.get(field))
            }
        }
    }

    private static func leafCount(_ schema: Schema) -> Int {
        schema.fields.reduce(0) { $0 + ($1.schema.kind == .struct ? leafCount($1.schema) : 1) }
    }
}

enum FlattenConfig {
    static let delimiter = "delimiter"
    static let purpose = "flattening"

    static let definition = ConfigDef([
        ConfigKey(
            delimiter,
            type: .string,
            default: ".",
            importance: .medium,
            documentation: "Delimiter to insert between field names from the input record when generating field "
                + "names for the output record"
        )
    ])
}

/// A builder with the kind (and array element schema), name, version, doc and parameters of
/// `schema` (Kafka's one-argument `SchemaUtil.copySchemaBasics`).
func copySchemaBasics(_ schema: Schema) -> SchemaBuilder {
    var builder: SchemaBuilder
    if schema.kind == .array, let element = schema.valueSchema {
        builder = SchemaBuilder.array(element)
    } else if schema.kind == .map, let key = schema.keySchema, let value = schema.valueSchema {
        builder = SchemaBuilder.map(key, value)
    } else {
        builder = SchemaBuilder(schema.kind)
    }
    if let name = schema.name { builder = builder.name(name) }
    if let version = schema.version { builder = builder.version(version) }
    if let doc = schema.doc { builder = builder.doc(doc) }
    if !schema.parameters.isEmpty { builder = builder.parameters(schema.parameters) }
    return builder
}
