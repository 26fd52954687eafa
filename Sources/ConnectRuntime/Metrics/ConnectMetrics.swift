import Synchronization

/// One metric with its samples, named for Prometheus (Kafka's JMX names as the Prometheus JMX
/// exporter's Kafka Connect rules spell them: `kafka_connect_<group>_<attribute>`, dashes to underscores).
public struct MetricFamily: Sendable, Hashable {
    /// The kind of a metric.
    public enum Kind: String, Sendable, Hashable {
        /// Only goes up (resets when the task restarts).
        case counter
        /// Any value.
        case gauge
    }

    /// One value with its labels (in order).
    public struct Sample: Sendable, Hashable {
        /// Label names and values, e.g. `[("connector", "c"), ("task", "0")]`.
        public var labels: [Label]
        /// The value.
        public var value: Double

        /// Creates a sample.
        public init(_ labels: [Label], _ value: Double) {
            self.labels = labels
            self.value = value
        }

        /// Creates a sample without labels.
        public init(_ value: Double) { self.init([], value) }
    }

    /// A label name and value.
    public struct Label: Sendable, Hashable {
        /// The name.
        public var name: String
        /// The value (any text; escaped when rendered).
        public var value: String

        /// Creates a label.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The full metric name.
    public var name: String
    /// The `# HELP` text.
    public var help: String
    /// The `# TYPE`.
    public var kind: Kind
    /// The values.
    public var samples: [Sample]

    /// Creates a family.
    public init(name: String, help: String, kind: Kind, samples: [Sample]) {
        self.name = name
        self.help = help
        self.kind = kind
        self.samples = samples
    }
}

/// The counters of one task, updated by its run loop once per batch or commit (a lock per update,
/// never per record).
public final class TaskMetrics: Sendable {
    /// The values at one moment.
    public struct Values: Sendable, Hashable {
        /// Records returned by `poll()`, before transforms (`source-record-poll-total`).
        public var sourceRecordPollTotal = 0
        /// Records Kafka acknowledged, after transforms, dropped ones excluded (`source-record-write-total`).
        public var sourceRecordWriteTotal = 0
        /// Records consumed, before transforms (`sink-record-read-total`).
        public var sinkRecordReadTotal = 0
        /// Records handed to `put`, after transforms, dropped ones excluded (`sink-record-send-total`).
        public var sinkRecordSendTotal = 0
        /// Offset commits that completed.
        public var offsetCommitSuccessTotal = 0
        /// Offset commits that failed.
        public var offsetCommitFailureTotal = 0
        /// Longest offset commit so far, in milliseconds.
        public var offsetCommitMaxTimeMs = 0.0
        /// All offset commit time, in milliseconds (for the average).
        public var offsetCommitTimeSumMs = 0.0
        /// Records sent to the dead letter queue (`deadletterqueue-produce-requests`).
        public var deadLetterQueueProduceRequests = 0
        /// Dead letter queue writes that failed (`deadletterqueue-produce-failures`).
        public var deadLetterQueueProduceFailures = 0

        /// Zero values.
        public init() {}

        /// Mean offset commit time in milliseconds since the task started (0 before any commit).
        public var offsetCommitAvgTimeMs: Double {
            let commits = offsetCommitSuccessTotal + offsetCommitFailureTotal
            return commits == 0 ? 0 : offsetCommitTimeSumMs / Double(commits)
        }
    }

    private let state = Mutex(Values())

    /// Fresh counters.
    public init() {}

    /// The values now.
    public var values: Values { state.withLock { $0 } }

    /// Changes the values under the lock.
    public func update(_ body: (inout Values) -> Void) {
        state.withLock { body(&$0) }
    }

    /// Records one offset commit attempt and how long it took.
    public func recordCommit(succeeded: Bool, duration: Duration) {
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        state.withLock {
            if succeeded { $0.offsetCommitSuccessTotal += 1 } else { $0.offsetCommitFailureTotal += 1 }
            $0.offsetCommitMaxTimeMs = max($0.offsetCommitMaxTimeMs, ms)
            $0.offsetCommitTimeSumMs += ms
        }
    }
}

/// What the worker runs at one moment, for `GET /metrics`.
public struct WorkerMetricsSnapshot: Sendable {
    /// One task.
    public struct Task: Sendable {
        /// The task.
        public var id: ConnectorTaskID
        /// Source or sink; `nil` when the task could not be created.
        public var isSource: Bool?
        /// Its state.
        public var state: ConnectState
        /// Its counters (`nil` when it could not be created).
        public var values: TaskMetrics.Values?
        /// Its error handler's counters.
        public var errors: RetryWithToleranceOperator.Counters?

        /// Creates a task entry.
        public init(
            id: ConnectorTaskID,
            isSource: Bool?,
            state: ConnectState,
            values: TaskMetrics.Values?,
            errors: RetryWithToleranceOperator.Counters?
        ) {
            self.id = id
            self.isSource = isSource
            self.state = state
            self.values = values
            self.errors = errors
        }
    }

    /// The connectors the worker runs.
    public var connectors: [String]
    /// The tasks, ordered by id.
    public var tasks: [Task]

    /// Creates a snapshot.
    public init(connectors: [String], tasks: [Task]) {
        self.connectors = connectors
        self.tasks = tasks
    }

