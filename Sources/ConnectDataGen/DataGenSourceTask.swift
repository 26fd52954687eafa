import ConnectAPI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One share of a ``DataGenSourceConnector``'s records; see there.
public actor DataGenSourceTask: SourceTask {
    public static let version = DataGenSourceConnector.version
    /// The source partition's key (its value is the task index).
    public static let partitionField = "datagen.task"
    /// The source offset's key (its value is the next record number of this task).
    public static let sequenceField = "sequence"

    private var context: (any SourceTaskContext)?
    private var generator: DataGenGenerator?
    private var pacer: DataGenPacer?
    private var isStopped = false
    private let idleWait: Duration

    public init() {
        self.init(idleWait: .seconds(1))
    }

    /// A task that waits `idleWait` per poll once it has made all its records (tests shorten it).
    init(idleWait: Duration) {
        self.idleWait = idleWait
    }

    public func initialize(context: any SourceTaskContext) async {
        self.context = context
    }

    public func start(configs: [String: String]) async throws {
        let config = try DataGenConfig(configs)
        var next: Int64 = 0
        let partition: [String: ConnectValue] = [Self.partitionField: .int32(Int32(clamping: config.taskIndex))]
        if let offset = try await context?.offsetStorageReader.offset(for: partition) {
            guard let stored = offset[Self.sequenceField]?.integerValue else {
                throw ConnectError(
                    "Offset \(Self.sequenceField) of data generator task \(config.taskIndex) is not a number"
                )
            }
            next = stored
        }
        generator = try DataGenGenerator(config: config, nextSequence: next)
        let share = config.recordsPerSecond / Double(config.taskCount)
        pacer = DataGenPacer(recordsPerSecond: share, startedAt: monotonicSeconds())
        isStopped = false
    }

    /// The records due by now (at most `batch.size`), after waiting for the next one if none is due;
    /// `nil` once `max.records` have been generated.
    public func poll() async throws -> [SourceRecord]? {
        guard var generator, var pacer, !isStopped else { return nil }
        let remaining = generator.remaining
        guard remaining != 0 else {
            // Finished: idle instead of spinning the worker's poll loop.
            try? await Task.sleep(for: idleWait)
            return nil
        }
        var due = pacer.due(at: monotonicSeconds(), limit: generator.batchSize)
        if due == 0 {
            try? await Task.sleep(for: .seconds(min(pacer.secondsUntilNext(at: monotonicSeconds()), 1)))
            due = pacer.due(at: monotonicSeconds(), limit: generator.batchSize)
            if due == 0 { return nil }
        }
        if let remaining { due = Int(min(Int64(due), remaining)) }
        let now = wallClockMillis()
        let records = (0..<due).map { _ in generator.next(timestamp: now) }
        pacer.consumed(due)
        self.generator = generator
        self.pacer = pacer
        return records
    }

    public func stop() async {
        isStopped = true
    }
}

/// How many records are due: `recordsPerSecond` since the start, minus those generated (value
/// type, so the rate arithmetic is tested without clocks).
struct DataGenPacer: Sendable {
    /// 0 means unlimited.
    var recordsPerSecond: Double
    var startedAt: Double
    var generated: Int64 = 0

    init(recordsPerSecond: Double, startedAt: Double) {
        self.recordsPerSecond = recordsPerSecond
        self.startedAt = startedAt
    }

    func due(at now: Double, limit: Int) -> Int {
        guard recordsPerSecond > 0 else { return limit }
        let owed = Int64(((now - startedAt) * recordsPerSecond).rounded(.down)) - generated
        return Int(max(0, min(owed, Int64(limit))))
    }

    func secondsUntilNext(at now: Double) -> Double {
        guard recordsPerSecond > 0 else { return 0 }
        let nextAt = startedAt + Double(generated + 1) / recordsPerSecond
        return max(0.001, nextAt - now)
    }

    mutating func consumed(_ count: Int) { generated += Int64(count) }
}

