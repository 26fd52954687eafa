import ConnectAPI

/// Replaces the key or value with one of its fields (Kafka's
/// `org.apache.kafka.connect.transforms.ExtractField$Key` / `ExtractField$Value`).
///
/// With a schema the key/value must be a struct and the new schema is the field's schema; an unknown
/// field is a ``DataError`` (`Unknown field: <field>`; Kafka throws `IllegalArgumentException` with the
/// same message). Without a schema it must be a map, and a missing field yields null. A null
/// key/value stays null (with a schema, the schema still becomes the field's). With
/// `field.syntax.version=V2`, `field` may be a dotted path into nested structs/maps.
public struct ExtractField<Part: RecordPart>: Transformation {
    /// The configuration keys: `field`, `replace.null.with.default`, `field.syntax.version`.
    public static var configDef: ConfigDef { ExtractFieldConfig.definition }

    /// The path of the extracted field.
    public let path: SingleFieldPath
    private let originalPath: String
    let replaceNullWithDefault: Bool

    /// Configures the transform.
    /// - Throws: ``ConfigError`` if `field` is missing, or the path is malformed (V2).
    public init(configs: [String: String]) throws(ConfigError) {
        let config = try CommonConfig.parse(ExtractFieldConfig.definition, configs)
        originalPath = try config.requiredString(ExtractFieldConfig.field)
        let version =
            FieldSyntaxVersion(rawValue: try config.requiredString(FieldSyntaxVersion.configName).uppercased()) ?? .v1
        path = try SingleFieldPath(originalPath, version: version)
        replaceNullWithDefault = try config.bool(CommonConfig.replaceNullWithDefaultName)
    }

    /// The record with the key/value replaced by the field's value.
    /// - Throws: ``DataError`` if the key/value is not a struct/map, or (with a schema) the field does
    ///   not exist.
    @_specialize(where Part == RecordValue, R == SinkRecord)
    @_specialize(where Part == RecordValue, R == SourceRecord)
    @_specialize(where Part == RecordKey, R == SinkRecord)
    @_specialize(where Part == RecordKey, R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) throws(DataError) -> R? {
        let value = Part.value(of: record)
        guard let schema = Part.schema(of: record) else {
            let map = try Requirements.requireMapOrNull(value, purpose: ExtractFieldConfig.purpose)
            return Part.replacing(record, schema: nil, value: map == nil ? .null : try path.value(in: map))
        }
        let input = try Requirements.requireStructOrNull(value, purpose: ExtractFieldConfig.purpose)
        guard let field = path.field(in: schema) else { throw DataError("Unknown field: \(originalPath)") }
        let extracted =
            input == nil ? ConnectValue.null : try path.value(in: input, withDefault: replaceNullWithDefault)
        return Part.replacing(record, schema: field.schema, value: extracted)
    }
}

enum ExtractFieldConfig {
    static let field = "field"
    static let purpose = "field extraction"

    static let definition = ConfigDef([
        ConfigKey(field, type: .string, importance: .medium, documentation: "Field name to extract."),
        CommonConfig.replaceNullWithDefault,
        FieldSyntaxVersion.configKey,
    ])
}
