import ArgumentParser
import Foundation

/// `swift-connect plugin build-worker --with <package>[:<Product>] ...`: a worker binary with connector
/// packages compiled in (like xcaddy builds of Caddy, or custom Redpanda Connect builds).
struct PluginBuildWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build-worker",
        abstract: "Build a swift-connect binary with connector packages compiled in.",
        discussion: """
            Generates a package (Package.swift and main.swift) that depends on this swift-connect checkout \
            and on each connector package, and builds it in release mode. The binary, \
            <output>/.build/release/swift-connect-worker, is swift-connect with every subcommand; the \
            compiled-in connectors are registered like plugins from plugin.path and listed by GET /connector-plugins. No dlopen happens at run time, and dependency conflicts \
            between connector packages fail the build instead of the worker. The first build compiles \
            SwiftNIO and the rest of swift-connect (minutes); later builds in the same --output are incremental.
            """
    )

    @Option(
        name: .customLong("with"),
        help: "A connector package directory, optionally with its library product: <path>[:<Product>]. Repeatable."
    )
    var packages: [String] = []

    @Option(help: "The directory of the generated package (default: ./swift-connect-worker).")
    var output: String = "swift-connect-worker"

    @Option(help: "The swift-connect checkout to build from (default: the one that built this CLI).")
    var swiftConnect: String?

    @Option(
        help: """
            SwiftPM's build directory (default: <output>/.build). Workers built with the same one share \
            the compiled swift-connect: a second worker with other connectors then builds in about a minute.
            """
    )
    var scratchPath: String?

    @Flag(help: "Only generate the package, do not build it.")
    var noBuild = false

    func validate() throws {
        guard !packages.isEmpty else { throw ValidationError("Name at least one connector package with --with.") }
    }

    func run() throws {
        do {
            let currentDirectory = FileManager.default.currentDirectoryPath
            let checkout = try SwiftConnectCheckout.resolve(
                option: swiftConnect,
                environment: ProcessInfo.processInfo.environment,
                currentDirectory: currentDirectory
            )
            var connectors: [CompiledInConnectorPackage] = []
            for spec in packages {
                let (path, product) = CompiledInConnectorPackage.parseSpec(spec)
                let absolute = SwiftConnectCheckout.absolute(path, relativeTo: currentDirectory)
                let description = try PackageDescriptionDump.load(packageAt: absolute)
                connectors.append(
                    try CompiledInConnectorPackage.choose(product: product, path: absolute, from: description)
                )
            }
            let package = try CompiledInWorkerPackage(checkout: checkout, connectors: connectors)
            let directory = URL(fileURLWithPath: SwiftConnectCheckout.absolute(output, relativeTo: currentDirectory))
            try package.write(into: directory)
            print("Generated \(directory.path) with: \(connectors.map(\.product).joined(separator: ", "))")
            guard !noBuild else { return }
            print("Building (release); the first build compiles all of swift-connect and takes minutes...")
            let started = ContinuousClock.now
            let buildDirectory = scratchPath.map { SwiftConnectCheckout.absolute($0, relativeTo: currentDirectory) }
            let build = try ChildProcess.run(
                ["swift", "build", "-c", "release", "--product", CompiledInWorkerPackage.productName]
                    + (buildDirectory.map { ["--scratch-path", $0] } ?? []),
                in: directory.path
            )
            guard build.status == 0 else {
                throw PluginAuthoringError(
                    "swift build failed with exit code \(build.status): see the errors above; the generated package "
                        + "is in \(directory.path)"
                )
            }
            let binary =
                (buildDirectory ?? directory.appendingPathComponent(".build").path) + "/release/"
                + CompiledInWorkerPackage.productName
            print("Built \(binary) in \(ContinuousClock.now - started)")
            print("Run it like swift-connect: \(binary) standalone worker.properties")
        } catch let error as PluginAuthoringError {
            writeStandardError("swift-connect plugin build-worker: \(error.message)\n")
            throw ExitCode.failure
        }
    }
}
