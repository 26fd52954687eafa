import ConnectAPI
import ConnectREST
import ConnectRuntime
import Foundation
import Testing

/// Forwarding between REST servers of fake herders (Kafka's `HerderRequestHandler.completeOrForwardRequest`).
@Suite struct ForwardingTests {
    static let create = #"{"name":"c1","config":{"connector.class":"com.example.TestSourceConnector","k":"v"}}"#
    static let conflict = "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"

    /// Runs `body` with the workers and stops them after, also when it throws.
    func withWorkers(
        _ workers: [FakeWorker],
        _ body: ([FakeWorker]) async throws -> Void
    ) async throws {
        do {
            try await body(workers)
        } catch {
            for worker in workers { await worker.stop() }
            throw error
        }
        for worker in workers { await worker.stop() }
    }

    @Test func writeIsForwardedToTheLeaderAndAnsweredWithItsResponse() async throws {
        let leader = try await FakeWorker.start()
        let follower = try await FakeWorker.start(writeError: RequestTargetError.notLeader(leaderURL: leader.url))
        try await withWorkers([follower, leader]) { _ in
            let answer = try await follower.call("POST", "/connectors", Self.create)
            #expect(answer.status == 201)
            #expect(answer.object["name"] as? String == "c1")
            #expect(answer.headers["location"] == "/connectors/c1")
            let expected = FakeHerder.Call.putConnectorConfig(
                name: "c1",
                config: ["connector.class": "com.example.TestSourceConnector", "k": "v"],
                allowReplace: false
            )
            #expect(await follower.herder.calls == [expected])
            #expect(await leader.herder.calls == [expected])

            // An error of the leader comes back as it answered.
            let deleted = try await follower.call("DELETE", "/connectors/c1")
            #expect(deleted.status == 204)
            #expect(await leader.herder.calls.last == .deleteConnector("c1"))
        }
    }

