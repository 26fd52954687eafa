import ConnectAPI
import Foundation

/// The configuration of ``CSVDirectorySourceConnector`` and its tasks.
public struct CSVDirectorySourceConfig: Sendable, Hashable {
    /// How a row becomes a record value.
    public enum RecordFormat: String, Sendable, Hashable {
        /// A `Struct` with one optional `STRING` field per column (schema'd converters keep the names).
        case `struct`
        /// A schemaless map from column name to a JSON-compatible value: `true`/`false` → boolean,
        /// integers → `int64`, other numbers → `float64`, anything else a string.
        case schemaless
    }

    public static let inputPathConfig = "input.path"
    public static let finishedPathConfig = "finished.path"
    public static let topicConfig = "topic"
    public static let batchSizeConfig = "batch.size"
    public static let pollIntervalConfig = "poll.interval.ms"
    public static let recordFormatConfig = "record.format"
    public static let fileSuffixConfig = "file.suffix"
    /// Set by the connector in each task configuration: the task's index and the number of tasks.
    static let taskIndexConfig = "task.index"
    static let taskCountConfig = "task.count"

    /// The keys the connector understands (the worker adds its own: `name`, `tasks.max`, …).
    public static let definition = ConfigDef([
        ConfigKey(
            inputPathConfig,
            type: .string,
            validator: .existingDirectory(allowEmpty: false),
            importance: .high,
            documentation: "The directory to read CSV files from. Files must be complete when they appear there "
                + "(write them elsewhere and move them in)."
        ),
        ConfigKey(
            finishedPathConfig,
            type: .string,
            default: nil,
            validator: .existingDirectory(allowEmpty: true),
            importance: .medium,
            documentation: "Where to move a file once all its records were written to Kafka; unset leaves "
                + "finished files in place (their offsets remember that they are done)."
        ),
        ConfigKey(
            topicConfig,
            type: .string,
            validator: .nonEmptyString,
            importance: .high,
            documentation: "The topic to write the rows to."
        ),
        ConfigKey(
            batchSizeConfig,
            type: .int,
            default: 500,
            validator: .atLeast(1),
            importance: .low,
            documentation: "The maximum number of rows returned by one poll."
        ),
        ConfigKey(
            pollIntervalConfig,
            type: .long,
            default: 1000,
            validator: .atLeast(1),
            importance: .low,
            documentation: "How long a poll waits when no file has rows left, in milliseconds."
        ),
        ConfigKey(
            recordFormatConfig,
            type: .string,
            default: "struct",
            validator: .validString(in: ["struct", "schemaless"]),
            importance: .medium,
            documentation: "struct: a Struct of optional strings named after the header row; schemaless: a map "
                + "of JSON-compatible values."
        ),
        ConfigKey(
            fileSuffixConfig,
            type: .string,
            default: ".csv",
            importance: .low,
            documentation: "Only files whose names end with this are read."
        ),
    ])

    public var inputPath: String
    public var finishedPath: String?
    public var topic: String
    public var batchSize: Int
    public var pollInterval: Duration
    public var recordFormat: RecordFormat
    public var fileSuffix: String
    /// This task's share of the files: a file is read by task `hash(name) % taskCount`.
    public var taskIndex: Int
    public var taskCount: Int

    /// Parses a configuration.
    /// - Throws: ``ConfigError`` naming the key and the reason.
    public init(_ props: [String: String]) throws(ConfigError) {
        let config = try ParsedConfig(definition: Self.definition, originals: props)
        inputPath = try config.string(Self.inputPathConfig) ?? ""
        finishedPath = try config.string(Self.finishedPathConfig).flatMap { $0.isEmpty ? nil : $0 }
        topic = try config.string(Self.topicConfig) ?? ""
        batchSize = Int(try config.int(Self.batchSizeConfig))
        pollInterval = .milliseconds(try config.long(Self.pollIntervalConfig))
        recordFormat = RecordFormat(rawValue: try config.string(Self.recordFormatConfig) ?? "") ?? .struct
        fileSuffix = try config.string(Self.fileSuffixConfig) ?? ".csv"
        taskIndex = Int(props[Self.taskIndexConfig] ?? "0") ?? 0
        taskCount = max(Int(props[Self.taskCountConfig] ?? "1") ?? 1, 1)
        guard (0..<taskCount).contains(taskIndex) else {
            throw ConfigError(name: Self.taskIndexConfig, value: "\(taskIndex)", reason: "must be below task.count")
        }
        if let finishedPath, Self.samePath(finishedPath, inputPath) {
            throw ConfigError(
                name: Self.finishedPathConfig,
                value: finishedPath,
                reason: "must not be the input directory"
            )
        }
    }

    /// Whether `name` is this task's: a stable hash (FNV-1a; Swift's `Hasher` differs per process, and
    /// every task must agree) of the file name modulo the task count.
    public func owns(fileNamed name: String) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return Int(hash % UInt64(taskCount)) == taskIndex
    }

    static func samePath(_ a: String, _ b: String) -> Bool {
        URL(fileURLWithPath: a).standardizedFileURL.path == URL(fileURLWithPath: b).standardizedFileURL.path
    }
}

extension ConfigValidator {
    /// An existing directory (a `null` value passes: required keys report their absence themselves).
    static func existingDirectory(allowEmpty: Bool) -> ConfigValidator {
        ConfigValidator(description: "an existing directory") { name, value throws(ConfigError) in
            guard let value, !(allowEmpty && value.description.isEmpty) else { return }
            try checkDirectory(name, value.description)
        }
    }

    private static func checkDirectory(_ name: String, _ path: String) throws(ConfigError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigError(name: name, value: path, reason: "Not an existing directory")
        }
    }
}
