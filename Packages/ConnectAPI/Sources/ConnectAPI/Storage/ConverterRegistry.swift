/// Resolves converter class names and aliases to converter types (the converter part of Kafka's plugin
/// registry, spec §3.5, §3.11); a plain value with no global state.
///
/// Each registered type is reachable by its Kafka class name (`org.apache.kafka.connect.storage.StringConverter`),
/// its simple name (`StringConverter`) and its pruned name (the simple name minus `Converter` for
/// converters, minus `HeaderConverter` for header converters: `String`, `Simple`). As in Kafka, an
/// alias that would name two different types is not an alias at all; use the class name then.
///
/// ``builtIn`` holds the converters ConnectAPI implements: ``StringConverter``,
/// ``ByteArrayConverter``, ``BooleanConverter``, ``ShortConverter``, ``IntegerConverter``,
/// ``LongConverter``, ``FloatConverter``, ``DoubleConverter`` and ``SimpleHeaderConverter``. The JSON
/// converter lives in the `ConnectJSON` module, which adds `registerJSONConverter()` and
/// `kafkaBuiltIns()` (every converter Kafka ships).
///
/// ```swift
/// var registry = ConverterRegistry.builtIn
/// registry.register(converter: MyAvroConverter.self, className: "com.example.AvroConverter")
/// let valueConverter = try registry.makeConverter(className: "StringConverter")
/// try valueConverter.configure(configs: ["converter.encoding": "UTF-8"], isKey: false)
/// ```
public struct ConverterRegistry: Sendable {
    private var converters: [(className: String, type: any Converter.Type)] = []
    private var headerConverters: [(className: String, type: any HeaderConverter.Type)] = []

    /// An empty registry.
    public init() {}

    /// A registry with every converter and header converter implemented in ConnectAPI.
    public static var builtIn: ConverterRegistry {
        var registry = ConverterRegistry()
        let storage = "org.apache.kafka.connect.storage."
        let converters = "org.apache.kafka.connect.converters."
        registry.register(converter: StringConverter.self, className: storage + "StringConverter")
        registry.register(headerConverter: StringConverter.self, className: storage + "StringConverter")
        registry.register(headerConverter: SimpleHeaderConverter.self, className: storage + "SimpleHeaderConverter")
        let numbers: [(String, any (Converter & HeaderConverter).Type)] = [
            ("ByteArrayConverter", ByteArrayConverter.self),
            ("BooleanConverter", BooleanConverter.self),
            ("ShortConverter", ShortConverter.self),
            ("IntegerConverter", IntegerConverter.self),
            ("LongConverter", LongConverter.self),
            ("FloatConverter", FloatConverter.self),
            ("DoubleConverter", DoubleConverter.self),
        ]
        for (name, type) in numbers {
            registry.register(converter: type, className: converters + name)
            registry.register(headerConverter: type, className: converters + name)
        }
        return registry
    }

    /// Registers a converter under its class name (and, derived from it, its simple and pruned names).
    /// Registering a class name again replaces the earlier type.
    public mutating func register(converter type: any Converter.Type, className: String) {
        converters.removeAll { $0.className == className }
        converters.append((className, type))
    }

    /// Registers a header converter under its class name (and its simple and pruned names).
    public mutating func register(headerConverter type: any HeaderConverter.Type, className: String) {
        headerConverters.removeAll { $0.className == className }
        headerConverters.append((className, type))
    }

    /// The class names of the registered converters, in registration order.
    public var converterClassNames: [String] { converters.map(\.className) }

    /// The class names of the registered header converters, in registration order.
    public var headerConverterClassNames: [String] { headerConverters.map(\.className) }

    /// The converter type for a class name or unambiguous alias, or `nil`.
    public func converterType(named name: String) -> (any Converter.Type)? {
        resolve(name, in: converters, suffix: "Converter")?.type
    }

    /// The header converter type for a class name or unambiguous alias, or `nil`.
    public func headerConverterType(named name: String) -> (any HeaderConverter.Type)? {
        resolve(name, in: headerConverters, suffix: "HeaderConverter")?.type
    }

    /// The full class name a name or alias resolves to (for converters), or `nil`.
    public func converterClassName(for name: String) -> String? {
        resolve(name, in: converters, suffix: "Converter")?.className
    }

    /// The full class name a name or alias resolves to (for header converters), or `nil`.
    public func headerConverterClassName(for name: String) -> String? {
        resolve(name, in: headerConverters, suffix: "HeaderConverter")?.className
    }

    /// Creates an unconfigured converter (`key.converter` / `value.converter`).
    /// - Throws: ``ConfigError`` `Class <name> could not be found.` for an unknown name.
    public func makeConverter(className name: String) throws(ConfigError) -> any Converter {
        guard let type = converterType(named: name) else {
            throw ConfigError("Class \(name) could not be found.")
        }
        return type.init()
    }

    /// Creates an unconfigured header converter (`header.converter`).
    /// - Throws: ``ConfigError`` `Class <name> could not be found.` for an unknown name.
    public func makeHeaderConverter(className name: String) throws(ConfigError) -> any HeaderConverter {
        guard let type = headerConverterType(named: name) else {
            throw ConfigError("Class \(name) could not be found.")
        }
        return type.init()
    }

    /// Finds a class name first, then an alias that only one class claims.
    private func resolve<T>(
        _ name: String,
        in entries: [(className: String, type: T)],
        suffix: String
    ) -> (className: String, type: T)? {
        if let exact = entries.first(where: { $0.className == name }) { return exact }
        let matches = entries.filter { Self.aliases(of: $0.className, suffix: suffix).contains(name) }
        return matches.count == 1 ? matches[0] : nil
    }

    /// The simple name (after the last `.` or `$`) and the pruned name (simple name up to the last
    /// occurrence of `suffix`, if it is not at the start), as Kafka's `PluginUtils`.
    static func aliases(of className: String, suffix: String) -> [String] {
        let simple = String(className.split(whereSeparator: { $0 == "." || $0 == "$" }).last ?? Substring(className))
        var aliases = [simple]
        let characters = Array(simple.utf8)
        let pattern = Array(suffix.utf8)
        var start = characters.count - pattern.count
        while start > 0 {
            if characters[start..<start + pattern.count].elementsEqual(pattern) {
                aliases.append(String(decoding: characters[..<start], as: UTF8.self))
                break
            }
            start -= 1
        }
        return aliases
    }
}
