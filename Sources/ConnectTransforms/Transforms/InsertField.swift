import ConnectAPI

/// Adds fields with the record's topic, partition, offset (sink records), timestamp, or a static
/// string to the key or value (Kafka's `org.apache.kafka.connect.transforms.InsertField$Key` /
/// `InsertField$Value`).
///
/// Each `*.field` names the new field; a trailing `!` makes it required, a trailing `?` (or none)
/// optional. With a schema the fields are appended to the struct schema (topic and static value
/// STRING, partition INT32, offset INT64, timestamp the `Timestamp` logical type); without one they
/// are put in the map (the timestamp as epoch milliseconds). A null partition or timestamp leaves the
/// field null. Null keys/values pass through unchanged.
public struct InsertField<Part: RecordPart>: Transformation {
    /// A field to insert: its name and whether its schema is optional.
    public struct InsertionSpec: Sendable, Hashable {
        /// The field name, without the `!`/`?` suffix.
        public let name: String
        /// Whether the field's schema is optional (the default, or `?`); `!` makes it required.
        public let isOptional: Bool

        /// Parses `name`, `name?` or `name!`.
        public init(_ spec: String) {
            if spec.hasSuffix("?") {
                name = String(spec.dropLast())
                isOptional = true
            } else if spec.hasSuffix("!") {
                name = String(spec.dropLast())
                isOptional = false
            } else {
                name = spec
                isOptional = true
            }
        }
    }

    /// The configuration keys: `topic.field`, `partition.field`, `offset.field`, `timestamp.field`,
    /// `static.field`, `static.value`, `replace.null.with.default`.
    public static var configDef: ConfigDef { InsertFieldConfig.definition }

    /// The field for the topic, if configured.
    public let topicField: InsertionSpec?
    /// The field for the partition, if configured.
    public let partitionField: InsertionSpec?
    /// The field for the offset (sink records only), if configured.
    public let offsetField: InsertionSpec?
    /// The field for the record timestamp, if configured.
    public let timestampField: InsertionSpec?
    /// The field for the static value, if configured.
    public let staticField: InsertionSpec?
    /// The static value.
    public let staticValue: String?
    let replaceNullWithDefault: Bool
    private let cache = SchemaCache<FieldLayout>()

    /// Configures the transform.
    /// - Throws: ``ConfigError`` if no field is configured, or `static.field` is set without
    ///   `static.value`.
    public init(configs: [String: String]) throws(ConfigError) {
        let config = try CommonConfig.parse(InsertFieldConfig.definition, configs)
        topicField = try config.string(InsertFieldConfig.topicField).map(InsertionSpec.init)
        partitionField = try config.string(InsertFieldConfig.partitionField).map(InsertionSpec.init)
        offsetField = try config.string(InsertFieldConfig.offsetField).map(InsertionSpec.init)
        timestampField = try config.string(InsertFieldConfig.timestampField).map(InsertionSpec.init)
        staticField = try config.string(InsertFieldConfig.staticField).map(InsertionSpec.init)
        staticValue = try config.string(InsertFieldConfig.staticValue)
        replaceNullWithDefault = try config.bool(CommonConfig.replaceNullWithDefaultName)
        if topicField == nil && partitionField == nil && offsetField == nil && timestampField == nil
            && staticField == nil
        {
            throw ConfigError(
                "No field insertion configured: set at least one of topic.field, partition.field, offset.field, "
                    + "timestamp.field or static.field"
            )
        }
        if let staticField, staticValue == nil {
            throw ConfigError(
                name: InsertFieldConfig.staticValue,
                value: nil,
                reason: "No value specified for static field: \(staticField.name)"
            )
        }
    }

