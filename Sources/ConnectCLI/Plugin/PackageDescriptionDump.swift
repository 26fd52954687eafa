import Foundation

/// The parts of `swift package dump-package` the plugin commands read: the package's products.
struct PackageDescriptionDump: Decodable, Sendable {
    struct Product: Decodable, Sendable {
        var name: String
        var targets: [String]
        /// `{"library": ["dynamic"]}`, `{"library": ["automatic"]}`, `{"executable": null}`, ...
        var type: [String: [String]?]

        var isDynamicLibrary: Bool { type["library"]??.contains("dynamic") == true }
        var isStaticOrAutomaticLibrary: Bool {
            guard let kinds = type["library"] else { return false }
            return !(kinds?.contains("dynamic") ?? false)
        }
    }

    var name: String
    var products: [Product]

    static func parse(_ json: String) throws -> PackageDescriptionDump {
        try JSONDecoder().decode(PackageDescriptionDump.self, from: Data(json.utf8))
    }

    /// Runs `swift package dump-package` in `directory`.
    /// - Throws: ``PluginAuthoringError`` if `directory` is not a package or its manifest does not load.
    static func load(packageAt directory: String) throws -> PackageDescriptionDump {
        guard FileManager.default.fileExists(atPath: directory + "/Package.swift") else {
            throw PluginAuthoringError("\(directory) is not a Swift package: it has no Package.swift")
        }
        let result = try ChildProcess.run(["swift", "package", "dump-package"], in: directory, capture: true)
        guard result.status == 0 else {
            throw PluginAuthoringError(
                "\(directory)/Package.swift does not load (swift package dump-package exited with \(result.status)): "
                    + "fix the errors above"
            )
        }
        do {
            return try parse(result.output)
        } catch {
            throw PluginAuthoringError("Cannot read the description of \(directory): \(error)")
        }
    }
}
