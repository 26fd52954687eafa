import Foundation
import KafkaNIO
import KafkaProtocol

/// A broker of its own (the test broker's binary) behind one of the proxies in scripts/interop,
/// for faults and security features the shared broker lacks. The broker advertises the proxy's
/// port, so every connection goes through the proxy.
///
/// Ports are chosen free and then bound by child processes, so another test's listener can take
/// one in between. A proxy that could not bind all its addresses exits before printing "ready";
/// then both processes are started again on other ports. Checking only that *something* accepts
/// on the port is not enough: it may be the other test's listener (CI once saw a test reach a
/// foreign listener on 127.0.0.1 and nothing on 127.0.0.2).
struct BrokerBehindProxy {
    let brokerPort: Int
    let proxyPort: Int
    private let broker: Process
    private let proxy: Process

    /// Runs `body` with the proxy's port and stops both processes afterwards.
    static func with<Result>(
        proxy script: String,
        _ arguments: [String],
        listenHosts: [String]? = nil,
        _ body: (Int) async throws -> Result
    ) async throws -> Result {
        let started = try await launch(proxy: script, arguments, listenHosts: listenHosts)
        defer { started.stop() }
        return try await body(started.proxyPort)
    }

    /// Starts a broker and the proxy `script` (a file in scripts/interop) in front of it, listening
    /// on `listenHosts` (the proxy's default when nil). `ports` chooses candidate ports (a test
    /// substitutes a taken one).
    static func launch(
        proxy script: String,
        _ arguments: [String],
        listenHosts: [String]? = nil,
        ports: () throws -> Int = TestEnvironment.freePort
    ) async throws -> BrokerBehindProxy {
        guard let tansu = ProcessInfo.processInfo.environment["SWIFTCONNECT_TANSU"] else {
            throw TestFailure("SWIFTCONNECT_TANSU is not set: run the tests through scripts/test-broker run --")
        }
        var failures: [String] = []
        for _ in 0..<5 {
            let brokerPort = try ports()
            var proxyPort = try ports()
            while proxyPort == brokerPort { proxyPort = try ports() }

            let broker = try launch(
                tansu,
                [
                    "broker", "--listener-url", "tcp://127.0.0.1:\(brokerPort)",
                    "--advertised-listener-url", "tcp://127.0.0.1:\(proxyPort)",
                ]
            )
            guard try await waitUntilAnswering(port: brokerPort, while: broker) else {
                failures.append("the broker exited (port \(brokerPort) taken?)")
                continue
            }

            let output = FileManager.default.temporaryDirectory.appendingPathComponent("proxy-\(UUID()).log")
            let proxy = try launch(
                TestEnvironment.python,
                [
                    TestEnvironment.repositoryRoot.appendingPathComponent("scripts/interop/\(script)").path,
                    "--listen", "\(proxyPort)", "--upstream", "127.0.0.1:\(brokerPort)",
                ] + (listenHosts ?? []).flatMap { ["--listen-host", $0] } + arguments,
                output: output
            )
            defer { try? FileManager.default.removeItem(at: output) }
            let deadline = ContinuousClock.now + .seconds(10)
            while true {
                let printed = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
                if printed.split(separator: "\n").contains("ready") {
                    return BrokerBehindProxy(brokerPort: brokerPort, proxyPort: proxyPort, broker: broker, proxy: proxy)
                }
                if !proxy.isRunning || ContinuousClock.now >= deadline {
                    stop(proxy)
                    stop(broker)
                    failures.append("\(script) on port \(proxyPort): \(printed.suffix(300))")
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        throw TestFailure("could not start a broker behind \(script): \(failures.joined(separator: "; "))")
    }

    func stop() {
        Self.stop(proxy)
        Self.stop(broker)
    }

    /// Kills a helper process and reaps it. SIGKILL, because a child of the test runner may start
    /// with SIGTERM blocked (it inherits the signal mask), and `terminate()` then does nothing.
    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private static func launch(_ executable: String, _ arguments: [String], output: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let output {
            guard FileManager.default.createFile(atPath: output.path, contents: nil),
                let handle = FileHandle(forWritingAtPath: output.path)
            else { throw TestFailure("cannot create \(output.path)") }
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            try? handle.close()
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }
        return process
    }

    /// Waits (at most 10 s) until a Kafka client can negotiate ApiVersions on the port; false if
    /// `process` exits first.
    private static func waitUntilAnswering(port: Int, while process: Process) async throws -> Bool {
        let configuration = KafkaClientConfiguration(bootstrapServers: [
            KafkaBrokerAddress(host: "127.0.0.1", port: port)
        ])
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                let connection = try await BrokerConnection.connect(
                    to: configuration.bootstrapServers[0],
                    nodeID: -1,
                    configuration: configuration
                )
                await connection.close()
                return process.isRunning
            } catch {
                if !process.isRunning { return false }
                if ContinuousClock.now >= deadline { throw TestFailure("nothing answered on port \(port): \(error)") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}
