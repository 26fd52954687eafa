import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for the tests (a copy of the HTTPSink example's test server,
/// which lives in another package): records every request and answers with the scripted statuses
/// (then 200), one request per connection (`Connection: close`). Runs its accept loop on a thread of
/// its own; ``stop()`` shuts the socket down, joins the thread, then closes the socket.
final class HTTPReceiver: Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: String
    }

    private struct State {
        var requests: [Request] = []
        var statuses: [Int] = []
    }

    let port: Int
    private let socket: Int32
    private let state = Mutex(State())
    private let finished = Mutex(false)
    private let done = DispatchSemaphore(value: 0)

    /// Starts listening on a free port.
    init() throws {
        (socket, port) = try TestEnvironment.listeningSocket(backlog: 16)
        let thread = Thread { [self] in
            acceptLoop()
            done.signal()
        }
        thread.start()
    }

    var url: String { "http://127.0.0.1:\(port)/ingest" }

    /// The requests received so far.
    var requests: [Request] { state.withLock { $0.requests } }

    /// The statuses to answer the next requests with, in order (then 200).
    func respond(with statuses: [Int]) {
        state.withLock { $0.statuses += statuses }
    }

    /// Stops accepting and waits for the accept thread to end.
    func stop() {
        guard
            !finished.withLock({ value in
                defer { value = true }
                return value
            })
        else { return }
        // Closed only after the accept thread ended: closed earlier, its number could be reused by
        // another test's socket before the thread's next accept(), which would then take that
        // test's connections (seen: one test's request answered by another test's server).
        shutdown(socket, Int32(SHUT_RDWR))
        done.wait()
        close(socket)
    }

    private func acceptLoop() {
        while true {
            let client = accept(socket, nil, nil)
            guard client >= 0 else { return }  // the socket was shut down
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var headerEnd: Int?
        var contentLength = 0
        while true {
            if let end = headerEnd, received.count >= end + contentLength { break }
            let count = read(client, &buffer, buffer.count)
            guard count > 0 else { return }
            received += buffer[0..<count]
            if headerEnd == nil, let range = Self.find([13, 10, 13, 10], in: received) {
                headerEnd = range
                let head = String(decoding: received[0..<range], as: UTF8.self)
                for line in head.split(separator: "\r\n").dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "content-length" {
                        contentLength = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                }
            }
        }
        guard let end = headerEnd else { return }
        let head = String(decoding: received[0..<end], as: UTF8.self).split(separator: "\r\n")
        let requestLine = head.first?.split(separator: " ") ?? []
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        let request = Request(
            method: requestLine.first.map(String.init) ?? "",
            path: requestLine.count > 1 ? String(requestLine[1]) : "",
            headers: headers,
            body: String(decoding: received[(end + 4)..<(end + 4 + contentLength)], as: UTF8.self)
        )
        let status = state.withLock { state in
            state.requests.append(request)
            return state.statuses.isEmpty ? 200 : state.statuses.removeFirst()
        }
        let body = status < 300 ? "ok" : "rejected"
        let response =
            "HTTP/1.1 \(status) Status\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        _ = Array(response.utf8).withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<start + needle.count].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
