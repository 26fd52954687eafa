import ArgumentParser

/// `swift-connect plugin`: custom connector plugins (docs/plugins.md). Each subcommand lives in its
/// own file.
struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Work with connector plugins deployed in plugin.path.",
        subcommands: [PluginListCommand.self]
    )
}
