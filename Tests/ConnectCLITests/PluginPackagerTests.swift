import Foundation
import Testing

@testable import ConnectCLICore
@testable import ConnectRuntime

@Suite struct PluginPackagerTests {
    static func description(_ products: String) throws -> PackageDescriptionDump {
        try PackageDescriptionDump.parse(#"{"name": "P", "products": [\#(products)]}"#)
    }

    static let plugin = #"{"name": "DemoPlugin", "targets": ["DemoPlugin"], "type": {"library": ["dynamic"]}}"#
    static let connectors =
        #"{"name": "DemoConnectors", "targets": ["DemoConnectors"], "type": {"library": ["automatic"]}}"#

    @Test func theEntryIsTheOnlyDynamicLibrary() throws {
        let description = try Self.description(Self.plugin + "," + Self.connectors)
        #expect(try PluginPackager.entryProduct(requested: nil, in: description, at: "/p") == "DemoPlugin")
        #expect(try PluginPackager.entryProduct(requested: "DemoPlugin", in: description, at: "/p") == "DemoPlugin")
        #expect {
            try PluginPackager.entryProduct(requested: "DemoConnectors", in: description, at: "/p")
        } throws: { error in
            (error as? PluginAuthoringError)?.message
                == "/p has no dynamic library product DemoConnectors; its dynamic libraries: DemoPlugin"
        }
    }

    @Test func aPackageWithoutPluginLibraryOrWithSeveralIsRefusedWithTheFix() throws {
        #expect {
            try PluginPackager.entryProduct(requested: nil, in: try Self.description(Self.connectors), at: "/p")
        } throws: { error in
            let message = (error as? PluginAuthoringError)?.message ?? ""
            return message.hasPrefix("/p has no plugin library") && message.contains("type: .dynamic")
        }
        let two = try Self.description(Self.plugin + "," + Self.plugin.replacingOccurrences(of: "Demo", with: "Other"))
        #expect {
            try PluginPackager.entryProduct(requested: nil, in: two, at: "/p")
        } throws: { error in
            (error as? PluginAuthoringError)?.message
                == "/p has several dynamic library products (DemoPlugin, OtherPlugin): choose one with --product"
        }
    }

    @Test func theLibraryIsWhereSwiftPMPutsDynamicProducts() {
        #expect(
            PluginPackager.libraryPath(
                binDirectory: "/p/.build/x86_64-unknown-linux-gnu/release",
                product: "DemoPlugin"
            )
                == "/p/.build/x86_64-unknown-linux-gnu/release/libDemoPlugin.so"
        )
    }

    static func inspected(_ classes: PluginManifest.Classes, name: String = "demo") -> InspectedPluginLibrary {
        InspectedPluginLibrary(
            name: name,
            version: "0.1.0",
            compatibility: PluginCompatibility(abiVersion: 1, compilerVersion: "6.3.1"),
            classes: classes
        )
    }

    @Test func theManifestListsWhatTheLibraryRegisteredWithItsVersions() throws {
        let classes = PluginManifest.Classes(
            connectors: [PluginManifest.Connector(className: "com.example.demo.DemoSourceConnector", type: .source)],
            converters: [],
            headerConverters: [],
            transformations: [],
            predicates: []
        )
        let manifest = try PluginPackager.manifest(for: Self.inspected(classes), libraryFile: "libDemoPlugin.so")
        #expect(
            manifest
                == PluginManifest(
                    name: "demo",
                    version: "0.1.0",
                    library: "libDemoPlugin.so",
                    connectAPIABIVersion: 1,
                    compilerVersion: "6.3.1",
                    classes: classes
                )
        )
        // What the worker reads back is what was written.
        #expect(try PluginManifest.parse(Array(manifest.json().utf8)).get() == manifest)
    }

    @Test func aLibraryThatRegistersNothingOrNamesNoFolderIsRefused() {
        let none = PluginManifest.Classes(
            connectors: [],
            converters: [],
            headerConverters: [],
            transformations: [],
            predicates: []
        )
        #expect {
            try PluginPackager.manifest(for: Self.inspected(none), libraryFile: "libDemoPlugin.so")
        } throws: { error in
            (error as? PluginAuthoringError)?.message.hasPrefix(
                "libDemoPlugin.so registers nothing: its register(into:)"
            )
                == true
        }
        let one = PluginManifest.Classes(
            connectors: [],
            converters: ["a.B"],
            headerConverters: [],
            transformations: [],
            predicates: []
        )
        #expect {
            try PluginPackager.manifest(for: Self.inspected(one, name: "../x"), libraryFile: "libDemoPlugin.so")
        } throws: { error in
            (error as? PluginAuthoringError)?.message.contains("cannot be a folder name") == true
        }
    }

    @Test func theFolderHoldsPluginJSONAndTheEntryLibraryOnlyAndReplacesOnlyAPluginFolder() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let library = directory.appendingPathComponent("libDemoPlugin.so").path
        try Data("not really a library".utf8).write(to: URL(fileURLWithPath: library))
        try Data("the package's own copy".utf8).write(to: directory.appendingPathComponent("libConnectAPI.so"))
        let classes = PluginManifest.Classes(
            connectors: [],
            converters: ["a.B"],
            headerConverters: [],
            transformations: [],
            predicates: []
        )
        let manifest = try PluginPackager.manifest(for: Self.inspected(classes), libraryFile: "libDemoPlugin.so")
        let folder = directory.appendingPathComponent("plugin/demo").path
        try PluginPackager.writeFolder(manifest: manifest, library: library, to: folder)
        try PluginPackager.writeFolder(manifest: manifest, library: library, to: folder)  // again: replaced
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["libDemoPlugin.so", "plugin.json"]
        )
        let written = try #require(FileManager.default.contents(atPath: folder + "/plugin.json"))
        #expect(try PluginManifest.parse(Array(written)).get() == manifest)
        #expect {
            try PluginPackager.writeFolder(manifest: manifest, library: library, to: directory.path)
        } throws: { error in
            (error as? PluginAuthoringError)?.message.contains("is not a plugin folder (no plugin.json)") == true
        }
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("packager-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func aDirectoryWithoutPackageSwiftIsNotAPackage() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect {
            try PluginPackager.package(directory: directory.path, output: nil, product: nil)
        } throws: { error in
            (error as? PluginAuthoringError)?.message
                == "\(directory.path) is not a Swift package: it has no Package.swift"
        }
    }

    /// A real (tiny, dependency-free) package whose plugin library does not compile: the build's exit
    /// code is reported and nothing is written.
    @Test func aFailedBuildIsReportedWithItsExitCode() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("Sources/BrokenPlugin"),
            withIntermediateDirectories: true
        )
        try Data(
            """
            // swift-tools-version:6.0
            import PackageDescription
            let package = Package(
                name: "Broken",
                products: [.library(name: "BrokenPlugin", type: .dynamic, targets: ["BrokenPlugin"])],
                targets: [.target(name: "BrokenPlugin")]
            )
            """.utf8
        ).write(to: directory.appendingPathComponent("Package.swift"))
        try Data("let x: Int = \"not a number\"\n".utf8)
            .write(to: directory.appendingPathComponent("Sources/BrokenPlugin/Broken.swift"))
        #expect {
            try PluginPackager.package(directory: directory.path, output: nil, product: nil, quiet: true)
        } throws: { error in
            let message = (error as? PluginAuthoringError)?.message ?? ""
            return message.hasPrefix("swift build -c release --product BrokenPlugin failed with exit code 1")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(".build/plugin").path))
    }
}
