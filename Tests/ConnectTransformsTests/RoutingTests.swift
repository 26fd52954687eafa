import ConnectAPI
import Testing

@testable import ConnectTransforms

@Suite struct RegexRouterTests {
    private static func apply(_ regex: String, _ replacement: String, _ topic: String) throws -> String {
        let router = try RegexRouter(configs: ["regex": regex, "replacement": replacement])
        return try #require(router.apply(sinkRecord(topic: topic))).topic
    }

    @Test func kafkaCases() throws {
        #expect(try Self.apply("foo", "bar", "foo") == "bar")
        #expect(try Self.apply("foo", "bar", "orig") == "orig")
        #expect(try Self.apply("(.*)", "$1", "orig") == "orig")
        #expect(try Self.apply("(.*)", "prefix-$1", "orig") == "prefix-orig")
        #expect(try Self.apply("(.*)", "$1-suffix", "orig") == "orig-suffix")
        #expect(try Self.apply("(.*)-(\\d\\d\\d\\d\\d\\d\\d\\d)", "$1", "index-20160117") == "index")
    }

    @Test func wholeTopicMustMatch() throws {
        #expect(try Self.apply("foo", "bar", "foo-raw") == "foo-raw")  // find() would match; matches() does not
        #expect(try Self.apply("(.*)-raw", "$1", "orders-raw") == "orders")
        // matches() backtracks into alternatives; replaceFirst then replaces the first match found.
        #expect(try Self.apply("a|ab", "X", "ab") == "Xb")
    }

    @Test func javaReplacementSyntax() throws {
        #expect(try Self.apply("(?<name>[a-z]+)-(\\d+)", "${name}_$2", "orders-42") == "orders_42")
        #expect(try Self.apply("(.*)", "\\$$1", "t") == "$t")
        #expect(try Self.apply("(a)(b)", "$10", "ab") == "a0")  // $10 is group 1 then "0" when there is no group 10
        #expect(try Self.apply("(?i)ORDERS", "o", "orders") == "o")
    }

    @Test func keepsPartitionAndEverythingElse() throws {
        let router = try RegexRouter(configs: ["regex": "(.*)", "replacement": "x-$1"])
        let record = sinkRecord(topic: "t", partition: 3, key: "k", value: "v", offset: 9, timestamp: 5)
        let routed = try #require(router.apply(record))
        #expect(routed.topic == "x-t")
        #expect(routed.kafkaPartition == 3)
        #expect(routed.originalTopic == "t")
        #expect(routed.key == "k" && routed.value == "v" && routed.timestamp == 5)
        // Memoized per topic: the same answer again.
        #expect(router.apply(record)?.topic == "x-t")
    }

    @Test func badRegexAndReplacementAreConfigErrors() {
        let bad = configErrorMessage { _ = try RegexRouter(configs: ["regex": "[", "replacement": "x"]) }
        #expect(bad?.hasPrefix("Invalid value [ for configuration regex: Invalid regex: ") == true)
        #expect(
            configErrorMessage { _ = try RegexRouter(configs: ["regex": "(a)", "replacement": "$2"]) }
                == "Invalid value $2 for configuration replacement: Invalid replacement for regex (a): No group 2"
        )
        #expect(
            configErrorMessage { _ = try RegexRouter(configs: ["regex": "a", "replacement": "x\\"]) }
                == "Invalid value x\\ for configuration replacement: Invalid replacement for regex a: character to be "
                + "escaped is missing"
        )
        #expect(
            configErrorMessage { _ = try RegexRouter(configs: ["regex": "(?<n>a)", "replacement": "${m}"]) }?
                .hasSuffix("No group with name {m}") == true
        )
        #expect(
            configErrorMessage { _ = try RegexRouter(configs: ["replacement": "x"]) }
                == "Missing required configuration \"regex\" which has no default value."
        )
    }
}

@Suite struct TimestampRouterTests {
    @Test func defaultConfiguration() throws {
        let router = try TimestampRouter(configs: [:])
        #expect(try router.apply(sourceRecord(topic: "test", timestamp: 1_483_425_001_864))?.topic == "test-20170103")
    }

    @Test func customFormats() throws {
        let router = try TimestampRouter(configs: [
            "topic.format": "${timestamp}.${topic}.${topic}", "timestamp.format": "yyyy-MM-dd'T'HH",
        ])
        #expect(try router.apply(sinkRecord(topic: "t", timestamp: 1_483_425_001_864))?.topic == "2017-01-03T06.t.t")
    }

    @Test func missingTimestampIsDataError() throws {
        let router = try TimestampRouter(configs: [:])
        let message = dataErrorMessage { _ = try router.apply(sourceRecord(topic: "test")) }
        #expect(message?.hasPrefix("Timestamp missing on record: SourceRecord{") == true)
    }

    @Test func invalidPatternIsConfigError() {
        #expect(
            configErrorMessage { _ = try TimestampRouter(configs: ["timestamp.format": "yyyyMMbb"]) }
                == "Invalid value yyyyMMbb for configuration timestamp.format: Illegal pattern character 'b'"
        )
    }
}