/// Makes the records of one task: record number `sequence * taskCount + taskIndex`, values derived
/// from the seed and that number (SplitMix64), so the same seed gives the same records.
struct DataGenGenerator: Sendable {
    let config: DataGenConfig
    let valueSchema: Schema
    let keySchema: Schema?
    let keyIndex: Int?
    private(set) var sequence: Int64
    var batchSize: Int { config.batchSize }

    init(config: DataGenConfig, nextSequence: Int64) throws {
        self.config = config
        var builder = SchemaBuilder.struct().name("io.swiftconnect.datagen.Record")
        for field in config.fields { builder = builder.field(field.name, Self.schema(for: field.kind)) }
        self.valueSchema = try builder.build()
        self.keyIndex = config.keyField.flatMap { key in config.fields.firstIndex { $0.name == key } }
        self.keySchema = keyIndex.map { Self.schema(for: config.fields[$0].kind) }
        self.sequence = nextSequence
    }

    /// Records this task may still make (nil: no limit).
    var remaining: Int64? {
        guard config.maxRecords >= 0 else { return nil }
        // Record numbers below max.records that belong to this task, minus those made.
        let total = config.maxRecords
        let mine = total / Int64(config.taskCount) + (Int64(config.taskIndex) < total % Int64(config.taskCount) ? 1 : 0)
        return max(0, mine - sequence)
    }

    static func schema(for kind: DataGenConfig.FieldSpec.Kind) -> Schema {
        switch kind {
        case .int32: .int32
        case .int64: .int64
        case .float64: .float64
        case .boolean: .boolean
        case .string: .string
        case .timestamp: .timestamp
        }
    }

    mutating func next(timestamp: Int64) -> SourceRecord {
        let number = sequence * Int64(config.taskCount) + Int64(config.taskIndex)
        var random = SplitMix64(seed: config.seed ^ UInt64(bitPattern: number) &* 0x9E37_79B9_7F4A_7C15)
        var values: [ConnectValue] = []
        values.reserveCapacity(config.fields.count)
        for field in config.fields {
            values.append(Self.value(field, number: number, timestamp: timestamp, random: &random))
        }
        sequence += 1
        // The struct matches its schema by construction.
        let value = (try? Struct(schema: valueSchema, values: values)).map(ConnectValue.struct) ?? .null
        return SourceRecord(
            sourcePartition: [DataGenSourceTask.partitionField: .int32(Int32(clamping: config.taskIndex))],
            sourceOffset: [DataGenSourceTask.sequenceField: .int64(sequence)],
            topic: config.topic,
            keySchema: keySchema,
            key: keyIndex.map { values[$0] } ?? .null,
            valueSchema: valueSchema,
            value: value,
            timestamp: timestamp
        )
    }

    private static let syllables = ["ka", "fo", "ri", "su", "te", "no", "mi", "la", "do", "ve", "zu", "pa"]

    static func value(
        _ field: DataGenConfig.FieldSpec,
        number: Int64,
        timestamp: Int64,
        random: inout SplitMix64
    ) -> ConnectValue {
        let isID = field.name == "id"
        switch field.kind {
        case .int32:
            return .int32(isID ? Int32(truncatingIfNeeded: number) : Int32(truncatingIfNeeded: random.next() % 100_000))
        case .int64: return .int64(isID ? number : Int64(random.next() % 1_000_000_000))
        case .float64: return .float64(Double(random.next() % 100_000) / 100)
        case .boolean: return .boolean(random.next() & 1 == 1)
        case .string:
            let length = 2 + Int(random.next() % 3)
            let word = (0..<length).map { _ in syllables[Int(random.next() % UInt64(syllables.count))] }.joined()
            return .string(word)
        case .timestamp: return .timestamp(millis: timestamp)
        }
    }
}

/// Steele, Lea and Flood's SplitMix64: small, fast and good enough for test data.
struct SplitMix64: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

private func wallClockMillis() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
}
