import ConnectAPI
import ConnectRuntime
import Foundation
import Logging

/// What the `standalone` and `distributed` worker commands share: logging, the worker properties,
/// the REST listener and the plugins.
enum WorkerProcess {
    /// Every logger's level comes from LoggerLevels, which /admin/loggers changes at run time.
    static func bootstrapLogging() {
        LoggingSystem.bootstrap { label in
            LevelControlledLogHandler(label: label, levels: .shared, base: StreamLogHandler.standardError(label: label))
        }
    }

    /// A worker's `.properties` file with its config-provider placeholders resolved.
    static func properties(_ path: String) async throws -> [String: String] {
        let raw = try ConnectorConfigFile.properties(try read(path))
        return try await ConfigProviders.transformer(for: raw)?.transform(raw).data ?? raw
    }

    /// The first `http://` listener (Kafka's default `http://:8083` when there is none).
    static func httpListener(_ listeners: [String]) -> String {
        listeners.first { $0.lowercased().hasPrefix("http://") } ?? "http://:8083"
    }

    /// The built-ins plus the plugins in `plugin.path`; logs each plugin loaded and each refused (a
    /// refused plugin never stops the worker).
    static func loadPlugins(pluginPath: [String]) -> PluginRegistry {
        var plugins = PluginRegistry.builtIn
        guard !pluginPath.isEmpty else { return plugins }
        let logger = Logger(label: "org.apache.kafka.connect.runtime.isolation.PluginScanner")
        let report = PluginLoader().load(pluginPath: pluginPath, into: &plugins)
        for plugin in report.loaded {
            let classes = plugin.classes.all.map { "\($0.kind.rawValue) \($0.className)" }.joined(separator: ", ")
            logger.info("Loaded plugin '\(plugin.name)' \(plugin.version) from \(plugin.folder): \(classes)")
        }
        for refusal in report.refused {
            logger.error("Refused \(refusal)")
        }
        return plugins
    }

    static func read(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConnectError("Cannot read \(path): \(error.localizedDescription)")
        }
    }
}
