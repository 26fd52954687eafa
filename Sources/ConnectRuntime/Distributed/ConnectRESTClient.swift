import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// An answer of another worker's REST API.
public struct ConnectRESTResponse: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The response headers.
    public var headers: [(name: String, value: String)]
    /// The body (empty for none).
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, the name matched without regard to case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// A request to another worker that failed before an HTTP answer arrived (connection refused, timed
/// out, bad URL).
public struct ConnectRESTClientError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the method and URL.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// The HTTP client workers talk to each other with (Kafka's `RestClient`): the REST layer forwards
/// requests to the leader, a follower's herder sends its task configurations to the leader.
///
/// It owns an AsyncHTTPClient: whoever creates one must call ``shutdown()`` before dropping it.
/// Redirects are not followed (as Kafka's client).
public final class ConnectRESTClient: Sendable {
    /// Kafka's REST request timeout (`RestServer.DEFAULT_REST_REQUEST_TIMEOUT_MS`, 90 s), the default
    /// bound of one request.
    public static let defaultTimeout: Duration = .seconds(90)
    /// The largest response body read.
    public static let maxResponseSize = 16 * 1024 * 1024

    private let client: HTTPClient
    private let isShutDown = Mutex(false)

    /// A client on NIO's shared event loops.
    /// - Parameter connectTimeout: How long connecting to a worker may take, retries of refused
    ///   connections included (AsyncHTTPClient's default, 10 s).
    public init(connectTimeout: Duration = .seconds(10)) {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout.connect = .nanoseconds(Self.nanoseconds(connectTimeout))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends one request and reads the whole answer.
    /// - Parameters:
    ///   - url: The full URL, `http://host:port/path?query`.
    ///   - headers: Request headers (the caller adds `Content-Type` and signature headers).
    ///   - body: The body; `nil` sends none.
    ///   - timeout: The bound of the whole exchange.
    /// - Returns: Any HTTP answer, whatever its status.
    /// - Throws: ``ConnectRESTClientError`` when no answer arrived in time or the client is shut down.
    public func request(
        url: String,
        method: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil,
        timeout: Duration = defaultTimeout
    ) async throws -> ConnectRESTResponse {
        if isShutDown.withLock({ $0 }) {
            throw ConnectRESTClientError("\(method) \(url): the REST client is shut down")
        }
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "kafka-connect")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Self.nanoseconds(timeout)))
            let bytes = try await response.body.collect(upTo: Self.maxResponseSize)
            return ConnectRESTResponse(
                status: Int(response.status.code),
                headers: response.headers.map { ($0.name, $0.value) },
                body: Array(buffer: bytes)
            )
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw ConnectRESTClientError("\(method) \(url) timed out after \(timeout)")
        } catch {
            throw ConnectRESTClientError("\(method) \(url) failed: \(error)")
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    /// Closes the connections. Requests after this fail; calling it again does nothing.
    public func shutdown() async {
        let first = isShutDown.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        try? await client.shutdown()
    }
}
