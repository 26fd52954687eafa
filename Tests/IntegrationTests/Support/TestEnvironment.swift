import Foundation
import KafkaNIO
import KafkaProtocol
import NIOCore
import Testing

/// Where the real broker is: `KAFKA_BOOTSTRAP_SERVERS`, set by scripts/test-broker.
///
/// Without it the integration tests are skipped, except under `SWIFTCONNECT_REQUIRE_BROKER=1`
/// (scripts/test), where they run and fail: a missing broker must never pass silently.
enum TestEnvironment {
    static let bootstrapServers: String? = {
        let value = ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"] ?? ""
        return value.isEmpty ? nil : value
    }()

    static let brokerRequired = ProcessInfo.processInfo.environment["SWIFTCONNECT_REQUIRE_BROKER"] == "1"

    /// Run the broker tests when there is a broker, or when one is required (they then fail).
    static let shouldRun = bootstrapServers != nil || brokerRequired

    static func requireBootstrap() throws -> String {
        guard let bootstrapServers else {
            throw TestFailure(
                "KAFKA_BOOTSTRAP_SERVERS is not set: run the tests through scripts/test or scripts/test-broker run --"
            )
        }
        return bootstrapServers
    }

    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var python: String {
        ProcessInfo.processInfo.environment["SWIFTCONNECT_PYTHON"]
            ?? repositoryRoot.appendingPathComponent(".venv/bin/python").path
    }

    /// A topic name no other test uses.
    static func uniqueTopic(_ prefix: String) -> String {
        "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
    }

    static func clientConfiguration() throws -> KafkaClientConfiguration {
        var configuration = KafkaClientConfiguration(
            bootstrapServers: try KafkaClientConfiguration.parseBootstrapServers(requireBootstrap())
        )
        configuration.requestTimeoutMs = 15_000
        return configuration
    }

    /// Runs `body` with a cluster client, shutting it down after.
    static func withCluster<T>(_ body: (KafkaCluster) async throws -> T) async throws -> T {
        let cluster = KafkaCluster(configuration: try clientConfiguration())
        do {
            let result = try await body(cluster)
            await cluster.shutdown()
            return result
        } catch {
            await cluster.shutdown()
            throw error
        }
    }

    /// A port nobody listens on now (bound to port 0 and released).
    static func freePort() throws -> Int {
        let (descriptor, port) = try boundSocket()
        close(descriptor)
        return port
    }

    /// A socket listening on 127.0.0.1 at a port of the system's choice; the caller closes it.
    static func listeningSocket(backlog: Int32 = 8) throws -> (descriptor: Int32, port: Int) {
        let (descriptor, port) = try boundSocket()
        guard listen(descriptor, backlog) == 0 else {
            close(descriptor)
            throw TestFailure("listen() failed: errno \(errno)")
        }
        return (descriptor, port)
    }

    private static func boundSocket() throws -> (descriptor: Int32, port: Int) {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw TestFailure("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            close(descriptor)
            throw TestFailure("bind() failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else {
            close(descriptor)
            throw TestFailure("getsockname() failed: errno \(errno)")
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }

}
