import ConnectAPI
import Testing

@Suite struct ParsedConfigTests {
    let definition = ConfigDef([
        ConfigKey("b", type: .boolean, default: false, importance: .low, documentation: nil),
        ConfigKey("i", type: .int, default: 1, importance: .low, documentation: nil),
        ConfigKey("s", type: .short, default: 2, importance: .low, documentation: nil),
        ConfigKey("l", type: .long, default: 3, importance: .low, documentation: nil),
        ConfigKey("d", type: .double, default: 4.5, importance: .low, documentation: nil),
        ConfigKey("list", type: .list, default: "", importance: .low, documentation: nil),
        ConfigKey("str", type: .string, default: nil, importance: .low, documentation: nil),
        ConfigKey("cls", type: .class, default: "org.example.Converter", importance: .low, documentation: nil),
        ConfigKey("pw", type: .password, default: nil, importance: .low, documentation: nil),
        ConfigKey("maybe", type: .int, default: nil, importance: .low, documentation: nil),
    ])

    @Test func typedAccessors() throws {
        let config = try ParsedConfig(
            definition: definition,
            originals: ["b": "true", "i": "10", "list": "x,y", "pw": "secret", "producer.override.acks": "all"]
        )
        #expect(try config.bool("b"))
        #expect(try config.int("i") == 10)
        #expect(try config.short("s") == 2)
        #expect(try config.long("l") == 3)
        #expect(try config.double("d") == 4.5)
        #expect(try config.list("list") == ["x", "y"])
        #expect(try config.string("str") == nil)
        #expect(try config.className("cls") == "org.example.Converter")
        #expect(try config.password("pw")?.value == "secret")
        #expect(try config.value("maybe") == nil)
        #expect(config.originalsWithPrefix("producer.override.") == ["acks": "all"])
        #expect(config.originalsWithPrefix("producer.", strip: false) == ["producer.override.acks": "all"])
        #expect(config.valuesAsStrings["pw"] == "[hidden]")
    }

    @Test func accessorErrors() throws {
        let config = try ParsedConfig(definition: definition, originals: [:])
        #expect(
            (#expect(throws: ConfigError.self) { try config.int("nope") })?.message == "Unknown configuration 'nope'"
        )
        #expect(
            (#expect(throws: ConfigError.self) { try config.long("i") })?.message
                == "Configuration 'i' is of type INT, not LONG"
        )
        #expect(
            (#expect(throws: ConfigError.self) { try config.int("maybe") })?.message
                == "Configuration 'maybe' has a null value; expected INT"
        )
    }

    @Test func parsingFailuresThrow() {
        #expect(throws: ConfigError.self) { try ParsedConfig(definition: definition, originals: ["i": "x"]) }
    }
}