    @Test func queryParametersTravelAndReadsStayLocal() async throws {
        let leader = try await FakeWorker.start()
        let notLeader = RequestTargetError.notLeader(leaderURL: leader.url)
        let follower = try await FakeWorker.start(writeError: notLeader, readError: notLeader)
        try await withWorkers([follower, leader]) { _ in
            let restart = try await follower.call("POST", "/connectors/c1/restart?includeTasks=true&onlyFailed=true")
            #expect(restart.status == 202)
            #expect(restart.object["name"] as? String == "c1")
            #expect(
                await leader.herder.calls == [.restartConnectorAndTasks("c1", includeTasks: true, onlyFailed: true)]
            )

            // GET requests are answered locally: a refusal is a 409, never a forward.
            let read = try await follower.call("GET", "/connectors/c1/config")
            #expect(read.status == 409)
            #expect(read.error?.message == Self.conflict)
            #expect(await leader.herder.calls.count == 1)
        }
    }

    /// A user request takes at most two hops: the first worker forwards with `forward=true`, the second
    /// with `forward=false`, and a third refusal is a conflict.
    @Test func atMostTwoHops() async throws {
        let leader = try await FakeWorker.start()
        let middle = try await FakeWorker.start(writeError: RequestTargetError.notLeader(leaderURL: leader.url))
        let first = try await FakeWorker.start(writeError: RequestTargetError.notLeader(leaderURL: middle.url))
        try await withWorkers([first, middle, leader]) { _ in
            // No `forward`: first → middle (forward=true) → leader (forward=false).
            let answer = try await first.call("PUT", "/connectors/c1/pause")
            #expect(answer.status == 202)
            #expect(await leader.herder.calls == [.pauseConnector("c1")])

            // `forward=true` from the user: first → middle with forward=false, which may not forward again.
            let once = try await first.call("PUT", "/connectors/c2/pause?forward=true")
            #expect(once.status == 409)
            #expect(once.error?.message == Self.conflict)
            #expect(await middle.herder.calls.last == .pauseConnector("c2"))
            #expect(await leader.herder.calls == [.pauseConnector("c1")])

            // `forward=false`: no hop at all.
            let none = try await first.call("PUT", "/connectors/c3/pause?forward=false")
            #expect(none.status == 409)
            #expect(none.error?.message == Self.conflict)
            #expect(await middle.herder.calls.last == .pauseConnector("c2"))
        }
    }

    @Test func noLeaderURLAndStaleConfigurationAreConflicts() async throws {
        let noLeader = try await FakeWorker.start(writeError: RequestTargetError.notLeader(leaderURL: nil))
        let stale = try await FakeWorker.start(writeError: RequestTargetError.rebalanceNeeded)
        try await withWorkers([noLeader, stale]) { _ in
            let answer = try await noLeader.call("POST", "/connectors", Self.create)
            #expect(answer.status == 409)
            #expect(
                answer.error?.message
                    == "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway."
            )
            let staleAnswer = try await stale.call("DELETE", "/connectors/c1")
            #expect(staleAnswer.status == 409)
            #expect(
                staleAnswer.error?.message
                    == "Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)"
            )
        }
    }

    @Test func unreachableTargetIsA500() async throws {
        // A port nothing listens on: a stopped server's.
        let gone = try await FakeWorker.start()
        await gone.stop()
        // Our own client (the handler leaves it to us to shut down), with a short connect timeout: refused
        // connections are retried until it runs out.
        let client = ConnectRESTClient(connectTimeout: .milliseconds(500))
        let follower = try await FakeWorker.start(
            writeError: RequestTargetError.notLeader(leaderURL: gone.url),
            restClient: client
        )
        try await withWorkers([follower]) { _ in
            let answer = try await follower.call("DELETE", "/connectors/c1")
            #expect(answer.status == 500)
            #expect(answer.error?.message.hasPrefix("IO Error trying to forward REST request: DELETE ") == true)
        }
        await client.shutdown()
        // A shut-down client refuses at once.
        await #expect(throws: ConnectRESTClientError.self) {
            try await client.request(url: gone.url, method: "GET")
        }
    }

    /// `POST /connectors/<name>/tasks` reaches the leader's herder with the signature of the bytes sent.
    @Test func signedTaskConfigsAreForwardedWithTheirSignature() async throws {
        let leader = try await FakeWorker.start()
        let follower = try await FakeWorker.start(writeError: RequestTargetError.notLeader(leaderURL: leader.url))
        try await withWorkers([follower, leader]) { _ in
            let key = Array("session-key".utf8)
            let body = #"[{"task.class":"T","index":"0"},{"task.class":"T","index":"1"}]"#
            let headers = try InternalRequestSignature.sign(body: Array(body.utf8), key: key, algorithm: "HmacSHA512")
            let answer = try await follower.call(
                "POST",
                "/connectors/c1/tasks",
                body,
                headers: headers.map { ($0, $1) }
            )
            #expect(answer.status == 204)
            let calls = await leader.herder.calls
            guard case .putTaskConfigs(let name, let configs, let signature)? = calls.first, calls.count == 1 else {
                Issue.record("the leader saw \(calls)")
                return
            }
            #expect(name == "c1")
            #expect(configs == [["task.class": "T", "index": "0"], ["task.class": "T", "index": "1"]])
            let received = try #require(signature)
            #expect(received.algorithm == "HmacSHA512")
            #expect(received.isValid(key: key))
            #expect(!received.isValid(key: Array("other".utf8)))

            // Unsigned: the herder gets nil (and decides); an unknown algorithm is refused up front.
            #expect(try await leader.call("POST", "/connectors/c2/tasks", "[]").status == 204)
            #expect(await leader.herder.calls.last == .putTaskConfigs("c2", configs: [], signature: nil))
            let unknown = try await leader.call(
                "POST",
                "/connectors/c3/tasks",
                "[]",
                headers: [("X-Connect-Authorization", "AAAA"), ("X-Connect-Request-Signature-Algorithm", "HmacMD5")]
            )
            #expect(unknown.status == 400)
            #expect(unknown.error?.message == "Algorithm HmacMD5 not available")
            let malformed = try await leader.call("POST", "/connectors/c4/tasks", #"{"index":"0"}"#)
            #expect(malformed.status == 400)
            #expect(await leader.herder.calls.count == 2)
        }
    }

    @Test func standaloneRefusesTaskConfigs() async throws {
        let fixture = try await RESTFixture.start()
        do {
            let answer = try await fixture.call("POST", "/connectors/c1/tasks", "[]")
            #expect(answer.status == 400)
            #expect(answer.error?.message.contains("standalone mode does not support") == true)
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }
}
