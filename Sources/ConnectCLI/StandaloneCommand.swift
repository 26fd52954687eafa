import ArgumentParser
import ConnectAPI
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
            properties, a JSON object of settings, or a JSON {"name": ..., "config": {...}} request. Stop with \
            Ctrl-C (SIGINT) or SIGTERM: tasks stop and their offsets are flushed.
            """
    )

    @Argument(help: "The worker's .properties file.")
    var workerProperties: String

    @Argument(help: "Connector configuration files (.properties or .json).")
    var connectorFiles: [String] = []

    func run() async throws {
        let signals = ShutdownSignals()
        let herder: StandaloneHerder
        do {
            let rawWorker = try ConnectorConfigFile.properties(try Self.read(workerProperties))
            let workerProps =
                try await ConfigProviders.transformer(for: rawWorker)?.transform(rawWorker).data ?? rawWorker
            let config = try WorkerConfig(standalone: workerProps)
            let store = FileOffsetBackingStore(path: config.offsetStorageFileName ?? "")
            let worker = try Worker(config: config, plugins: .builtIn, offsetStore: store)
            herder = StandaloneHerder(worker: worker)
            try await herder.start()
        } catch {
            writeStandardError("swift-connect standalone: \(workerProperties): \(error)\n")
            throw ExitCode.failure
        }
        do {
            for file in connectorFiles {
                let entry = try ConnectorConfigFile.connector(try Self.read(file), file: file)
                let info = try await herder.putConnectorConfig(
                    name: entry.name,
                    config: entry.config,
                    allowReplace: false
                )
                writeStandardError("Created connector \(info.name) with \(info.tasks.count) task(s)\n")
            }
        } catch {
            writeStandardError("swift-connect standalone: \(error)\n")
            await herder.stop()
            throw ExitCode.failure
        }
        await signals.wait()
        writeStandardError("Stopping: tasks stop and flush their offsets\n")
        await herder.stop()
        signals.cancel()
    }

    private static func read(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConnectError("Cannot read \(path): \(error.localizedDescription)")
        }
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
