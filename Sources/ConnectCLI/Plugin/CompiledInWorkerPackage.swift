import Foundation

/// A connector package to compile into a worker: `--with <path>[:<Product>]`.
public struct CompiledInConnectorPackage: Sendable, Hashable {
    /// The package directory (absolute).
    public var path: String
    /// The library product with the connectors and `register(into:)`.
    public var product: String
    /// The module to import and whose `register(into:)` is called (the product's target).
    public var module: String

    public init(path: String, product: String, module: String) {
        self.path = path
        self.product = product
        self.module = module
    }

    /// SwiftPM's identity of a path dependency: its directory name (what `.product(package:)` names).
    public var identity: String { URL(fileURLWithPath: path).lastPathComponent }

    /// Splits `path[:Product]`; the part after the last `:` is a product unless it contains a `/`.
    static func parseSpec(_ spec: String) -> (path: String, product: String?) {
        guard let colon = spec.lastIndex(of: ":") else { return (spec, nil) }
        let product = String(spec[spec.index(after: colon)...])
        guard !product.isEmpty, !product.contains("/") else { return (spec, nil) }
        return (String(spec[..<colon]), product)
    }

    /// The product and module to use from a package's description: the named product, or the only
    /// non-dynamic library product (the dynamic one is the plugin's entry library, whose `@c` symbols
    /// would collide with another package's).
    /// - Throws: ``PluginAuthoringError`` naming the products there are.
    static func choose(
        product requested: String?,
        path: String,
        from description: PackageDescriptionDump
    ) throws(PluginAuthoringError) -> CompiledInConnectorPackage {
        let libraries = description.products.filter(\.isStaticOrAutomaticLibrary)
        let listed = libraries.map(\.name).joined(separator: ", ")
        let chosen: PackageDescriptionDump.Product
        if let requested {
            guard let product = description.products.first(where: { $0.name == requested }) else {
                throw PluginAuthoringError(
                    "\(path) has no product \(requested); its connector libraries: \(listed.isEmpty ? "none" : listed)"
                )
            }
            guard product.isStaticOrAutomaticLibrary else {
                throw PluginAuthoringError(
                    "\(requested) in \(path) is not a plain library product (a dynamic plugin library cannot be "
                        + "compiled in); its connector libraries: \(listed.isEmpty ? "none" : listed)"
                )
            }
            chosen = product
        } else {
            guard libraries.count == 1 else {
                throw PluginAuthoringError(
                    libraries.isEmpty
                        ? "\(path) has no plain library product with its connectors (generated packages have "
                            + "<Name>Connectors)"
                        : "\(path) has several library products (\(listed)): name one with --with \(path):<Product>"
                )
            }
            chosen = libraries[0]
        }
        let module = chosen.targets.count == 1 ? chosen.targets[0] : chosen.targets.first { $0 == chosen.name }
        guard let module else {
            throw PluginAuthoringError(
                "Product \(chosen.name) of \(path) has several targets (\(chosen.targets.joined(separator: ", "))) "
                    + "and none named like it: which one has register(into:)?"
            )
        }
        return CompiledInConnectorPackage(path: path, product: chosen.name, module: module)
    }
}

/// The package `swift-connect plugin build-worker` generates: the swift-connect CLI (`ConnectCLICore`)
/// with connector packages compiled in, registered exactly like plugins from plugin.path, so
/// `GET /connector-plugins` lists them and connectors use them by class name or alias.
public struct CompiledInWorkerPackage: Sendable, Hashable {
    public var checkout: SwiftConnectCheckout
    public var connectors: [CompiledInConnectorPackage]

    /// The executable target and product. Not `swift-connect`: the checkout it depends on has an
    /// executable product of that name, and `swift build --product swift-connect` would build that
    /// one, without the connectors.
    static let targetName = "SwiftConnectWorker"
    static let productName = "swift-connect-worker"

