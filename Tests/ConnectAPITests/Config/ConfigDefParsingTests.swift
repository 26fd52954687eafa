import ConnectAPI
import Testing

@Suite struct ConfigDefParsingTests {
    private func parse(_ value: String, as type: ConfigType) throws(ConfigError) -> ParsedConfigValue {
        try ConfigDef.parseType(name: "k", value: value, type: type)
    }

    private func parseError(_ value: String, as type: ConfigType) -> ConfigError? {
        do {
            _ = try parse(value, as: type)
            return nil
        } catch {
            return error
        }
    }

    @Test func booleansAreCaseInsensitiveAndTrimmed() throws {
        #expect(try parse(" TRUE ", as: .boolean) == .boolean(true))
        #expect(try parse("False", as: .boolean) == .boolean(false))
        let error = try #require(parseError("yes", as: .boolean))
        #expect(error.message == "Invalid value yes for configuration k: Expected value to be either true or false")
        #expect(error.name == "k")
        #expect(error.reason == "Expected value to be either true or false")
    }

    @Test func integersMustBeInRangeForTheirType() throws {
        #expect(try parse(" 42 ", as: .int) == .int(42))
        #expect(try parse("-2147483648", as: .int) == .int(.min))
        #expect(try parse("+7", as: .short) == .short(7))
        #expect(try parse("9223372036854775807", as: .long) == .long(.max))
        #expect(
            parseError("2147483648", as: .int)?.message
                == "Invalid value 2147483648 for configuration k: Not a number of type INT"
        )
        #expect(
            parseError("40000", as: .short)?.message
                == "Invalid value 40000 for configuration k: Not a number of type SHORT"
        )
        #expect(
            parseError("4.2", as: .long)?.message == "Invalid value 4.2 for configuration k: Not a number of type LONG"
        )
        #expect(parseError("", as: .int)?.message == "Invalid value  for configuration k: Not a number of type INT")
        #expect(parseError("0x10", as: .int) != nil)
    }

    @Test func doublesFollowJavaParsing() throws {
        #expect(try parse("1.5", as: .double) == .double(1.5))
        #expect(try parse("1e3", as: .double) == .double(1000))
        #expect(try parse("-.5", as: .double) == .double(-0.5))
        #expect(try parse("2f", as: .double) == .double(2))
        #expect(try parse("Infinity", as: .double) == .double(.infinity))
        #expect(
            parseError("abc", as: .double)?.message
                == "Invalid value abc for configuration k: Not a number of type DOUBLE"
        )
        #expect(parseError("inf", as: .double) != nil)
        #expect(parseError("nan", as: .double) != nil)
    }

    @Test func listsSplitOnCommasAndTrimItems() throws {
        #expect(try parse(" a , b ,c ", as: .list) == .list(["a", "b", "c"]))
        #expect(try parse("", as: .list) == .list([]))
        #expect(try parse("   ", as: .list) == .list([]))
        #expect(try parse("a,,b", as: .list) == .list(["a", "", "b"]))
        #expect(try parse("a,", as: .list) == .list(["a", ""]))
        #expect(try parse("a,b", as: .list).description == "a,b")
    }

    @Test func stringsClassesAndPasswordsAreTrimmed() throws {
        #expect(try parse("  hello world  ", as: .string) == .string("hello world"))
        #expect(try parse(" org.example.Sink ", as: .class) == .class("org.example.Sink"))
        #expect(try parse(" s3cret ", as: .password) == .password(Password("s3cret")))
        #expect(
            parseError("  ", as: .class)?.message
                == "Invalid value    for configuration k: Class    could not be found."
        )
    }

    @Test func parsesEveryDefinedKeyWithDefaults() throws {
        let definition = ConfigDef([
            ConfigKey("topic", type: .string, importance: .high, documentation: "Topic."),
            ConfigKey("batch.size", type: .int, default: 2000, importance: .low, documentation: "Batch."),
            ConfigKey("ratio", type: .double, default: 1, importance: .low, documentation: "Ratio."),
            ConfigKey("hosts", type: .list, default: "a, b", importance: .low, documentation: "Hosts."),
            ConfigKey("file", type: .string, default: nil, importance: .low, documentation: "File."),
            ConfigKey("enabled", type: .boolean, default: true, importance: .low, documentation: "Enabled."),
            ConfigKey("timeout.ms", type: .long, default: 30_000, importance: .low, documentation: "Timeout."),
            ConfigKey("replication", type: .short, default: 3, importance: .low, documentation: "RF."),
        ])
        let values = try definition.parse(["topic": " orders ", "batch.size": "10", "unknown": "ignored"])
        #expect(values["topic"] == .string("orders"))
        #expect(values["batch.size"] == .int(10))
        #expect(values["ratio"] == .double(1))
        #expect(values["hosts"] == .list(["a", "b"]))
        #expect(values["file"] == nil)
        #expect(values["enabled"] == .boolean(true))
        #expect(values["timeout.ms"] == .long(30_000))
        #expect(values["replication"] == .short(3))
        #expect(values["unknown"] == nil)
    }

    @Test func reportsAMissingRequiredKey() {
        let definition = ConfigDef([ConfigKey("topic", type: .string, importance: .high, documentation: nil)])
        let error = #expect(throws: ConfigError.self) { try definition.parse([:]) }
        #expect(error?.message == "Missing required configuration \"topic\" which has no default value.")
        #expect(error?.name == "topic")
    }

    @Test func reportsTheFirstInvalidKeyInDefinitionOrder() {
        let definition = ConfigDef([
            ConfigKey("a", type: .int, default: 1, importance: .high, documentation: nil),
            ConfigKey("b", type: .int, default: 1, validator: .atLeast(0), importance: .high, documentation: nil),
        ])
        let error = #expect(throws: ConfigError.self) { try definition.parse(["a": "x", "b": "-1"]) }
        #expect(error?.message == "Invalid value x for configuration a: Not a number of type INT")
        let second = #expect(throws: ConfigError.self) { try definition.parse(["b": "-1"]) }
        #expect(second?.message == "Invalid value -1 for configuration b: Value must be at least 0")
    }

    @Test func rejectsDefiningAKeyTwice() {
        var definition = ConfigDef()
        #expect(throws: Never.self) {
            try definition.define(ConfigKey("a", type: .int, default: 1, importance: .low, documentation: nil))
        }
        let error = #expect(throws: ConfigError.self) {
            try definition.define(ConfigKey("a", type: .string, default: "", importance: .low, documentation: nil))
        }
        #expect(error?.message == "Configuration a is defined twice.")
    }

    @Test func convertsDefaultsToTheKeyType() throws {
        let key = ConfigKey("x", type: .double, default: 2, importance: .low, documentation: nil)
        #expect(key.defaultValue == .value(.double(2)))
        let list = ConfigKey("l", type: .list, default: ["p", "q"], importance: .low, documentation: nil)
        #expect(list.defaultValue == .value(.list(["p", "q"])))
        let parsedList = ConfigKey("l", type: .list, default: "", importance: .low, documentation: nil)
        #expect(parsedList.defaultValue == .value(.list([])))
        #expect(!ConfigKey("r", type: .int, importance: .low, documentation: nil).hasDefault)
        #expect(ConfigKey("n", type: .int, default: nil, importance: .low, documentation: nil).hasDefault)
        var mutable = key
        #expect(throws: ConfigError.self) { try mutable.setDefault("abc") }
        try mutable.setDefault("0.25")
        #expect(mutable.defaultValue == .value(.double(0.25)))
    }

    @Test func rendersValuesBackAsKafkaDoes() {
        #expect(ConfigDef.convertToString(.double(1e7)) == "1.0E7")
        #expect(ConfigDef.convertToString(.double(0.5)) == "0.5")
        #expect(ConfigDef.convertToString(.list(["a", "b"])) == "a,b")
        #expect(ConfigDef.convertToString(.password(Password("x"))) == "[hidden]")
        #expect(ConfigDef.convertToString(.boolean(false)) == "false")
        #expect(ConfigDef.convertToString(nil) == nil)
    }
}
