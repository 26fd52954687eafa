import Foundation
import KafkaNIO
import NIOCore
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A cluster of `swift-connect distributed` worker *processes* of the built binary against the test
/// broker, for the issue 7 tests: one group with its own internal topics per cluster, one properties
/// file, log file and REST port per worker, all in a temporary directory.
///
/// Use it through ``run(_:workers:overrides:_:)``: every worker still running is killed at the end,
/// also when the test throws; the directory (with each worker's log) is removed after a test that
/// returned, and kept, with the path and the logs' tails printed, after one that threw. Checks that
/// need the logs when they fail are therefore `try #require` rather than `#expect`.
/// `SWIFTCONNECT_KEEP_CLUSTER_LOGS=1` keeps the directory always.
///
/// Not Sendable: a test drives its cluster from its own task.
final class DistributedCluster {
    /// One worker process.
    final class WorkerProcess {
        let index: Int
        let port: Int
        let process: Process
        let propertiesPath: String
        let logPath: String

        /// Its REST base URL, without a trailing slash.
        var url: String { "http://127.0.0.1:\(port)" }
        /// The `worker_id` of its tasks in status JSON: the advertised `host:port`.
        var workerID: String { "127.0.0.1:\(port)" }
        var isRunning: Bool { process.isRunning }
        var pid: Int32 { process.processIdentifier }

        init(index: Int, port: Int, process: Process, propertiesPath: String, logPath: String) {
            self.index = index
            self.port = port
            self.process = process
            self.propertiesPath = propertiesPath
            self.logPath = logPath
        }