    /// The record with the fields inserted.
    /// - Throws: ``DataError`` if the key/value is not a struct (with a schema) or map (without), an
    ///   inserted name collides with an existing field, or `offset.field` is set for a source record.
    @_specialize(where Part == RecordValue, R == SinkRecord)
    @_specialize(where Part == RecordValue, R == SourceRecord)
    @_specialize(where Part == RecordKey, R == SinkRecord)
    @_specialize(where Part == RecordKey, R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) throws(DataError) -> R? {
        let value = Part.value(of: record)
        if value.isNull { return record }
        guard Part.schema(of: record) != nil else {
            var map = try Requirements.requireMap(value, purpose: InsertFieldConfig.purpose)
            if let topicField { map[.string(topicField.name)] = .string(record.topic) }
            if let partitionField, let partition = record.kafkaPartition {
                map[.string(partitionField.name)] = .int32(partition)
            }
            if let offsetField {
                let offset = try Requirements.requireSinkRecord(record, purpose: InsertFieldConfig.purpose).kafkaOffset
                map[.string(offsetField.name)] = .int64(offset)
            }
            if let timestampField, let timestamp = record.timestamp {
                map[.string(timestampField.name)] = .int64(timestamp)
            }
            if let staticField, let staticValue { map[.string(staticField.name)] = .string(staticValue) }
            return Part.replacing(record, schema: nil, value: .map(map))
        }
        let input = try Requirements.requireStruct(value, purpose: InsertFieldConfig.purpose)
        let layout = try cache.derived(for: input.schema) { (schema) throws(DataError) in
            FieldLayout(schema: try buildSchema(schema), sources: Array(schema.fields.indices), input: schema)
        }
        let updatedSchema = layout.schema
        var values = layout.values(of: input, replaceNullWithDefault: replaceNullWithDefault)
        values.reserveCapacity(updatedSchema.fields.count)
        if topicField != nil { values.append(.string(record.topic)) }
        if partitionField != nil { values.append(record.kafkaPartition.map(ConnectValue.int32) ?? .null) }
        if offsetField != nil {
            let offset = try Requirements.requireSinkRecord(record, purpose: InsertFieldConfig.purpose).kafkaOffset
            values.append(.int64(offset))
        }
        if timestampField != nil { values.append(record.timestamp.map { .timestamp(millis: $0) } ?? .null) }
        if staticField != nil { values.append(staticValue.map(ConnectValue.string) ?? .null) }
        return Part.replacing(
            record,
            schema: updatedSchema,
            value: .struct(try Struct(schema: updatedSchema, values: values))
        )
    }

    private func buildSchema(_ schema: Schema) throws(DataError) -> Schema {
        var builder = SchemaBuilder(.struct, basicsOf: schema)
        for field in schema.fields { builder.addField(field.name, field.schema) }
        if let topicField { builder.addField(topicField.name, topicField.isOptional ? .optionalString : .string) }
        if let partitionField {
            builder.addField(partitionField.name, partitionField.isOptional ? .optionalInt32 : .int32)
        }
        if let offsetField { builder.addField(offsetField.name, offsetField.isOptional ? .optionalInt64 : .int64) }
        if let timestampField {
            builder.addField(
                timestampField.name,
                timestampField.isOptional ? InsertFieldConfig.optionalTimestamp : .timestamp
            )
        }
        if let staticField {
            builder.addField(staticField.name, staticField.isOptional ? .optionalString : .string)
        }
        return try builder.build()
    }
}

enum InsertFieldConfig {
    static let topicField = "topic.field"
    static let partitionField = "partition.field"
    static let offsetField = "offset.field"
    static let timestampField = "timestamp.field"
    static let staticField = "static.field"
    static let staticValue = "static.value"
    static let purpose = "field insertion"
    static let optionalTimestamp = try! SchemaBuilder.timestamp().optional().build()

    private static let optionality =
        "Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the "
        + "default)."

    static let definition = ConfigDef([
        ConfigKey(
            topicField,
            type: .string,
            default: nil,
            importance: .medium,
            documentation: "Field name for Kafka topic. " + optionality
        ),
        ConfigKey(
            partitionField,
            type: .string,
            default: nil,
            importance: .medium,
            documentation: "Field name for Kafka partition. " + optionality
        ),
        ConfigKey(
            offsetField,
            type: .string,
            default: nil,
            importance: .medium,
            documentation: "Field name for Kafka offset - only applicable to sink connectors.<br/>" + optionality
        ),
        ConfigKey(
            timestampField,
            type: .string,
            default: nil,
            importance: .medium,
            documentation: "Field name for record timestamp. " + optionality
        ),
        ConfigKey(
            staticField,
            type: .string,
            default: nil,
            importance: .medium,
            documentation: "Field name for static data field. " + optionality
        ),
        ConfigKey(
            staticValue,
            type: .string,
            default: nil,
            importance: .medium,
            documentation: "Static field value, if field name configured."
        ),
        CommonConfig.replaceNullWithDefault,
    ])
}
