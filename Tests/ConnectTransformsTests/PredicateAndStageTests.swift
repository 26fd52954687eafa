import ConnectAPI
import Testing

@testable import ConnectTransforms

@Suite struct PredicateTests {
    @Test func topicNameMatches() throws {
        let predicate = try TopicNameMatches(configs: ["pattern": "my-prefix-.*"])
        #expect(predicate.test(sourceRecord(topic: "my-prefix-")))
        #expect(predicate.test(sourceRecord(topic: "my-prefix-foo")))
        #expect(!predicate.test(sourceRecord(topic: "x-my-prefix-")))
        #expect(!predicate.test(sourceRecord(topic: "x-my-prefix-foo")))
        #expect(!predicate.test(sourceRecord(topic: "your-prefix-")))
        #expect(!predicate.test(sourceRecord(topic: "your-prefix-foo")))
        #expect(!predicate.test(sourceRecord(topic: "")))
    }

    @Test func topicNameMatchesConfig() {
        #expect(
            configErrorMessage { _ = try TopicNameMatches(configs: [:]) }
                == "Missing required configuration \"pattern\" which has no default value."
        )
        #expect(
            configErrorMessage { _ = try TopicNameMatches(configs: ["pattern": ""]) }
                == "Invalid value  for configuration pattern: String must be non-empty"
        )
        #expect(
            configErrorMessage { _ = try TopicNameMatches(configs: ["pattern": "["]) }?.contains("Invalid regex")
                == true
        )
        let results = TopicNameMatches.configDef.validate(["pattern": "*"])
        #expect(results[0].errorMessages.count == 1)
        #expect(results[0].errorMessages.first?.contains("Invalid regex") == true)
        #expect(TopicNameMatches.configDef.validate(["pattern": "my-prefix-.*"])[0].errorMessages.isEmpty)
    }

    @Test func hasHeaderKey() throws {
        let predicate = try HasHeaderKey(configs: ["name": "foo"])
        func record(_ keys: String...) -> SourceRecord {
            sourceRecord(headers: Headers(keys.map { Header(key: $0, schema: nil, value: .null) }))
        }
        #expect(predicate.test(record("foo")))
        #expect(predicate.test(record("foo", "bar")))
        #expect(predicate.test(record("bar", "foo", "bar", "foo")))
        #expect(!predicate.test(record("bar")))
        #expect(!predicate.test(record("bar", "bar")))
        #expect(!predicate.test(record()))
    }

    @Test func hasHeaderKeyConfig() {
        #expect(
            configErrorMessage { _ = try HasHeaderKey(configs: [:]) }
                == "Missing required configuration \"name\" which has no default value."
        )
        #expect(
            HasHeaderKey.configDef.validate(["name": ""])[0].errorMessages
                == ["Invalid value  for configuration name: String must be non-empty"]
        )
    }

    @Test func recordIsTombstone() {
        let predicate = RecordIsTombstone(configs: [:])
        #expect(predicate.test(sinkRecord(valueSchema: .optionalString, value: .null)))
        #expect(!predicate.test(sinkRecord(value: "x")))
        #expect(!predicate.test(sourceRecord(value: .struct(try! Struct(schema: structSchema(("a", .optionalInt32)))))))
    }
}

/// A predicate with a fixed answer, counting its calls.
private struct FixedPredicate: RecordPredicate {
    static let configDef = ConfigDef()
    let answer: Bool
    init(configs: [String: String]) { answer = configs["answer"] == "true" }
    init(_ answer: Bool) { self.answer = answer }
    func test<R: ConnectRecord>(_ record: R) -> Bool { answer }
}

/// A transform that sets the topic to `transformed`.
private struct Rename: Transformation {
    static let configDef = ConfigDef()
    init(configs: [String: String]) {}
    func apply<R: ConnectRecord>(_ record: R) -> R? {
        var copy = record
        copy.topic = "transformed"
        return copy
    }
}

@Suite struct TransformationStageTests {
    @Test(arguments: [(true, false, true), (true, true, false), (false, false, false), (false, true, true)])
    func predicateAndNegate(predicateResult: Bool, negate: Bool, transformed: Bool) throws {
        let stage = TransformationStage(
            Rename(configs: [:]),
            predicate: FixedPredicate(predicateResult),
            negate: negate
        )
        let result = try #require(try stage.apply(sourceRecord(topic: "initial")))
        #expect(result.topic == (transformed ? "transformed" : "initial"))
    }

    @Test func noPredicateAlwaysApplies() throws {
        #expect(try TransformationStage(Rename(configs: [:])).apply(sinkRecord(topic: "a"))?.topic == "transformed")
        #expect(try TransformationStage(Filter()).apply(sinkRecord(topic: "a")) == nil)
    }

    @Test func chainStopsAtDroppedRecords() throws {
        let chain = TransformationChain([
            TransformationStage(Filter(), predicate: try TopicNameMatches(configs: ["pattern": "drop-.*"])),
            TransformationStage(Rename(configs: [:])),
        ])
        #expect(try chain.apply(sinkRecord(topic: "drop-me")) == nil)
        #expect(try chain.apply(sinkRecord(topic: "keep"))?.topic == "transformed")
        #expect(try TransformationChain().apply(sinkRecord(topic: "x"))?.topic == "x")
    }
}

