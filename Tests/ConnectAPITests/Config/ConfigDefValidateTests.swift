import ConnectAPI
import Testing

/// Recommends query columns only in `query` mode, and hides `query` otherwise.
private struct ModeRecommender: ConfigRecommender {
    func validValues(name: String, parsedConfig: [String: ParsedConfigValue]) throws(ConfigError) -> [ParsedConfigValue]
    {
        parsedConfig["mode"] == .string("query") ? [.string("id"), .string("updated_at")] : []
    }

    func visible(name: String, parsedConfig: [String: ParsedConfigValue]) throws(ConfigError) -> Bool {
        parsedConfig["mode"] == .string("query")
    }
}

@Suite struct ConfigDefValidateTests {
    let definition = ConfigDef([
        ConfigKey(
            "mode",
            type: .string,
            default: "bulk",
            validator: .validString(in: ["bulk", "query"]),
            importance: .high,
            documentation: "How to read.",
            dependents: ["query.column"]
        ),
        ConfigKey(
            "query.column",
            type: .string,
            default: nil,
            importance: .medium,
            documentation: "Column to track.",
            recommender: ModeRecommender()
        ),
        ConfigKey("topic", type: .string, importance: .high, documentation: "Topic."),
        ConfigKey("batch.size", type: .int, default: 100, validator: .atLeast(1), importance: .low, documentation: nil),
    ])

    @Test func collectsEveryProblem() {
        let results = definition.validate(["mode": "stream", "batch.size": "zero"])
        #expect(results.map(\.name) == ["mode", "query.column", "topic", "batch.size"])
        let byName = Dictionary(uniqueKeysWithValues: results.map { ($0.name, $0) })
        #expect(
            byName["mode"]?.errorMessages == [
                "Invalid value stream for configuration mode: String must be one of: bulk, query"
            ]
        )
        #expect(byName["mode"]?.value == .string("stream"))
        #expect(
            byName["topic"]?.errorMessages == ["Missing required configuration \"topic\" which has no default value."]
        )
        #expect(byName["topic"]?.value == nil)
        // An unparsable value reports the parse error, then the validator's complaint about the missing value.
        #expect(
            byName["batch.size"]?.errorMessages == [
                "Invalid value zero for configuration batch.size: Not a number of type INT",
                "Invalid value null for configuration batch.size: Value must be non-null",
            ]
        )
    }

    @Test func recommendersSeeOtherParsedValues() {
        let bulk = definition.validateAll(["topic": "t"])
        #expect(bulk["query.column"]?.visible == false)
        #expect(bulk["query.column"]?.recommendedValues == [])
        #expect(bulk["mode"]?.visible == true)

        let query = definition.validateAll(["topic": "t", "mode": "query", "query.column": "id"])
        #expect(query["query.column"]?.visible == true)
        #expect(query["query.column"]?.recommendedValues == [.string("id"), .string("updated_at")])
        #expect(query["query.column"]?.value == .string("id"))
        #expect(query.values.allSatisfy { $0.errorMessages.isEmpty })
    }

    @Test func reportsUndefinedDependents() {
        let broken = ConfigDef([
            ConfigKey("a", type: .int, default: 1, importance: .low, documentation: nil, dependents: ["ghost"])
        ])
        let results = broken.validate([:])
        #expect(results.map(\.name) == ["a", "ghost"])
        #expect(results[1].errorMessages == ["ghost is referred in the dependents, but not defined."])
        #expect(results[1].visible == false)
        let error = #expect(throws: ConfigError.self) { try broken.parse([:]) }
        #expect(error?.message == "Some configurations in are referred in the dependents, but not defined: ghost")
    }

    @Test func recommenderErrorsBecomeValueErrors() {
        struct Failing: ConfigRecommender {
            func validValues(
                name: String,
                parsedConfig: [String: ParsedConfigValue]
            ) throws(ConfigError) -> [ParsedConfigValue] {
                throw ConfigError("cannot list values for \(name)", name: name)
            }

            func visible(name: String, parsedConfig: [String: ParsedConfigValue]) throws(ConfigError) -> Bool { true }
        }
        let definition = ConfigDef([
            ConfigKey("x", type: .string, default: "", importance: .low, documentation: nil, recommender: Failing())
        ])
        #expect(definition.validate([:]).first?.errorMessages == ["cannot list values for x"])
    }

    @Test func configSummarizesErrors() {
        let config = Config(configValues: definition.validate([:]))
        #expect(config.errorCount == 1)
        #expect(config["topic"]?.errorMessages.count == 1)
    }
}
