import ConnectAPI

extension ConverterRegistry {
    /// Registers ``JSONConverter`` as `org.apache.kafka.connect.json.JsonConverter` (aliases
    /// `JsonConverter` and `Json`), both as a converter and as a header converter.
    public mutating func registerJSONConverter() {
        register(converter: JSONConverter.self, className: JSONConverter.className)
        register(headerConverter: JSONConverter.self, className: JSONConverter.className)
    }

    /// Every converter and header converter Kafka ships: ``ConverterRegistry/builtIn`` plus the JSON
    /// converter.
    public static func kafkaBuiltIns() -> ConverterRegistry {
        var registry = ConverterRegistry.builtIn
        registry.registerJSONConverter()
        return registry
    }
}
