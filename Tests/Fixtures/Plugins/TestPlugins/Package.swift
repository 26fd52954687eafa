// swift-tools-version:6.0
import PackageDescription

// Test fixture: plugins that PluginLoaderTests and the plugin integration test build and load.
// GoodPlugin is a well-formed plugin; LyingPlugin's entry points report another ABI version than the
// ConnectAPI it was built against; NoEntryPlugin is a library without entry points.
let connectAPI: Target.Dependency = .product(name: "ConnectAPI", package: "ConnectAPI")

let package = Package(
    name: "TestPlugins",
    products: [
        .library(name: "GoodPlugin", type: .dynamic, targets: ["GoodPlugin"]),
        .library(name: "LyingPlugin", type: .dynamic, targets: ["LyingPlugin"]),
        .library(name: "NoEntryPlugin", type: .dynamic, targets: ["NoEntryPlugin"]),
    ],
    dependencies: [.package(path: "../../../../Packages/ConnectAPI")],
    targets: [
        .target(name: "TestConnectors", dependencies: [connectAPI]),
        .target(name: "GoodPlugin", dependencies: ["TestConnectors", connectAPI]),
        .target(name: "LyingPlugin", dependencies: ["TestConnectors", connectAPI]),
        .target(name: "NoEntryPlugin", dependencies: [connectAPI]),
    ],
    swiftLanguageModes: [.v6]
)
