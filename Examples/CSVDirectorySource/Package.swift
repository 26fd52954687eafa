// swift-tools-version:6.0
import PackageDescription

// A custom source connector as a plugin package: the connector code (a plain library, also usable in
// compiled-in builds), the plugin's entry points (the dynamic library a worker loads from
// `plugin.path`) and tests that run the connector with ConnectTesting, without a broker.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "CSVDirectorySource",
    products: [
        .library(name: "CSVDirectorySourcePlugin", type: .dynamic, targets: ["CSVDirectorySourcePlugin"]),
        .library(name: "CSVDirectorySource", targets: ["CSVDirectorySource"]),
    ],
    dependencies: [
        .package(path: "../../Packages/ConnectAPI")
    ],
    targets: [
        .target(
            name: "CSVDirectorySource",
            dependencies: [.product(name: "ConnectAPI", package: "ConnectAPI")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CSVDirectorySourcePlugin",
            dependencies: ["CSVDirectorySource", .product(name: "ConnectAPI", package: "ConnectAPI")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CSVDirectorySourceTests",
            dependencies: [
                "CSVDirectorySource",
                .product(name: "ConnectAPI", package: "ConnectAPI"),
                .product(name: "ConnectTesting", package: "ConnectAPI"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
