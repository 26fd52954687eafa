import Foundation
import KafkaNIO
import Testing

/// The harness behind the fault and security tests: its proxy must really be the one answering.
@Suite(.enabled(if: TestEnvironment.shouldRun, "no broker: set KAFKA_BOOTSTRAP_SERVERS (scripts/test-broker run --)"))
struct BrokerBehindProxyTests {
    /// Another listener took the chosen proxy port before the proxy bound it (CI saw this): the
    /// proxy is started again on another port instead of the other listener being taken for it.
    @Test func aProxyPortTakenByAnotherListenerIsNotUsed() async throws {
        let taken = try TestEnvironment.listeningSocket()
        defer { close(taken.descriptor) }
        var candidates = [try TestEnvironment.freePort(), taken.port]
        let started = try await BrokerBehindProxy.launch(
            proxy: "tls_proxy.py",
            [],
            listenHosts: ["127.0.0.1", "127.0.0.2"],
            ports: { candidates.isEmpty ? try TestEnvironment.freePort() : candidates.removeFirst() }
        )
        defer { started.stop() }
        #expect(started.proxyPort != taken.port)
        #expect(started.proxyPort != started.brokerPort)
        for host in ["127.0.0.1", "127.0.0.2"] {
            let cluster = KafkaCluster(
                configuration: KafkaClientConfiguration(bootstrapServers: [
                    KafkaBrokerAddress(host: host, port: started.proxyPort)
                ])
            )
            do {
                _ = try await cluster.anyConnection()
            } catch {
                Issue.record("no Kafka answer through the proxy on \(host): \(error)")
            }
            await cluster.shutdown()
        }
    }
}
