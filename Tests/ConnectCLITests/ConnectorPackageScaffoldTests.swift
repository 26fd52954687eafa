import Foundation
import Testing

@testable import ConnectCLICore

@Suite struct ConnectorPackageScaffoldTests {
    static func scaffold(
        _ kinds: [ConnectorKind],
        name: String = "http-poller",
        connectTesting: Bool = false
    ) throws -> ConnectorPackageScaffold {
        ConnectorPackageScaffold(
            names: try ConnectorPackageNames(name),
            kinds: kinds,
            connectAPIPath: "/src/swift-connect/Packages/ConnectAPI",
            hasConnectTesting: connectTesting
        )
    }

    static func file(_ scaffold: ConnectorPackageScaffold, _ path: String) throws -> String {
        try #require(scaffold.files.first { $0.path == path }?.contents, "no \(path)")
    }

    @Test func aSourcePackageHasConnectorTaskConfigEntryPointsTestsAndReadme() throws {
        let scaffold = try Self.scaffold([.source])
        #expect(
            scaffold.files.map(\.path) == [
                "Package.swift", ".gitignore", "README.md",
                "Sources/HttpPollerConnectors/Registration.swift",
                "Sources/HttpPollerPlugin/EntryPoints.swift",
                "Sources/HttpPollerConnectors/HttpPollerSourceConfig.swift",
                "Sources/HttpPollerConnectors/HttpPollerSourceConnector.swift",
                "Sources/HttpPollerConnectors/HttpPollerSourceTask.swift",
                "Tests/HttpPollerConnectorsTests/HttpPollerSourceTests.swift",
                "config/http-poller-source.json",
            ]
        )
        // Every placeholder was replaced.
        for file in scaffold.files {
            #expect(!file.contents.contains("__"), "\(file.path) has a placeholder left")
        }
    }

    @Test func bothKindsGiveBothConnectorsRegisteredInOnePlugin() throws {
        let scaffold = try Self.scaffold([.sink, .source])
        #expect(scaffold.kinds == [.source, .sink])
        let registration = try Self.file(scaffold, "Sources/HttpPollerConnectors/Registration.swift")
        #expect(registration.contains(#"public let pluginName = "http-poller""#))
        #expect(registration.contains("public func register(into registrar: ConnectPluginRegistrar) {"))
        #expect(
            registration.contains(
                "registrar.register(source: HttpPollerSourceConnector.self, className: HttpPollerSourceConnector.className)"
            )
        )
        #expect(
            registration.contains(
                "registrar.register(sink: HttpPollerSinkConnector.self, className: HttpPollerSinkConnector.className)"
            )
        )
        #expect(scaffold.files.contains { $0.path == "Sources/HttpPollerConnectors/HttpPollerSinkTask.swift" })
        #expect(scaffold.files.contains { $0.path == "Tests/HttpPollerConnectorsTests/HttpPollerSinkTests.swift" })
    }

    @Test func theManifestDependsOnTheConnectAPIProductByPathAndDeclaresBothLibraries() throws {
        let manifest = try Self.file(try Self.scaffold([.source]), "Package.swift")
        #expect(manifest.hasPrefix("// swift-tools-version:6.0\n"))
        #expect(manifest.contains(#"name: "HttpPoller","#))
        #expect(manifest.contains(#".package(path: "/src/swift-connect/Packages/ConnectAPI")"#))
        #expect(
            manifest.contains(#".library(name: "HttpPollerPlugin", type: .dynamic, targets: ["HttpPollerPlugin"])"#)
        )
        #expect(manifest.contains(#".library(name: "HttpPollerConnectors", targets: ["HttpPollerConnectors"])"#))
        #expect(manifest.contains(#".testTarget("#) && manifest.contains(#"name: "HttpPollerConnectorsTests""#))
        // Never the ConnectAPI target by name: that would link a private static copy.
        #expect(!manifest.contains(#"dependencies: ["ConnectAPI"]"#))
        #expect(manifest.components(separatedBy: #".product(name: "ConnectAPI", package: "ConnectAPI")"#).count == 4)
    }

    @Test func withConnectTestingTheTestsUseItsHarnesses() throws {
        let plain = try Self.scaffold([.source, .sink])
        #expect(!(try Self.file(plain, "Package.swift")).contains("ConnectTesting"))
        #expect(
            !(try Self.file(plain, "Tests/HttpPollerConnectorsTests/HttpPollerSourceTests.swift")).contains("Harness")
        )
        let kit = try Self.scaffold([.source, .sink], connectTesting: true)
        #expect(
            try Self.file(kit, "Package.swift").contains(
                """
                                .product(name: "ConnectAPI", package: "ConnectAPI"),
                                .product(name: "ConnectTesting", package: "ConnectAPI"),
                            ]
                """
            )
        )
        let source = try Self.file(kit, "Tests/HttpPollerConnectorsTests/HttpPollerSourceTests.swift")
        #expect(source.contains("import ConnectTesting"))
        #expect(source.contains("SourceTaskHarness(HttpPollerSourceTask(), configs: Self.config, offsets: offsets)"))
        let sink = try Self.file(kit, "Tests/HttpPollerConnectorsTests/HttpPollerSinkTests.swift")
        #expect(sink.contains("SinkTaskHarness("))
        for file in kit.files { #expect(!file.contents.contains("__"), "\(file.path) has a placeholder left") }
    }

    @Test func theEntryPointsArePublicCFunctionsCallingRegister() throws {
        let entry = try Self.file(try Self.scaffold([.source]), "Sources/HttpPollerPlugin/EntryPoints.swift")
        #expect(entry.contains("import HttpPollerConnectors"))
        #expect(entry.contains("@c public func connect_plugin_abi_version() -> UInt32 { ConnectABI.version }"))
        #expect(
            entry.contains("@c public func connect_plugin_compiler_version() -> UInt32 { ConnectABI.compilerVersion }")
        )
        #expect(entry.contains("@c public func connect_plugin_register() -> UnsafeMutableRawPointer {"))
        #expect(entry.contains("HttpPollerConnectors.register(into: registrar)"))
        #expect(entry.contains("return registrar.export()"))
    }

    @Test func theConnectorCarriesItsClassNameAndTheExampleConfigUsesIt() throws {
        let scaffold = try Self.scaffold([.source, .sink])
        let connector = try Self.file(scaffold, "Sources/HttpPollerConnectors/HttpPollerSourceConnector.swift")
        #expect(
            connector.contains(#"public static let className = "com.example.httppoller.HttpPollerSourceConnector""#)
        )
        #expect(connector.contains("public typealias TaskType = HttpPollerSourceTask"))
        let source = try Self.file(scaffold, "config/http-poller-source.json")
        let sink = try Self.file(scaffold, "config/http-poller-sink.json")
        struct Request: Decodable {
            var name: String
            var config: [String: String]
        }
        let sourceRequest = try JSONDecoder().decode(Request.self, from: Data(source.utf8))
        #expect(sourceRequest.name == "http-poller-source")
        #expect(sourceRequest.config["connector.class"] == "com.example.httppoller.HttpPollerSourceConnector")
        #expect(sourceRequest.config["topic"] == "http-poller")
        let sinkRequest = try JSONDecoder().decode(Request.self, from: Data(sink.utf8))
        #expect(sinkRequest.config["connector.class"] == "com.example.httppoller.HttpPollerSinkConnector")
        #expect(sinkRequest.config["topics"] == "http-poller")
    }

    @Test func theReadmeShowsPackageDeployAndPost() throws {
        let readme = try Self.file(try Self.scaffold([.source]), "README.md")
        #expect(readme.hasPrefix("# HttpPoller\n"))
        #expect(readme.contains("swift-connect plugin package ."))
        #expect(readme.contains("cp -R .build/plugin/http-poller /opt/connect-plugins/"))
        #expect(readme.contains("plugin.path=/opt/connect-plugins"))
        #expect(readme.contains("--data @config/http-poller-source.json http://localhost:8083/connectors"))
    }

    @Test func writingRefusesANonEmptyDirectoryAndCreatesEveryFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scaffold-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let scaffold = try Self.scaffold([.sink], name: "Demo")
        try scaffold.write(into: directory)
        for file in scaffold.files {
            let written = try String(contentsOf: directory.appendingPathComponent(file.path), encoding: .utf8)
            #expect(written == file.contents)
        }
        #expect {
            try scaffold.write(into: directory)
        } throws: { error in
            (error as? PluginAuthoringError)?.message.contains("already exists and is not empty") == true
        }
    }
}
