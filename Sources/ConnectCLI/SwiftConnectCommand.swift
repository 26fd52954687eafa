import ArgumentParser

struct SwiftConnectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swift-connect",
        abstract: "SwiftConnect: a Kafka Connect runtime in Swift.",
        subcommands: [KafkaCommand.self, StandaloneCommand.self, DistributedCommand.self, PluginCommand.self]
    )
}
