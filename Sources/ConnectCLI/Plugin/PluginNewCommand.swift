import ArgumentParser
import Foundation

/// `swift-connect plugin new <Name> --source|--sink`: a ready-to-build connector package.
struct PluginNewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a connector package (Connector, Task, ConfigDef, tests, README).",
        discussion: """
            The package depends on this swift-connect checkout's Packages/ConnectAPI by path (override with \
            --connect-api or SWIFTCONNECT_HOME): plugins must be built against the ConnectAPI of the worker \
            that loads them. Build it with `swift build`, test it with `swift test`, and turn it into a \
            plugin folder with `swift-connect plugin package <dir>`.
            """
    )

    @Argument(help: "The connector's name, e.g. HttpPoller or http-poller (letters and digits).")
    var name: String

    @Flag(help: "Generate a source connector (reads from an external system, writes to Kafka).")
    var source = false

    @Flag(help: "Generate a sink connector (reads from Kafka, writes to an external system).")
    var sink = false

    @Option(help: "The package directory to create (default: ./<package name>); must not exist or be empty.")
    var output: String?

    @Option(help: "A swift-connect checkout or its Packages/ConnectAPI (default: the checkout that built this CLI).")
    var connectAPI: String?

    @Option(help: "The SwiftPM package name (default: the connector name in UpperCamelCase).")
    var packageName: String?

    func validate() throws {
        guard source || sink else { throw ValidationError("Choose --source, --sink or both.") }
    }

    func run() throws {
        do {
            let names = try ConnectorPackageNames(name, packageName: packageName)
            let currentDirectory = FileManager.default.currentDirectoryPath
            let connectAPIPath = try SwiftConnectCheckout.connectAPIPackage(
                option: connectAPI,
                environment: ProcessInfo.processInfo.environment,
                currentDirectory: currentDirectory
            )
            let scaffold = ConnectorPackageScaffold(
                names: names,
                kinds: (source ? [.source] : []) + (sink ? [.sink] : []),
                connectAPIPath: connectAPIPath,
                hasConnectTesting: FileManager.default.fileExists(atPath: connectAPIPath + "/Sources/ConnectTesting")
            )
            let directory = URL(
                fileURLWithPath: SwiftConnectCheckout.absolute(
                    output ?? names.packageName,
                    relativeTo: currentDirectory
                )
            )
            try scaffold.write(into: directory)
            print("Created \(directory.path) (ConnectAPI: \(connectAPIPath))")
            for kind in scaffold.kinds { print("  connector.class=\(names.className(kind))") }
            print(
                """
                Next:
                  cd \(directory.path)
                  swift test
                  swift-connect plugin package .
                """
            )
        } catch let error as PluginAuthoringError {
            writeStandardError("swift-connect plugin new: \(error.message)\n")
            throw ExitCode.failure
        }
    }
}
