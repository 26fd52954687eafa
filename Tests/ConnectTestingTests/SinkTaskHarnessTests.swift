import ConnectAPI
import ConnectTesting
import Testing

@Suite struct SinkTaskHarnessTests {
    private let orders = TopicPartition("orders", 0)

    private func started(
        _ extra: [String: String] = [:],
        reporting: SinkTaskHarness<CollectingSinkTask>.ErrantRecordReporting = .fromConfigs
    ) async throws -> SinkTaskHarness<CollectingSinkTask> {
        let harness = SinkTaskHarness(
            CollectingSinkTask(),
            configs: ["topics": "orders"].merging(extra) { $1 },
            errantRecordReporter: reporting
        )
        try await harness.start()
        return harness
    }

    @Test func putAdvancesOffsetsAndCommitsGoThroughPreCommit() async throws {
        let harness = try await started()
        #expect(await harness.assignment == [orders])
        #expect(await harness.task.opened == [orders])
        #expect(await harness.commit() == .unchanged)  // nothing delivered: still at the start position

        var records = SinkRecordBuilder(topic: "orders")
        try await harness.put(records.strings(["a", "b", "c"]))
        #expect(await harness.currentOffsets == [orders: OffsetAndMetadata(3)])
        #expect(await harness.commit() == .committed([orders: OffsetAndMetadata(3)]))
        #expect(await harness.task.flushed == [[orders: OffsetAndMetadata(0)], [orders: OffsetAndMetadata(3)]])
        #expect(await harness.commit() == .unchanged)

        try await harness.put([records.string("d")])
        try await harness.stop()  // final commit, close, stop
        #expect(await harness.committedOffsets == [:])  // closed partitions are forgotten
        #expect(await harness.commits == [[orders: OffsetAndMetadata(3)], [orders: OffsetAndMetadata(4)]])
        #expect(await harness.task.closed == [orders])
        #expect(await harness.task.isStopped)
        #expect(await harness.partitionEvents == [.opened([orders]), .closed([orders])])
    }

    @Test func startOffsetsAreTheBaselineOfCommits() async throws {
        let harness = SinkTaskHarness(CollectingSinkTask(), configs: ["topics": "orders"], startOffsets: [orders: 40])
        try await harness.start()
        var records = SinkRecordBuilder(topic: "orders", startOffset: 40)
        try await harness.put([records.string("x")])
        #expect(await harness.commit() == .committed([orders: OffsetAndMetadata(41)]))
    }

    @Test func aRetriableErrorRedeliversTheSameBatch() async throws {
        let harness = try await started(["retriable.failures": "2"])
        var records = SinkRecordBuilder(topic: "orders")
        let batch = records.strings(["a", "b"])
        await #expect(throws: RetriableError.self) { try await harness.put(batch) }
        #expect(await harness.currentOffsets == [orders: OffsetAndMetadata(0)])
        #expect(try await harness.deliver(batch) == 2)
        #expect(harness.context.timeouts == [250, 250])
        #expect(await harness.task.received.map(\.value) == ["a", "b"])
        #expect(await harness.currentOffsets == [orders: OffsetAndMetadata(2)])
    }

    @Test func deliverGivesUpAfterMaxAttempts() async throws {
        let harness = try await started(["retriable.failures": "5"])
        var records = SinkRecordBuilder(topic: "orders")
        await #expect(throws: RetriableError.self) { try await harness.deliver([records.string("a")], maxAttempts: 3) }
        #expect(await harness.putCount == 0)
    }

    @Test func offsetsBeyondTheCurrentOnesAreIgnored() async throws {
        let harness = try await started(["precommit": "beyond"])
        var records = SinkRecordBuilder(topic: "orders")
        try await harness.put(records.strings(["a", "b"]))
        #expect(await harness.commit() == .unchanged)
        #expect(await harness.ignoredOffsets == [orders: OffsetAndMetadata(3)])
    }

    @Test func aTaskMayCommitLessThanItReceived() async throws {
        let harness = try await started(["precommit": "lag"])
        var records = SinkRecordBuilder(topic: "orders")
        try await harness.put(records.strings(["a", "b"]))
        #expect(await harness.commit() == .committed([orders: OffsetAndMetadata(1)]))
    }

