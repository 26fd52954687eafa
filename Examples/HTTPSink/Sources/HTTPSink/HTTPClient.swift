import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What the task needs from HTTP: one POST, its status and body. URLSession (on Linux
/// FoundationNetworking, i.e. libcurl) also works from a plugin the worker `dlopen`s: the plugin's
/// library finds `libFoundationNetworking.so` next to the Swift runtime through its run path.
struct HTTPClient: Sendable {
    /// A response.
    struct Response: Sendable {
        var status: Int
        var body: [UInt8]
    }

    private let session: URLSession

    init(timeout: Duration) {
        let configuration = URLSessionConfiguration.ephemeral
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        configuration.timeoutIntervalForRequest = seconds
        configuration.timeoutIntervalForResource = seconds
        session = URLSession(configuration: configuration)
    }

    /// POSTs `body` as `application/json` with `headers`.
    /// - Throws: The transport error (refused connection, timeout, …).
    func post(_ url: URL, body: [UInt8], headers: [(name: String, value: String)]) async throws -> Response {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for header in headers { request.setValue(header.value, forHTTPHeaderField: header.name) }
        let (data, response) = try await session.data(for: request)
        return Response(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: Array(data))
    }

    func close() {
        session.finishTasksAndInvalidate()
    }
}
