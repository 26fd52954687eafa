import ArgumentParser
import KafkaNIO
import KafkaProtocol

/// `swift-connect kafka`: a kcat-like tool on SwiftConnect's own Kafka client.
struct KafkaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka",
        abstract: "Talk to Kafka with SwiftConnect's own client (like kcat).",
        subcommands: [
            TopicsCommand.self, ProduceCommand.self, ConsumeCommand.self, GroupsCommand.self, ClusterCommand.self,
            PerfCommand.self,
        ]
    )
}

/// Options every `kafka` subcommand takes.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: [.customShort("b"), .customLong("bootstrap-server")],
        help: "Brokers to bootstrap from, host:port[,host:port]. Default: $KAFKA_BOOTSTRAP_SERVERS or localhost:9092."
    )
    var bootstrapServers: String?

    @Option(
        name: [.customShort("X"), .customLong("property")],
        help: "A client property, key=value (Java client names, e.g. -X linger.ms=10). Repeatable."
    )
    var properties: [String] = []

    func clientProperties(defaults: [String: String] = [:]) throws -> [String: String] {
        var result = defaults
        result["bootstrap.servers"] =
            self.bootstrapServers ?? environment("KAFKA_BOOTSTRAP_SERVERS") ?? "localhost:9092"
        result["client.id"] = result["client.id"] ?? "swift-connect-cli"
        for property in self.properties {
            guard let equals = property.firstIndex(of: "="), equals != property.startIndex else {
                throw ValidationError("-X \(property): expected key=value")
            }
            result[String(property[..<equals])] = String(property[property.index(after: equals)...])
        }
        return result
    }

    /// Runs `body` with a cluster client and always shuts the client down after.
    func withCluster<T>(_ body: (KafkaCluster) async throws -> T) async throws -> T {
        let cluster = KafkaCluster(configuration: try KafkaClientConfiguration(properties: try self.clientProperties()))
        do {
            let result = try await body(cluster)
            await cluster.shutdown()
            return result
        } catch {
            await cluster.shutdown()
            throw error
        }
    }
}

extension KafkaCommand {
    /// kcat users write `kafka -b host:port topics list`; ArgumentParser only parses a leaf
    /// command's options after its name, so connection options written between `kafka` and the
    /// subcommand are moved to the end, where every leaf command's `ConnectionOptions` reads them.
    static func movingConnectionOptionsToLeaf(_ arguments: [String]) -> [String] {
        guard let kafka = arguments.firstIndex(of: "kafka") else { return arguments }
        let withValue: Set<String> = ["-b", "--bootstrap-server", "-X", "--property"]
        var moved: [String] = []
        var rest = Array(arguments[..<arguments.index(after: kafka)])
        var index = arguments.index(after: kafka)
        while index < arguments.count {
            let argument = arguments[index]
            if withValue.contains(argument), index + 1 < arguments.count {
                moved.append(contentsOf: [argument, arguments[index + 1]])
                index += 2
            } else if argument.hasPrefix("--bootstrap-server=") || argument.hasPrefix("--property=") {
                moved.append(argument)
                index += 1
            } else {
                break
            }
        }
        rest.append(contentsOf: arguments[index...])
        guard !moved.isEmpty else { return arguments }
        return rest + moved
    }
}
