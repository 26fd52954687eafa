import Foundation

/// A file the scaffolding writes: its path inside the package and its contents.
public struct GeneratedFile: Sendable, Hashable {
    public var path: String
    public var contents: String

    public init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}

/// The connector package `swift-connect plugin new` generates: Package.swift, the connectors target
/// with `register(into:)`, the plugin target with the three C entry points, tests, a README and an
/// example connector configuration per connector. Pure: ``files`` only computes contents;
/// ``write(into:)`` puts them on disk.
public struct ConnectorPackageScaffold: Sendable {
    public var names: ConnectorPackageNames
    public var kinds: [ConnectorKind]
    /// The ConnectAPI package the generated Package.swift depends on by path.
    public var connectAPIPath: String
    /// Whether that package has the `ConnectTesting` product; the tests use its harnesses then, and
    /// drive the tasks by hand otherwise.
    public var hasConnectTesting: Bool

    public init(names: ConnectorPackageNames, kinds: [ConnectorKind], connectAPIPath: String, hasConnectTesting: Bool) {
        self.names = names
        self.kinds = ConnectorKind.allCases.filter(kinds.contains)
        self.connectAPIPath = connectAPIPath
        self.hasConnectTesting = hasConnectTesting
    }

    /// Every file of the package, in a stable order.
    public var files: [GeneratedFile] {
        let connectors = "Sources/\(names.connectorsTarget)/"
        let tests = "Tests/\(names.testsTarget)/"
        var files = [
            GeneratedFile(path: "Package.swift", contents: fill(ConnectorPackageTemplates.packageManifest)),
            GeneratedFile(path: ".gitignore", contents: ConnectorPackageTemplates.gitignore),
            GeneratedFile(path: "README.md", contents: readme),
            GeneratedFile(path: connectors + "Registration.swift", contents: registration),
            GeneratedFile(
                path: "Sources/\(names.pluginTarget)/EntryPoints.swift",
                contents: fill(ConnectorPackageTemplates.entryPoints)
            ),
        ]
        for kind in kinds {
            let templates =
                kind == .source
                ? (
                    ConnectorPackageTemplates.sourceConfig, ConnectorPackageTemplates.sourceConnector,
                    ConnectorPackageTemplates.sourceTask,
                    hasConnectTesting
                        ? ConnectorPackageTemplates.sourceHarnessTests : ConnectorPackageTemplates.sourceTests
                )
                : (
                    ConnectorPackageTemplates.sinkConfig, ConnectorPackageTemplates.sinkConnector,
                    ConnectorPackageTemplates.sinkTask,
                    hasConnectTesting ? ConnectorPackageTemplates.sinkHarnessTests : ConnectorPackageTemplates.sinkTests
                )
            files += [
                GeneratedFile(path: connectors + names.configType(kind) + ".swift", contents: fill(templates.0)),
                GeneratedFile(path: connectors + names.connectorType(kind) + ".swift", contents: fill(templates.1)),
                GeneratedFile(path: connectors + names.taskType(kind) + ".swift", contents: fill(templates.2)),
                GeneratedFile(path: tests + names.base + kind.typeWord + "Tests.swift", contents: fill(templates.3)),
                GeneratedFile(path: "config/\(names.pluginName)-\(kind.rawValue).json", contents: exampleConfig(kind)),
            ]
        }
        return files
    }

