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
                url: base + "connectors/\(pathSegment(connector))/tasks",
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

    /// `name` percent-encoded for a URL path segment.
    static func pathSegment(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            let scalar = Unicode.Scalar(byte)
            if (byte < 0x80 && (scalar.properties.isAlphabetic || ("0"..."9").contains(Character(scalar))))
                || "-._~".utf8.contains(byte)
            {
                out.unicodeScalars.append(scalar)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
