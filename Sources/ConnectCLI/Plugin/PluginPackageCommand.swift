import ArgumentParser
import Foundation

/// `swift-connect plugin package <dir>`: the Swift counterpart of building a connector's fat JAR.
struct PluginPackageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Build a connector package in release mode and lay out its plugin folder.",
        discussion: """
            Runs `swift build -c release --product <entry>` for the package's dynamic library product (the \
            one with the C entry points), loads the library with the worker's loader to learn what it \
            registers and which ConnectAPI ABI and compiler it was built with, and writes plugin.json and the \
            library into the plugin folder. Copy that folder into a directory on the worker's plugin.path.
            """
    )

    @Argument(help: "The connector package directory.")
    var directory: String = "."

    @Option(help: "The plugin folder to write (default: <dir>/.build/plugin/<plugin name>).")
    var output: String?

    @Option(help: "The dynamic library product to build, if the package has several.")
    var product: String?

    func run() throws {
        do {
            let currentDirectory = FileManager.default.currentDirectoryPath
            let packaged = try PluginPackager.package(
                directory: SwiftConnectCheckout.absolute(directory, relativeTo: currentDirectory),
                output: output.map { SwiftConnectCheckout.absolute($0, relativeTo: currentDirectory) },
                product: product
            )
            print(packaged.report)
        } catch let error as PluginAuthoringError {
            writeStandardError("swift-connect plugin package: \(error.message)\n")
            throw ExitCode.failure
        }
    }
}
