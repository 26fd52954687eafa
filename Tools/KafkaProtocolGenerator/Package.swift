// swift-tools-version:6.0
import PackageDescription

// Kept out of the main manifest so that users of the library never resolve or build the generator.
let package = Package(
    name: "KafkaProtocolGenerator",
    products: [
        .executable(name: "kafka-protocol-generator", targets: ["kafka-protocol-generator"])
    ],
    targets: [
        .target(name: "KafkaProtocolGeneratorCore"),
        .executableTarget(
            name: "kafka-protocol-generator",
            dependencies: ["KafkaProtocolGeneratorCore"]
        ),
        .testTarget(
            name: "KafkaProtocolGeneratorTests",
            dependencies: ["KafkaProtocolGeneratorCore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
