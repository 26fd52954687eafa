import ConnectAPI

/// The ConnectAPI ABI version and Swift compiler a plugin must share with the worker.
public struct PluginCompatibility: Sendable, Hashable {
    /// ``ConnectABI/version``.
    public var abiVersion: UInt32
    /// The compiler version as written in manifests (`"6.3.1"`).
    public var compilerVersion: String

    /// A pair of versions.
    public init(abiVersion: UInt32, compilerVersion: String) {
        self.abiVersion = abiVersion
        self.compilerVersion = compilerVersion
    }

    /// This worker's: the values of the `libConnectAPI.so` loaded in this process.
    public static var worker: PluginCompatibility {
        PluginCompatibility(
            abiVersion: ConnectABI.runtimeVersion,
            compilerVersion: ConnectABI.runtimeCompilerVersionString
        )
    }
}

/// Why the worker did not load a plugin (or a `plugin.path` entry). The worker logs it and carries on
/// with everything else; `swift-connect plugin list` prints it.
public struct PluginRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The reasons, each with what to do about it.
    public enum Reason: Error, Sendable, Hashable {
        /// A `plugin.path` entry that is not a readable directory.
        case pluginPathUnreadable(String)
        /// `plugin.json` could not be read.
        case manifestUnreadable(String)
        /// `plugin.json` is not a valid manifest.
        case manifestMalformed(String)
        /// Built for another ConnectAPI ABI or with another compiler (from the manifest, before
        /// opening the library).
        case incompatible(plugin: PluginCompatibility, worker: PluginCompatibility)
        /// The library the manifest names is not in the folder.
        case libraryMissing(library: String)
        /// The dynamic loader could not load the library (damaged, not a shared library, missing
        /// dependency, undefined symbol).
        case libraryNotLoadable(library: String, error: String)
        /// The library lacks one of the `connect_plugin_*` entry points.
        case entryPointMissing(library: String, symbol: String)
        /// The library's entry points report versions that differ from the worker's or from its own
        /// manifest.
        case handshakeMismatch(library: PluginCompatibility, manifest: PluginCompatibility, worker: PluginCompatibility)
        /// The manifest lists classes that the library does not register (`kind class` each).
        case classesMissing([String])
        /// Another plugin with the same name was loaded first, from `firstFolder`.
        case duplicatePlugin(firstFolder: String)
        /// A class the plugin provides is already provided by a built-in or another plugin.
        case classConflict(className: String, providedBy: String)
    }

    /// The plugin folder (or the `plugin.path` entry) concerned.
    public var location: String
    /// The plugin's name when its manifest could be read.
    public var pluginName: String?
    /// Why.
    public var reason: Reason

    /// A refusal.
    public init(location: String, pluginName: String?, reason: Reason) {
        self.location = location
        self.pluginName = pluginName
        self.reason = reason
    }

    /// One sentence: which plugin, what is wrong, and how to fix it.
    public var description: String {
        let plugin = pluginName.map { "plugin '\($0)' (\(location))" } ?? location
        let rebuild = "rebuild it with 'swift-connect plugin package'"
        switch reason {
        case .pluginPathUnreadable(let why):
            return "plugin.path entry \(location): \(why): fix plugin.path in the worker configuration"
        case .manifestUnreadable(let why):
            return "\(plugin): cannot read \(PluginManifest.fileName): \(why)"
        case .manifestMalformed(let why):
            return "\(plugin): \(PluginManifest.fileName) is malformed: \(why): fix it, or \(rebuild)"
        case .incompatible(let built, let worker):
            return "\(plugin) was built for ConnectAPI ABI \(built.abiVersion) with Swift \(built.compilerVersion); "
                + "this worker has ABI \(worker.abiVersion) and Swift \(worker.compilerVersion): "
                + "\(rebuild) with the worker's toolchain"
        case .libraryMissing(let library):
            return "\(plugin): the library \(library) named in \(PluginManifest.fileName) is not in the plugin "
                + "folder: copy it there, or \(rebuild)"
        case .libraryNotLoadable(let library, let error):
            return "\(plugin): cannot load \(library): \(error): the file is damaged or not a plugin library for "
                + "this platform; \(rebuild)"
        case .entryPointMissing(let library, let symbol):
            return "\(plugin): \(library) has no entry point \(symbol): it is not a SwiftConnect plugin library "
                + "(the entry points are public @c functions in the plugin's entry-point target); \(rebuild)"
        case .handshakeMismatch(let library, let manifest, let worker):
            return "\(plugin): its library reports ConnectAPI ABI \(library.abiVersion) with Swift "
                + "\(library.compilerVersion), but \(PluginManifest.fileName) says ABI \(manifest.abiVersion) with "
                + "Swift \(manifest.compilerVersion) and this worker has ABI \(worker.abiVersion) and Swift "
                + "\(worker.compilerVersion): \(rebuild) with the worker's toolchain"
        case .classesMissing(let classes):
            return "\(plugin): \(PluginManifest.fileName) lists classes its library does not register: "
                + "\(classes.joined(separator: ", ")): register them in the plugin's register(into:), or \(rebuild)"
        case .duplicatePlugin(let firstFolder):
            return "\(plugin): a plugin with this name was already loaded from \(firstFolder): keep only one of "
                + "them in plugin.path"
        case .classConflict(let className, let providedBy):
            return "\(plugin): class \(className) is already provided by \(providedBy): class names must be unique "
                + "in a worker; rename the class or remove one of the plugins"
        }
    }
}
