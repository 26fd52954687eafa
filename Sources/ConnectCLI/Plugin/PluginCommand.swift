import ArgumentParser

/// `swift-connect plugin`: custom connector plugins (docs/plugins.md). Each subcommand lives in its
/// own file.
struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Create, package and list connector plugins; build workers with connectors compiled in.",
        subcommands: [
            PluginNewCommand.self, PluginPackageCommand.self, PluginListCommand.self, PluginBuildWorkerCommand.self,
        ]
    )
}
