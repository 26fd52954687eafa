import Foundation
import Testing

@testable import ConnectCLICore

@Suite struct ConnectorPackageNamesTests {
    @Test(arguments: [
        ("Demo", "Demo", "demo"),
        ("HttpPoller", "HttpPoller", "http-poller"),
        ("http-poller", "HttpPoller", "http-poller"),
        ("http_poller", "HttpPoller", "http-poller"),
        ("  csv files ", "CsvFiles", "csv-files"),
        ("S3Sink2", "S3Sink2", "s3-sink2"),
        ("DemoConnector", "Demo", "demo"),
        ("HTTPPoller", "HTTPPoller", "httppoller"),
    ])
    func namesAreTurnedIntoUpperCamelCaseAndKebabCase(input: String, base: String, pluginName: String) throws {
        let names = try ConnectorPackageNames(input)
        #expect(names.base == base)
        #expect(names.packageName == base)
        #expect(names.pluginName == pluginName)
    }

    @Test func everyDerivedNameFollowsTheBase() throws {
        let names = try ConnectorPackageNames("http-poller")
        #expect(names.connectorsTarget == "HttpPollerConnectors")
        #expect(names.pluginTarget == "HttpPollerPlugin")
        #expect(names.testsTarget == "HttpPollerConnectorsTests")
        #expect(names.connectorType(.source) == "HttpPollerSourceConnector")
        #expect(names.taskType(.sink) == "HttpPollerSinkTask")
        #expect(names.configType(.source) == "HttpPollerSourceConfig")
        #expect(names.className(.source) == "com.example.httppoller.HttpPollerSourceConnector")
        #expect(names.className(.sink) == "com.example.httppoller.HttpPollerSinkConnector")
    }

    @Test(arguments: [
        ("", "empty"),
        ("   ", "empty"),
        ("2fast", "must start with a letter"),
        ("-", "must start with a letter"),
        ("Demo!", "'!' is not allowed"),
        ("my.connector", "'.' is not allowed"),
        ("Déjà", "'é' is not allowed"),
        ("a/b", "'/' is not allowed"),
        (String(repeating: "a", count: 61), "longer than 60"),
    ])
    func invalidNamesAreRefusedWithTheRule(input: String, reason: String) {
        #expect {
            try ConnectorPackageNames(input)
        } throws: { error in
            ((error as? PluginAuthoringError)?.message ?? "").contains(reason)
        }
    }

    @Test func thePackageNameCanBeChosenButMustBeValid() throws {
        #expect(try ConnectorPackageNames("Demo", packageName: "demo-connectors").packageName == "demo-connectors")
        #expect(try ConnectorPackageNames("Demo", packageName: "demo-connectors").connectorsTarget == "DemoConnectors")
        #expect(throws: PluginAuthoringError.self) { try ConnectorPackageNames("Demo", packageName: "demo connectors") }
        #expect(throws: PluginAuthoringError.self) { try ConnectorPackageNames("Demo", packageName: "1demo") }
    }
}

@Suite struct SwiftConnectCheckoutTests {
    /// A fake file system: the paths that exist.
    static func files(_ paths: Set<String>) -> (String) -> Bool { { paths.contains($0) } }

    @Test func theDefaultIsTheCheckoutThatBuiltTheCLI() throws {
        let root = SwiftConnectCheckout.buildCheckout
        #expect(root.hasSuffix("/") == false)
        #expect(
            FileManager.default.fileExists(atPath: root + "/Sources/ConnectCLI/Plugin/SwiftConnectCheckout.swift")
        )
        let path = try SwiftConnectCheckout.connectAPIPackage(option: nil, environment: [:], currentDirectory: "/")
        #expect(path == SwiftConnectCheckout.absolute(root, relativeTo: "/") + "/Packages/ConnectAPI")
    }

    @Test func anOptionWinsOverTheEnvironmentAndMayNameTheCheckoutOrThePackage() throws {
        let exists = Self.files([
            "/src/swift-connect/Packages/ConnectAPI/Package.swift",
            "/opt/api/Package.swift", "/opt/api/Sources/ConnectAPI",
        ])
        let environment = ["SWIFTCONNECT_HOME": "/src/swift-connect"]
        #expect(
            try SwiftConnectCheckout.connectAPIPackage(
                option: nil,
                environment: environment,
                currentDirectory: "/",
                isFile: exists
            ) == "/src/swift-connect/Packages/ConnectAPI"
        )
        #expect(
            try SwiftConnectCheckout.connectAPIPackage(
                option: "/opt/api",
                environment: environment,
                currentDirectory: "/",
                isFile: exists
            ) == "/opt/api"
        )
        // Relative to the current directory, with `..` resolved.
        #expect(
            try SwiftConnectCheckout.connectAPIPackage(
                option: "../swift-connect/",
                environment: [:],
                currentDirectory: "/src/plugins",
                isFile: exists
            ) == "/src/swift-connect/Packages/ConnectAPI"
        )
    }

    @Test func aDirectoryWithoutConnectAPIIsRefusedWithTheFix() {
        #expect {
            try SwiftConnectCheckout.connectAPIPackage(
                option: nil,
                environment: ["SWIFTCONNECT_HOME": "/nowhere"],
                currentDirectory: "/",
                isFile: Self.files([])
            )
        } throws: { error in
            let message = (error as? PluginAuthoringError)?.message ?? ""
            return message.hasPrefix("SWIFTCONNECT_HOME /nowhere is neither a swift-connect checkout")
                && message.contains("pass --connect-api")
        }
        #expect {
            try SwiftConnectCheckout.resolve(
                option: "/opt/api",
                environment: [:],
                currentDirectory: "/",
                isFile: Self.files(["/opt/api/Package.swift"])
            )
        } throws: { error in
            (error as? PluginAuthoringError)?.message.hasPrefix(
                "--swift-connect /opt/api is not a swift-connect checkout"
            )
                == true
        }
    }
}
