// swift-tools-version:6.0
import PackageDescription

// ConnectAPI is its own package so that everything depends on its `.dynamic` product: the worker and
// every plugin loaded from `plugin.path` then share one `libConnectAPI.so`, hence one copy of each
// ConnectAPI type (a target of the same package would link a private static copy; docs/plugins.md).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "ConnectAPI",
    products: [
        .library(name: "ConnectAPI", type: .dynamic, targets: ["ConnectAPI"])
    ],
    targets: [
        // What connector authors import; no dependency beyond the standard library and Foundation.
        .target(name: "ConnectAPI", swiftSettings: swiftSettings)
    ],
    swiftLanguageModes: [.v6]
)
