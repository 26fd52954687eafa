import ConnectAPI
import Testing

@testable import ConnectDataGen

private struct FixedOffsets: OffsetStorageReader {
    var offsets: [[String: ConnectValue]: [String: ConnectValue]] = [:]

    func offset(for partition: [String: ConnectValue]) async throws -> [String: ConnectValue]? {
        offsets[partition]
    }

    func offsets(
        for partitions: [[String: ConnectValue]]
    ) async throws -> [[String: ConnectValue]: [String: ConnectValue]] {
        offsets.filter { partitions.contains($0.key) }
    }
}

private struct FixedContext: SourceTaskContext {
    var configs: [String: String] = [:]
    var offsetStorageReader: any OffsetStorageReader
    var transactionContext: (any TransactionContext)? { nil }
}

@Suite struct DataGenTests {
    static let unlimited = ["topic": "t", "records.per.second": "0"]

    static func startedTask(
        _ config: [String: String],
        offsets: [[String: ConnectValue]: [String: ConnectValue]] = [:]
    ) async throws -> DataGenSourceTask {
        let task = DataGenSourceTask(idleWait: .milliseconds(1))
        await task.initialize(context: FixedContext(offsetStorageReader: FixedOffsets(offsets: offsets)))
        try await task.start(configs: config)
        return task
    }

    @Test func defaultsGiveAFiveFieldStructKeyedById() async throws {
        let task = try await Self.startedTask(Self.unlimited.merging(["batch.size": "3"]) { $1 })
        let records = try #require(try await task.poll())
        #expect(records.count == 3)
        let first = try #require(records.first?.value.structValue)
        #expect(first.schema.fields.map(\.name) == ["id", "name", "amount", "active", "created"])
        #expect(first.schema.fields.map(\.schema.kind) == [.int64, .string, .float64, .boolean, .int64])
        #expect(first.schema.fields.last?.schema.name == LogicalType.timestampName)
        #expect(records.map(\.key) == [.int64(0), .int64(1), .int64(2)])
        #expect(records.map(\.keySchema) == [.int64, .int64, .int64])
        #expect(records.last?.sourceOffset == ["sequence": .int64(3)])
        #expect(records.allSatisfy { $0.topic == "t" && $0.sourcePartition == ["datagen.task": .int32(0)] })
    }

    @Test func theSameSeedGivesTheSameValuesAndAnotherSeedOthers() async throws {
        func values(_ seed: String) async throws -> [ConnectValue] {
            let task = try await Self.startedTask(
                Self.unlimited.merging(["fields": "id:int64,name:string,amount:float64", "random.seed": seed]) { $1 }
            )
            return try #require(try await task.poll()).map(\.value)
        }
        let seven = try await values("7")
        let sevenAgain = try await values("7")
        let eight = try await values("8")
        #expect(seven == sevenAgain)
        #expect(seven != eight)
    }

    @Test func tasksSplitTheNumbersAndMaxRecords() async throws {
        let connector = DataGenSourceConnector()
        try await connector.start(configs: Self.unlimited.merging(["max.records": "10"]) { $1 })
        let configs = try await connector.taskConfigs(maxTasks: 3)
        var ids: [Int64] = []
        for config in configs {
            let task = try await Self.startedTask(config)
            while let records = try await task.poll(), !records.isEmpty {
                ids += records.compactMap { $0.key.integerValue }
            }
        }
        #expect(ids.sorted() == Array(0..<10))
    }

    @Test func aRestartContinuesFromTheCommittedSequence() async throws {
        let task = try await Self.startedTask(
            Self.unlimited.merging(["batch.size": "2"]) { $1 },
            offsets: [["datagen.task": .int32(0)]: ["sequence": .int64(40)]]
        )
        let records = try #require(try await task.poll())
        #expect(records.map(\.key) == [.int64(40), .int64(41)])
    }

    @Test func thePacerHandsOutRecordsAtTheRate() {
        var pacer = DataGenPacer(recordsPerSecond: 100, startedAt: 10)
        #expect(pacer.due(at: 10, limit: 1000) == 0)
        #expect(pacer.due(at: 10.5, limit: 1000) == 50)
        #expect(pacer.due(at: 10.5, limit: 20) == 20)
        pacer.consumed(50)
        #expect(pacer.due(at: 10.5, limit: 1000) == 0)
        #expect(abs(pacer.secondsUntilNext(at: 10.5) - 0.01) < 1e-9)
        #expect(pacer.due(at: 11, limit: 1000) == 50)
        #expect(DataGenPacer(recordsPerSecond: 0, startedAt: 0).due(at: 0, limit: 7) == 7)
    }

    @Test func badConfigsNameTheKeyAndTheFix() throws {
        let badType = #expect(throws: ConfigError.self) {
            try DataGenConfig(["topic": "t", "fields": "id:int64,when:date"])
        }
        #expect(badType?.message.contains("fields") == true)
        #expect(badType?.message.contains("int32, int64, float64, boolean, string, timestamp") == true)
        let badKey = #expect(throws: ConfigError.self) {
            try DataGenConfig(["topic": "t", "fields": "a:string", "key.field": "b"])
        }
        #expect(badKey?.message.contains("key.field") == true)
        #expect(throws: ConfigError.self) { try DataGenConfig(["records.per.second": "5"]) }
        #expect(throws: ConfigError.self) { try DataGenConfig(["topic": "t", "records.per.second": "-1"]) }
        // The default key field is dropped silently when the fields have no id.
        #expect(try DataGenConfig(["topic": "t", "fields": "a:string"]).keyField == nil)
    }
}
