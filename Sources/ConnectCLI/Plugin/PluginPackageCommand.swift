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
            let packageDirectory = SwiftConnectCheckout.absolute(directory, relativeTo: currentDirectory)
            let description = try PackageDescriptionDump.load(packageAt: packageDirectory)
            let entry = try PluginPackager.entryProduct(requested: product, in: description, at: packageDirectory)
            let build = try ChildProcess.run(
                ["swift", "build", "-c", "release", "--product", entry],
                in: packageDirectory
            )
            guard build.status == 0 else {
                throw PluginAuthoringError(
                    "swift build -c release --product \(entry) failed with exit code \(build.status): fix the errors "
                        + "above (`swift build` in \(packageDirectory) shows them too)"
                )
            }
            let binPath = try ChildProcess.run(
                ["swift", "build", "-c", "release", "--show-bin-path"],
                in: packageDirectory,
                capture: true
            )
            let library = PluginPackager.libraryPath(
                binDirectory: binPath.output.trimmingCharacters(in: .whitespacesAndNewlines),
                product: entry
            )
            let plugin = try PluginPackager.inspect(library: library, product: entry)
            let folder =
                output.map { SwiftConnectCheckout.absolute($0, relativeTo: currentDirectory) }
                ?? packageDirectory + "/.build/plugin/" + plugin.manifest.name
            try PluginPackager.writeFolder(plugin, library: library, to: folder)
            let parent = URL(fileURLWithPath: folder).deletingLastPathComponent().path
            print(
                """
                Plugin \(plugin.manifest.name) \(plugin.manifest.version) (ConnectAPI ABI \
                \(plugin.manifest.connectAPIABIVersion), Swift \(plugin.manifest.compilerVersion)): \(folder)
                \(plugin.summary)
                Deploy it: copy the folder into a directory on the worker's plugin.path, e.g.
                  cp -R \(folder) /opt/connect-plugins/
                and in the worker's properties:
                  plugin.path=/opt/connect-plugins
                (or use it in place: plugin.path=\(parent))
                """
            )
        } catch let error as PluginAuthoringError {
            writeStandardError("swift-connect plugin package: \(error.message)\n")
            throw ExitCode.failure
        }
    }
}
