import ConnectAPI

/// Replaces the key with a struct (with a value schema) or map (without) of some of the value's
/// fields (Kafka's `org.apache.kafka.connect.transforms.ValueToKey`).
///
/// The key schema is a struct with the listed fields' schemas, in `fields` order. A field missing
/// from the value schema is a ``DataError`` (`Field does not exist: <name>`); without a schema it
/// becomes null. The value must be a struct/map, so tombstones are rejected.
public struct ValueToKey: Transformation {
    static let fieldsName = "fields"
    static let purpose = "copying fields from value to key"

    /// The configuration keys: `fields` (LIST, required, non-empty), `replace.null.with.default`.
    public static let configDef = ConfigDef([
        ConfigKey(
            fieldsName,
            type: .list,
            validator: .nonEmptyList,
            importance: .high,
            documentation: "Field names on the record value to extract as the record key."
        ),
        CommonConfig.replaceNullWithDefault,
    ])

    /// The fields copied, in key order.
    public let fields: [String]
    let replaceNullWithDefault: Bool
    private let cache = SchemaCache<FieldLayout>()

    /// Configures the transform.
    /// - Throws: ``ConfigError`` if `fields` is missing or empty.
    public init(configs: [String: String]) throws(ConfigError) {
        let config = try CommonConfig.parse(Self.configDef, configs)
        fields = try config.list(Self.fieldsName)
        replaceNullWithDefault = try config.bool(CommonConfig.replaceNullWithDefaultName)
    }

    /// The record with its key replaced.
    /// - Throws: ``DataError`` if the value is not a struct (with a schema) or map (without), or a field
    ///   does not exist in the value schema.
    @_specialize(where R == SinkRecord)
    @_specialize(where R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) throws(DataError) -> R? {
        guard record.valueSchema != nil else {
            let map = try Requirements.requireMap(record.value, purpose: Self.purpose)
            var key = ConnectMap(minimumCapacity: fields.count)
            for field in fields { key[.string(field)] = map[.string(field)] ?? .null }
            var copy = record
            copy.keySchema = nil
            copy.key = .map(key)
            return copy
        }
        let value = try Requirements.requireStruct(record.value, purpose: Self.purpose)
        let layout = try cache.derived(for: value.schema) { (schema) throws(DataError) in
            var builder = SchemaBuilder.struct()
            var sources: [Int] = []
            for name in fields {
                guard let field = schema.field(named: name) else { throw DataError("Field does not exist: \(name)") }
                builder.addField(name, field.schema)
                sources.append(field.index)
            }
            return FieldLayout(schema: try builder.build(), sources: sources, input: schema)
        }
        let keyValues = layout.values(of: value, replaceNullWithDefault: replaceNullWithDefault)
        var copy = record
        copy.keySchema = layout.schema
        copy.key = .struct(try Struct(schema: layout.schema, values: keyValues))
        copy.valueSchema = value.schema
        return copy
    }
}
