import Foundation

/// Where the swift-connect checkout and its `Packages/ConnectAPI` package are, for generated packages
/// that depend on them by path.
///
/// The default is the checkout that built this CLI (known at compile time from `#filePath`), so a
/// plugin is built against exactly the ConnectAPI the worker was built with. `SWIFTCONNECT_HOME` or
/// an explicit option (`--connect-api`, `--swift-connect`) override it, for a CLI that was moved away
/// from its sources.
public struct SwiftConnectCheckout: Sendable, Hashable {
    /// The checkout's root (it has `Package.swift` and `Packages/ConnectAPI`).
    public var root: String
    /// The ConnectAPI package directory.
    public var connectAPI: String

    /// The environment variable naming a swift-connect checkout.
    public static let homeVariable = "SWIFTCONNECT_HOME"

    /// The checkout this CLI was compiled from: four levels above this file
    /// (`<root>/Sources/ConnectCLI/Plugin/SwiftConnectCheckout.swift`).
    public static let buildCheckout: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The ConnectAPI package for a generated connector package.
    ///
    /// - Parameters:
    ///   - option: `--connect-api`: a swift-connect checkout or a ConnectAPI package directory.
    ///   - environment: The process environment (`SWIFTCONNECT_HOME`).
    ///   - currentDirectory: What a relative `option` is relative to.
    ///   - isFile: Whether a file exists (tests pass a fake file system).
    /// - Returns: The absolute, symlink-free path of the ConnectAPI package.
    /// - Throws: ``PluginAuthoringError`` naming the paths looked at and how to fix it.
    public static func connectAPIPackage(
        option: String?,
        environment: [String: String],
        currentDirectory: String,
        isFile: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) throws(PluginAuthoringError) -> String {
        let (candidate, origin) = choose(option: option, optionName: "--connect-api", environment: environment)
        let path = absolute(candidate, relativeTo: currentDirectory)
        let nested = path + "/Packages/ConnectAPI"
        if isFile(nested + "/Package.swift") { return nested }
        if isFile(path + "/Package.swift") && isFile(path + "/Sources/ConnectAPI") { return path }
        throw PluginAuthoringError(
            "\(origin) \(path) is neither a swift-connect checkout (no Packages/ConnectAPI/Package.swift) nor the "
                + "ConnectAPI package (no Package.swift with Sources/ConnectAPI): pass --connect-api with the "
                + "path of a swift-connect checkout or set \(homeVariable)"
        )
    }

    /// The swift-connect checkout for a compiled-in worker (`plugin build-worker`).
    /// - Throws: ``PluginAuthoringError`` if the directory is not a checkout with ConnectAPI.
    public static func resolve(
        option: String?,
        environment: [String: String],
        currentDirectory: String,
        isFile: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) throws(PluginAuthoringError) -> SwiftConnectCheckout {
        let (candidate, origin) = choose(option: option, optionName: "--swift-connect", environment: environment)
        let path = absolute(candidate, relativeTo: currentDirectory)
        guard isFile(path + "/Package.swift"), isFile(path + "/Packages/ConnectAPI/Package.swift") else {
            throw PluginAuthoringError(
                "\(origin) \(path) is not a swift-connect checkout (it needs Package.swift and "
                    + "Packages/ConnectAPI/Package.swift): pass --swift-connect with its path or set \(homeVariable)"
            )
        }
        return SwiftConnectCheckout(root: path, connectAPI: path + "/Packages/ConnectAPI")
    }

    private static func choose(
        option: String?,
        optionName: String,
        environment: [String: String]
    ) -> (path: String, origin: String) {
        if let option, !option.isEmpty { return (option, optionName) }
        if let home = environment[homeVariable], !home.isEmpty { return (home, homeVariable) }
        return (buildCheckout, "the checkout this swift-connect was built from,")
    }

    /// `path` made absolute against `directory`, with `.`/`..` and symlinks resolved: SwiftPM tells
    /// path dependencies apart by location, so the same package must always be named the same way.
    static func absolute(_ path: String, relativeTo directory: String) -> String {
        let expanded = NSString(string: path).expandingTildeInPath
        let url =
            expanded.hasPrefix("/")
            ? URL(fileURLWithPath: expanded) : URL(fileURLWithPath: directory).appendingPathComponent(expanded)
        let resolved = url.standardizedFileURL.resolvingSymlinksInPath().path
        return resolved.count > 1 && resolved.hasSuffix("/") ? String(resolved.dropLast()) : resolved
    }
}