        /// The last `lines` lines of its log.
        func logTail(_ lines: Int = 40) -> String {
            guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return "<no log>" }
            return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
        }
    }

    /// Settings of every worker: short group timings so that rebalances and failovers take seconds.
    /// `scheduled.rebalance.max.delay.ms` is what a departed worker's work waits before it is
    /// reassigned; the test broker holds each JoinGroup round about `session.timeout.ms / 2`
    /// (../shared/notes/test-broker.md), which is part of every rebalance's duration here.
    static let defaultSettings: [String: String] = [
        "scheduled.rebalance.max.delay.ms": "3000",
        "session.timeout.ms": "6000",
        "heartbeat.interval.ms": "1000",
        "offset.flush.interval.ms": "1000",
        // Sink tasks' consumers: the same short group timings.
        "consumer.session.timeout.ms": "6000",
        "consumer.heartbeat.interval.ms": "1000",
        "config.storage.replication.factor": "1",
        "offset.storage.replication.factor": "1",
        "status.storage.replication.factor": "1",
        "offset.storage.partitions": "5",
        // One partition: the tests read the status history in the order it was written.
        "status.storage.partitions": "1",
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "value.converter": "org.apache.kafka.connect.storage.StringConverter",
    ]

    let binary: String
    let directory: URL
    let bootstrapServers: String
    let groupID: String
    let configTopic: String
    let offsetTopic: String
    let statusTopic: String
    let settings: [String: String]
    /// Every worker started, in start order (stopped ones included, so their logs stay reachable).
    private(set) var started: [WorkerProcess] = []

    /// The workers whose process is still running.
    var running: [WorkerProcess] { started.filter(\.isRunning) }

    private init(name: String, overrides: [String: String]) throws {
        binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/swift-connect").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestFailure("\(binary) is missing: run swift build first")
        }
        bootstrapServers = try TestEnvironment.requireBootstrap()
        let id = UInt32.random(in: 0...UInt32.max)
        groupID = "\(name)-\(id)"
        configTopic = "\(name)-\(id)-configs"
        offsetTopic = "\(name)-\(id)-offsets"
        statusTopic = "\(name)-\(id)-status"
        settings = Self.defaultSettings.merging(overrides) { $1 }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cluster-\(name)-\(id)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// A path in the cluster's temporary directory (for connector files).
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Starts `workers` workers, waits until each answers `GET /health` with 200, runs `body`, and
    /// stops everything (see the type's documentation for what is kept when `body` throws).
    static func run(
        _ name: String,
        workers: Int,
        overrides: [String: String] = [:],
        _ body: (DistributedCluster) async throws -> Void
    ) async throws {
        let cluster = try DistributedCluster(name: name, overrides: overrides)
        do {
            try await cluster.startWorkers(workers)
            try await body(cluster)
        } catch {
            cluster.killAll()
            print("DistributedCluster \(cluster.groupID) failed: \(error)\nlogs kept in \(cluster.directory.path)")
            for worker in cluster.started {
                print("---- worker \(worker.index) (\(worker.workerID)), last lines of \(worker.logPath) ----")
                print(worker.logTail())
            }
            await cluster.deleteInternalTopics()
            throw error
        }
        cluster.killAll()
        await cluster.deleteInternalTopics()
        if ProcessInfo.processInfo.environment["SWIFTCONNECT_KEEP_CLUSTER_LOGS"] == "1" {
            print("DistributedCluster \(cluster.groupID): logs kept in \(cluster.directory.path)")
        } else {
            try? FileManager.default.removeItem(at: cluster.directory)
        }
    }

    // MARK: - Processes

    /// Starts `count` more workers at once (one group join round for all) and waits until each is healthy.
    @discardableResult
    func startWorkers(_ count: Int, timeout: Duration = .seconds(90)) async throws -> [WorkerProcess] {
        let workers = try launchWorkers(count)
        for worker in workers { try await waitUntilHealthy(worker, timeout: timeout) }
        return workers
    }

    /// Starts `count` more worker processes without waiting for them (see ``waitUntilHealthy(_:timeout:)``).
    func launchWorkers(_ count: Int) throws -> [WorkerProcess] {
        try (0..<count).map { _ in try launchWorker() }
    }

    /// Starts one more worker and waits until it is healthy.
    func addWorker(timeout: Duration = .seconds(90)) async throws -> WorkerProcess {
        try await startWorkers(1, timeout: timeout)[0]
    }

    private func launchWorker() throws -> WorkerProcess {
        let index = started.count
        // A new port for every process, also for a restarted worker: a port just released may still
        // have connections in TIME_WAIT, and a new worker id is what a replaced machine would have too.
        let port = try TestEnvironment.freePort()
        var properties = settings
        properties["bootstrap.servers"] = bootstrapServers
        properties["group.id"] = groupID
        properties["config.storage.topic"] = configTopic
        properties["offset.storage.topic"] = offsetTopic
        properties["status.storage.topic"] = statusTopic
        properties["listeners"] = "http://127.0.0.1:\(port)"
        properties["rest.advertised.host.name"] = "127.0.0.1"
        properties["rest.advertised.port"] = String(port)
        let propertiesPath = path("worker-\(index).properties")
        try Data(properties.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined().utf8)
            .write(to: URL(fileURLWithPath: propertiesPath))

        let logPath = path("worker-\(index).log")
        guard FileManager.default.createFile(atPath: logPath, contents: nil),
            let log = FileHandle(forWritingAtPath: logPath)
        else { throw TestFailure("cannot create \(logPath)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["distributed", propertiesPath]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try? log.close()
        let worker = WorkerProcess(
            index: index,
            port: port,
            process: process,
            propertiesPath: propertiesPath,
            logPath: logPath
        )
        started.append(worker)
        return worker
    }

    /// Waits until `GET /health` answers 200; fails at once when the process exits.
    func waitUntilHealthy(_ worker: WorkerProcess, timeout: Duration = .seconds(90)) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            guard worker.isRunning else {
                throw TestFailure(
                    "worker \(worker.index) exited with status \(worker.process.terminationStatus) before it was healthy"
                )
            }
            if let response = try? await request(worker, "GET", "/health"), response.status == 200 { return }
            guard ContinuousClock.now < deadline else {
                throw TestFailure("worker \(worker.index) (\(worker.url)) was not healthy within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// SIGKILL, then reaps it. Returns when the process is gone.
    func kill(_ worker: WorkerProcess) {
        if worker.isRunning {
            _ = sendSignal(worker.pid, SIGKILL)
            worker.process.waitUntilExit()
        }
    }

    /// SIGTERM (a clean shutdown) and waits for the exit; returns the exit status. Kills it with
    /// SIGKILL and throws when it does not exit within `timeout`.
    @discardableResult
    func terminate(_ worker: WorkerProcess, timeout: Duration = .seconds(60)) async throws -> Int32 {
        try await terminate([worker], timeout: timeout)[0]
    }

    /// SIGTERM to all of `workers` at once, then waits for every exit; the exit statuses in order.
    func terminate(_ workers: [WorkerProcess], timeout: Duration = .seconds(60)) async throws -> [Int32] {
        for worker in workers where worker.isRunning { _ = sendSignal(worker.pid, SIGTERM) }
        let deadline = ContinuousClock.now + timeout
        while workers.contains(where: \.isRunning) {
            guard ContinuousClock.now < deadline else {
                let stuck = workers.filter(\.isRunning)
                for worker in stuck { kill(worker) }
                throw TestFailure("workers \(stuck.map(\.index)) did not exit within \(timeout) of SIGTERM")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return workers.map { worker in
            worker.process.waitUntilExit()
            return worker.process.terminationStatus
        }
    }

    /// Kills every running worker (SIGKILL, reaped).
    func killAll() {
        for worker in started { kill(worker) }
    }

    /// Deletes the cluster's internal topics, which would otherwise keep the broker's memory.
    private func deleteInternalTopics() async {
        try? await TestEnvironment.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).deleteTopics([configTopic, offsetTopic, statusTopic])
        }
    }

    // MARK: - REST

    struct Response {
        var status: Int
        var body: Data
        /// The body as JSON (`nil` when empty or not JSON).
        var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// One REST call to `worker` (URLSession, as the other REST integration tests); `body` is sent as JSON.
    func request(
        _ worker: WorkerProcess,
        _ method: String,
        _ path: String,
        json body: Any? = nil
    ) async throws
        -> Response
    {
        guard let url = URL(string: worker.url + path) else { throw TestFailure("bad URL \(worker.url + path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = 10
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return Response(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
    }

    /// A call that must succeed with `expected` (any 2xx when nil); throws with the body otherwise.
    @discardableResult
    func call(
        _ worker: WorkerProcess,
        _ method: String,
        _ path: String,
        json body: Any? = nil,
        expect expected: Int? = nil
    )
        async throws -> Response
    {
        let response = try await request(worker, method, path, json: body)
        let ok = expected.map { response.status == $0 } ?? (200..<300).contains(response.status)
        guard ok else {
            throw TestFailure(
                "\(method) \(path) on worker \(worker.index) answered \(response.status): \(response.text)"
            )
        }
        return response
    }

    /// `POST /connectors` to `worker`: 201 expected.
    func createConnector(_ name: String, _ config: [String: String], on worker: WorkerProcess) async throws {
        try await call(worker, "POST", "/connectors", json: ["name": name, "config": config], expect: 201)
    }

    /// `GET /connectors/<name>/offsets`: each entry of `offsets` as JSON with sorted keys, sorted,
    /// so that two answers compare as strings.
    func offsets(_ connector: String, on worker: WorkerProcess) async throws -> [String] {
        let response = try await call(worker, "GET", "/connectors/\(connector)/offsets")
        guard let entries = (response.json as? [String: Any])?["offsets"] as? [Any] else {
            throw TestFailure("GET /connectors/\(connector)/offsets answered \(response.text)")
        }
        return try entries.map {
            String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self)
        }.sorted()
    }

    // MARK: - Status

    /// A task's or connector's place: its state and the `worker_id` running it.
    struct Placement: Hashable, CustomStringConvertible {
        var state: String
        var workerID: String
        var description: String { "\(state)@\(workerID)" }
    }

    /// `GET /connectors/<name>/status`, parsed.
    struct ConnectorStatus: Hashable, CustomStringConvertible {
        var connector: Placement
        var tasks: [Int: Placement]

        var description: String {
            "connector \(connector), tasks "
                + tasks.keys.sorted().map { "\($0): \(tasks[$0]!)" }.joined(separator: ", ")
        }

        /// Whether there are exactly `count` tasks, all RUNNING (and the connector too).
        func allRunning(count: Int) -> Bool {
            connector.state == "RUNNING" && tasks.count == count && tasks.values.allSatisfy { $0.state == "RUNNING" }
        }

        /// How many tasks each worker runs.
        var tasksPerWorker: [String: Int] {
            tasks.values.reduce(into: [:]) { counts, task in counts[task.workerID, default: 0] += 1 }
        }
    }

    /// The status of `connector` as `worker` reports it; nil when the worker cannot answer or the
    /// connector is unknown to it (404).
    func status(_ connector: String, from worker: WorkerProcess) async -> ConnectorStatus? {
        guard let response = try? await request(worker, "GET", "/connectors/\(connector)/status"),
            response.status == 200, let object = response.json as? [String: Any],
            let connectorObject = object["connector"] as? [String: Any],
            let connectorState = connectorObject["state"] as? String
        else { return nil }
        var tasks: [Int: Placement] = [:]
        for task in object["tasks"] as? [[String: Any]] ?? [] {
            guard let id = task["id"] as? Int, let state = task["state"] as? String else { return nil }
            tasks[id] = Placement(state: state, workerID: task["worker_id"] as? String ?? "")
        }
        return ConnectorStatus(
            connector: Placement(state: connectorState, workerID: connectorObject["worker_id"] as? String ?? ""),
            tasks: tasks
        )
    }

    /// Polls `connector`'s status from `worker` every `interval` until `condition` holds; returns
    /// that status. `observe` sees every status read on the way (for checks over the whole wait).
    @discardableResult
    func waitForStatus(
        _ connector: String,
        on worker: WorkerProcess,
        _ what: String,
        timeout: Duration = .seconds(60),
        interval: Duration = .milliseconds(50),
        observe: (ConnectorStatus) -> Void = { _ in },
        until condition: (ConnectorStatus) -> Bool
    ) async throws -> ConnectorStatus {
        let deadline = ContinuousClock.now + timeout
        var last: ConnectorStatus?
        while true {
            if let status = await status(connector, from: worker) {
                observe(status)
                last = status
                if condition(status) { return status }
            }
            guard ContinuousClock.now < deadline else {
                throw TestFailure(
                    "timed out after \(timeout) waiting until \(what); last status of \(connector) from worker "
                        + "\(worker.index): \(last.map(String.init(describing:)) ?? "none")"
                )
            }
            try await Task.sleep(for: interval)
        }
    }

    /// Polls until every running worker reports the same status of `connector` and it satisfies
    /// `condition`; returns it.
    @discardableResult
    func waitForAgreedStatus(
        _ connector: String,
        _ what: String,
        timeout: Duration = .seconds(60),
        until condition: (ConnectorStatus) -> Bool
    ) async throws -> ConnectorStatus {
        let deadline = ContinuousClock.now + timeout
        var last: [Int: ConnectorStatus?] = [:]
        while true {
            var statuses: [ConnectorStatus?] = []
            for worker in running {
                let status = await status(connector, from: worker)
                statuses.append(status)
                last[worker.index] = status
            }
            if let first = statuses.first, let agreed = first, statuses.allSatisfy({ $0 == agreed }),
                condition(agreed)
            {
                return agreed
            }
            guard ContinuousClock.now < deadline else {
                let report = last.keys.sorted().map {
                    "worker \($0): \(last[$0].flatMap { $0 }.map(String.init(describing:)) ?? "none")"
                }
                throw TestFailure(
                    "timed out after \(timeout) waiting until \(what) (reported alike by every worker):\n"
                        + report.joined(separator: "\n")
                )
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    // MARK: - Status topic

    /// A record of the status topic.
    struct StatusRecord {
        var offset: Int64
        var key: String
        /// nil for a tombstone.
        var state: String?
        var workerID: String?
        var generation: Int?
    }

    /// The status topic's end offset (one partition; see ``defaultSettings``).
    func statusTopicEnd() async throws -> Int64 {
        try await TestEnvironment.withCluster { cluster in
            let partition = KafkaNIO.TopicPartition(statusTopic, 0)
            return try await KafkaAdminClient(cluster: cluster).highWatermarks([partition])[partition] ?? 0
        }
    }

    /// The status topic's records from `offset` to its current end, in order.
    func statusRecords(from offset: Int64) async throws -> [StatusRecord] {
        let end = try await statusTopicEnd()
        guard end > offset else { return [] }
        return try await TestEnvironment.withCluster { cluster in
            var configuration = KafkaConsumerConfiguration(client: cluster.configuration)
            configuration.fetchMaxWaitMs = 50
            let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
            let partition = KafkaNIO.TopicPartition(statusTopic, 0)
            consumer.assign([partition])
            try await consumer.seek(partition, to: .offset(offset))
            var records: [StatusRecord] = []
            var next = offset
            let deadline = ContinuousClock.now + .seconds(30)
            while next < end {
                guard ContinuousClock.now < deadline else {
                    await consumer.close()
                    throw TestFailure("could not read the status topic up to \(end) (at \(next))")
                }
                for record in try await consumer.poll(timeout: .milliseconds(500)) where record.offset < end {
                    next = record.offset + 1
                    let key = record.key.map { String(buffer: $0) } ?? ""
                    guard let value = record.value else {
                        records.append(StatusRecord(offset: record.offset, key: key))
                        continue
                    }
                    let object =
                        (try? JSONSerialization.jsonObject(with: Data(String(buffer: value).utf8))) as? [String: Any]
                    records.append(
                        StatusRecord(
                            offset: record.offset,
                            key: key,
                            state: object?["state"] as? String,
                            workerID: object?["worker_id"] as? String,
                            generation: object?["generation"] as? Int
                        )
                    )
                }
            }
            await consumer.close()
            return records
        }
    }

    // MARK: - Helpers

    /// Polls `condition` every 50 ms until it holds; throws naming `what` after `timeout`.
    static func waitUntil(
        _ what: String,
        timeout: Duration = .seconds(60),
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while !(try await condition()) {
            guard ContinuousClock.now < deadline else {
                throw TestFailure("timed out after \(timeout) waiting until \(what)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The complete lines of a file (a last line without its newline is still being written).
    static func lines(of path: String) -> [Substring] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return Array(text.split(separator: "\n", omittingEmptySubsequences: false).dropLast())
    }
}

/// `kill(2)`, under another name: ``DistributedCluster/kill(_:)`` hides the C function inside the class.
private func sendSignal(_ pid: Int32, _ signal: Int32) -> Int32 {
    kill(pid, signal)
}
