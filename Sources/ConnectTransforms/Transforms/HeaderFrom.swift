import ConnectAPI

/// Copies or moves fields of the key or value into headers (Kafka's
/// `org.apache.kafka.connect.transforms.HeaderFrom$Key` / `HeaderFrom$Value`).
///
/// For each position `i`, header `headers[i]` gets the value (and, with a schema, the schema) of field
/// `fields[i]`; headers are appended, so existing headers with the same key stay. `operation=move`
/// also removes the fields from the struct (new schema without them) or map. Without a schema a
/// missing field gives a null header; with a schema it is a ``DataError``.
public struct HeaderFrom<Part: RecordPart>: Transformation {
    /// `move` or `copy`.
    public enum Operation: String, Sendable, Hashable {
        /// Remove the fields from the key/value.
        case move
        /// Keep the fields in the key/value.
        case copy
    }

    /// The configuration keys: `fields`, `headers`, `operation`, `replace.null.with.default`.
    public static var configDef: ConfigDef { HeaderFromConfig.definition }

    /// The fields read, in order.
    public let fields: [String]
    /// The header keys written, in the order of ``fields``.
    public let headers: [String]
    /// Whether the fields are moved or copied.
    public let operation: Operation
    let replaceNullWithDefault: Bool
    private let movedFields: Set<String>
    private let cache = SchemaCache<Schema>()

    /// Configures the transform.
    /// - Throws: ``ConfigError`` if a key is missing, a list is empty, the lists differ in length, or
    ///   `operation` is neither `move` nor `copy`.
    public init(configs: [String: String]) throws(ConfigError) {
        let config = try CommonConfig.parse(HeaderFromConfig.definition, configs)
        fields = try config.list(HeaderFromConfig.fields)
        headers = try config.list(HeaderFromConfig.headers)
        guard headers.count == fields.count else {
            throw ConfigError("'fields' config must have the same number of elements as 'headers' config.")
        }
        operation = Operation(rawValue: try config.requiredString(HeaderFromConfig.operation)) ?? .copy
        replaceNullWithDefault = try config.bool(CommonConfig.replaceNullWithDefaultName)
        movedFields = Set(fields)
    }

    /// The record with the headers added (and, for `move`, the fields removed).
    /// - Throws: ``DataError`` if the key/value is not a struct (with a schema) or a map (without),
    ///   or a field is not in the schema.
    @_specialize(where Part == RecordValue, R == SinkRecord)
    @_specialize(where Part == RecordValue, R == SourceRecord)
    @_specialize(where Part == RecordKey, R == SinkRecord)
    @_specialize(where Part == RecordKey, R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) throws(DataError) -> R? {
        let value = Part.value(of: record)
        let purpose = "header \(operation.rawValue)"
        var updatedHeaders = record.headers
        guard let schema = Part.schema(of: record) else {
            let map = try Requirements.requireMap(value, purpose: purpose)
            var updated = map
            for (field, header) in zip(fields, headers) {
                let fieldValue = map[.string(field)] ?? .null
                if operation == .move { updated[.string(field)] = nil }
                updatedHeaders.add(Header(key: header, schema: nil, value: fieldValue))
            }
            var copy = Part.replacing(record, schema: nil, value: .map(updated))
            copy.headers = updatedHeaders
            return copy
        }
        let input = try Requirements.requireStruct(value, purpose: purpose)
        let updatedSchema: Schema
        let updatedValue: Struct
        if operation == .move {
            updatedSchema = try cache.derived(for: schema) { (schema) throws(DataError) in
                var builder = SchemaBuilder(.struct, basicsOf: schema)
                for field in schema.fields where !movedFields.contains(field.name) {
                    builder.addField(field.name, field.schema)
                }
                return try builder.build()
            }
            var values: [ConnectValue] = []
            values.reserveCapacity(updatedSchema.fields.count)
            for field in updatedSchema.fields {
                guard let original = input.schema.field(named: field.name) else {
                    throw DataError("\(field.name) is not a valid field name")
                }
                values.append(fieldValue(input, original, replaceNullWithDefault: replaceNullWithDefault))
            }
            updatedValue = try Struct(schema: updatedSchema, values: values)
        } else {
            updatedSchema = schema
            updatedValue = input
        }
        for (field, header) in zip(fields, headers) {
            guard let schemaField = schema.field(named: field) else {
                throw DataError("Field does not exist: \(field)")
            }
            let headerValue =
                input.schema.field(named: field).map {
                    fieldValue(input, $0, replaceNullWithDefault: replaceNullWithDefault)
                } ?? .null
            try updatedHeaders.add(header, headerValue, schema: schemaField.schema)
        }
        var copy = Part.replacing(record, schema: updatedSchema, value: .struct(updatedValue))
        copy.headers = updatedHeaders
        return copy
    }
}

enum HeaderFromConfig {
    static let fields = "fields"
    static let headers = "headers"
    static let operation = "operation"

    static let definition = ConfigDef([
        ConfigKey(
            fields,
            type: .list,
            validator: .nonEmptyList,
            importance: .high,
            documentation: "Field names in the record whose values are to be copied or moved to headers."
        ),
        ConfigKey(
            headers,
            type: .list,
            validator: .nonEmptyList,
            importance: .high,
            documentation: "Header names, in the same order as the field names listed in the fields configuration "
                + "property."
        ),
        ConfigKey(
            operation,
            type: .string,
            validator: .validString(in: ["move", "copy"]),
            importance: .high,
            documentation: "Either <code>move</code> if the fields are to be moved to the headers (removed from the "
                + "key/value), or <code>copy</code> if the fields are to be copied to the headers (retained in the "
                + "key/value)."
        ),
        CommonConfig.replaceNullWithDefault,
    ])
}
