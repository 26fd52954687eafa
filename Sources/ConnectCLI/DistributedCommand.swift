import ArgumentParser
import ConnectAPI
import ConnectREST
import ConnectRuntime
import Foundation

/// `swift-connect distributed worker.properties`: Kafka's `connect-distributed.sh`. Joins the
/// workers with the same `group.id`, runs its share of their connectors and tasks until SIGINT or
/// SIGTERM, then stops its work, commits offsets and leaves the group so the others take over at once.
struct DistributedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distributed",
        abstract: "Run a distributed Connect worker (like Kafka's connect-distributed.sh).",
        discussion: """
            The worker configuration is a Java properties file with Kafka's distributed worker keys \
            (bootstrap.servers, group.id, config.storage.topic, offset.storage.topic, status.storage.topic, \
            key.converter, value.converter, listeners, ...). Workers with the same group.id share connectors \
            and tasks; connectors are created through the REST API of any worker. Stop with Ctrl-C (SIGINT) \
            or SIGTERM: the worker stops its tasks, commits their offsets and leaves the group.
            """
    )

    @Argument(help: "The worker's .properties file.")
    var workerProperties: String

    func run() async throws {
        WorkerProcess.bootstrapLogging()
        let signals = ShutdownSignals()
        let client = ConnectRESTClient()
        let herder: DistributedHerder
        let server: ConnectRESTServer
        do {
            let config = try DistributedConfig(try await WorkerProcess.properties(workerProperties))
            let listener = WorkerProcess.httpListener(config.worker.listeners)
            let url = Self.advertisedURL(config: config, listener: listener)
            let worker = try Worker(
                config: config.worker,
                plugins: WorkerProcess.loadPlugins(pluginPath: config.worker.pluginPath),
                offsetStore: try KafkaOffsetBackingStore(config: config),
                workerID: DistributedHerder.workerID(ofURL: url),
                exactlyOnceSource: ExactlyOnceSourceWorkerSettings(config)
            )
            herder = try DistributedHerder(
                worker: worker,
                config: config,
                url: url,
                sendTaskConfigs: InternalRequests.taskConfigsSender(client: client)
            )
            server = try ConnectRESTServer(
                handler: ConnectRESTHandler(herder: herder, restClient: client),
                listener: listener
            )
            let port = try await server.start()
            writeStandardError("REST API listening on \(url) (port \(port))\n")
            try await herder.start()
        } catch {
            writeStandardError("swift-connect distributed: \(workerProperties): \(error)\n")
            await client.shutdown()
            throw ExitCode.failure
        }
        // Healthy once the worker has joined the group and has its first assignment.
        server.handler.markReady()
        await signals.wait()
        writeStandardError("Stopping: tasks stop and commit their offsets, then the worker leaves the group\n")
        await herder.stop()
        await server.stop()
        await client.shutdown()
        signals.cancel()
    }

    /// `rest.advertised.host.name`/`rest.advertised.port` when set, else the listener's host (or
    /// `localhost`) and port, as Kafka advertises a worker to the others.
    static func advertisedURL(config: DistributedConfig, listener: String) -> String {
        let address = listener.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first ?? ""
        let colon = address.lastIndex(of: ":")
        let listenerHost = colon.map { String(address[..<$0]) } ?? String(address)
        let listenerPort = colon.flatMap { Int(address[address.index(after: $0)...]) } ?? 8083
        let host = config.advertisedHostName ?? (listenerHost.isEmpty ? "localhost" : listenerHost)
        return "http://\(host):\(config.advertisedPort ?? listenerPort)/"
    }
}
