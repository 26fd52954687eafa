import ConnectAPI
import ConnectJSON
import ConnectREST
import ConnectRuntime
import Foundation
import KafkaNIO
import KafkaProtocol
import Logging
import NIOCore

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A standalone worker with its REST API, in the test's process, against a real broker: the Swift
/// counterpart of Kafka's `EmbeddedConnectCluster` for connector integration tests.
///
/// ```swift
/// var plugins = PluginRegistry.kafkaBuiltIns
/// plugins.register(source: MySourceConnector.self, className: MySourceConnector.className)
/// let worker = try await EmbeddedConnectWorker.start(bootstrapServers: servers, plugins: plugins)
/// try await worker.createTopic("rows")
/// try await worker.createConnector("csv", config: ["connector.class": "MySource", "topic": "rows"])
/// try await worker.awaitConnectorAndTasksRunning("csv", tasks: 1)
/// let records = try await worker.consume(topic: "rows", count: 3)
/// await worker.stop()
/// ```
///
/// The worker uses a fresh offset file in a temporary directory (removed by ``stop()``), REST on
/// `http://127.0.0.1:<free port>`, `StringConverter` for keys and values and a 200 ms offset flush
/// interval unless `workerProperties` say otherwise. Connectors are created, inspected and deleted
/// over REST, as a user would.
public actor EmbeddedConnectWorker {
    /// The herder behind the REST API.
    public nonisolated let herder: StandaloneHerder
    /// The REST API's base URL, e.g. `http://127.0.0.1:41234`.
    public nonisolated let restURL: String
    /// The worker configuration in effect.
    public nonisolated let workerProperties: [String: String]
    /// The broker the worker and the helpers use.
    public nonisolated let bootstrapServers: String
    /// What loading `plugin.path` did (empty without `plugin.path`): the plugins loaded and each
    /// refusal with its reason.
    public nonisolated let pluginReport: PluginLoadReport

    private let server: ConnectRESTServer
    private let cluster: KafkaCluster
    private let scratch: URL
    private let session: URLSession
    private var isStopped = false

    private init(
        herder: StandaloneHerder,
        server: ConnectRESTServer,
        restURL: String,
        workerProperties: [String: String],
        pluginReport: PluginLoadReport,
        cluster: KafkaCluster,
        scratch: URL
    ) {
        self.pluginReport = pluginReport
        self.herder = herder
        self.server = server
        self.restURL = restURL
        self.workerProperties = workerProperties
        self.bootstrapServers = workerProperties["bootstrap.servers"] ?? ""
        self.cluster = cluster
        self.scratch = scratch
        self.session = URLSession(configuration: .ephemeral)
    }

    /// Starts a worker and its REST server.
    /// - Parameters:
    ///   - bootstrapServers: The broker (tests: `KAFKA_BOOTSTRAP_SERVERS`).
    ///   - workerProperties: Worker keys overriding the defaults above (converters, `consumer.*`, …).
    ///     With `plugin.path`, the plugins found there are loaded into `plugins` as the standalone
    ///     command loads them (see ``pluginReport``).
    ///   - plugins: The connectors, converters and transforms the worker knows (register your
    ///     connector here to test it compiled in; `.kafkaBuiltIns` has no connectors).
    ///   - logger: Where the worker logs.
    /// - Throws: When the configuration is invalid or the REST server cannot bind.
    public static func start(
        bootstrapServers: String,
        workerProperties: [String: String] = [:],
        plugins: PluginRegistry = .kafkaBuiltIns,
        logger: Logger = Logger(label: "swift-connect.embedded")
    ) async throws -> EmbeddedConnectWorker {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("swift-connect-embedded-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        var props: [String: String] = [
            "bootstrap.servers": bootstrapServers,
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.storage.StringConverter",
            "offset.storage.file.filename": scratch.appendingPathComponent("connect.offsets").path,
            "offset.flush.interval.ms": "200",
            "listeners": "http://127.0.0.1:0",
        ]
        props.merge(workerProperties) { _, new in new }
        do {
            let config = try WorkerConfig(standalone: props)
            var plugins = plugins
            // An empty plugin.path loads nothing and reports nothing.
            let pluginReport = PluginLoader().load(pluginPath: config.pluginPath, into: &plugins)
            for refusal in pluginReport.refused { logger.error("Refused \(refusal)") }
            let worker = try Worker(
                config: config,
                plugins: plugins,
                offsetStore: FileOffsetBackingStore(path: config.offsetStorageFileName ?? ""),
                logger: logger
            )
            let herder = StandaloneHerder(worker: worker, logger: logger)
            try await herder.start()
            let listener = config.listeners.first { $0.lowercased().hasPrefix("http://") } ?? "http://127.0.0.1:0"
            let server = try ConnectRESTServer(handler: ConnectRESTHandler(herder: herder), listener: listener)
            let port: Int
            do {
                port = try await server.start()
            } catch {
                await herder.stop()
                throw error
            }
            server.handler.markReady()
            let cluster = KafkaCluster(
                configuration: KafkaClientConfiguration(
                    bootstrapServers: try KafkaClientConfiguration.parseBootstrapServers(bootstrapServers)
                )
            )
            return EmbeddedConnectWorker(
                herder: herder,
                server: server,
                restURL: "http://127.0.0.1:\(port)",
                workerProperties: props,
                pluginReport: pluginReport,
                cluster: cluster,
                scratch: scratch
            )
        } catch {
            try? FileManager.default.removeItem(at: scratch)
            throw error
        }
    }

    /// Stops the REST server, then the worker (tasks stop and flush offsets), and removes the
    /// temporary directory.
    public func stop() async {
        guard !isStopped else { return }
        isStopped = true
        session.finishTasksAndInvalidate()
        await server.stop()
        await herder.stop()
        await cluster.shutdown()
        try? FileManager.default.removeItem(at: scratch)
    }

    // MARK: REST

    /// A REST response: the status and the body parsed as schemaless JSON (`nil` when empty).
    public struct Response: Sendable {
        /// The HTTP status.
        public var status: Int
        /// The body as text.
        public var text: String
        /// The body parsed as JSON (maps with string keys, `int64`, `float64`, …), if it is JSON.
        public var json: ConnectValue?

        /// A member of a JSON object body.
        public subscript(key: String) -> ConnectValue? {
            json?.mapValue?[.string(key)]
        }
    }

    /// Sends a request to the REST API.
    /// - Parameters:
    ///   - method: `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    ///   - path: The path, e.g. `/connectors`.
    ///   - body: A JSON body.
    public func rest(_ method: String, _ path: String, body: String? = nil) async throws -> Response {
        guard let url = URL(string: restURL + path) else { throw ConnectError("Not a REST path: \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await session.data(for: request)
        let text = String(decoding: data, as: UTF8.self)
        let json = text.isEmpty ? nil : try? Self.json.toConnectData(topic: "", bytes: Array(data)).value
        return Response(status: (response as? HTTPURLResponse)?.statusCode ?? 0, text: text, json: json)
    }

    private static let json: JSONConverter = {
        var config = JSONConverterConfig()
        config.schemasEnabled = false
        return JSONConverter(config: config)
    }()

    /// Creates (or reconfigures) a connector: `PUT /connectors/<name>/config`.
    /// - Throws: ``EmbeddedConnectError`` with the REST status and message when the worker refuses.
    public func createConnector(_ name: String, config: [String: String]) async throws {
        let response = try await rest("PUT", "/connectors/\(name)/config", body: Self.jsonObject(config))
        guard response.status == 200 || response.status == 201 else {
            throw EmbeddedConnectError(status: response.status, message: Self.message(response))
        }
    }

    /// Deletes a connector: `DELETE /connectors/<name>`.
    public func deleteConnector(_ name: String) async throws {
        let response = try await rest("DELETE", "/connectors/\(name)")
        guard response.status == 204 || response.status == 200 else {
            throw EmbeddedConnectError(status: response.status, message: Self.message(response))
        }
    }

    /// A connector's status as `GET /connectors/<name>/status` reports it.
    public struct ConnectorStatus: Sendable, Equatable {
        /// The connector's state (`RUNNING`, `FAILED`, …).
        public var connectorState: String
        /// Each task's state, by task id.
        public var taskStates: [Int: String]
        /// The traces of failed connector or tasks.
        public var traces: [String]
    }

    /// The connector's status, or `nil` if it does not exist (404).
    public func connectorStatus(_ name: String) async throws -> ConnectorStatus? {
        let response = try await rest("GET", "/connectors/\(name)/status")
        if response.status == 404 { return nil }
        guard response.status == 200 else {
            throw EmbeddedConnectError(status: response.status, message: Self.message(response))
        }
        let connector = response["connector"]?.mapValue
        var traces: [String] = []
        if let trace = connector?[.string("trace")]?.stringValue { traces.append(trace) }
        var tasks: [Int: String] = [:]
        for task in response["tasks"]?.arrayValue ?? [] {
            guard let map = task.mapValue, let id = map[.string("id")]?.integerValue else { continue }
            tasks[Int(id)] = map[.string("state")]?.stringValue ?? ""
            if let trace = map[.string("trace")]?.stringValue { traces.append(trace) }
        }
        return ConnectorStatus(
            connectorState: connector?[.string("state")]?.stringValue ?? "",
            taskStates: tasks,
            traces: traces
        )
    }

    /// Waits until the connector and `tasks` tasks (at least one when `nil`) are RUNNING.
    /// - Throws: ``EmbeddedConnectError`` at the deadline, with the last status (and traces of
    ///   failures) in the message.
    public func awaitConnectorAndTasksRunning(
        _ name: String,
        tasks: Int? = nil,
        timeout: Duration = .seconds(30)
    ) async throws {
        var last: ConnectorStatus?
        try await awaitCondition("connector \(name) and its tasks to be RUNNING", timeout: timeout) {
            last = try await self.connectorStatus(name)
            guard let status = last, status.connectorState == "RUNNING" else { return false }
            let running = status.taskStates.values.filter { $0 == "RUNNING" }.count
            return running == status.taskStates.count && (tasks.map { running == $0 } ?? (running > 0))
        } describe: {
            last.map { "last status: \($0)" } ?? "the connector does not exist"
        }
    }

    /// Waits until the connector is gone (after ``deleteConnector(_:)``).
    public func awaitConnectorDeleted(_ name: String, timeout: Duration = .seconds(30)) async throws {
        try await awaitCondition("connector \(name) to be deleted", timeout: timeout) {
            try await self.connectorStatus(name) == nil
        }
    }

    /// Polls `condition` every 50 ms until it holds.
    /// - Throws: ``EmbeddedConnectError`` naming `what` (and `describe()`) when `timeout` passes first.
    public func awaitCondition(
        _ what: String,
        timeout: Duration = .seconds(30),
        _ condition: () async throws -> Bool,
        describe: () -> String = { "" }
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                let detail = describe()
                throw EmbeddedConnectError(
                    status: nil,
                    message: "Timed out after \(timeout) waiting for \(what)" + (detail.isEmpty ? "" : ": \(detail)")
                )
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    // MARK: Kafka

    /// Creates a topic (the test broker does not create topics on demand); an existing one is fine.
    public func createTopic(_ name: String, partitions: Int32 = 1, replicationFactor: Int16 = 1) async throws {
        do {
            try await KafkaAdminClient(cluster: cluster).createTopics([
                .init(name: name, partitions: partitions, replicationFactor: replicationFactor)
            ])
        } catch KafkaError.broker(let code, _) where code == .topicAlreadyExists {
            return
        }
    }

    /// A record read back from a topic, with key and value as UTF-8 text.
    public struct ConsumedRecord: Sendable, Hashable {
        /// The partition.
        public var partition: Int32
        /// The offset.
        public var offset: Int64
        /// The key as text (`nil` for none).
        public var key: String?
        /// The value as text (`nil` for a tombstone).
        public var value: String?
        /// The headers, values as text.
        public var headers: [String: String]
    }

    /// Produces string records (key and value as UTF-8), waiting for every acknowledgement.
    public func produce(topic: String, values: [String], keys: [String?]? = nil) async throws {
        var configuration = KafkaProducerConfiguration(client: cluster.configuration)
        configuration.lingerMs = 0
        let producer = KafkaProducer(configuration: configuration, cluster: cluster)
        let records = values.enumerated().map { index, value in
            KafkaProducerRecord(
                topic: topic,
                key: keys?[index].map { ByteBuffer(string: $0) },
                value: ByteBuffer(string: value)
            )
        }
        let results = await producer.send(contentsOf: records)
        await producer.close()
        for result in results {
            if case .failure(let error) = result { throw error }
        }
    }

    /// Reads `count` records from the start of every partition of `topic` (in partition order, then
    /// offset order).
    /// - Throws: ``EmbeddedConnectError`` if fewer arrived within `timeout`.
    public func consume(topic: String, count: Int, timeout: Duration = .seconds(30)) async throws -> [ConsumedRecord] {
        let described = try await KafkaAdminClient(cluster: cluster).describeTopics([topic])
        let partitions = (described.first?.partitions ?? []).map { KafkaNIO.TopicPartition(topic, $0.partition) }
        guard !partitions.isEmpty else {
            throw EmbeddedConnectError(status: nil, message: "Topic \(topic) has no partitions")
        }
        var configuration = KafkaConsumerConfiguration(client: cluster.configuration)
        configuration.fetchMaxWaitMs = 50
        let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
        consumer.assign(partitions)
        var records: [ConsumedRecord] = []
        do {
            for partition in partitions { try await consumer.seek(partition, to: .earliest) }
            let deadline = ContinuousClock.now + timeout
            while records.count < count && ContinuousClock.now < deadline {
                for record in try await consumer.poll(timeout: .milliseconds(200)) {
                    var headers: [String: String] = [:]
                    for header in record.headers { headers[header.key] = header.value.map { String(buffer: $0) } }
                    records.append(
                        ConsumedRecord(
                            partition: record.partition,
                            offset: record.offset,
                            key: record.key.map { String(buffer: $0) },
                            value: record.value.map { String(buffer: $0) },
                            headers: headers
                        )
                    )
                }
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
        guard records.count >= count else {
            throw EmbeddedConnectError(
                status: nil,
                message: "Expected \(count) records in \(topic) within \(timeout) but read \(records.count)"
            )
        }
        return records.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }

    // MARK: JSON

    static func jsonObject(_ map: [String: String]) -> String {
        var value = ConnectMap()
        for (key, entry) in map.sorted(by: { $0.key < $1.key }) {
            value.updateValue(.string(entry), forKey: .string(key))
        }
        let bytes = (try? json.fromConnectData(topic: "", schema: nil, value: .map(value))) ?? nil
        return String(decoding: bytes ?? Array("{}".utf8), as: UTF8.self)
    }

    private static func message(_ response: Response) -> String {
        response["message"]?.stringValue ?? response.text
    }
}

/// A REST call the worker refused, or a wait that timed out.
public struct EmbeddedConnectError: Error, Sendable, CustomStringConvertible {
    /// The REST status, when the worker answered.
    public var status: Int?
    /// What went wrong.
    public var message: String

    public var description: String {
        status.map { "HTTP \($0): \(message)" } ?? message
    }
}
