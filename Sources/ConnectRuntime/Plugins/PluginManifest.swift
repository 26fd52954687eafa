import Foundation

/// A deployed plugin's `plugin.json`, read before its library is opened (docs/plugins.md): what the
/// plugin is, which library to open, what it was built with and which classes it provides.
///
/// ```json
/// { "name": "my-plugin", "version": "0.1.0", "library": "libMyPlugin.so",
///   "connectAPIABIVersion": 1, "compilerVersion": "6.3.1",
///   "connectors": [{"class": "com.example.MySourceConnector", "type": "source"}],
///   "converters": [], "headerConverters": [], "transformations": [], "predicates": [] }
/// ```
///
/// `converters`, `headerConverters`, `transformations` and `predicates` list objects
/// `{"class": "<class name>"}` (plain strings are accepted too); missing lists are empty.
public struct PluginManifest: Sendable, Hashable, Codable {
    /// The manifest's file name inside a plugin folder.
    public static let fileName = "plugin.json"

    /// A connector class and whether it is a source or a sink.
    public struct Connector: Sendable, Hashable, Codable {
        /// The class name.
        public var className: String
        /// Source or sink.
        public var type: ConnectorPlugin.PluginType

        /// A connector entry.
        public init(className: String, type: ConnectorPlugin.PluginType) {
            self.className = className
            self.type = type
        }

        private enum CodingKeys: String, CodingKey {
            case className = "class"
            case type
        }
    }

    /// The classes a plugin provides, by kind.
    public struct Classes: Sendable, Hashable {
        /// Connectors.
        public var connectors: [Connector]
        /// Converters.
        public var converters: [String]
        /// Header converters.
        public var headerConverters: [String]
        /// Transformations.
        public var transformations: [String]
        /// Predicates.
        public var predicates: [String]

        /// Lists of classes.
        public init(
            connectors: [Connector] = [],
            converters: [String] = [],
            headerConverters: [String] = [],
            transformations: [String] = [],
            predicates: [String] = []
        ) {
            self.connectors = connectors
            self.converters = converters
            self.headerConverters = headerConverters
            self.transformations = transformations
            self.predicates = predicates
        }

        /// Every class as `(kind, class name)`, connectors first, in list order.
        public var all: [(kind: PluginDescription.Kind, className: String)] {
            connectors.map { (kind: $0.type == .source ? .source : .sink, className: $0.className) }
                + converters.map { (kind: .converter, className: $0) }
                + headerConverters.map { (kind: .headerConverter, className: $0) }
                + transformations.map { (kind: .transformation, className: $0) }
                + predicates.map { (kind: .predicate, className: $0) }
        }

        /// The classes of `self` that `provided` lacks (same kind and class name).
        public func missing(from provided: Classes) -> [(kind: PluginDescription.Kind, className: String)] {
            let have = Set(provided.all.map { "\($0.kind.rawValue) \($0.className)" })
            return all.filter { !have.contains("\($0.kind.rawValue) \($0.className)") }
        }

        /// Whether no class is listed.
        public var isEmpty: Bool { all.isEmpty }
    }

    /// The plugin's name (unique in a worker).
    public var name: String
    /// The plugin's version.
    public var version: String
    /// The entry library's file name, in the plugin folder (`libMyPlugin.so`).
    public var library: String
    /// ``ConnectABI/version`` of the ConnectAPI the plugin was built against.
    public var connectAPIABIVersion: UInt32
    /// The Swift compiler the plugin was built with (`"6.3.1"`).
    public var compilerVersion: String
    /// The classes the plugin provides.
    public var classes: Classes

    /// A manifest.
    public init(
        name: String,
        version: String,
        library: String,
        connectAPIABIVersion: UInt32,
        compilerVersion: String,
        classes: Classes
    ) {
        self.name = name
        self.version = version
        self.library = library
        self.connectAPIABIVersion = connectAPIABIVersion
        self.compilerVersion = compilerVersion
        self.classes = classes
    }

