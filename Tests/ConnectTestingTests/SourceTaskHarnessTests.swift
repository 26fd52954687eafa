import ConnectAPI
import ConnectTesting
import Testing

@Suite struct SourceTaskHarnessTests {
    private let props = ["topic": "numbers", "partitions": "2", "records.per.partition": "3"]

    @Test func drainsCommitsRecordsAndFlushesTheLastOffsetOfEachPartition() async throws {
        let run = try await SourceConnectorHarness.start(CountingSourceConnector.self, configs: props)
        let records = try await run.drainUntilEmpty()
        #expect(records.map(\.value.stringValue) == ["p0-0", "p1-0", "p0-1", "p1-1", "p0-2", "p1-2"])

        let task = try #require(run.tasks.first)
        #expect(await task.pollCount == 4)  // three polls with records, one empty
        // commitRecord got Kafka offsets in the order of the topic partition (all to numbers-0).
        #expect(await task.task.committedRecords.map(\.offset) == [0, 1, 2, 3, 4, 5])

        let flushed = try await task.commitOffsets()
        #expect(flushed[["partition": "p0"]] == ["n": .int32(2)])
        // Read back as the worker's JSON offset storage returns them.
        #expect(run.offsets[["partition": "p0"]] == ["n": .int64(2)])
        #expect(run.offsets[["partition": "p1"]] == ["n": .int64(2)])
        #expect(await task.task.commits == 1)

        try await run.stop()
        #expect(await task.task.isStopped)
        #expect(await task.task.commits == 2)  // the flush at stop calls commit() again
    }

    @Test func aRestartedTaskResumesFromTheCommittedOffsets() async throws {
        let offsets = InMemoryOffsetStore([["partition": "p0"]: ["n": .int32(0)]])
        let first = try await SourceConnectorHarness.start(
            CountingSourceConnector.self,
            configs: props,
            offsets: offsets
        )
        let firstRecords = try await first.drainUntilEmpty()
        #expect(firstRecords.map(\.value.stringValue) == ["p0-1", "p1-0", "p0-2", "p1-1", "p1-2"])
        try await first.stop()

        var more = props
        more["records.per.partition"] = "4"
        let second = try await SourceConnectorHarness.start(
            CountingSourceConnector.self,
            configs: more,
            offsets: offsets
        )
        #expect(try await second.drainUntilEmpty().map(\.value.stringValue) == ["p0-3", "p1-3"])
        try await second.stop()
    }

    @Test func tasksSplitTheWorkAndShareOneOffsetStore() async throws {
        var props = self.props
        props["tasks.max"] = "2"
        let run = try await SourceConnectorHarness.start(CountingSourceConnector.self, configs: props)
        #expect(run.tasks.count == 2)
        #expect(run.tasks.map { $0.configs["assigned"] } == ["0", "1"])
        #expect(run.tasks.allSatisfy { $0.configs["task.class"] == "ConnectTestingTests.CountingSourceTask" })
        let records = try await run.drainUntilEmpty()
        #expect(records.count == 6)
        try await run.stop()
        #expect(run.offsets.committed.count == 2)
    }

    @Test func anOffsetWaitsForEveryEarlierRecordOfItsPartition() async throws {
        let harness = SourceTaskHarness(
            CountingSourceTask(),
            configs: props.merging(["assigned": "0,1"]) { $1 },
            acknowledgement: .manual
        )
        try await harness.start()
        let records = try await harness.drain(atLeast: 6)
        #expect(records.count == 6)
        #expect(await harness.unacknowledgedRecords.count == 6)

        // Kafka acknowledges p0-1 and p0-2 but not p0-0 yet, and p1-0.
        try await harness.acknowledge([records[2], records[4], records[1]])
        #expect(await harness.committableOffsets == [["partition": "p1"]: ["n": .int32(0)]])
        #expect(try await harness.commitOffsets() == [["partition": "p1"]: ["n": .int32(0)]])
        #expect(harness.offsets[["partition": "p0"]] == nil)

        // p0-0 arrives: p0's whole prefix is written, its last offset commits.
        try await harness.acknowledge([records[0]])
        #expect(try await harness.commitOffsets() == [["partition": "p0"]: ["n": .int32(2)]])
        #expect(harness.offsets[["partition": "p0"]] == ["n": .int64(2)])

        // What stays unacknowledged at stop holds its partition back.
        #expect(try await harness.stop() == [:])
        #expect(harness.offsets[["partition": "p1"]] == ["n": .int64(0)])
        await #expect(throws: ConnectTestingError.self) { try await harness.acknowledge([records[0]]) }
    }

    @Test func droppedRecordsGetCommitRecordWithoutMetadataAndCountAsWritten() async throws {
        let harness = SourceTaskHarness(
            CountingSourceTask(),
            configs: props.merging(["partitions": "1", "records.per.partition": "2"]) { $1 },
            acknowledgement: .manual
        )
        try await harness.start()
        let records = try await harness.drain(atLeast: 2)
        try await harness.drop([records[0]])
        try await harness.acknowledgeAll()
        let committed = await harness.task.committedRecords
        #expect(committed.map(\.value) == ["p0-0", "p0-1"])
        #expect(committed.map(\.offset) == [nil, 0])  // the dropped record never reached Kafka
        #expect(try await harness.commitOffsets() == [["partition": "p0"]: ["n": .int32(1)]])
    }

