import ConnectAPI
import ConnectJSON
import Testing

/// The JSON converter as the runtime uses it: resolved by name from the registry, configured from
/// prefixed settings, as a header converter, and shared between tasks.
@Suite struct JSONConverterIntegrationTests {
    @Test func registryResolvesKafkasNames() throws {
        let registry = ConverterRegistry.kafkaBuiltIns()
        for name in ["org.apache.kafka.connect.json.JsonConverter", "JsonConverter", "Json"] {
            #expect(try registry.makeConverter(className: name) is JSONConverter, "\(name)")
        }
        #expect(try registry.makeHeaderConverter(className: "JsonConverter") is JSONConverter)
        // Every converter Kafka ships is there.
        #expect(registry.converterClassNames.count == 9)
        #expect(try registry.makeConverter(className: "StringConverter") is StringConverter)
    }

    @Test func headerConverterUsesTheSameFormat() throws {
        let converter = JSONConverter()
        try converter.configure(configs: ["converter.type": "header", "schemas.enable": "false"])
        #expect(converter.config.type == .header)
        let bytes = try converter.fromConnectHeader(topic: "t", headerKey: "h", schema: .string, value: "v")
        #expect(bytes == Array(#""v""#.utf8))
        #expect(
            try converter.toConnectHeader(topic: "t", headerKey: "h", bytes: bytes)
                == SchemaAndValue(schema: nil, value: "v")
        )
    }

    @Test func rawBufferInputDecodesLikeArrays() throws {
        let converter = JSONConverter()
        let json = Array(#"{"schema":{"type":"int32"},"payload":5}"#.utf8)
        let result = try json.withUnsafeBytes { try converter.toConnectData(topic: "t", headers: Headers(), bytes: $0) }
        #expect(result == SchemaAndValue(schema: .int32, value: .int32(5)))
    }

    @Test func configDefMatchesKafka() {
        let definition = JSONConverter.configDef
        #expect(
            definition.names == [
                "converter.type", "schemas.enable", "schemas.cache.size", "decimal.format", "replace.null.with.default",
            ]
        )
        #expect(definition["decimal.format"]?.group == "Serialization")
        #expect(definition["schemas.enable"]?.displayName == "Enable Schemas")
    }

    @Test func concurrentUseIsSafe() async throws {
        let converter = try JSONTestSupport.converter()
        let schemas = try (0..<8).map { index in
            try SchemaBuilder.struct().name("S\(index)").field("id", .int32).field("name", .optionalString).build()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<4 {
                group.addTask {
                    for iteration in 0..<500 {
                        let schema = schemas[(task + iteration) % schemas.count]
                        let value = ConnectValue.struct(
                            try Struct(schema: schema, values: [.int32(Int32(iteration)), "n"])
                        )
                        let bytes = try converter.fromConnectData(topic: "t", schema: schema, value: value)
                        let decoded = try converter.toConnectData(topic: "t", bytes: bytes)
                        guard decoded == SchemaAndValue(schema: schema, value: value) else {
                            throw DataError("round trip mismatch in task \(task)")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
