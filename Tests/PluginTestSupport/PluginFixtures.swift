import ConnectAPI
import ConnectRuntime
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Builds the fixture plugin packages in `Tests/Fixtures/Plugins/` and lays out plugin folders from
/// them, for tests of the plugin loader, the CLI and the worker (docs/plugins.md).
///
/// Each package is built with `swift build -c release` into `.build/plugin-fixtures/<package>` (kept
/// between runs, so later builds are incremental), at most once per test process; concurrent callers
/// await the same build, and a file lock serialises builds across processes.
///
/// ```swift
/// let bin = try await PluginFixtures.build(package: "TestPlugins")
/// let folder = try PluginFixtures.install(
///     library: bin + "/libGoodPlugin.so",
///     into: pluginPath, folder: "good",
///     manifest: PluginFixtures.manifest(name: "good", library: "libGoodPlugin.so", classes: …)
/// )
/// ```
public enum PluginFixtures {
    /// The repository root (from this file's path).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Fixtures/Plugins`.
    public static var fixturesDirectory: URL {
        repositoryRoot.appendingPathComponent("Tests/Fixtures/Plugins")
    }

    /// Builds a package (a directory of `Tests/Fixtures/Plugins`, or any package directory given as
    /// an absolute path) in release mode once per process.
    /// - Returns: The directory holding the built libraries (`…/release`).
    /// - Throws: ``BuildFailure`` with the end of the build log.
    public static func build(package: String) async throws -> String {
        try await builds.build(package)
    }

    /// Creates `<parent>/<folder>/` with a copy of `library` and `manifest` written as `plugin.json`.
    /// - Parameters:
    ///   - library: The library file to copy, or `nil` to leave the folder without one.
    ///   - as: The copy's file name; defaults to the manifest's `library`.
    /// - Returns: The plugin folder's path.
    @discardableResult
    public static func install(
        library: String?,
        as fileName: String? = nil,
        into parent: String,
        folder: String,
        manifest: PluginManifest
    ) throws -> String {
        let directory = (parent as NSString).appendingPathComponent(folder)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if let library {
            let target = (directory as NSString).appendingPathComponent(fileName ?? manifest.library)
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(atPath: library, toPath: target)
        }
        try Data(manifest.json().utf8).write(
            to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(PluginManifest.fileName))
        )
        return directory
    }

    /// A manifest for this worker's ABI and compiler unless others are given.
    public static func manifest(
        name: String,
        version: String = "1.2.3",
        library: String,
        classes: PluginManifest.Classes,
        abiVersion: UInt32 = ConnectABI.runtimeVersion,
        compilerVersion: String = ConnectABI.runtimeCompilerVersionString
    ) -> PluginManifest {
        PluginManifest(
            name: name,
            version: version,
            library: library,
            connectAPIABIVersion: abiVersion,
            compilerVersion: compilerVersion,
            classes: classes
        )
    }

    /// A new empty directory under the system's temporary directory.
    public static func temporaryDirectory(_ prefix: String = "plugins") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Whether this process has mapped a file (for "refused before it was opened" checks).
    public static func isMapped(_ path: String) -> Bool {
        let maps = (try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)) ?? ""
        return maps.contains(path)
    }

    /// A fixture build that failed.
    public struct BuildFailure: Error, CustomStringConvertible {
        /// The command, its status and the end of its output.
        public var description: String
    }

    private static let builds = Builds()

    /// One build task per package.
    private actor Builds {
        private var tasks: [String: Task<String, any Error>] = [:]

        func build(_ package: String) async throws -> String {
            if let task = tasks[package] { return try await task.value }
            let task = Task { try await PluginFixtures.runBuild(package) }
            tasks[package] = task
            return try await task.value
        }
    }

    private static func runBuild(_ package: String) async throws -> String {
        let packageDirectory =
            package.hasPrefix("/") ? package : fixturesDirectory.appendingPathComponent(package).path
        let name = URL(fileURLWithPath: packageDirectory).lastPathComponent
        let scratch = repositoryRoot.appendingPathComponent(".build/plugin-fixtures/\(name)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let log = (scratch as NSString).appendingPathComponent("build.log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let swiftBuild = [
            "swift", "build", "-c", "release", "--package-path", packageDirectory, "--scratch-path", scratch,
        ]
        // flock(1) serialises builds of one package across test processes (e.g. two test targets).
        let flock = "/usr/bin/flock"
        let arguments =
            FileManager.default.isExecutableFile(atPath: flock)
            ? [flock, (scratch as NSString).appendingPathComponent("fixture.lock")] + swiftBuild : swiftBuild
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = process.standardOutput
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        guard status == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw BuildFailure(
                description: "\(arguments.joined(separator: " ")) exited with \(status):\n"
                    + output.split(separator: "\n").suffix(30).joined(separator: "\n")
            )
        }
        return (scratch as NSString).appendingPathComponent("release")
    }
}
