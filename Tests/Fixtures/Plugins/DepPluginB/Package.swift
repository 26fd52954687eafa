// swift-tools-version:6.0
import PackageDescription

// Test fixture: a plugin that links version 2 of the fixture dependency `Dep` (../DepV2) statically.
let connectAPI: Target.Dependency = .product(name: "ConnectAPI", package: "ConnectAPI")

let package = Package(
    name: "DepPluginB",
    products: [.library(name: "DepBPlugin", type: .dynamic, targets: ["DepBPlugin"])],
    dependencies: [
        .package(path: "../../../../Packages/ConnectAPI"),
        .package(path: "../DepV2"),
    ],
    targets: [
        .target(name: "DepBConnectors", dependencies: [connectAPI, .product(name: "Dep", package: "DepV2")]),
        .target(name: "DepBPlugin", dependencies: ["DepBConnectors", connectAPI]),
    ],
    swiftLanguageModes: [.v6]
)