    @Test func anEmptyPreCommitOptsOut() async throws {
        let harness = try await started(["precommit": "opt-out"])
        var records = SinkRecordBuilder(topic: "orders")
        try await harness.put(records.strings(["a"]))
        #expect(await harness.commit() == .optedOut)
        #expect(await harness.commits.isEmpty)
    }

    @Test func aThrowingPreCommitRewindsToTheLastCommit() async throws {
        let harness = try await started(["precommit": "throw"])
        var records = SinkRecordBuilder(topic: "orders", startOffset: 0)
        try await harness.put(records.strings(["a", "b"]))
        #expect(await harness.commit() == .preCommitFailed("cannot flush"))
        #expect(await harness.seeks.map(\.offset) == [0])
        #expect(await harness.currentOffsets == [orders: OffsetAndMetadata(0)])
    }

    @Test func requestedCommitsHappenAtTheNextIteration() async throws {
        let harness = try await started()
        var records = SinkRecordBuilder(topic: "orders")
        try await harness.put([records.string("commit-please")])
        #expect(harness.context.commitRequests == 1)
        #expect(await harness.commitIfRequested() == .committed([orders: OffsetAndMetadata(1)]))
        #expect(await harness.commitIfRequested() == nil)

        try await harness.put([records.string("commit-please")])
        try await harness.put([])  // the worker's next iteration commits first
        #expect(await harness.commits.count == 2)
    }

    @Test func seeksRequestedInOpenBecomeTheBaseline() async throws {
        let harness = try await started(["open.seek": "10"])
        #expect(harness.context.offsetRequests == [[orders: 10]])
        try await harness.put([])
        #expect(await harness.seeks.map(\.offset) == [10])
        #expect(await harness.currentOffsets == [orders: OffsetAndMetadata(10)])
        #expect(await harness.commit() == .unchanged)
    }

    @Test func pausedPartitionsGetNoRecordsAndOnlyAssignedOnesCanBePaused() async throws {
        let harness = try await started()
        var records = SinkRecordBuilder(topic: "orders")
        try await harness.put([records.string("pause")])
        #expect(harness.context.pausedPartitions == [orders])
        await #expect(throws: ConnectTestingError.self) { try await harness.put([records.string("x")]) }
        try await harness.task.resume([orders])
        try await harness.put([records.string("y")])

        let error = await #expect(throws: ConnectError.self) {
            try await harness.task.pauseDirectly([TopicPartition("other", 0)])
        }
        #expect(error?.code == .illegalWorkerState)
    }

    @Test func recordsOfUnassignedPartitionsAreATestMistake() async throws {
        let harness = try await started()
        var other = SinkRecordBuilder(topic: "other")
        await #expect(throws: ConnectTestingError.self) { try await harness.put([other.string("x")]) }
    }

    @Test func aTolerantReporterKeepsReportsAndTheTaskGoesOn() async throws {
        let harness = try await started(["errors.tolerance": "all", "errors.log.enable": "true"])
        let reporter = try #require(harness.errantRecordReporter)
        var records = SinkRecordBuilder(topic: "orders")
        try await harness.put(records.strings(["ok", "bad", "ok"]))
        #expect(await reporter.reportedRecords.map(\.kafkaOffset) == [1])
        #expect(await harness.currentOffsets == [orders: OffsetAndMetadata(3)])
        #expect(await !harness.hasFailed)
    }

    @Test func anIntolerantReporterFailsTheTaskEvenIfItSwallowsTheError() async throws {
        let harness = try await started(["errors.deadletterqueue.topic.name": "dlq"])
        var records = SinkRecordBuilder(topic: "orders")
        let error = await #expect(throws: ConnectError.self) { try await harness.put(records.strings(["bad"])) }
        #expect(error?.message == "Tolerance exceeded in error handler")
        #expect(await harness.hasFailed)
        try await harness.stop()
        #expect(await harness.commits.isEmpty)  // a failed task is stopped without a final commit
    }

    @Test func withoutErrorReportingConfiguredThereIsNoReporter() async throws {
        let harness = try await started()
        #expect(harness.errantRecordReporter == nil)
        #expect(harness.context.errantRecordReporter == nil)
        let forced = try await started(reporting: .tolerant)
        #expect(forced.context.errantRecordReporter != nil)
    }

    @Test func revocationCommitsThenClosesAndAssignmentOpens() async throws {
        let harness = try await started()
        var records = SinkRecordBuilder(topic: "orders")
        try await harness.put(records.strings(["a", "b"]))
        #expect(try await harness.revoke([orders]) == .committed([orders: OffsetAndMetadata(2)]))
        #expect(harness.context.assignment.isEmpty)
        #expect(await harness.task.closed == [orders])

        let moved = TopicPartition("orders", 1)
        try await harness.assign([moved], at: [moved: 7])
        #expect(harness.context.assignment == [moved])
        #expect(await harness.currentOffsets == [moved: OffsetAndMetadata(7)])
        try await harness.lose([moved])
        #expect(await harness.commits.count == 1)  // lost partitions are not committed
        #expect(await harness.partitionEvents.count == 4)
    }

    @Test func aSinkConnectorsTasksShareTheAssignment() async throws {
        let run = try await SinkConnectorHarness.start(
            CollectingSinkConnector.self,
            configs: ["topics": "a,b,c", "url": "http://x", "tasks.max": "2"],
            assignment: [TopicPartition("a", 0), TopicPartition("b", 0), TopicPartition("c", 0)]
        )
        #expect(run.tasks.count == 2)
        #expect(await run.tasks[0].assignment == [TopicPartition("a", 0), TopicPartition("c", 0)])
        #expect(await run.tasks[1].assignment == [TopicPartition("b", 0)])
        #expect(run.tasks[1].configs["topics"] == "a,b,c")
        let owner = try #require(await run.task(for: TopicPartition("b", 0)))
        var records = SinkRecordBuilder(topic: "b")
        try await owner.put([records.string("x")])
        try await run.stop()
        #expect(await owner.commits == [[TopicPartition("b", 0): OffsetAndMetadata(1)]])
    }
}

