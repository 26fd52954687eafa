import ConnectAPI
import Testing

/// The converter registry (class names and aliases, spec §3.11), `ConverterType` and `ConverterConfig`.
@Suite struct ConverterTests {
    let registry = ConverterRegistry.builtIn

    @Test func classNamesSimpleNamesAndPrunedNamesResolve() throws {
        for name in [
            "org.apache.kafka.connect.storage.StringConverter", "StringConverter", "String",
        ] {
            #expect(try registry.makeConverter(className: name) is StringConverter, "\(name)")
        }
        let numbers: [(String, any Converter.Type)] = [
            ("ByteArray", ByteArrayConverter.self), ("Boolean", BooleanConverter.self), ("Short", ShortConverter.self),
            ("Integer", IntegerConverter.self), ("Long", LongConverter.self), ("Float", FloatConverter.self),
            ("Double", DoubleConverter.self),
        ]
        for (pruned, type) in numbers {
            for name in ["org.apache.kafka.connect.converters.\(pruned)Converter", "\(pruned)Converter", pruned] {
                let converter = try registry.makeConverter(className: name)
                #expect(ObjectIdentifier(Swift.type(of: converter)) == ObjectIdentifier(type), "\(name)")
            }
        }
    }

    @Test func headerConverterNames() throws {
        for name in ["org.apache.kafka.connect.storage.SimpleHeaderConverter", "SimpleHeaderConverter", "Simple"] {
            #expect(try registry.makeHeaderConverter(className: name) is SimpleHeaderConverter, "\(name)")
        }
        // Converters that are also header converters: the pruned "HeaderConverter" alias does not apply.
        #expect(try registry.makeHeaderConverter(className: "StringConverter") is StringConverter)
        #expect(
            try registry.makeHeaderConverter(className: "org.apache.kafka.connect.converters.LongConverter")
                is LongConverter
        )
        // SimpleHeaderConverter is not a key/value converter.
        #expect(throws: ConfigError.self) { try registry.makeConverter(className: "SimpleHeaderConverter") }
    }

    @Test func unknownNamesAreConfigErrors() throws {
        let error = try #require(throws: ConfigError.self) { try registry.makeConverter(className: "com.example.Nope") }
        #expect(error.message == "Class com.example.Nope could not be found.")
    }

    final class OtherStringConverter: Converter {
        static var configDef: ConfigDef { ConverterConfig.newConfigDef() }
        init() {}
        func configure(configs: [String: String], isKey: Bool) throws {}
        func fromConnectData(topic: String, headers: Headers, schema: Schema?, value: ConnectValue) throws -> [UInt8]? {
            nil
        }
        func toConnectData(topic: String, headers: Headers, bytes: [UInt8]?) throws -> SchemaAndValue { .null }
    }

    @Test func ambiguousAliasesAreDropped() throws {
        var registry = self.registry
        registry.register(converter: OtherStringConverter.self, className: "com.example.StringConverter")
        // Two classes have the simple name StringConverter: only full names work.
        #expect(registry.converterType(named: "StringConverter") == nil)
        #expect(registry.converterType(named: "String") == nil)
        #expect(try registry.makeConverter(className: "com.example.StringConverter") is OtherStringConverter)
        #expect(
            try registry.makeConverter(className: "org.apache.kafka.connect.storage.StringConverter") is StringConverter
        )
        #expect(registry.converterClassName(for: "Long") == "org.apache.kafka.connect.converters.LongConverter")
    }

    @Test func converterTypes() {
        #expect(ConverterType(name: "KEY") == .key)
        #expect(ConverterType(name: "value") == .value)
        #expect(ConverterType(name: "Header") == .header)
        #expect(ConverterType(name: "other") == nil)
        #expect(ConverterType.allCases.map(\.name) == ["key", "value", "header"])
    }

    @Test func converterConfigSetsAndValidatesTheType() throws {
        let definition = ConverterConfig.newConfigDef()
        #expect(ConverterConfig.type(of: try ConverterConfig.parse([:], definition: definition, isKey: true)) == .key)
        #expect(
            ConverterConfig.type(of: try ConverterConfig.parse([:], definition: definition, isKey: false)) == .value
        )
        #expect(ConverterConfig.type(of: try ConverterConfig.parse([:], definition: definition, isKey: nil)) == .header)
        let error = try #require(throws: ConfigError.self) {
            try ConverterConfig.parse(["converter.type": "both"], definition: definition, isKey: nil)
        }
        #expect(
            error.message
                == "Invalid value both for configuration converter.type: String must be one of: key, value, header"
        )
    }
}
