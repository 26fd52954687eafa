import ConnectRuntime
import Foundation

/// The steps of `swift-connect plugin package` that decide something, apart from running the build.
enum PluginPackager {
    /// The dynamic library product to build: the requested one, or the package's only one.
    /// - Throws: ``PluginAuthoringError`` saying what a plugin package must declare.
    static func entryProduct(
        requested: String?,
        in description: PackageDescriptionDump,
        at directory: String
    ) throws(PluginAuthoringError) -> String {
        let dynamic = description.products.filter(\.isDynamicLibrary).map(\.name)
        if let requested {
            guard dynamic.contains(requested) else {
                throw PluginAuthoringError(
                    "\(directory) has no dynamic library product \(requested); its dynamic libraries: "
                        + (dynamic.isEmpty ? "none" : dynamic.joined(separator: ", "))
                )
            }
            return requested
        }
        guard dynamic.count == 1 else {
            throw PluginAuthoringError(
                dynamic.isEmpty
                    ? "\(directory) has no plugin library: a plugin package declares .library(name: \"<Name>Plugin\", "
                        + "type: .dynamic, targets: [\"<Name>Plugin\"]) whose target has the three @c entry points "
                        + "(swift-connect plugin new generates one)"
                    : "\(directory) has several dynamic library products (\(dynamic.joined(separator: ", "))): "
                        + "choose one with --product"
            )
        }
        return dynamic[0]
    }

    /// Where SwiftPM puts a dynamic library product.
    static func libraryPath(binDirectory: String, product: String) -> String {
        #if canImport(Darwin)
        return binDirectory + "/lib\(product).dylib"
        #else
        return binDirectory + "/lib\(product).so"
        #endif
    }
}

/// A plugin folder `plugin package` wrote.
struct PackagedPlugin {
    var manifest: PluginManifest
    var folder: String

    /// What the command prints: the folder, what it holds, and how to deploy it.
    var report: String {
        let parent = URL(fileURLWithPath: folder).deletingLastPathComponent().path
        let classes = manifest.classes.all.map { "  \($0.kind.rawValue) \($0.className)" }
        return """
            Plugin \(manifest.name) \(manifest.version) (ConnectAPI ABI \(manifest.connectAPIABIVersion), \
            Swift \(manifest.compilerVersion)) in \(folder):
            \(classes.joined(separator: "\n"))
            Deploy it: copy the folder into a directory on the worker's plugin.path, e.g.
              cp -R \(folder) /opt/connect-plugins/
            and set in the worker's properties:
              plugin.path=/opt/connect-plugins
            (or use it where it is: plugin.path=\(parent))
            """
    }
}

extension PluginPackager {
    /// Builds the package's plugin library in release mode and writes the plugin folder.
    /// - Parameters:
    ///   - directory: The package (absolute).
    ///   - output: The plugin folder; default `<directory>/.build/plugin/<plugin name>`.
    ///   - product: The dynamic library product, if the package has several.
    ///   - quiet: Discard the build's output instead of showing it (tests).
    /// - Throws: ``PluginAuthoringError``: not a package, no plugin library, a failed build, a library
    ///   that does not load or registers nothing.
    static func package(
        directory: String,
        output: String?,
        product: String?,
        quiet: Bool = false
    ) throws -> PackagedPlugin {
        let description = try PackageDescriptionDump.load(packageAt: directory)
        let entry = try entryProduct(requested: product, in: description, at: directory)
        if !quiet { print("Building \(entry) (swift build -c release --product \(entry))...") }
        let build = try ChildProcess.run(
            ["swift", "build", "-c", "release", "--product", entry],
            in: directory,
            quiet: quiet
        )
        guard build.status == 0 else {
            throw PluginAuthoringError(
                "swift build -c release --product \(entry) failed with exit code \(build.status): fix the errors "
                    + "above (`swift build` in \(directory) shows them too)"
            )
        }
        let binPath = try ChildProcess.run(
            ["swift", "build", "-c", "release", "--show-bin-path"],
            in: directory,
            capture: true
        )
        let library = libraryPath(
            binDirectory: binPath.output.trimmingCharacters(in: .whitespacesAndNewlines),
            product: entry
        )
        guard FileManager.default.fileExists(atPath: library) else {
            throw PluginAuthoringError(
                "The build produced no \(URL(fileURLWithPath: library).lastPathComponent) in "
                    + "\(URL(fileURLWithPath: library).deletingLastPathComponent().path): is \(entry) a dynamic library?"
            )
        }
        let manifest = try manifest(
            for: try inspect(library: library),
            libraryFile: URL(fileURLWithPath: library).lastPathComponent
        )
        let folder = output ?? directory + "/.build/plugin/" + manifest.name
        try writeFolder(manifest: manifest, library: library, to: folder)
        return PackagedPlugin(manifest: manifest, folder: folder)
    }

    /// Writes `plugin.json` and a copy of the entry library (never the package's own
    /// libConnectAPI.so: the worker's is the one that must be used) into `folder`, replacing an
    /// earlier plugin folder there.
    static func writeFolder(manifest: PluginManifest, library: String, to folder: String) throws {
        let fileManager = FileManager.default
        if let existing = try? fileManager.contentsOfDirectory(atPath: folder), !existing.isEmpty {
            guard existing.contains("plugin.json") else {
                throw PluginAuthoringError(
                    "\(folder) exists and is not a plugin folder (no plugin.json): choose another --output"
                )
            }
            try fileManager.removeItem(atPath: folder)
        }
        try fileManager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try fileManager.copyItem(atPath: library, toPath: folder + "/" + manifest.library)
        try Data(manifest.json().utf8).write(to: URL(fileURLWithPath: folder + "/" + PluginManifest.fileName))
    }
}

extension PluginPackager {
    /// Loads the built library with the worker's loader (the same handshake a worker does) and returns
    /// what it registers.
    /// - Throws: ``PluginAuthoringError`` with the loader's reason when it does not load.
    static func inspect(library: String) throws(PluginAuthoringError) -> InspectedPluginLibrary {
        switch PluginLoader().inspect(library: library) {
        case .success(let inspected): return inspected
        case .failure(let refusal): throw PluginAuthoringError("The built library does not load: \(refusal)")
        }
    }

    /// The plugin.json for an inspected library.
    /// - Throws: ``PluginAuthoringError`` if the library registers nothing (a worker would load it and
    ///   offer nothing) or its plugin name cannot be a folder name.
    static func manifest(
        for inspected: InspectedPluginLibrary,
        libraryFile: String
    ) throws(PluginAuthoringError) -> PluginManifest {
        guard !inspected.classes.isEmpty else {
            throw PluginAuthoringError(
                "\(libraryFile) registers nothing: its register(into:) must call registrar.register(source:className:) "
                    + "(or sink:, converter:, ...) for each class the plugin provides"
            )
        }
        let name = inspected.name
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/") else {
            throw PluginAuthoringError(
                "\(libraryFile) names its plugin '\(name)', which cannot be a folder name: change the pluginName "
                    + "given to ConnectPluginRegistrar"
            )
        }
        return PluginManifest(
            name: name,
            version: inspected.version,
            library: libraryFile,
            connectAPIABIVersion: inspected.compatibility.abiVersion,
            compilerVersion: inspected.compatibility.compilerVersion,
            classes: inspected.classes
        )
    }
}