    /// Writes the package into `directory`, which must not exist or be empty.
    /// - Throws: ``PluginAuthoringError`` if the directory has files, or a file system error.
    public func write(into directory: URL) throws {
        let fileManager = FileManager.default
        if let existing = try? fileManager.contentsOfDirectory(atPath: directory.path), !existing.isEmpty {
            throw PluginAuthoringError(
                "\(directory.path) already exists and is not empty: choose another directory with --output"
            )
        }
        for file in files {
            let url = directory.appendingPathComponent(file.path)
            try fileManager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.contents.utf8).write(to: url)
        }
    }

    func fill(_ template: String) -> String {
        let replacements = [
            ("__PackageName__", names.packageName),
            ("__Connectors__", names.connectorsTarget),
            ("__Plugin__", names.pluginTarget),
            ("__Tests__", names.testsTarget),
            ("__ConnectAPIPath__", connectAPIPath),
            ("__TestingProduct__", hasConnectTesting ? ConnectorPackageTemplates.testingProduct : ""),
            ("__ClassPackage__", names.classPackage),
            ("__plugin-name__", names.pluginName),
            ("__Base__", names.base),
        ]
        return replacements.reduce(template) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }

    var registration: String {
        let lines = kinds.map { kind in
            let type = names.connectorType(kind)
            return "    registrar.register(\(kind.rawValue): \(type).self, className: \(type).className)"
        }
        return fill(
            """
            import ConnectAPI

            /// The plugin's name: its folder under a worker's plugin.path and its name in plugin.json.
            public let pluginName = "__plugin-name__"
            /// The plugin's version, shown by `GET /connector-plugins` for each of its connectors.
            public let pluginVersion = "0.1.0"

            /// Registers this package's connectors. The plugin's entry point calls it, and so does a worker
            /// built with `swift-connect plugin build-worker`. Add every connector, converter or
            /// transformation of the package here.
            public func register(into registrar: ConnectPluginRegistrar) {
            \(lines.joined(separator: "\n"))
            }

            """
        )
    }

    func exampleConfig(_ kind: ConnectorKind) -> String {
        let settings =
            kind == .source
            ? #""topic": "\#(names.pluginName)", "max.records": "100", "poll.interval.ms": "500""#
            : #""topics": "\#(names.pluginName)", "file": "/tmp/\#(names.pluginName)-sink.txt""#
        return """
            {
              "name": "\(names.pluginName)-\(kind.rawValue)",
              "config": {"connector.class": "\(names.className(kind))", "tasks.max": "1", \(settings)}
            }

            """
    }

    var readme: String {
        let connectorList = kinds.map { kind in "- `\(names.className(kind))` (\(kind.rawValue))" }.joined(
            separator: "\n"
        )
        let configs = kinds.map { "config/\(names.pluginName)-\($0.rawValue).json" }
        return fill(
            """
            # __PackageName__

            A SwiftConnect connector plugin, generated by `swift-connect plugin new`. Its connectors:

            \(connectorList)

            ## Layout

            - `Sources/__Connectors__/`: the connectors, their configuration (`ConfigDef`) and tasks, and
              `register(into:)`, which lists them. Only `ConnectAPI` is imported.
            - `Sources/__Plugin__/EntryPoints.swift`: the three C functions a worker calls after loading the
              library. Leave them as they are.
            - `Tests/__Tests__/`: unit tests that run the connectors in-process, without a worker or broker.
            - `config/`: a connector configuration per connector, for `POST /connectors`.

            ## Build and test

            ```sh
            swift build
            swift test
            ```

            ## Deploy into a worker

            ```sh
            swift-connect plugin package .
            # -> .build/plugin/__plugin-name__/ with plugin.json and lib__Plugin__.so
            mkdir -p /opt/connect-plugins
            cp -R .build/plugin/__plugin-name__ /opt/connect-plugins/
            ```

            Add `plugin.path=/opt/connect-plugins` to the worker's properties, start it
            (`swift-connect standalone worker.properties`) and create the connector:

            ```sh
            curl -s -X POST -H 'Content-Type: application/json' --data @\(configs[0]) http://localhost:8083/connectors
            ```

            The plugin must be built by the same Swift compiler and against the same ConnectAPI as the
            worker (`swift-connect plugin list /opt/connect-plugins` says whether it would load). To build
            a worker with these connectors compiled in instead:
            `swift-connect plugin build-worker --with .`.

            """
        )
    }
}
