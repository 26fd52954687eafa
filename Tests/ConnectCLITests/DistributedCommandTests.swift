import ConnectRuntime
import Testing

@testable import ConnectCLICore

@Suite struct DistributedCommandTests {
    static func config(_ extra: [String: String] = [:]) throws -> DistributedConfig {
        var props = [
            "bootstrap.servers": "localhost:9092",
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "group.id": "g",
            "config.storage.topic": "c",
            "offset.storage.topic": "o",
            "status.storage.topic": "s",
        ]
        props.merge(extra) { $1 }
        return try DistributedConfig(props)
    }

    @Test func advertisesTheListenerOrTheConfiguredAddress() throws {
        #expect(
            DistributedCommand.advertisedURL(config: try Self.config(), listener: "http://:8083")
                == "http://localhost:8083/"
        )
        #expect(
            DistributedCommand.advertisedURL(config: try Self.config(), listener: "http://127.0.0.1:9000")
                == "http://127.0.0.1:9000/"
        )
        let advertised = try Self.config(["rest.advertised.host.name": "connect-1", "rest.advertised.port": "18083"])
        #expect(
            DistributedCommand.advertisedURL(config: advertised, listener: "http://0.0.0.0:8083")
                == "http://connect-1:18083/"
        )
    }
}
