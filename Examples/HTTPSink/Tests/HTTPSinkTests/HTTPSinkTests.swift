import ConnectAPI
import ConnectTesting
import HTTPSink
import Testing

/// The sink run by ConnectTesting's harness against a real local HTTP server.
@Suite struct HTTPSinkTests {
    private func started(
        _ server: TestHTTPServer,
        _ extra: [String: String] = [:]
    ) async throws -> SinkTaskHarness<HTTPSinkTask> {
        let run = try await SinkConnectorHarness.start(
            HTTPSinkConnector.self,
            configs: ["topics": "orders", "http.url": server.url, "retry.backoff.ms": "50"].merging(extra) { $1 }
        )
        return try #require(run.tasks.first)
    }

    // snippet.testing-sink-put
    @Test func postsBatchesOfRecordValuesAsJSONArrays() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let harness = try await started(
            server,
            ["batch.size": "2", "http.headers": "Authorization: Bearer s3cret|X-Env: test"]
        )
        var orders = SinkRecordBuilder(topic: "orders")
        let schema = try SchemaBuilder.struct().field("id", .int64).field("note", .optionalString).build()
        try await harness.put([
            try orders.json(#"{"id": 1, "tags": ["a", "b"]}"#),
            orders.struct(try Struct(schema: schema, values: [.int64(2), .string("line\nbreak \"quoted\"")])),
            orders.string("plain"),
        ])
        let requests = server.requests
        #expect(
            requests.map(\.body) == [
                #"[{"id":1,"tags":["a","b"]},{"id":2,"note":"line\nbreak \"quoted\""}]"#, #"["plain"]"#,
            ]
        )
        #expect(requests.allSatisfy { $0.method == "POST" && $0.path == "/ingest" })
        #expect(requests.first?.headers["authorization"] == "Bearer s3cret")
        #expect(requests.first?.headers["x-env"] == "test")
        #expect(requests.first?.headers["content-type"] == "application/json")
        // Everything was posted when put returned: the worker may commit all three.
        #expect(await harness.commit() == .committed([TopicPartition("orders", 0): OffsetAndMetadata(3)]))
        try await harness.stop()
    }
    // snippet.end

    @Test func theRecordsFormatCarriesTopicPartitionOffsetAndKey() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let harness = try await started(server, ["http.body.format": "records"])
        var orders = SinkRecordBuilder(topic: "orders", startOffset: 41)
        try await harness.put([orders.string("v", key: "k")])
        #expect(
            server.requests.map(\.body) == [#"[{"topic":"orders","partition":0,"offset":41,"key":"k","value":"v"}]"#]
        )
        try await harness.stop()
    }

    // snippet.testing-sink-retry
    @Test func serverErrorsAreRetriedWithoutPostingAcceptedRecordsTwice() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        server.respond(with: [200, 503, 429])
        let harness = try await started(server, ["batch.size": "1"])
        var orders = SinkRecordBuilder(topic: "orders")
        let batch = orders.strings(["a", "b"])
        // "a" is accepted, "b" gets 503 then 429, then 200: three deliveries of the same batch.
        #expect(try await harness.deliver(batch) == 3)
        #expect(server.requests.map(\.body) == [#"["a"]"#, #"["b"]"#, #"["b"]"#, #"["b"]"#])
        #expect(harness.context.timeouts == [50, 50])
        #expect(await harness.currentOffsets == [TopicPartition("orders", 0): OffsetAndMetadata(2)])
        try await harness.stop()
    }
    // snippet.end

    @Test func anUnreachableEndpointIsRetriable() async throws {
        let server = try TestHTTPServer()
        let harness = try await started(server)
        server.stop()  // nothing listens on the port any more
        var orders = SinkRecordBuilder(topic: "orders")
        await #expect(throws: RetriableError.self) { try await harness.put([orders.string("a")]) }
        try await harness.stop()
    }

    @Test func aRejectedBatchGoesToTheDeadLetterQueueWhenConfigured() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        server.respond(with: [400])
        let harness = try await started(
            server,
            ["errors.tolerance": "all", "errors.deadletterqueue.topic.name": "orders-dlq"]
        )
        var orders = SinkRecordBuilder(topic: "orders")
        try await harness.put(orders.strings(["bad", "worse"]))
        let reporter = try #require(harness.errantRecordReporter)
        #expect(await reporter.reportedRecords.map(\.kafkaOffset) == [0, 1])
        #expect(
            await reporter.reports.first.map { "\($0.error)" }?.hasPrefix("POST to \(server.url) answered 400") == true
        )
        try await harness.stop()
    }

    @Test func aRejectedBatchFailsTheTaskWithoutADeadLetterQueue() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        server.respond(with: [400])
        let harness = try await started(server)
        var orders = SinkRecordBuilder(topic: "orders")
        await #expect(throws: ConnectError.self) { try await harness.put([orders.string("bad")]) }
        #expect(await harness.hasFailed)
    }

    @Test func validationNamesBadKeysWithoutShowingHeaderSecrets() async throws {
        let validation = await ConnectorHarness<HTTPSinkConnector>.validate([
            "http.url": "ftp://example.com", "batch.size": "0", "http.body.format": "xml",
        ])
        #expect(validation.errors.keys.sorted() == ["batch.size", "http.body.format", "http.url"])
        #expect(
            validation["http.url"] == [
                "Invalid value ftp://example.com for configuration http.url: The URL must start with http:// or https://"
            ]
        )
        let connector = ConnectorHarness(HTTPSinkConnector.self)
        let error = await #expect(throws: ConfigError.self) {
            try await connector.start(["http.url": "http://x", "http.headers": "token-without-name"])
        }
        #expect(error?.message.contains("token-without-name") == false)
    }
}

@Suite struct RegistrationTests {
    @Test func thePluginRegistersTheConnectorUnderItsClassName() {
        let registrar = ConnectPluginRegistrar(pluginName: "http", version: "0.1.0")
        register(into: registrar)
        #expect(registrar.sinkConnectors.map(\.className) == ["com.example.http.HTTPSinkConnector"])
    }
}
