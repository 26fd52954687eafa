import Foundation
import KafkaProtocolGeneratorCore
import Testing

/// Paths derived from this file's location: Tools/KafkaProtocolGenerator/Tests/<target>/DriftTests.swift.
enum RepositoryPaths {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // KafkaProtocolGeneratorTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // KafkaProtocolGenerator
        .deletingLastPathComponent()  // Tools
        .deletingLastPathComponent()  // repository root

    /// `../shared/kafka-message-specs` relative to the repository root.
    static let specs: URL = repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared")
        .appendingPathComponent("kafka-message-specs")

    static let generatedSources: URL = repositoryRoot.appendingPathComponent("Sources/KafkaProtocol/Generated")
    static let generatedTests: URL = repositoryRoot.appendingPathComponent("Tests/KafkaProtocolTests/Generated")

    static var specsExist: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: specs.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

@Suite("Generated code drift")
struct DriftTests {
    /// Regenerates into a temporary folder and compares every file with the committed copy. Skipped
    /// (and reported as skipped) where the specs are not beside the repository.
    @Test(
        "the committed generated files match the specs",
        .enabled(
            if: RepositoryPaths.specsExist,
            "../shared/kafka-message-specs is not beside the repository: the drift check did not run"
        )
    )
    func committedFilesMatchTheSpecs() throws {
        let temporary = FileManager.default.temporaryDirectory
            .appendingPathComponent("kafka-protocol-generator-drift-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let sourcesOut = temporary.appendingPathComponent("Sources")
        let testsOut = temporary.appendingPathComponent("Tests")

        let output = try ProtocolGenerator.generate(specsDirectory: RepositoryPaths.specs)
        try ProtocolGenerator.write(output.sources, to: sourcesOut)
        try ProtocolGenerator.write(output.tests, to: testsOut)

        let differences =
            try Self.differences(generated: sourcesOut, committed: RepositoryPaths.generatedSources)
            + Self.differences(generated: testsOut, committed: RepositoryPaths.generatedTests)
        let report = differences.joined(separator: "\n")
        #expect(
            differences.isEmpty,
            "Generated code is out of date; run scripts/generate-protocol and commit the result:\n\(report)"
        )
    }

    /// Every file that is missing, extra or different between the two folders.
    static func differences(generated: URL, committed: URL) throws -> [String] {
        let manager = FileManager.default
        let generatedNames = Set(try manager.contentsOfDirectory(atPath: generated.path))
        let committedNames = Set((try? manager.contentsOfDirectory(atPath: committed.path)) ?? [])
        var result: [String] = []
        for name in generatedNames.union(committedNames).sorted() {
            let committedFile = committed.appendingPathComponent(name)
            guard committedNames.contains(name) else {
                result.append("missing: \(committedFile.path)")
                continue
            }
            guard generatedNames.contains(name) else {
                result.append("not generated (stale or hand-written): \(committedFile.path)")
                continue
            }
            let expected = try Data(contentsOf: generated.appendingPathComponent(name))
            let actual = try Data(contentsOf: committedFile)
            if expected != actual {
                result.append("differs: \(committedFile.path)")
            }
        }
        return result
    }

    @Test("generating twice gives identical output", .enabled(if: RepositoryPaths.specsExist))
    func outputIsDeterministic() throws {
        let first = try ProtocolGenerator.generate(specsDirectory: RepositoryPaths.specs)
        let second = try ProtocolGenerator.generate(specsDirectory: RepositoryPaths.specs)
        #expect(first.sources == second.sources)
        #expect(first.tests == second.tests)
    }

    @Test("ApiKey lists every request spec, generated or not", .enabled(if: RepositoryPaths.specsExist))
    func apiKeyListsEveryRequest() throws {
        let output = try ProtocolGenerator.generate(specsDirectory: RepositoryPaths.specs)
        let apiKey = try #require(output.sources["ApiKey.swift"])
        let requestFiles = try FileManager.default.contentsOfDirectory(atPath: RepositoryPaths.specs.path)
            .filter { $0.hasSuffix("Request.json") }
        let cases = apiKey.components(separatedBy: "\n").filter {
            $0.trimmingCharacters(in: .whitespaces).hasPrefix("case ") && $0.contains(" = ")
        }
        #expect(cases.count == requestFiles.count)
        #expect(apiKey.contains("case produce = 0"))
        #expect(apiKey.contains("case describeCluster = 60"))
        #expect(apiKey.contains("case .apiVersions: return \"ApiVersions\""))
        let expectedFiles = Set(
            ProtocolGenerator.generatedAPIs.map { $0 + ".swift" } + [
                "ApiKey.swift", "Headers.swift", "ConsumerProtocol.swift",
            ]
        )
        #expect(Set(output.sources.keys) == expectedFiles)
        for (name, text) in output.sources {
            #expect(
                text.hasPrefix(
                    "// DO NOT EDIT. Generated by Tools/KafkaProtocolGenerator from Kafka 4.0.0-SNAPSHOT (1eb7644349cb) message specs.\n// swift-format-ignore-file\n"
                ),
                "\(name) lacks the header"
            )
        }
    }
}
