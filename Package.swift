// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let connectAPI: Target.Dependency = .product(name: "ConnectAPI", package: "ConnectAPI")
let connectTesting: Target.Dependency = .product(name: "ConnectTesting", package: "ConnectAPI")

let package = Package(
    name: "swift-connect",
    products: [
        .library(name: "KafkaProtocol", targets: ["KafkaProtocol"]),
        .library(name: "KafkaNIO", targets: ["KafkaNIO"]),
        .library(name: "ConnectJSON", targets: ["ConnectJSON"]),
        .library(name: "ConnectTransforms", targets: ["ConnectTransforms"]),
        .library(name: "ConnectRuntime", targets: ["ConnectRuntime"]),
        .library(name: "ConnectFile", targets: ["ConnectFile"]),
        .library(name: "ConnectDataGen", targets: ["ConnectDataGen"]),
        .library(name: "ConnectREST", targets: ["ConnectREST"]),
        .library(name: "ConnectEmbedded", targets: ["ConnectEmbedded"]),
        // The CLI as a library: `plugin build-worker` builds workers with connectors compiled in on it.
        .library(name: "ConnectCLICore", targets: ["ConnectCLICore"]),
        .executable(name: "swift-connect", targets: ["swift-connect"]),
    ],
    dependencies: [
        // ConnectAPI (what connector authors import) is a package of its own with a `.dynamic` product:
        // the worker and plugins loaded from `plugin.path` must share one libConnectAPI.so, so every
        // target here depends on that product, never on a target (docs/plugins.md).
        .package(path: "Packages/ConnectAPI"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The internal REST client of distributed workers (forwarding to the leader, task configs).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // Debian's compression libraries (zlib1g-dev, libsnappy-dev, liblz4-dev, libzstd-dev);
        // scripts/setup installs them.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSnappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // Intel ISA-L (libisal-dev): CRC-32C with the processor's CRC instructions, several times
        // faster than table lookups; record batches are checksummed on every produce and fetch.
        .systemLibrary(name: "CISAL", providers: [.apt(["libisal-dev"])]),
        .target(
            name: "KafkaProtocol",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                "CZlib", "CSnappy", "CLZ4", "CZstd", "CISAL",
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KafkaNIO",
            dependencies: [
                "KafkaProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "ConnectJSON", dependencies: [connectAPI], swiftSettings: swiftSettings),
        .target(name: "ConnectTransforms", dependencies: [connectAPI], swiftSettings: swiftSettings),
        // The worker: source task loop, offsets, connector lifecycle, standalone herder.
        .target(
            name: "ConnectRuntime",
            dependencies: [
                "KafkaNIO", "KafkaProtocol", connectAPI, "ConnectJSON", "ConnectTransforms",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Kafka Connect REST API (`listeners`, default http://:8083) over a herder, on Hummingbird.
        .target(
            name: "ConnectREST",
            dependencies: [
                "ConnectRuntime", connectAPI, "ConnectJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // An embedded standalone worker with its REST API for connector integration tests against a
        // real broker (Kafka's EmbeddedConnectCluster); docs/guides/testing-your-connector.md.
        .target(
            name: "ConnectEmbedded",
            dependencies: [
                "ConnectRuntime", "ConnectREST", "ConnectJSON", "KafkaNIO", "KafkaProtocol", connectAPI,
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Kafka's FileStreamSource and FileStreamSink connectors; like every connector, ConnectAPI only.
        .target(name: "ConnectFile", dependencies: [connectAPI], swiftSettings: swiftSettings),
        // A data generator source connector (demos and benchmarks).
        .target(name: "ConnectDataGen", dependencies: [connectAPI], swiftSettings: swiftSettings),
        // Compiled examples for the connector-author guides in docs/ (built with everything else).
        .target(
            name: "ConnectAPIExamples",
            dependencies: [connectAPI, "ConnectJSON", "ConnectTransforms"],
            swiftSettings: swiftSettings
        ),
        // Throughput of converters and transforms; run by scripts/bench-connect in release mode.
        .executableTarget(
            name: "ConnectBench",
            dependencies: [connectAPI, "ConnectJSON", "ConnectTransforms"],
            swiftSettings: swiftSettings
        ),
        // Everything `swift-connect` does; its main is SwiftConnectCLI.main(compiledIn:).
        .target(
            name: "ConnectCLICore",
            dependencies: [
                "KafkaNIO",
                "KafkaProtocol",
                connectAPI,
                "ConnectRuntime",
                "ConnectREST",
                "ConnectFile",
                "ConnectDataGen",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/ConnectCLI",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "swift-connect",
            dependencies: ["ConnectCLICore"],
            path: "Sources/swift-connect",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConnectCLITests",
            dependencies: ["ConnectCLICore", connectAPI, "ConnectRuntime"],
            swiftSettings: swiftSettings
        ),
        // Test helper: builds the fixture plugin packages in Tests/Fixtures/Plugins and lays out plugin
        // folders (plugin loader, CLI and worker tests).
        .target(
            name: "PluginTestSupport",
            dependencies: ["ConnectRuntime", connectAPI],
            path: "Tests/PluginTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KafkaProtocolTests",
            dependencies: ["KafkaProtocol", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KafkaNIOTests",
            dependencies: [
                "KafkaNIO", "KafkaProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ConnectAPITests", dependencies: [connectAPI], swiftSettings: swiftSettings),
        .testTarget(
            name: "ConnectAPIExamplesTests",
            dependencies: ["ConnectAPIExamples", connectAPI],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConnectJSONTests",
            dependencies: ["ConnectJSON", connectAPI],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConnectTransformsTests",
            dependencies: ["ConnectTransforms", connectAPI],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConnectRuntimeTests",
            dependencies: [
                "ConnectRuntime", connectAPI, "ConnectJSON", "ConnectTransforms", "ConnectFile", "KafkaNIO",
                "PluginTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConnectRESTTests",
            dependencies: [
                "ConnectREST", "ConnectRuntime", connectAPI, "ConnectJSON",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConnectFileTests",
            dependencies: ["ConnectFile", connectAPI, connectTesting],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConnectTestingTests",
            dependencies: [connectTesting, connectAPI],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConnectDataGenTests",
            dependencies: ["ConnectDataGen", connectAPI],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "KafkaNIO", "KafkaProtocol", connectAPI, "ConnectRuntime", "ConnectFile", "ConnectREST",
                "ConnectEmbedded", "PluginTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