@Suite struct SinkRecordBuilderTests {
    @Test func buildsConsecutiveRecordsInTheConvertersShapes() throws {
        var builder = SinkRecordBuilder(topic: "t", partition: 2, startOffset: 5, timestamp: 1000)
        let text = builder.string("hello", key: "k")
        #expect(text.kafkaOffset == 5 && text.kafkaPartition == 2 && text.timestamp == 1000)
        #expect(text.valueSchema == .optionalString && text.key == "k")
        #expect(text.timestampType == .createTime)

        let json = try builder.json(#"{"id": 7, "price": 1.5, "tags": ["a"], "ok": true, "none": null}"#)
        #expect(json.kafkaOffset == 6 && json.timestamp == 1001 && json.valueSchema == nil)
        #expect(
            json.value == .map(["id": .int64(7), "price": .float64(1.5), "tags": ["a"], "ok": true, "none": .null])
        )

        let schema = try SchemaBuilder.struct().field("id", .int64).build()
        let value = try Struct(schema: schema, values: [.int64(1)])
        let structured = builder.struct(value)
        #expect(structured.valueSchema == schema && structured.kafkaOffset == 7)
        #expect(builder.tombstone(key: "gone").value == .null)
        #expect(builder.topicPartition == TopicPartition("t", 2))
    }

    @Test func jsonTextReadsEscapesAndRejectsGarbage() throws {
        #expect(try JSONText.parse(#""a\"b\\c\n\u00e9\ud83d\ude00""#) == .string("a\"b\\c\né😀"))
        #expect(
            try JSONText.parse(" [1, -2, 3e2, 9223372036854775808] ") == [
                .int64(1), .int64(-2), .float64(300), .float64(9.223372036854775808e18),
            ]
        )
        #expect(try JSONText.parse("{}") == .map([:]))
        for bad in ["", "{", "[1,]", "tru", "\"open", "{\"a\" 1}", "1 2", "{1: 2}"] {
            #expect(throws: ConnectTestingError.self, "\(bad)") { try JSONText.parse(bad) }
        }
    }
}
