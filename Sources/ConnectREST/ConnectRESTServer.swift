import ConnectRuntime
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The Connect REST API served over HTTP (Kafka's `RestServer`) on the first `http://` listener of
/// the worker's `listeners` (default `http://:8083`; an empty host means all interfaces).
///
/// ```swift
/// let server = ConnectRESTServer(handler: ConnectRESTHandler(herder: herder), listener: "http://:8083")
/// let port = try await server.start()
/// handler.markReady()
/// …
/// await server.stop()
/// ```
public actor ConnectRESTServer {
    /// Answers the requests.
    public nonisolated let handler: ConnectRESTHandler
    private let host: String
    private let port: Int
    private let logger: Logger
    private var run: Task<Void, Never>?
    private var group: ServiceGroup?
    private var isFinished = false
    private var runError: (any Error)?
    private var boundPort: Int?
    private var portWaiters: [CheckedContinuation<Int?, Never>] = []

    /// The largest request body read (Kafka has no limit; configurations are small).
    static let maxBodySize = 16 * 1024 * 1024

    /// A server for `handler` on `listener` (`http://host:port`; port 0 picks a free one).
    /// - Throws: ``RESTError`` when the listener is not an `http://host:port` URL.
    public init(
        handler: ConnectRESTHandler,
        listener: String,
        logger: Logger = Logger(label: "org.apache.kafka.connect.runtime.rest.RestServer")
    ) throws {
        guard listener.lowercased().hasPrefix("http://") else {
            throw RESTError(500, "Unsupported listener \(listener): only http:// listeners are supported")
        }
        let address = listener.dropFirst("http://".count).split(separator: "/").first.map(String.init) ?? ""
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw RESTError(500, "Invalid listener \(listener): expected http://host:port")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.handler = handler
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
        self.logger = logger
    }

    /// Starts listening.
    /// - Returns: The bound port.
    /// - Throws: ``RESTError`` when the server cannot listen (e.g. the port is taken).
    public func start() async throws -> Int {
        let handler = self.handler
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let body = try await request.body.collect(upTo: Self.maxBodySize)
            let response = await handler.handle(
                method: request.method.rawValue,
                path: request.uri.path,
                query: request.uri.query,
                contentType: request.headers[.contentType],
                headers: request.headers.map { ($0.name.rawName, $0.value) },
                body: Array(buffer: body)
            )
            var headers: HTTPFields = [:]
            // The only header the API sets besides the content type.
            for (name, value) in response.headers where name == "Location" { headers[.location] = value }
            guard let bytes = response.body else {
                return Response(status: .init(code: response.status), headers: headers)
            }
            headers[.contentType] = response.contentType
            return Response(
                status: .init(code: response.status),
                headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
        let application = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in await self.running(channel.localAddress?.port) },
            logger: logger
        )
        // Our own group, without signal handling (the CLI owns the signals), so stop() can shut the
        // server down gracefully: no new connections, in-flight requests answered.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [application],
                gracefulShutdownSignals: [],
                logger: logger
            )
        )
        self.group = group
        run = Task {
            do {
                try await group.run()
            } catch {
                await self.failed(error)
            }
            // A server that could not bind ends here; waiters learn it did not start.
            await self.running(nil)
        }
        let bound = await withCheckedContinuation { (continuation: CheckedContinuation<Int?, Never>) in
            if let boundPort { continuation.resume(returning: boundPort) } else { portWaiters.append(continuation) }
        }
        guard let bound else {
            throw RESTError(
                500,
                "The REST server could not listen on \(host):\(port): \(runError.map { "\($0)" } ?? "it stopped")"
            )
        }
        logger.info("REST server listening at http://\(host):\(bound)/")
        return bound
    }

    private func failed(_ error: any Error) { runError = error }

    private func running(_ port: Int?) {
        if port == nil { isFinished = true }
        if let port, boundPort == nil { boundPort = port }
        let waiters = portWaiters
        portWaiters = []
        for waiter in waiters { waiter.resume(returning: port ?? boundPort) }
    }

    /// Stops gracefully: no new connections, requests in flight are answered; after 5 s the server is
    /// cancelled. Then shuts the handler's forwarding client down. Returns when it has stopped.
    public func stop() async {
        await group?.triggerGracefulShutdown()
        let deadline = ContinuousClock.now + .seconds(5)
        while !isFinished && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        run?.cancel()
        await run?.value
        group = nil
        run = nil
        // In-flight forwards are answered by now; the forwarding client can go.
        await handler.shutdown()
        logger.info("REST server stopped")
    }
}
