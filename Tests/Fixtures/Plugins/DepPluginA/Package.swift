// swift-tools-version:6.0
import PackageDescription

// Test fixture: a plugin that links version 1 of the fixture dependency `Dep` (../DepV1) statically.
let connectAPI: Target.Dependency = .product(name: "ConnectAPI", package: "ConnectAPI")

let package = Package(
    name: "DepPluginA",
    products: [.library(name: "DepAPlugin", type: .dynamic, targets: ["DepAPlugin"])],
    dependencies: [
        .package(path: "../../../../Packages/ConnectAPI"),
        .package(path: "../DepV1"),
    ],
    targets: [
        .target(name: "DepAConnectors", dependencies: [connectAPI, .product(name: "Dep", package: "DepV1")]),
        .target(name: "DepAPlugin", dependencies: ["DepAConnectors", connectAPI]),
    ],
    swiftLanguageModes: [.v6]
)