@Suite struct TransformationRegistryTests {
    let registry = TransformationRegistry.kafkaBuiltIns

    @Test func everyKafkaClassIsRegistered() {
        #expect(registry.transformationClassNames.count == 26)
        #expect(registry.predicateClassNames.count == 3)
        for name in [
            "org.apache.kafka.connect.transforms.Cast$Value", "org.apache.kafka.connect.transforms.ReplaceField$Key",
            "org.apache.kafka.connect.transforms.TimestampRouter", "org.apache.kafka.connect.transforms.Filter",
        ] {
            #expect(registry.transformation(named: name)?.className == name)
        }
        #expect(
            registry.predicate(named: "org.apache.kafka.connect.transforms.predicates.HasHeaderKey") != nil
        )
    }

    @Test func aliasesFollowKafkaRules() {
        let aliases = registry.aliases
        #expect(aliases["RegexRouter"] == "org.apache.kafka.connect.transforms.RegexRouter")
        #expect(aliases["Filter"] == "org.apache.kafka.connect.transforms.Filter")
        #expect(aliases["TopicNameMatches"] == "org.apache.kafka.connect.transforms.predicates.TopicNameMatches")
        #expect(aliases["RecordIsTombstone"] != nil)
        #expect(aliases["Value"] == nil)  // every $Value variant: ambiguous
        #expect(aliases["Key"] == nil)
        #expect(
            registry.transformation(named: "ValueToKey")?.className == "org.apache.kafka.connect.transforms.ValueToKey"
        )
        #expect(registry.transformation(named: "Cast$Value") == nil)
        #expect(registry.transformation(named: "TopicNameMatches") == nil)  // a predicate, not a transform
    }

    @Test func customRegistrationAndPrunedAlias() throws {
        var custom = TransformationRegistry()
        custom.register(Rename.self, className: "com.example.RenameTransformation")
        #expect(custom.aliases["RenameTransformation"] == "com.example.RenameTransformation")
        #expect(custom.aliases["Rename"] == "com.example.RenameTransformation")
        let transform = try custom.makeTransformation("Rename", configs: [:])
        #expect(try transform.apply(sinkRecord(topic: "x"))?.topic == "transformed")
        #expect(TransformationRegistry().transformationClassNames.isEmpty)
    }

    @Test func configErrorsNameTheAlias() {
        #expect(
            configErrorMessage {
                _ = try registry.makeTransformation(
                    "org.apache.kafka.connect.transforms.Cast$Value",
                    configs: ["spec": "id:int9"],
                    alias: "cast"
                )
            }
                == "Invalid value id:int9 for configuration transforms.cast.spec: Invalid type found in casting spec: int9. "
                + "Valid types are int8, int16, int32, int64, float32, float64, boolean, string"
        )
        #expect(
            configErrorMessage {
                _ = try registry.makeTransformation("RegexRouter", configs: ["regex": "x"], alias: "route")
            }
                == "Missing required configuration \"transforms.route.replacement\" which has no default value."
        )
        #expect(
            configErrorMessage {
                _ = try registry.makeTransformation(
                    "org.apache.kafka.connect.transforms.InsertField$Value",
                    configs: [:],
                    alias: "ins"
                )
            } == "transforms.ins: No field insertion configured: set at least one of topic.field, partition.field, "
                + "offset.field, timestamp.field or static.field"
        )
        #expect(
            configErrorMessage { _ = try registry.makeTransformation("Nope", configs: [:], alias: "x") }
                == "Invalid value Nope for configuration transforms.x.type: Class Nope could not be found."
        )
        #expect(
            configErrorMessage {
                _ = try registry.makePredicate("TopicNameMatches", configs: ["pattern": "["], alias: "p")
            }?
            .hasPrefix("Invalid value [ for configuration predicates.p.pattern: Invalid regex: ") == true
        )
    }

    @Test func makeStagesFromConnectorConfig() throws {
        let chain = try registry.makeChain(connectorConfig: [
            "name": "c", "transforms": "route,mask,drop",
            "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
            "transforms.route.regex": "(.*)-raw", "transforms.route.replacement": "$1",
            "transforms.route.predicate": "isRaw", "transforms.route.negate": "false",
            "transforms.mask.type": "org.apache.kafka.connect.transforms.MaskField$Value",
            "transforms.mask.fields": "ssn",
            "transforms.mask.predicate": "isTombstone", "transforms.mask.negate": "true",
            "transforms.drop.type": "Filter", "transforms.drop.predicate": "isTombstone",
            "predicates": "isRaw,isTombstone",
            "predicates.isRaw.type": "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
            "predicates.isRaw.pattern": ".*-raw",
            "predicates.isTombstone.type": "RecordIsTombstone",
        ])
        #expect(chain.stages.map(\.alias) == ["route", "mask", "drop"])
        #expect(
            chain.stages.map(\.className) == [
                "org.apache.kafka.connect.transforms.RegexRouter",
                "org.apache.kafka.connect.transforms.MaskField$Value",
                "org.apache.kafka.connect.transforms.Filter",
            ]
        )
        #expect(chain.stages[1].negate)
        #expect(chain.stages[1].predicateAlias == "isTombstone")
        let record = sinkRecord(topic: "users-raw", value: map(["ssn": "123", "name": "a"]))
        let transformed = try #require(try chain.apply(record))
        #expect(transformed.topic == "users")
        #expect(transformed.value == map(["ssn": "", "name": "a"]))
        #expect(try chain.apply(sinkRecord(topic: "users-raw")) == nil)  // tombstone: not masked, then filtered
        #expect(try chain.apply(sinkRecord(topic: "other", value: map(["ssn": "1"])))?.topic == "other")
        #expect(try registry.makeStages(connectorConfig: ["name": "c"]).isEmpty)
    }

    @Test func makeStagesErrors() {
        func message(_ config: [String: String]) -> String? {
            configErrorMessage { _ = try registry.makeStages(connectorConfig: config) }
        }
        #expect(
            message(["transforms": "a,a", "transforms.a.type": "Filter"])
                == "Invalid value [a, a] for configuration transforms: Duplicate alias provided."
        )
        #expect(
            message(["transforms": "a"])
                == "Missing required configuration \"transforms.a.type\" which has no default value."
        )
        #expect(
            message(["transforms": "a", "transforms.a.type": "Filter", "transforms.a.negate": "true"])
                == "Config 'transforms.a.negate' was provided but there is no config 'transforms.a.predicate' defining a "
                + "predicate to be negated."
        )
        #expect(
            message(["transforms": "a", "transforms.a.type": "Filter", "transforms.a.predicate": "p"])
                == "Invalid value p for configuration transforms.a.predicate: Predicate alias p is not declared in "
                + "'predicates'; add it there and configure predicates.p.type"
        )
        #expect(
            message([
                "transforms": "a", "transforms.a.type": "Filter", "transforms.a.predicate": "p", "predicates": "p",
            ])
                == "Missing required configuration \"predicates.p.type\" which has no default value."
        )
        #expect(
            message([
                "transforms": "a", "transforms.a.type": "Filter", "transforms.a.predicate": "p",
                "transforms.a.negate": "maybe", "predicates": "p", "predicates.p.type": "RecordIsTombstone",
            ]) == "Invalid value maybe for configuration transforms.a.negate: Expected value to be either true or false"
        )
        #expect(
            message([
                "transforms": "a", "transforms.a.type": "Filter", "transforms.a.predicate": "p", "predicates": "p",
                "predicates.p.type": "HasHeaderKey",
            ]) == "Missing required configuration \"predicates.p.name\" which has no default value."
        )
    }

    @Test func configDefForValidation() {
        let config = [
            "transforms": "route,bad,neg", "transforms.route.type": "RegexRouter", "transforms.route.regex": "[",
            "transforms.bad.type": "com.example.Missing",
            "transforms.neg.type": "Filter", "transforms.neg.negate": "true",
            "predicates": "p", "predicates.p.type": "org.apache.kafka.connect.transforms.predicates.HasHeaderKey",
        ]
        let definition = registry.configDef(forConnectorConfig: config)
        #expect(
            definition.names == [
                "transforms.route.type", "transforms.route.predicate", "transforms.route.negate",
                "transforms.route.regex", "transforms.route.replacement", "transforms.bad.type",
                "transforms.bad.predicate", "transforms.bad.negate", "transforms.neg.type", "transforms.neg.predicate",
                "transforms.neg.negate", "predicates.p.type", "predicates.p.name",
            ]
        )
        #expect(definition["transforms.route.regex"]?.group == "Transforms: route")
        #expect(definition["transforms.route.regex"]?.orderInGroup == 3)
        #expect(definition["predicates.p.name"]?.group == "Predicates: p")
        let results = Dictionary(uniqueKeysWithValues: definition.validate(config).map { ($0.name, $0.errorMessages) })
        #expect(results["transforms.route.type"] == [])
        #expect(
            results["transforms.route.regex"]?.first?.hasPrefix(
                "Invalid value [ for configuration transforms.route.regex: Invalid regex"
            ) == true
        )
        #expect(
            results["transforms.route.replacement"]
                == ["Missing required configuration \"transforms.route.replacement\" which has no default value."]
        )
        #expect(
            results["transforms.bad.type"]
                == [
                    "Invalid value com.example.Missing for configuration transforms.bad.type: Class com.example.Missing could not be found."
                ]
        )
        #expect(
            results["transforms.neg.type"]
                == [
                    "Config 'transforms.neg.negate' was provided but there is no config 'transforms.neg.predicate' "
                        + "defining a predicate to be negated."
                ]
        )
        #expect(
            results["predicates.p.name"] == [
                "Missing required configuration \"predicates.p.name\" which has no default value."
            ]
        )
    }
}