    @Test func retriableErrorsArePolledThroughAndOtherErrorsSurface() async throws {
        let record = SourceRecord(sourcePartition: nil, sourceOffset: nil, topic: "t", valueSchema: nil, value: "x")
        let harness = SourceTaskHarness(
            ScriptedSourceTask([.retriable, .nothing, .records([record]), .retriable, .fail]),
            configs: [:]
        )
        try await harness.start()
        #expect(try await harness.drain(atLeast: 1) == [record])
        #expect(await harness.retriablePollErrors == 1)
        await #expect(throws: RetriableError.self) { _ = try await harness.poll() }
        await #expect(throws: ConnectError.self) { _ = try await harness.drainUntilEmpty() }
        try await harness.stop()
    }

    @Test func aPollThatNeverReturnsIsCancelledAtTheTimeout() async throws {
        let harness = SourceTaskHarness(ScriptedSourceTask([.hang]), configs: [:])
        try await harness.start()
        let clock = ContinuousClock()
        let started = clock.now
        await #expect(throws: ConnectTestingError.self) { _ = try await harness.poll(timeout: .milliseconds(100)) }
        #expect(clock.now - started < .seconds(10))
    }

    @Test func recordsTheWorkerCouldNotConvertAreRejected() async throws {
        let bad = SourceRecord(sourcePartition: nil, sourceOffset: nil, topic: "t", valueSchema: .int32, value: "x")
        let harness = SourceTaskHarness(ScriptedSourceTask([.records([bad])]), configs: [:])
        try await harness.start()
        let error = await #expect(throws: ConnectTestingError.self) { _ = try await harness.poll() }
        #expect(error?.message.contains("INT32") == true)
    }

    @Test func offsetsWithNonPrimitiveValuesCannotBeCommitted() async throws {
        let record = SourceRecord(
            sourcePartition: ["file": "a"],
            sourceOffset: ["position": .array([.int64(1), .int64(2)])],
            topic: "t",
            valueSchema: nil,
            value: "x"
        )
        let harness = SourceTaskHarness(ScriptedSourceTask([.records([record])]), configs: [:])
        try await harness.start()
        _ = try await harness.poll()
        let error = await #expect(throws: ConnectTestingError.self) { try await harness.commitOffsets() }
        #expect(
            error?.message == "Offsets may only contain primitive types as values, but field position contains array"
        )
    }

    @Test func theOffsetStoreNormalisesLikeJSONStorage() async throws {
        let store = InMemoryOffsetStore([["id": .int16(7)]: ["ratio": .float32(0.1), "raw": .bytes([1, 2, 3])]])
        // Looked up with any integer width: Kafka compares the serialized partition.
        let read = try await store.offset(for: ["id": .int8(7)])
        #expect(read == ["ratio": .float64(0.1), "raw": .string("AQID")])
        let many = try await store.offsets(for: [["id": .int64(7)], ["id": .int64(8)]])
        #expect(many.keys.map { $0 } == [["id": .int64(7)]])
    }
}

@Suite struct ConnectorHarnessTests {
    @Test func startFillsInTheWorkersKeysAndTaskConfigsGetTaskClass() async throws {
        let connector = ConnectorHarness(CountingSourceConnector.self, name: "counting")
        try await connector.start(["topic": "t", "partitions": "3", "tasks.max": "2"])
        let configs = try #require(await connector.configs)
        #expect(configs["name"] == "counting")
        #expect(configs["connector.class"] == "ConnectTestingTests.CountingSourceConnector")
        let taskConfigs = try await connector.taskConfigs()
        #expect(taskConfigs.map { $0["assigned"] } == ["0,2", "1"])
        #expect(taskConfigs.allSatisfy { $0["task.class"] == "ConnectTestingTests.CountingSourceTask" })
        #expect(try await connector.taskConfigs(maxTasks: 1).count == 1)

        await connector.connector.requestReconfiguration()
        #expect(connector.context.reconfigurationRequests == 1)
        await connector.stop()
    }

    @Test func moreTaskConfigsThanTasksMaxFailAsTheWorkerFailsTheConnector() async throws {
        let connector = ConnectorHarness(CountingSourceConnector.self)
        try await connector.start(["topic": "t", "tasks.ignore.max": "true"])
        let error = await #expect(throws: ConnectTestingError.self) { _ = try await connector.taskConfigs() }
        #expect(error?.message.contains("has generated 2 tasks, which is greater than 1") == true)
    }

    @Test func sinkTaskConfigsGetTheConnectorsTopics() async throws {
        let connector = ConnectorHarness(CollectingSinkConnector.self)
        try await connector.start(["topics": "a,b", "url": "http://x", "tasks.max": "2"])
        let taskConfigs = try await connector.taskConfigs()
        #expect(taskConfigs.count == 2)
        #expect(taskConfigs.allSatisfy { $0["topics"] == "a,b" })
    }

    @Test func validateReportsErrorsPerKey() async {
        let validation = await ConnectorHarness<CountingSourceConnector>.validate(["topic": "", "partitions": "0"])
        #expect(!validation.isValid)
        #expect(validation.errors.keys.sorted() == ["partitions", "topic"])
        #expect(validation["partitions"] == ["Invalid value 0 for configuration partitions: Value must be at least 1"])
        #expect(validation["records.per.partition"] == [])

        let valid = await ConnectorHarness<CountingSourceConnector>.validate(["topic": "t"])
        #expect(valid.isValid)
    }
}
