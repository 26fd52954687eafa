import Foundation

/// Where the specs come from; printed in every generated file's header.
public enum SpecSource {
    public static let kafkaVersion = "4.0.0-SNAPSHOT"
    public static let shortCommit = "1eb7644349cb"
}

/// Reads a folder of specs and produces the generated files.
public enum ProtocolGenerator {
    /// The APIs that get Swift types (request and response each), in no particular order; output
    /// is sorted by file name.
    public static let generatedAPIs: [String] = [
        "Produce", "Fetch", "ListOffsets", "Metadata", "OffsetCommit", "OffsetFetch", "FindCoordinator",
        "JoinGroup", "Heartbeat", "LeaveGroup", "SyncGroup", "DescribeGroups", "ListGroups", "SaslHandshake",
        "ApiVersions", "CreateTopics", "DeleteTopics", "DeleteRecords", "InitProducerId",
        "OffsetForLeaderEpoch", "AddPartitionsToTxn", "AddOffsetsToTxn", "EndTxn", "TxnOffsetCommit",
        "DescribeAcls", "CreateAcls", "DeleteAcls", "DescribeConfigs", "AlterConfigs", "DescribeLogDirs",
        "SaslAuthenticate", "CreatePartitions", "DeleteGroups", "ElectLeaders", "IncrementalAlterConfigs",
        "OffsetDelete", "DescribeCluster", "DescribeProducers", "DescribeTransactions", "ListTransactions",
        "ConsumerGroupHeartbeat", "ConsumerGroupDescribe",
    ]

    /// Other files that get Swift types: output file name → spec names.
    public static let generatedExtras: [(file: String, specs: [String])] = [
        ("Headers.swift", ["RequestHeader", "ResponseHeader"]),
        ("ConsumerProtocol.swift", ["ConsumerProtocolSubscription", "ConsumerProtocolAssignment"]),
    ]

    /// The name of the generated test-support file.
    public static let samplesFileName = "GeneratedMessageSamples.swift"

    /// The generated files, by file name.
    public struct Output: Sendable {
        /// Files for `Sources/KafkaProtocol/Generated/`.
        public var sources: [String: String]
        /// Files for `Tests/KafkaProtocolTests/Generated/`.
        public var tests: [String: String]
    }

    /// Parses every `*.json` spec in `specsDirectory` and emits the Swift files.
    public static func generate(specsDirectory: URL) throws -> Output {
        let files = try FileManager.default.contentsOfDirectory(atPath: specsDirectory.path)
            .filter { $0.hasSuffix(".json") }
            .sorted()
        var specs: [String: MessageSpec] = [:]
        for file in files {
            let spec = try SpecParser.parse(contentsOf: specsDirectory.appendingPathComponent(file))
            guard specs[spec.name] == nil else {
                throw SpecError("\(file): message \(spec.name) defined twice")
            }
            specs[spec.name] = spec
        }
        func resolved(_ name: String) throws -> ResolvedMessage {
            guard let spec = specs[name] else {
                throw SpecError("no spec named \(name) in \(specsDirectory.path)")
            }
            return try MessageResolver.resolve(spec)
        }

        var sources: [String: String] = [:]
        let requests = specs.values.filter { $0.kind == .request }.sorted { $0.name < $1.name }
        sources["ApiKey.swift"] = try SwiftEmitter.apiKeyFile(requests: requests)

        var sampled: [(file: String, messages: [ResolvedMessage])] = []
        for api in generatedAPIs {
            let request = try resolved(api + "Request")
            let response = try resolved(api + "Response")
            guard request.spec.kind == .request, response.spec.kind == .response else {
                throw SpecError("\(api): expected a request and a response spec")
            }
            guard request.spec.apiKey == response.spec.apiKey else {
                throw SpecError("\(api): request and response have different API keys")
            }
            sampled.append((api + ".swift", [request, response]))
        }
        for extra in generatedExtras {
            sampled.append((extra.file, try extra.specs.map(resolved)))
        }
        sampled.sort { $0.file < $1.file }
        for entry in sampled {
            guard sources[entry.file] == nil else {
                throw SpecError("two outputs named \(entry.file)")
            }
            sources[entry.file] = SwiftEmitter.messageFile(entry.messages)
        }
        let tests = [samplesFileName: SampleEmitter.samplesFile(sampled.flatMap { $0.messages })]
        return Output(sources: sources, tests: tests)
    }

    /// Writes `files` into `directory` (created if needed) and removes any other `.swift` file
    /// there, so that a dropped API does not leave a stale file behind.
    public static func write(_ files: [String: String], to directory: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        for existing in try manager.contentsOfDirectory(atPath: directory.path).sorted()
        where existing.hasSuffix(".swift") && files[existing] == nil {
            try manager.removeItem(at: directory.appendingPathComponent(existing))
        }
        for name in files.keys.sorted() {
            let url = directory.appendingPathComponent(name)
            let data = Data(files[name, default: ""].utf8)
            if let current = try? Data(contentsOf: url), current == data {
                continue
            }
            try data.write(to: url, options: .atomic)
        }
    }
}
