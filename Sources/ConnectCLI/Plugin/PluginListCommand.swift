import ArgumentParser
import ConnectRuntime

/// `swift-connect plugin list <plugin.path>`: what a worker with this `plugin.path` would load, and why
/// it would refuse anything. It loads the plugins the way the worker does (same code path).
struct PluginListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show the plugins a worker would load from a plugin.path, and why any would be refused.",
        discussion: """
            The argument is a plugin.path value: comma-separated directories, each holding plugin folders \
            (a folder with plugin.json and its library) or being one. The plugins are loaded into this \
            process exactly as `swift-connect standalone` loads them. Exits with status 1 when any plugin \
            is refused.
            """
    )

    @Argument(help: "The plugin.path: comma-separated directories of plugin folders.")
    var pluginPath: String

    func run() throws {
        var registry = PluginRegistry.builtIn
        let entries = pluginPath.split(separator: ",").map(String.init)
        let report = PluginLoader().load(pluginPath: entries, into: &registry)
        writeStandardOutput(Self.render(report))
        if !report.refused.isEmpty { throw ExitCode.failure }
    }

    /// The report as text: each loaded plugin with its classes, then each refusal, then a count.
    static func render(_ report: PluginLoadReport) -> String {
        var text = ""
        for plugin in report.loaded {
            text += "loaded  \(plugin.name) \(plugin.version)  \(plugin.folder)\n"
            for (kind, className) in plugin.classes.all {
                let padding = String(repeating: " ", count: max(1, 17 - kind.rawValue.count))
                text += "        \(kind.rawValue)\(padding)\(className)\n"
            }
        }
        for refusal in report.refused {
            text += "refused \(refusal)\n"
        }
        text += "\(report.loaded.count) plugin(s) loaded, \(report.refused.count) refused\n"
        return text
    }
}
