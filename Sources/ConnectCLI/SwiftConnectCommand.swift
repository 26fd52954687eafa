import ArgumentParser

@main
struct SwiftConnectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swift-connect",
        abstract: "SwiftConnect: a Kafka Connect runtime in Swift.",
        subcommands: [KafkaCommand.self, StandaloneCommand.self, PluginCommand.self]
    )

    static func main() async {
        await self.main(KafkaCommand.movingConnectionOptionsToLeaf(Array(CommandLine.arguments.dropFirst())))
    }
}
