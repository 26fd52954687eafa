import ConnectAPI
import ConnectTransforms

/// The decisions of loading plugins from `plugin.path`, without any file or library I/O: which
/// manifest may be opened, which library's handshake passes, whether a library registers what its
/// manifest promises, and that plugin names and class names stay unique in the worker.
/// ``PluginLoader`` performs the I/O between the steps:
///
/// 1. ``checkManifest(_:libraryExists:)`` before the library is opened;
/// 2. ``checkHandshake(_:abiVersion:compilerVersion:)`` with the values of its entry points;
/// 3. ``checkRegistered(_:provided:)`` with what its registrar provides, then ``admit(_:folder:provided:)``.
public struct PluginAdmission: Sendable {
    /// What plugins must share with this worker.
    public let worker: PluginCompatibility
    /// Plugin name → the folder it was loaded from.
    private var folders: [String: String] = [:]
    /// `kind class` → who provides it (`a built-in plugin`, `plugin 'x'`).
    private var owners: [String: String] = [:]

    /// Starts with the classes `registry` already has (the built-ins) as taken.
    public init(worker: PluginCompatibility = .worker, registry: PluginRegistry) {
        self.worker = worker
        for (kind, className) in Self.classes(of: registry) {
            owners[Self.key(kind, className)] = "a built-in plugin"
        }
    }

    /// Before opening the library: compatibility from the manifest, a unique plugin name, the library
    /// file present, and class names not taken.
    public func checkManifest(_ manifest: PluginManifest, libraryExists: Bool) -> PluginRefusal.Reason? {
        let built = PluginCompatibility(
            abiVersion: manifest.connectAPIABIVersion,
            compilerVersion: manifest.compilerVersion
        )
        if built != worker { return .incompatible(plugin: built, worker: worker) }
        if let first = folders[manifest.name] { return .duplicatePlugin(firstFolder: first) }
        if !libraryExists { return .libraryMissing(library: manifest.library) }
        return conflict(in: manifest.classes)
    }

    /// After opening the library, before calling its registration: the versions its entry points
    /// report must be the worker's and those of its manifest.
    public func checkHandshake(
        _ manifest: PluginManifest,
        abiVersion: UInt32,
        compilerVersion: UInt32
    ) -> PluginRefusal.Reason? {
        let library = PluginCompatibility(
            abiVersion: abiVersion,
            compilerVersion: ConnectABI.versionString(compilerVersion)
        )
        let promised = PluginCompatibility(
            abiVersion: manifest.connectAPIABIVersion,
            compilerVersion: manifest.compilerVersion
        )
        guard library == worker, library == promised else {
            return .handshakeMismatch(library: library, manifest: promised, worker: worker)
        }
        return nil
    }

    /// After registration: every class of the manifest provided, and no provided class taken.
    public func checkRegistered(_ manifest: PluginManifest, provided: PluginManifest.Classes) -> PluginRefusal.Reason? {
        let missing = manifest.classes.missing(from: provided)
        if !missing.isEmpty {
            return .classesMissing(missing.map { "\($0.kind.rawValue) \($0.className)" })
        }
        return conflict(in: provided)
    }

    /// Records a loaded plugin: its name and classes are taken from now on.
    public mutating func admit(_ manifest: PluginManifest, folder: String, provided: PluginManifest.Classes) {
        folders[manifest.name] = folder
        for (kind, className) in provided.all {
            owners[Self.key(kind, className)] = "plugin '\(manifest.name)'"
        }
    }

    private func conflict(in classes: PluginManifest.Classes) -> PluginRefusal.Reason? {
        for (kind, className) in classes.all {
            if let owner = owners[Self.key(kind, className)] {
                return .classConflict(className: className, providedBy: owner)
            }
        }
        return nil
    }

    /// Connectors share one name space (a `connector.class` finds sources and sinks alike).
    private static func key(_ kind: PluginDescription.Kind, _ className: String) -> String {
        switch kind {
        case .source, .sink: return "connector \(className)"
        default: return "\(kind.rawValue) \(className)"
        }
    }

    private static func classes(of registry: PluginRegistry) -> [(PluginDescription.Kind, String)] {
        registry.connectorPlugins.map { ($0.type == .source ? .source : .sink, $0.className) }
            + registry.converters.converterClassNames.map { (.converter, $0) }
            + registry.converters.headerConverterClassNames.map { (.headerConverter, $0) }
            + registry.transformations.transformationClassNames.map { (.transformation, $0) }
            + registry.transformations.predicateClassNames.map { (.predicate, $0) }
    }
}