    /// The families, in a stable order, with Kafka's names: `connect-worker-metrics`,
    /// `connector-task-metrics`, `source-task-metrics`, `sink-task-metrics`, `task-error-metrics`.
    public var families: [MetricFamily] {
        typealias Label = MetricFamily.Label
        typealias Sample = MetricFamily.Sample
        var families: [MetricFamily] = []
        func add(
            _ group: String,
            _ attribute: String,
            _ kind: MetricFamily.Kind,
            _ help: String,
            _ samples: [Sample]
        ) {
            families.append(
                MetricFamily(name: "kafka_connect_\(group)_\(attribute)", help: help, kind: kind, samples: samples)
            )
        }
        let worker = "connect_worker_metrics"
        add(
            worker,
            "connector_count",
            .gauge,
            "The number of connectors run in this worker.",
            [Sample(Double(connectors.count))]
        )
        add(worker, "task_count", .gauge, "The number of tasks run in this worker.", [Sample(Double(tasks.count))])
        let byConnector = Dictionary(grouping: tasks, by: \.id.connector)
        let connectorNames = Set(connectors).union(byConnector.keys).sorted()
        func perConnector(_ attribute: String, _ help: String, _ count: ([Task]) -> Int) {
            add(
                worker,
                attribute,
                .gauge,
                help,
                connectorNames.map { Sample([Label("connector", $0)], Double(count(byConnector[$0] ?? []))) }
            )
        }
        perConnector("connector_total_task_count", "The number of tasks of the connector on the worker.") { $0.count }
        for state in [ConnectState.running, .paused, .failed, .unassigned, .restarting] {
            let name = state.rawValue.lowercased()
            perConnector("connector_\(name)_task_count", "The number of \(name) tasks of the connector on the worker.")
            {
                $0.filter { $0.state == state }.count
            }
        }

        let counted = tasks.compactMap { task in task.values.map { (task, $0) } }
        func labels(_ id: ConnectorTaskID) -> [Label] {
            [Label("connector", id.connector), Label("task", String(id.task))]
        }
        func perTask(
            _ group: String,
            _ attribute: String,
            _ kind: MetricFamily.Kind,
            _ help: String,
            _ which: (Task) -> Bool = { _ in true },
            _ value: (TaskMetrics.Values) -> Double
        ) {
            add(
                group,
                attribute,
                kind,
                help,
                counted.filter { which($0.0) }.map { Sample(labels($0.0.id), value($0.1)) }
            )
        }
        let taskGroup = "connector_task_metrics"
        perTask(taskGroup, "offset_commit_success_total", .counter, "Offset commits that completed.") {
            Double($0.offsetCommitSuccessTotal)
        }
        perTask(taskGroup, "offset_commit_failure_total", .counter, "Offset commits that failed.") {
            Double($0.offsetCommitFailureTotal)
        }
        perTask(taskGroup, "offset_commit_max_time_ms", .gauge, "The longest offset commit since the task started.") {
            $0.offsetCommitMaxTimeMs
        }
        perTask(taskGroup, "offset_commit_avg_time_ms", .gauge, "The mean offset commit time since the task started.") {
            $0.offsetCommitAvgTimeMs
        }
        let isSource: (Task) -> Bool = { $0.isSource == true }
        let isSink: (Task) -> Bool = { $0.isSource == false }
        perTask(
            "source_task_metrics",
            "source_record_poll_total",
            .counter,
            "Records produced or polled by the task, before transformations.",
            isSource
        ) { Double($0.sourceRecordPollTotal) }
        perTask(
            "source_task_metrics",
            "source_record_write_total",
            .counter,
            "Records written to Kafka, after transformations, filtered records excluded.",
            isSource
        ) { Double($0.sourceRecordWriteTotal) }
        perTask(
            "sink_task_metrics",
            "sink_record_read_total",
            .counter,
            "Records read from Kafka, before transformations.",
            isSink
        ) { Double($0.sinkRecordReadTotal) }
        perTask(
            "sink_task_metrics",
            "sink_record_send_total",
            .counter,
            "Records given to the task's put, after transformations, filtered records excluded.",
            isSink
        ) { Double($0.sinkRecordSendTotal) }

        let errorGroup = "task_error_metrics"
        let withErrors = tasks.compactMap { task in task.errors.map { (task.id, $0) } }
        func perTaskErrors(_ attribute: String, _ help: String, _ value: (RetryWithToleranceOperator.Counters) -> Int) {
            add(errorGroup, attribute, .counter, help, withErrors.map { Sample(labels($0.0), Double(value($0.1))) })
        }
        perTaskErrors("total_record_failures", "Record processing failures, each retry attempt included.") {
            $0.totalErrors
        }
        perTaskErrors("total_record_errors", "Records that failed for good.") { $0.failedRecords }
        perTaskErrors("total_records_skipped", "Records skipped because of errors (errors.tolerance=all).") {
            $0.skippedRecords
        }
        perTaskErrors("total_retries", "Retried operations.") { $0.retries }
        perTask(errorGroup, "deadletterqueue_produce_requests", .counter, "Writes to the dead letter queue.") {
            Double($0.deadLetterQueueProduceRequests)
        }
        perTask(errorGroup, "deadletterqueue_produce_failures", .counter, "Failed writes to the dead letter queue.") {
            Double($0.deadLetterQueueProduceFailures)
        }
        return families
    }
}
