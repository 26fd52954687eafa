import ConnectAPI
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A plugin loaded from `plugin.path`.
public struct LoadedPlugin: Sendable, Hashable {
    /// The manifest's name.
    public var name: String
    /// The manifest's version.
    public var version: String
    /// The plugin folder.
    public var folder: String
    /// The classes its library registered.
    public var classes: PluginManifest.Classes
}

/// What loading `plugin.path` did: the plugins loaded and the refusals, in scan order.
public struct PluginLoadReport: Sendable {
    /// The plugins now in the registry.
    public var loaded: [LoadedPlugin] = []
    /// What was not loaded, and why.
    public var refused: [PluginRefusal] = []
}

/// A plugin library opened and registered outside a plugin folder (for `swift-connect plugin
/// package`, which learns a freshly built library's classes this way).
public struct InspectedPluginLibrary: Sendable {
    /// The registrar's plugin name.
    public var name: String
    /// The registrar's version.
    public var version: String
    /// The ConnectAPI ABI and compiler its entry points report (the worker's: the handshake passed).
    public var compatibility: PluginCompatibility
    /// The classes it registered.
    public var classes: PluginManifest.Classes
}

/// Loads the plugins in `plugin.path` into a ``PluginRegistry`` (docs/plugins.md): the file and
/// `dlopen` shell around ``PluginAdmission``, which makes every decision.
///
/// Each `plugin.path` entry is a directory of plugin folders (or itself a plugin folder); a plugin
/// folder is a directory with a `plugin.json`. A plugin is refused, with a ``PluginRefusal`` that says
/// how to fix it, when its manifest is malformed or built for another ABI or compiler (before its
/// library is opened), when its library cannot be loaded, lacks entry points or fails the handshake,
/// or when it does not register every class its manifest lists. Other plugins load regardless.
///
/// Libraries are opened with `RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE` and never closed: Swift code
/// cannot be unmapped safely, so a library opened and then refused stays mapped (unused).
public struct PluginLoader: Sendable {
    /// What plugins must share with this worker.
    public var worker: PluginCompatibility

    /// A loader for this worker's ConnectAPI ABI and compiler.
    public init(worker: PluginCompatibility = .worker) {
        self.worker = worker
    }