    // MARK: JSON

    private enum CodingKeys: String, CodingKey {
        case name, version, library, connectAPIABIVersion, compilerVersion
        case connectors, converters, headerConverters, transformations, predicates
    }

    /// One `{"class": …}` entry, or a plain string.
    private struct ClassEntry: Codable {
        var className: String

        init(_ className: String) { self.className = className }

        init(from decoder: any Decoder) throws {
            if let string = try? decoder.singleValueContainer().decode(String.self) {
                className = string
            } else {
                className = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .className)
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(className, forKey: .className)
        }

        private enum CodingKeys: String, CodingKey { case className = "class" }
    }

    /// Decodes a manifest from JSON.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        version = try container.decode(String.self, forKey: .version)
        library = try container.decode(String.self, forKey: .library)
        connectAPIABIVersion = try container.decode(UInt32.self, forKey: .connectAPIABIVersion)
        compilerVersion = try container.decode(String.self, forKey: .compilerVersion)
        func names(_ key: CodingKeys) throws -> [String] {
            try container.decodeIfPresent([ClassEntry].self, forKey: key)?.map(\.className) ?? []
        }
        classes = Classes(
            connectors: try container.decodeIfPresent([Connector].self, forKey: .connectors) ?? [],
            converters: try names(.converters),
            headerConverters: try names(.headerConverters),
            transformations: try names(.transformations),
            predicates: try names(.predicates)
        )
    }

    /// Encodes the manifest as JSON, every list present.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(version, forKey: .version)
        try container.encode(library, forKey: .library)
        try container.encode(connectAPIABIVersion, forKey: .connectAPIABIVersion)
        try container.encode(compilerVersion, forKey: .compilerVersion)
        try container.encode(classes.connectors, forKey: .connectors)
        try container.encode(classes.converters.map(ClassEntry.init), forKey: .converters)
        try container.encode(classes.headerConverters.map(ClassEntry.init), forKey: .headerConverters)
        try container.encode(classes.transformations.map(ClassEntry.init), forKey: .transformations)
        try container.encode(classes.predicates.map(ClassEntry.init), forKey: .predicates)
    }

    /// Parses `plugin.json` and checks what JSON alone cannot: non-empty name, version and library,
    /// and a library that is a plain file name in the plugin folder.
    /// - Returns: The manifest, or why it is malformed (a sentence naming the key).
    public static func parse(_ bytes: [UInt8]) -> Result<PluginManifest, ManifestError> {
        let manifest: PluginManifest
        do {
            manifest = try JSONDecoder().decode(PluginManifest.self, from: Data(bytes))
        } catch let error as DecodingError {
            return .failure(ManifestError(Self.describe(error)))
        } catch {
            return .failure(ManifestError("it is not valid JSON"))
        }
        for (key, value) in [("name", manifest.name), ("version", manifest.version), ("library", manifest.library)]
        where value.trimmingCharacters(in: .whitespaces).isEmpty {
            return .failure(ManifestError("\"\(key)\" is empty"))
        }
        if manifest.library.contains("/") || manifest.library == "." || manifest.library == ".." {
            return .failure(
                ManifestError("\"library\" must be a file name in the plugin folder, not the path \(manifest.library)")
            )
        }
        return .success(manifest)
    }

    /// The manifest as pretty-printed JSON with sorted keys, ending in a newline.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and integers cannot fail.
        let data = (try? encoder.encode(self)) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Why a `plugin.json` is malformed.
    public struct ManifestError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong, e.g. `"library" is missing`.
        public var description: String

        init(_ description: String) { self.description = description }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\"\(path(context, key))\" is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\"\(path(context))\" has the wrong type"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "it is not valid JSON" }
            return "\"\(path(context))\" is invalid"
        @unknown default:
            return "it cannot be read"
        }
    }
}
