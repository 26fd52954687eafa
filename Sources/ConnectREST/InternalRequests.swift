import ConnectAPI
import ConnectRuntime

/// The requests a worker makes of another worker of its cluster.
public enum InternalRequests {
    /// Sends a follower's task configs to the leader as Kafka does: `POST <leader>/connectors/<name>/tasks`
    /// with a JSON array of string maps, signed with the session key when there is one.
    public static func taskConfigsSender(client: ConnectRESTClient) -> TaskConfigsSender {
        { leaderURL, connector, configs, sessionKey, algorithm in
            let body = JSON.array(configs.map { JSON.object($0) }).bytes
            var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
            if let sessionKey {
                headers += try InternalRequestSignature.sign(body: body, sessionKey: sessionKey, algorithm: algorithm)
            }
            let base = leaderURL.hasSuffix("/") ? leaderURL : leaderURL + "/"
            let response = try await client.request(
                url: base + "connectors/\(ConnectRESTHandler.encodePathSegment(connector))/tasks",
                method: "POST",
                headers: headers,
                body: body
            )
            guard (200..<300).contains(response.status) else {
                throw ConnectError(
                    "The leader at \(leaderURL) refused the task configurations of \(connector): HTTP "
                        + "\(response.status) \(String(decoding: response.body.prefix(500), as: UTF8.self))"
                )
            }
        }
    }
}