    /// Loads every plugin of the `plugin.path` entries into `registry`.
    public func load(pluginPath: [String], into registry: inout PluginRegistry) -> PluginLoadReport {
        var admission = PluginAdmission(worker: worker, registry: registry)
        var report = PluginLoadReport()
        for entry in pluginPath.map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let folders: [String]
            switch Self.pluginFolders(in: entry) {
            case .success(let found): folders = found
            case .failure(let refusal):
                report.refused.append(refusal)
                continue
            }
            for folder in folders {
                switch load(folder: folder, admission: &admission, into: &registry) {
                case .success(let plugin): report.loaded.append(plugin)
                case .failure(let refusal): report.refused.append(refusal)
                }
            }
        }
        return report
    }

    /// Opens a plugin library (no manifest needed), checks its handshake against this worker and
    /// returns what it registers. Nothing is added to any registry.
    public func inspect(library path: String) -> Result<InspectedPluginLibrary, PluginRefusal> {
        func refuse(_ reason: PluginRefusal.Reason) -> Result<InspectedPluginLibrary, PluginRefusal> {
            .failure(PluginRefusal(location: path, pluginName: nil, reason: reason))
        }
        let library = URL(fileURLWithPath: path).lastPathComponent
        guard FileManager.default.fileExists(atPath: path) else { return refuse(.libraryMissing(library: library)) }
        let opened: PluginLibrary
        switch PluginLibrary.open(path: path, library: library) {
        case .success(let value): opened = value
        case .failure(let reason): return refuse(reason)
        }
        let compatibility = PluginCompatibility(
            abiVersion: opened.abiVersion,
            compilerVersion: ConnectABI.versionString(opened.compilerVersion)
        )
        guard compatibility == worker else {
            return refuse(.handshakeMismatch(library: compatibility, manifest: compatibility, worker: worker))
        }
        let registrar = opened.register()
        return .success(
            InspectedPluginLibrary(
                name: registrar.pluginName,
                version: registrar.version,
                compatibility: compatibility,
                classes: registrar.classes
            )
        )
    }

    // MARK: One plugin

    private func load(
        folder: String,
        admission: inout PluginAdmission,
        into registry: inout PluginRegistry
    ) -> Result<LoadedPlugin, PluginRefusal> {
        let manifestPath = (folder as NSString).appendingPathComponent(PluginManifest.fileName)
        guard let bytes = FileManager.default.contents(atPath: manifestPath) else {
            return .failure(
                PluginRefusal(location: folder, pluginName: nil, reason: .manifestUnreadable("permission denied"))
            )
        }
        let manifest: PluginManifest
        switch PluginManifest.parse(Array(bytes)) {
        case .success(let parsed): manifest = parsed
        case .failure(let error):
            return .failure(
                PluginRefusal(location: folder, pluginName: nil, reason: .manifestMalformed(error.description))
            )
        }
        func refuse(_ reason: PluginRefusal.Reason) -> Result<LoadedPlugin, PluginRefusal> {
            .failure(PluginRefusal(location: folder, pluginName: manifest.name, reason: reason))
        }
        let libraryPath = (folder as NSString).appendingPathComponent(manifest.library)
        let exists = FileManager.default.fileExists(atPath: libraryPath)
        if let reason = admission.checkManifest(manifest, libraryExists: exists) { return refuse(reason) }

        let opened: PluginLibrary
        switch PluginLibrary.open(path: libraryPath, library: manifest.library) {
        case .success(let value): opened = value
        case .failure(let reason): return refuse(reason)
        }
        if let reason = admission.checkHandshake(
            manifest,
            abiVersion: opened.abiVersion,
            compilerVersion: opened.compilerVersion
        ) {
            return refuse(reason)
        }
        // Only now, with the ABI and compiler known to match, do Swift types cross.
        let registrar = opened.register()
        let provided = registrar.classes
        if let reason = admission.checkRegistered(manifest, provided: provided) { return refuse(reason) }
        admission.admit(manifest, folder: folder, provided: provided)
        registry.register(registrar)
        return .success(LoadedPlugin(name: manifest.name, version: manifest.version, folder: folder, classes: provided))
    }

    // MARK: Scanning

    /// The plugin folders of a `plugin.path` entry, sorted by name: the entry itself when it holds a
    /// `plugin.json`, else its subdirectories that do.
    static func pluginFolders(in entry: String) -> Result<[String], PluginRefusal> {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: entry, isDirectory: &isDirectory) else {
            return .failure(
                PluginRefusal(location: entry, pluginName: nil, reason: .pluginPathUnreadable("no such directory"))
            )
        }
        guard isDirectory.boolValue else {
            return .failure(
                PluginRefusal(location: entry, pluginName: nil, reason: .pluginPathUnreadable("not a directory"))
            )
        }
        let hasManifest = { (folder: String) in
            files.fileExists(atPath: (folder as NSString).appendingPathComponent(PluginManifest.fileName))
        }
        if hasManifest(entry) { return .success([entry]) }
        guard let names = try? files.contentsOfDirectory(atPath: entry) else {
            return .failure(
                PluginRefusal(location: entry, pluginName: nil, reason: .pluginPathUnreadable("cannot list it"))
            )
        }
        return .success(
            names.sorted().map { (entry as NSString).appendingPathComponent($0) }.filter { folder in
                var isFolder: ObjCBool = false
                return files.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue
                    && hasManifest(folder)
            }
        )
    }
}

/// An opened plugin library's entry points (the only code that touches `dlopen`).
struct PluginLibrary {
    private typealias VersionFunction = @convention(c) () -> UInt32
    private typealias RegisterFunction = @convention(c) () -> UnsafeMutableRawPointer

    /// `connect_plugin_abi_version()`.
    let abiVersion: UInt32
    /// `connect_plugin_compiler_version()`.
    let compilerVersion: UInt32
    private let registerFunction: RegisterFunction

    /// Opens the library and reads its handshake values; nothing Swift-typed crosses yet.
    static func open(path: String, library: String) -> Result<PluginLibrary, PluginRefusal.Reason> {
        // RTLD_LOCAL keeps the plugin's symbols out of the global scope; RTLD_NODELETE keeps the image
        // mapped even if something calls dlclose: the Swift runtime keeps pointers into it.
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let error = dlerror().map { String(cString: $0) } ?? "unknown error"
            return .failure(.libraryNotLoadable(library: library, error: error))
        }
        func symbol(_ name: String) -> UnsafeMutableRawPointer? { dlsym(handle, name) }
        guard let abi = symbol("connect_plugin_abi_version") else {
            return .failure(.entryPointMissing(library: library, symbol: "connect_plugin_abi_version"))
        }
        guard let compiler = symbol("connect_plugin_compiler_version") else {
            return .failure(.entryPointMissing(library: library, symbol: "connect_plugin_compiler_version"))
        }
        guard let register = symbol("connect_plugin_register") else {
            return .failure(.entryPointMissing(library: library, symbol: "connect_plugin_register"))
        }
        return .success(
            PluginLibrary(
                abiVersion: unsafeBitCast(abi, to: VersionFunction.self)(),
                compilerVersion: unsafeBitCast(compiler, to: VersionFunction.self)(),
                registerFunction: unsafeBitCast(register, to: RegisterFunction.self)
            )
        )
    }

    /// Calls `connect_plugin_register()`; only after the handshake passed.
    func register() -> ConnectPluginRegistrar {
        ConnectPluginRegistrar.takeExported(registerFunction())
    }
}
