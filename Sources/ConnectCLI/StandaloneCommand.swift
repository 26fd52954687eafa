import ArgumentParser
import ConnectAPI
import ConnectREST
import ConnectRuntime
import Dispatch
import Foundation

/// `swift-connect standalone worker.properties [connector.properties|connector.json ...]`: Kafka's
/// `connect-standalone.sh`. Runs the connectors until SIGINT or SIGTERM, then stops the tasks and
/// flushes their offsets.
struct StandaloneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "standalone",
        abstract: "Run a standalone Connect worker (like Kafka's connect-standalone.sh).",
        discussion: """
            The worker configuration is a Java properties file with Kafka's worker keys (bootstrap.servers, \
            key.converter, value.converter, offset.storage.file.filename, ...). Each connector file is Java \
            properties, a JSON object of settings, or a JSON {"name": ..., "config": {...}} request. The REST \
            API listens on the worker's `listeners` (default http://:8083). Stop with Ctrl-C (SIGINT) or \
            SIGTERM: the REST server stops, then tasks stop and their offsets are flushed.
            """
    )

    @Argument(help: "The worker's .properties file.")
    var workerProperties: String

    @Argument(help: "Connector configuration files (.properties or .json).")
    var connectorFiles: [String] = []

    func run() async throws {
        WorkerProcess.bootstrapLogging()
        let signals = ShutdownSignals()
        let herder: StandaloneHerder
        let server: ConnectRESTServer
        let listeners: [String]
        do {
            let config = try WorkerConfig(standalone: try await WorkerProcess.properties(workerProperties))
            let store = FileOffsetBackingStore(path: config.offsetStorageFileName ?? "")
            let plugins = WorkerProcess.loadPlugins(pluginPath: config.pluginPath)
            let worker = try Worker(config: config, plugins: plugins, offsetStore: store)
            herder = StandaloneHerder(worker: worker)
            try await herder.start()
            listeners = config.listeners
            server = try ConnectRESTServer(
                handler: ConnectRESTHandler(herder: herder),
                listener: WorkerProcess.httpListener(config.listeners)
            )
        } catch {
            writeStandardError("swift-connect standalone: \(workerProperties): \(error)\n")
            throw ExitCode.failure
        }
        do {
            let port = try await server.start()
            writeStandardError("REST API listening on \(Self.advertised(listener: listeners.first, port: port))\n")
        } catch {
            writeStandardError("swift-connect standalone: \(error)\n")
            await herder.stop()
            throw ExitCode.failure
        }
        do {
            for file in connectorFiles {
                let entry = try ConnectorConfigFile.connector(try WorkerProcess.read(file), file: file)
                let info = try await herder.putConnectorConfig(
                    name: entry.name,
                    config: entry.config,
                    allowReplace: false
                )
                writeStandardError("Created connector \(info.name) with \(info.tasks.count) task(s)\n")
            }
        } catch {
            writeStandardError("swift-connect standalone: \(error)\n")
            await server.stop()
            await herder.stop()
            throw ExitCode.failure
        }
        // Healthy once the connectors from the command line are started (Kafka's /health).
        server.handler.markReady()
        await signals.wait()
        writeStandardError("Stopping: the REST server stops, tasks stop and flush their offsets\n")
        await server.stop()
        await herder.stop()
        signals.cancel()
    }

    /// `http://<host or localhost>:<port>/`.
    private static func advertised(listener: String?, port: Int) -> String {
        let address = listener?.dropFirst("http://".count).split(separator: "/").first ?? ""
        let host = address.lastIndex(of: ":").map { String(address[..<$0]) } ?? ""
        return "http://\(host.isEmpty ? "localhost" : host):\(port)/"
    }
}

/// SIGINT and SIGTERM as something to await (the default handlers are replaced so the process can stop
/// its tasks first). Sendable: its state is set once in init, and the stream is thread-safe.
final class ShutdownSignals: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    private let received = AsyncStream<Void>.makeStream()

    init() {
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let continuation = received.continuation
            source.setEventHandler { continuation.yield() }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    /// Returns at the first SIGINT or SIGTERM.
    func wait() async {
        for await _ in received.stream { return }
    }

    /// Stops listening.
    func cancel() {
        for source in sources { source.cancel() }
        received.continuation.finish()
    }
}
