import ConnectREST
import ConnectRuntime
import Foundation
import Testing

/// `GET /metrics`: the Prometheus text format and the worker's counters.
@Suite struct MetricsTests {
    @Test func rendersHelpTypeAndEscapedLabels() {
        let families = [
            MetricFamily(
                name: "kafka_connect_connect_worker_metrics_connector_count",
                help: "Connectors.",
                kind: .gauge,
                samples: [.init(2)]
            ),
            MetricFamily(
                name: "kafka_connect_source_task_metrics_source_record_poll_total",
                help: "Back\\slash and\nnewline.",
                kind: .counter,
                samples: [
                    .init([.init("connector", #"a"b\c"#), .init("task", "0")], 12),
                    .init([.init("connector", "line\nbreak"), .init("task", "1")], 0.25),
                ]
            ),
            MetricFamily(name: "kafka_connect_empty", help: "None yet.", kind: .counter, samples: []),
        ]
        let expected = """
            # HELP kafka_connect_connect_worker_metrics_connector_count Connectors.
            # TYPE kafka_connect_connect_worker_metrics_connector_count gauge
            kafka_connect_connect_worker_metrics_connector_count 2
            # HELP kafka_connect_source_task_metrics_source_record_poll_total Back\\\\slash and\\nnewline.
            # TYPE kafka_connect_source_task_metrics_source_record_poll_total counter
            kafka_connect_source_task_metrics_source_record_poll_total{connector="a\\"b\\\\c",task="0"} 12
            kafka_connect_source_task_metrics_source_record_poll_total{connector="line\\nbreak",task="1"} 0.25
            # HELP kafka_connect_empty None yet.
            # TYPE kafka_connect_empty counter

            """
        #expect(PrometheusText.render(families) == expected)
    }

    @Test func snapshotNamesKafkaMetrics() {
        var values = TaskMetrics.Values()
        values.sourceRecordPollTotal = 5
        values.offsetCommitSuccessTotal = 1
        values.offsetCommitFailureTotal = 1
        values.offsetCommitTimeSumMs = 30
        values.offsetCommitMaxTimeMs = 20
        var errors = RetryWithToleranceOperator.Counters()
        errors.skippedRecords = 3
        let snapshot = WorkerMetricsSnapshot(
            connectors: ["c", "idle"],
            tasks: [
                .init(
                    id: ConnectorTaskID(connector: "c", task: 0),
                    isSource: true,
                    state: .running,
                    values: values,
                    errors: errors
                ),
                .init(
                    id: ConnectorTaskID(connector: "c", task: 1),
                    isSource: nil,
                    state: .failed,
                    values: nil,
                    errors: nil
                ),
            ]
        )
        let text = PrometheusText.render(snapshot.families)
        let lines = Set(text.split(separator: "\n").map(String.init))
        for line in [
            "kafka_connect_connect_worker_metrics_connector_count 2",
            "kafka_connect_connect_worker_metrics_task_count 2",
            #"kafka_connect_connect_worker_metrics_connector_running_task_count{connector="c"} 1"#,
            #"kafka_connect_connect_worker_metrics_connector_failed_task_count{connector="c"} 1"#,
            #"kafka_connect_connect_worker_metrics_connector_paused_task_count{connector="c"} 0"#,
            #"kafka_connect_connect_worker_metrics_connector_total_task_count{connector="idle"} 0"#,
            #"kafka_connect_source_task_metrics_source_record_poll_total{connector="c",task="0"} 5"#,
            #"kafka_connect_connector_task_metrics_offset_commit_success_total{connector="c",task="0"} 1"#,
            #"kafka_connect_connector_task_metrics_offset_commit_failure_total{connector="c",task="0"} 1"#,
            #"kafka_connect_connector_task_metrics_offset_commit_max_time_ms{connector="c",task="0"} 20"#,
            #"kafka_connect_connector_task_metrics_offset_commit_avg_time_ms{connector="c",task="0"} 15"#,
            #"kafka_connect_task_error_metrics_total_records_skipped{connector="c",task="0"} 3"#,
            #"kafka_connect_task_error_metrics_deadletterqueue_produce_requests{connector="c",task="0"} 0"#,
        ] {
            #expect(lines.contains(line), "missing \(line)")
        }
        // A source task has no sink samples; the failed task without counters has none at all.
        #expect(!text.contains("kafka_connect_sink_task_metrics_sink_record_read_total{"))
        #expect(!text.contains(#"task="1"}"#))
    }

    @Test func endpointCountsPollsAndCommits() async throws {
        let rest = try await RESTFixture.start(worker: ["offset.flush.interval.ms": "50"])
        // Every record is filtered out, so the task polls and commits offsets without a broker.
        let created = try await rest.call(
            "POST",
            "/connectors",
            #"{"name":"m","config":{"connector.class":"TestSource","test.records":"true","transforms":"drop","transforms.drop.type":"org.apache.kafka.connect.transforms.Filter"}}"#
        )
        #expect(created.status == 201)
        let poll = #"kafka_connect_source_task_metrics_source_record_poll_total{connector="m",task="0"}"#
        let commits = #"kafka_connect_connector_task_metrics_offset_commit_success_total{connector="m",task="0"}"#
        let first = try await waitForMetrics(rest) { ($0[poll] ?? 0) > 0 && ($0[commits] ?? 0) > 0 }
        #expect(first["kafka_connect_connect_worker_metrics_connector_count"] == 1)
        #expect(first["kafka_connect_connect_worker_metrics_task_count"] == 1)
        #expect(first[#"kafka_connect_connect_worker_metrics_connector_running_task_count{connector="m"}"#] == 1)
        #expect(first[#"kafka_connect_source_task_metrics_source_record_write_total{connector="m",task="0"}"#] == 0)
        #expect(first[#"kafka_connect_task_error_metrics_total_record_errors{connector="m",task="0"}"#] == 0)
        let polled = first[poll] ?? 0
        let committed = first[commits] ?? 0
        let later = try await waitForMetrics(rest) { ($0[poll] ?? 0) > polled && ($0[commits] ?? 0) > committed }
        #expect((later[poll] ?? 0) > polled)

        let answer = try await rest.call("GET", "/metrics")
        #expect(answer.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(try await rest.call("POST", "/metrics", "{}").status == 405)

        try await rest.call("PUT", "/connectors/m/pause")
        let paused = try await waitForMetrics(rest) {
            $0[#"kafka_connect_connect_worker_metrics_connector_paused_task_count{connector="m"}"#] == 1
        }
        #expect(paused[#"kafka_connect_connect_worker_metrics_connector_running_task_count{connector="m"}"#] == 0)
        await rest.stop()
    }

    /// Scrapes `/metrics` until `condition` holds on the parsed samples (30 s at most).
    private func waitForMetrics(
        _ rest: RESTFixture,
        _ condition: ([String: Double]) -> Bool
    ) async throws -> [String: Double] {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let answer = try await rest.call("GET", "/metrics")
            #expect(answer.status == 200)
            var samples: [String: Double] = [:]
            for line in answer.text.split(separator: "\n") where !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
                else { continue }
                samples[String(line[..<space])] = value
            }
            if condition(samples) { return samples }
            guard ContinuousClock.now < deadline else {
                Issue.record("metrics never matched:\n\(answer.text)")
                return samples
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