    /// - Throws: ``PluginAuthoringError`` if two packages share a directory name (SwiftPM would take
    ///   them for the same package) or a module.
    public init(checkout: SwiftConnectCheckout, connectors: [CompiledInConnectorPackage]) throws(PluginAuthoringError) {
        guard !connectors.isEmpty else {
            throw PluginAuthoringError("Name at least one connector package with --with <path>[:<Product>]")
        }
        var identities: [String: String] = [Self.checkoutIdentity(checkout).lowercased(): checkout.root]
        identities["connectapi"] = checkout.connectAPI
        for connector in connectors {
            if let other = identities[connector.identity.lowercased()], other != connector.path {
                throw PluginAuthoringError(
                    "\(connector.path) and \(other) have the same directory name, which SwiftPM takes as the same "
                        + "package: rename one of the directories"
                )
            }
            identities[connector.identity.lowercased()] = connector.path
        }
        let modules = connectors.map(\.module)
        if let duplicate = modules.first(where: { module in modules.filter { $0 == module }.count > 1 }) {
            throw PluginAuthoringError("Two packages bring a module named \(duplicate): module names must be unique")
        }
        self.checkout = checkout
        self.connectors = connectors
    }

    static func checkoutIdentity(_ checkout: SwiftConnectCheckout) -> String {
        URL(fileURLWithPath: checkout.root).lastPathComponent
    }

    public var files: [GeneratedFile] {
        [
            GeneratedFile(path: "Package.swift", contents: manifest),
            GeneratedFile(path: "Sources/\(Self.targetName)/main.swift", contents: mainSource),
            GeneratedFile(path: ".gitignore", contents: ".build/\n/Package.resolved\n"),
        ]
    }

    var manifest: String {
        let packages =
            [checkout.root, checkout.connectAPI] + connectors.map(\.path)
        let products =
            [
                #".product(name: "ConnectCLICore", package: "\#(Self.checkoutIdentity(checkout))")"#,
                #".product(name: "ConnectAPI", package: "ConnectAPI")"#,
            ] + connectors.map { #".product(name: "\#($0.product)", package: "\#($0.identity)")"# }
        return """
            // swift-tools-version:6.0
            import PackageDescription

            // Generated by `swift-connect plugin build-worker`: swift-connect with connector packages
            // compiled in. Regenerate it rather than edit it.
            let package = Package(
                name: "swift-connect-worker",
                products: [
                    .executable(name: "\(Self.productName)", targets: ["\(Self.targetName)"])
                ],
                dependencies: [
            \(packages.map { "        .package(path: \(Self.literal($0)))," }.joined(separator: "\n"))
                ],
                targets: [
                    .executableTarget(
                        name: "\(Self.targetName)",
                        dependencies: [
            \(products.map { "                \($0)," }.joined(separator: "\n"))
                        ]
                    )
                ],
                swiftLanguageModes: [.v6]
            )

            """
    }

    var mainSource: String {
        let imports = (["ConnectAPI", "ConnectCLICore"] + connectors.map(\.module)).map { "import \($0)" }
        let registrations = connectors.map { connector in
            """
                do {
                    let registrar = ConnectPluginRegistrar(pluginName: \(Self.literal(connector.identity)), version: "compiled-in")
                    \(connector.module).register(into: registrar)
                    registrars.append(registrar)
                }
            """
        }
        return """
            // Generated by `swift-connect plugin build-worker`. Regenerate it rather than edit it.
            \(imports.joined(separator: "\n"))

            /// The compiled-in connector packages, registered as plugin.path plugins are.
            func compiledInPlugins() -> [ConnectPluginRegistrar] {
                var registrars: [ConnectPluginRegistrar] = []
            \(registrations.joined(separator: "\n"))
                return registrars
            }

            await SwiftConnectCLI.main(compiledIn: compiledInPlugins())

            """
    }

    /// A Swift string literal (paths may hold quotes or backslashes).
    static func literal(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Writes the package into `directory`, replacing the generated files of an earlier run (its
    /// `.build` is kept, so a rebuild is incremental).
    public func write(into directory: URL) throws {
        let fileManager = FileManager.default
        let manifestPath = directory.appendingPathComponent("Package.swift").path
        if fileManager.fileExists(atPath: manifestPath),
            !((try? String(contentsOfFile: manifestPath, encoding: .utf8))?.contains(
                "swift-connect plugin build-worker"
            )
                ?? false)
        {
            throw PluginAuthoringError(
                "\(directory.path) holds a Package.swift that build-worker did not generate: choose another --output"
            )
        }
        for file in files {
            let url = directory.appendingPathComponent(file.path)
            try fileManager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.contents.utf8).write(to: url)
        }
    }
}
