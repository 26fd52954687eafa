import ConnectAPI
import Foundation

/// Reads this task's CSV files, one at a time in name order, `batch.size` rows per poll.
///
/// - Source partition `{"file": <file name>}`; source offset `{"row": <data rows read>, "eof": <last row>}`.
///   On start a file resumes after its committed `row`; a file whose committed offset has `eof: true`
///   is done (and moved, if `finished.path` is set and an earlier run stopped before moving it).
/// - A file is moved to `finished.path` only once Kafka acknowledged every record of it
///   (`commitRecord`), so a crash never loses rows of a moved file.
/// - Values: see ``CSVDirectorySourceConfig/RecordFormat``; empty fields are `null`. Each record has
///   the headers `csv.file` and `csv.row`.
public actor CSVDirectorySourceTask: SourceTask {
    public static let version = CSVDirectorySourceConnector.version
    public static let fileKey = "file"
    public static let rowKey = "row"
    public static let endOfFileKey = "eof"

    /// The file being read.
    private struct OpenFile {
        let name: String
        let columns: [String]
        let schema: Schema?
        let rows: [[String]]
        /// Index into `rows` of the next data row (0 is the header).
        var next: Int
    }

    private var context: (any SourceTaskContext)?
    private var config: CSVDirectorySourceConfig?
    private var current: OpenFile?
    /// Files read to their end, by this task or (per their offsets) an earlier one.
    private var done: Set<String> = []
    /// Records returned and not yet acknowledged, per file.
    private var unacknowledged: [String: Int] = [:]
    /// Files read to their end whose records are not all acknowledged yet.
    private var awaitingMove: Set<String> = []
    private var isStopped = false

    public init() {}

    public func initialize(context: any SourceTaskContext) async {
        self.context = context
    }

    public func start(configs: [String: String]) async throws {
        config = try CSVDirectorySourceConfig(configs)
    }

    public func poll() async throws -> [SourceRecord]? {
        guard let config, !isStopped else { return nil }
        if current == nil { current = try await openNextFile(config) }
        guard var file = current else {
            try? await Task.sleep(for: config.pollInterval)  // ends early when the worker cancels poll()
            return nil
        }
        var records: [SourceRecord] = []
        while records.count < config.batchSize && file.next < file.rows.count {
            records.append(try record(file, row: file.next, config))
            file.next += 1
        }
        unacknowledged[file.name, default: 0] += records.count
        if file.next >= file.rows.count {
            current = nil
            done.insert(file.name)
            awaitingMove.insert(file.name)
            try moveIfFinished(file.name, config)
        } else {
            current = file
        }
        return records.isEmpty ? nil : records
    }

    /// Counts acknowledged (or dropped) records, and moves a file once all of its are.
    public func commitRecord(_ record: SourceRecord, metadata: RecordMetadata?) async throws {
        guard let config, case .string(let name)? = record.sourcePartition?[Self.fileKey] else { return }
        unacknowledged[name] = max(unacknowledged[name, default: 0] - 1, 0)
        try moveIfFinished(name, config)
    }

    public func stop() async {
        isStopped = true
    }

    // MARK: Files

    /// The first file of this task, in name order, with rows left; `nil` when there is none.
    private func openNextFile(_ config: CSVDirectorySourceConfig) async throws -> OpenFile? {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: config.inputPath)
                .filter { $0.hasSuffix(config.fileSuffix) && config.owns(fileNamed: $0) && !done.contains($0) }
                .filter { Self.isRegularFile(config.inputPath + "/" + $0) }
                .sorted()
        } catch {
            throw RetriableError("Cannot list \(config.inputPath)", underlying: error)
        }
        for name in names {
            let offset = try await context?.offsetStorageReader.offset(for: [Self.fileKey: .string(name)])
            if offset?[Self.endOfFileKey] == .boolean(true) {
                // Finished by an earlier run, which may have stopped before moving it.
                done.insert(name)
                awaitingMove.insert(name)
                try moveIfFinished(name, config)
                continue
            }
            let path = config.inputPath + "/" + name
            let bytes: [UInt8]
            do {
                bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw RetriableError("Cannot read \(path)", underlying: error)
            }
            let rows: [[String]]
            do {
                rows = try CSVParser.rows(bytes)
            } catch {
                throw ConnectError("\(path) is not valid CSV: \(error)")
            }
            guard let header = rows.first else {
                done.insert(name)
                awaitingMove.insert(name)
                try moveIfFinished(name, config)
                continue
            }
            let columns = Self.columnNames(header)
            var schema: Schema?
            if config.recordFormat == .struct {
                var builder = SchemaBuilder.struct()
                for column in columns { builder.addField(column, .optionalString) }
                schema = try builder.build()
            }
            let resumeAfter: Int64 = if case .int64(let row)? = offset?[Self.rowKey] { row } else { 0 }
            return OpenFile(name: name, columns: columns, schema: schema, rows: rows, next: 1 + Int(resumeAfter))
        }
        return nil
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// Moves a file read to its end once all its records were acknowledged.
    private func moveIfFinished(_ name: String, _ config: CSVDirectorySourceConfig) throws {
        guard awaitingMove.contains(name), unacknowledged[name, default: 0] <= 0 else { return }
        awaitingMove.remove(name)
        unacknowledged[name] = nil
        guard let finishedPath = config.finishedPath else { return }
        let source = URL(fileURLWithPath: config.inputPath).appendingPathComponent(name)
        let target = URL(fileURLWithPath: finishedPath).appendingPathComponent(name)
        do {
            if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }
            try FileManager.default.moveItem(at: source, to: target)
        } catch {
            throw ConnectError("Cannot move \(source.path) to \(finishedPath)", underlying: error)
        }
    }

    // MARK: Records

    private func record(_ file: OpenFile, row index: Int, _ config: CSVDirectorySourceConfig) throws -> SourceRecord {
        let fields = file.rows[index]
        guard fields.count <= file.columns.count else {
            throw ConnectError(
                "\(file.name) data row \(index) has \(fields.count) fields but the header has \(file.columns.count)"
            )
        }
        let value: ConnectValue
        if let schema = file.schema {
            var values = fields.map { $0.isEmpty ? ConnectValue.null : .string($0) }
            values += Array(repeating: .null, count: file.columns.count - fields.count)
            value = .struct(try Struct(schema: schema, values: values))
        } else {
            var map = ConnectMap()
            for (column, index) in zip(file.columns, file.columns.indices) {
                map.updateValue(index < fields.count ? Self.jsonValue(fields[index]) : .null, forKey: .string(column))
            }
            value = .map(map)
        }
        let dataRow = Int64(index)  // data rows are numbered from 1, after the header
        var headers = Headers()
        headers.addString("csv.file", file.name)
        headers.addLong("csv.row", dataRow)
        return SourceRecord(
            sourcePartition: [Self.fileKey: .string(file.name)],
            sourceOffset: [Self.rowKey: .int64(dataRow), Self.endOfFileKey: .boolean(index == file.rows.count - 1)],
            topic: config.topic,
            valueSchema: file.schema,
            value: value,
            headers: headers
        )
    }

    /// Header names as field names: blanks become `column<N>`, repeats get `_<N>`.
    static func columnNames(_ header: [String]) -> [String] {
        var seen: [String: Int] = [:]
        return header.enumerated().map { index, raw in
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            let base = trimmed.isEmpty ? "column\(index + 1)" : trimmed
            seen[base, default: 0] += 1
            return seen[base] == 1 ? base : "\(base)_\(seen[base] ?? 0)"
        }
    }

    /// A field as a JSON-compatible value.
    static func jsonValue(_ text: String) -> ConnectValue {
        if text.isEmpty { return .null }
        if text == "true" { return .boolean(true) }
        if text == "false" { return .boolean(false) }
        if let integer = Int64(text) { return .int64(integer) }
        if text.first.map({ $0.isNumber || $0 == "-" || $0 == "." }) == true, let double = Double(text), double.isFinite
        {
            return .float64(double)
        }
        return .string(text)
    }
}
