// swift-tools-version:6.0
import PackageDescription

// A custom sink connector as a plugin package: the connector code (a plain library, also usable in
// compiled-in builds), the plugin's entry points (the dynamic library a worker loads from
// `plugin.path`) and tests that run the connector with ConnectTesting, without a broker.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "HTTPSink",
    products: [
        .library(name: "HTTPSinkPlugin", type: .dynamic, targets: ["HTTPSinkPlugin"]),
        .library(name: "HTTPSink", targets: ["HTTPSink"]),
    ],
    dependencies: [
        .package(path: "../../Packages/ConnectAPI")
    ],
    targets: [
        .target(
            name: "HTTPSink",
            dependencies: [.product(name: "ConnectAPI", package: "ConnectAPI")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HTTPSinkPlugin",
            dependencies: ["HTTPSink", .product(name: "ConnectAPI", package: "ConnectAPI")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HTTPSinkTests",
            dependencies: [
                "HTTPSink",
                .product(name: "ConnectAPI", package: "ConnectAPI"),
                .product(name: "ConnectTesting", package: "ConnectAPI"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
