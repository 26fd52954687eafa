import ConnectAPI

/// The configuration of ``DataGenSourceConnector`` and ``DataGenSourceTask``.
public struct DataGenConfig: Sendable, Hashable {
    /// A generated field: a name and a kind of value.
    public struct FieldSpec: Sendable, Hashable {
        /// The kinds of value the generator makes.
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            case int32, int64, float64, boolean, string, timestamp
        }

        public var name: String
        public var kind: Kind
    }

    public static let topicConfig = "topic"
    public static let recordsPerSecondConfig = "records.per.second"
    public static let maxRecordsConfig = "max.records"
    public static let fieldsConfig = "fields"
    public static let keyFieldConfig = "key.field"
    public static let batchSizeConfig = "batch.size"
    public static let seedConfig = "random.seed"
    /// Set by the connector on each task's configuration: which task this is and how many there are.
    static let taskIndexConfig = "datagen.task.index"
    static let taskCountConfig = "datagen.task.count"

    public static let definition = ConfigDef([
        ConfigKey(
            topicConfig,
            type: .string,
            validator: .nonEmptyString,
            importance: .high,
            documentation: "The topic to write generated records to."
        ),
        ConfigKey(
            recordsPerSecondConfig,
            type: .double,
            default: .value(.double(10)),
            validator: .atLeast(0.0),
            importance: .high,
            documentation: "Records per second, over all tasks; 0 generates as fast as the worker accepts them."
        ),
        ConfigKey(
            maxRecordsConfig,
            type: .long,
            default: .value(.long(-1)),
            validator: .atLeast(-1),
            importance: .medium,
            documentation: "Records to generate in all (over all tasks and restarts); -1 for no limit."
        ),
        ConfigKey(
            fieldsConfig,
            type: .list,
            default: .value(
                .list(["id:int64", "name:string", "amount:float64", "active:boolean", "created:timestamp"])
            ),
            importance: .medium,
            documentation:
                "The value's fields as name:type, comma-separated; types: "
                + FieldSpec.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                + ". A field named id (int32/int64) counts records: it is unique across tasks."
        ),
        ConfigKey(
            keyFieldConfig,
            type: .string,
            default: .value(.string("id")),
            importance: .medium,
            documentation: "The field whose value is also the record key (with its schema); empty for no key."
        ),
        ConfigKey(
            batchSizeConfig,
            type: .int,
            default: .value(.int(1000)),
            validator: .atLeast(1),
            importance: .low,
            documentation: "The most records one poll returns."
        ),
        ConfigKey(
            seedConfig,
            type: .long,
            default: .value(.long(0)),
            importance: .low,
            documentation: "Seed of the pseudo-random values: the same seed gives the same records."
        ),
    ])

    public var topic: String
    public var recordsPerSecond: Double
    public var maxRecords: Int64
    public var fields: [FieldSpec]
    public var keyField: String?
    public var batchSize: Int
    public var seed: UInt64
    public var taskIndex: Int
    public var taskCount: Int

    /// Parses a configuration.
    /// - Throws: ``ConfigError`` naming the key and the reason.
    public init(_ props: [String: String]) throws(ConfigError) {
        let config = try ParsedConfig(definition: Self.definition, originals: props)
        self.topic = try config.string(Self.topicConfig) ?? ""
        self.recordsPerSecond = try config.double(Self.recordsPerSecondConfig)
        self.maxRecords = try config.long(Self.maxRecordsConfig)
        self.batchSize = Int(try config.int(Self.batchSizeConfig))
        self.seed = UInt64(bitPattern: try config.long(Self.seedConfig))
        var fields: [FieldSpec] = []
        for item in try config.list(Self.fieldsConfig) {
            let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let kind = FieldSpec.Kind(rawValue: parts[1]) else {
                throw ConfigError(
                    name: Self.fieldsConfig,
                    value: item,
                    reason: "expected name:type with type one of "
                        + FieldSpec.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                )
            }
            guard !fields.contains(where: { $0.name == parts[0] }) else {
                throw ConfigError(name: Self.fieldsConfig, value: item, reason: "field \(parts[0]) is listed twice")
            }
            fields.append(FieldSpec(name: parts[0], kind: kind))
        }
        guard !fields.isEmpty else {
            throw ConfigError(name: Self.fieldsConfig, value: "", reason: "list at least one name:type field")
        }
        self.fields = fields
        let keyField = try config.string(Self.keyFieldConfig) ?? ""
        if keyField.isEmpty {
            self.keyField = nil
        } else if fields.contains(where: { $0.name == keyField }) {
            self.keyField = keyField
        } else if props[Self.keyFieldConfig] == nil {
            self.keyField = nil  // the default names a field the user's list does not have
        } else {
            throw ConfigError(
                name: Self.keyFieldConfig,
                value: keyField,
                reason:
                    "not one of the fields (\(fields.map(\.name).joined(separator: ", "))); leave it empty for no key"
            )
        }
        self.taskIndex = Int(props[Self.taskIndexConfig] ?? "0") ?? 0
        self.taskCount = max(1, Int(props[Self.taskCountConfig] ?? "1") ?? 1)
    }
}
