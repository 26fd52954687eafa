import ConnectAPI

/// Drops and renames fields of the key or value (Kafka's
/// `org.apache.kafka.connect.transforms.ReplaceField$Key` / `ReplaceField$Value`).
///
/// A field is kept if it is not in `exclude` and, when `include` is not empty, is in `include`
/// (`exclude` wins). `renames` maps `old:new`. The deprecated names `blacklist` (for `exclude`) and
/// `whitelist` (for `include`) are still read when the new name is not set, as in Kafka up to 3.9.
/// Null keys/values pass through unchanged.
public struct ReplaceField<Part: RecordPart>: Transformation {
    /// The configuration keys: `exclude`, `include`, `renames`, `replace.null.with.default`, and the
    /// deprecated `blacklist`, `whitelist`.
    public static var configDef: ConfigDef { ReplaceFieldConfig.definition }

    /// Fields dropped.
    public let exclude: Set<String>
    /// Fields kept (all when empty).
    public let include: Set<String>
    /// Renames, old name to new name.
    public let renames: [String: String]
    let replaceNullWithDefault: Bool
    private let cache = SchemaCache<FieldLayout>()

    /// Configures the transform.
    /// - Throws: ``ConfigError`` for a rename that is not `old:new`.
    public init(configs: [String: String]) throws(ConfigError) {
        var translated = configs
        for (target, deprecated) in ReplaceFieldConfig.deprecatedNames {
            if let value = configs[deprecated] {
                translated[deprecated] = nil
                if configs[target] == nil { translated[target] = value }
            }
        }
        let config = try CommonConfig.parse(ReplaceFieldConfig.definition, translated)
        exclude = Set(try config.list(ReplaceFieldConfig.exclude))
        include = Set(try config.list(ReplaceFieldConfig.include))
        renames = try ReplaceFieldConfig.parseRenames(config.list(ReplaceFieldConfig.renames))
        replaceNullWithDefault = try config.bool(CommonConfig.replaceNullWithDefaultName)
    }

    func keeps(_ field: String) -> Bool {
        !exclude.contains(field) && (include.isEmpty || include.contains(field))
    }

    func renamed(_ field: String) -> String {
        renames[field] ?? field
    }

    /// The record with fields dropped and renamed.
    /// - Throws: ``DataError`` if the key/value is not a struct (with a schema) or map (without), or
    ///   renames make two fields share a name.
    @_specialize(where Part == RecordValue, R == SinkRecord)
    @_specialize(where Part == RecordValue, R == SourceRecord)
    @_specialize(where Part == RecordKey, R == SinkRecord)
    @_specialize(where Part == RecordKey, R == SourceRecord)
    public func apply<R: ConnectRecord>(_ record: R) throws(DataError) -> R? {
        let value = Part.value(of: record)
        if value.isNull { return record }
        guard Part.schema(of: record) != nil else {
            let map = try Requirements.requireMap(value, purpose: ReplaceFieldConfig.purpose)
            var updated = ConnectMap(minimumCapacity: map.count)
            for (key, fieldValue) in map {
                let name = key.stringValue ?? key.description
                if keeps(name) { updated[.string(renamed(name))] = fieldValue }
            }
            return Part.replacing(record, schema: nil, value: .map(updated))
        }
        let input = try Requirements.requireStruct(value, purpose: ReplaceFieldConfig.purpose)
        let layout = try cache.derived(for: input.schema) { (schema) throws(DataError) in
            var builder = SchemaBuilder(.struct, basicsOf: schema)
            var sources: [Int] = []
            for field in schema.fields where keeps(field.name) {
                builder.addField(renamed(field.name), field.schema)
                sources.append(field.index)
            }
            return FieldLayout(schema: try builder.build(), sources: sources, input: schema)
        }
        let values = layout.values(of: input, replaceNullWithDefault: replaceNullWithDefault)
        return Part.replacing(
            record,
            schema: layout.schema,
            value: .struct(try Struct(schema: layout.schema, values: values))
        )
    }
}

/// A derived struct schema whose fields are copied from positions of the input struct (shared by the
/// transforms that keep, drop or reorder fields without changing them).
struct FieldLayout: Sendable {
    let schema: Schema
    /// For each output field, the position of the input field it comes from.
    let sources: [Int]
    /// Whether the output fields are exactly the input fields, in order.
    let isIdentity: Bool
    /// Whether a copied input field has a default (`replace.null.with.default` then applies it).
    let hasDefaults: Bool

    init(schema: Schema, sources: [Int], input: Schema) {
        self.schema = schema
        self.sources = sources
        isIdentity = sources.count == input.fields.count && sources.enumerated().allSatisfy { $0.offset == $0.element }
        hasDefaults = sources.contains { !input.fields[$0].schema.defaultValue.isNull }
    }

    /// The output values, read from `input` (whose schema this layout was derived from).
    func values(of input: Struct, replaceNullWithDefault: Bool) -> [ConnectValue] {
        let applyDefaults = replaceNullWithDefault && hasDefaults
        if isIdentity && !applyDefaults { return input.values }
        let fields = input.schema.fields
        var values: [ConnectValue] = []
        values.reserveCapacity(sources.count)
        for source in sources {
            values.append(applyDefaults ? input.get(fields[source]) : input.values[source])
        }
        return values
    }
}

enum ReplaceFieldConfig {
    static let exclude = "exclude"
    static let include = "include"
    static let renames = "renames"
    static let purpose = "field replacement"
    /// Deprecated synonyms: (current name, deprecated name).
    static let deprecatedNames = [(include, "whitelist"), (exclude, "blacklist")]

    static let definition = ConfigDef([
        ConfigKey(
            exclude,
            type: .list,
            default: "",
            importance: .medium,
            documentation: "Fields to exclude. This takes precedence over the fields to include."
        ),
        ConfigKey(
            "blacklist",
            type: .list,
            default: nil,
            importance: .low,
            documentation: "Deprecated. Use \(exclude) instead."
        ),
        ConfigKey(
            include,
            type: .list,
            default: "",
            importance: .medium,
            documentation: "Fields to include. If specified, only these fields will be used."
        ),
        ConfigKey(
            "whitelist",
            type: .list,
            default: nil,
            importance: .low,
            documentation: "Deprecated. Use \(include) instead."
        ),
        ConfigKey(
            renames,
            type: .list,
            default: "",
            validator: ConfigValidator(description: "list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>")
            {
                _,
                value throws(ConfigError) in
                if case .list(let items) = value { _ = try parseRenames(items) }
            },
            importance: .medium,
            documentation: "Field rename mappings."
        ),
        CommonConfig.replaceNullWithDefault,
    ])

    /// Parses `old:new` pairs; Java's `split(":")` rules (trailing empty parts dropped).
    static func parseRenames(_ items: [String]) throws(ConfigError) -> [String: String] {
        var result: [String: String] = [:]
        for item in items {
            var parts = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            while let last = parts.last, last.isEmpty { parts.removeLast() }
            guard parts.count == 2 else {
                throw ConfigError(
                    name: renames,
                    parsedValue: .list(items),
                    reason: "Invalid rename mapping: \(item). Use old:new pairs, e.g. foo:bar,abc:xyz"
                )
            }
            result[parts[0]] = parts[1]
        }
        return result
    }
}
