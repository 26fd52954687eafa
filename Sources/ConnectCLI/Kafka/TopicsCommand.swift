import ArgumentParser
import KafkaNIO
import KafkaProtocol

struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "List, create and delete topics.",
        subcommands: [List.self, Create.self, Delete.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List topics with their partitions.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Include internal topics.") var includeInternal = false

        func run() async throws {
            let topics = try await connection.withCluster { cluster in
                try await KafkaAdminClient(cluster: cluster).listTopics(includeInternal: includeInternal)
            }
            for topic in topics {
                writeStandardOutput("\(topic.name)\tpartitions=\(topic.partitions.count)\n")
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a topic.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Topic name.") var name: String
        @Option(help: "Number of partitions (-1: broker default).") var partitions: Int32 = -1
        @Option(help: "Replication factor (-1: broker default).") var replicationFactor: Int16 = -1
        @Option(name: .customLong("config"), help: "Topic config key=value. Repeatable.") var configs: [String] = []

        func run() async throws {
            var topicConfigs: [String: String] = [:]
            for config in configs {
                let parts = config.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { throw ValidationError("--config \(config): expected key=value") }
                topicConfigs[String(parts[0])] = String(parts[1])
            }
            try await connection.withCluster { cluster in
                try await KafkaAdminClient(cluster: cluster).createTopics(
                    [
                        .init(
                            name: name,
                            partitions: partitions,
                            replicationFactor: replicationFactor,
                            configs: topicConfigs
                        )
                    ]
                )
            }
            writeStandardOutput("created \(name)\n")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete topics.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Topic names.") var names: [String]

        func run() async throws {
            try await connection.withCluster { cluster in
                try await KafkaAdminClient(cluster: cluster).deleteTopics(names)
            }
            writeStandardOutput("deleted \(names.joined(separator: " "))\n")
        }
    }
}

struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Describe the cluster: id, controller and brokers."
    )
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let description = try await connection.withCluster { cluster in
            try await KafkaAdminClient(cluster: cluster).describeCluster()
        }
        writeStandardOutput("cluster.id: \(description.clusterID)\ncontroller: \(description.controllerID)\n")
        for broker in description.brokers {
            writeStandardOutput(
                "broker \(broker.nodeID): \(broker.address)\(broker.rack.map { " rack=\($0)" } ?? "")\n"
            )
        }
    }
}
