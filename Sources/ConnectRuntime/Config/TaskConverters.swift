import ConnectAPI

/// The key, value and header converters of one task, chosen and configured as Kafka does.
///
/// Kafka's precedence quirk: a connector uses its own converter only when its configuration sets the
/// class key (`value.converter`); the converter is then configured only from the connector's
/// `value.converter.*` keys. Otherwise the worker's converter is used with the worker's sub-keys, and
/// connector-level sub-keys are ignored.
public struct TaskConverters: Sendable {
    /// Converts record keys.
    public let key: any Converter
    /// Converts record values.
    public let value: any Converter
    /// Converts record headers.
    public let header: any HeaderConverter
    /// The key converter's class name (Kafka's full name when known), for error reports.
    public let keyClassName: String
    /// The value converter's class name, for error reports.
    public let valueClassName: String
    /// The header converter's class name, for error reports.
    public let headerClassName: String

    /// Creates and configures the converters for a connector.
    /// - Throws: ``ConfigError`` naming the converter key for an unknown class or invalid settings.
    public init(worker: WorkerConfig, connector: [String: String], registry: ConverterRegistry) throws(ConfigError) {
        func source(_ classKey: String, workerClass: String) -> (className: String, settings: [String: String]) {
            if let className = connector[classKey] {
                return (className.trimmingCharacters(in: " \t"), Self.settings(connector, classKey))
            }
            return (workerClass, Self.settings(worker.originals, classKey))
        }
        let keySource = source(WorkerConfig.keyConverterConfig, workerClass: worker.keyConverter)
        let valueSource = source(WorkerConfig.valueConverterConfig, workerClass: worker.valueConverter)
        let headerSource = source(WorkerConfig.headerConverterConfig, workerClass: worker.headerConverter)
        keyClassName = registry.converterClassName(for: keySource.className) ?? keySource.className
        valueClassName = registry.converterClassName(for: valueSource.className) ?? valueSource.className
        headerClassName = registry.headerConverterClassName(for: headerSource.className) ?? headerSource.className
        key = try Self.makeConverter(registry, WorkerConfig.keyConverterConfig, keySource, isKey: true)
        value = try Self.makeConverter(registry, WorkerConfig.valueConverterConfig, valueSource, isKey: false)
        guard let headerType = registry.headerConverterType(named: headerSource.className) else {
            throw Self.notFound(WorkerConfig.headerConverterConfig, headerSource.className)
        }
        let header = headerType.init()
        var headerSettings = headerSource.settings
        headerSettings[ConverterConfig.typeConfig] = ConverterType.header.name
        do {
            try header.configure(configs: headerSettings)
        } catch {
            throw Self.wrap(error, WorkerConfig.headerConverterConfig)
        }
        self.header = header
    }

    private static func makeConverter(
        _ registry: ConverterRegistry,
        _ classKey: String,
        _ source: (className: String, settings: [String: String]),
        isKey: Bool
    ) throws(ConfigError) -> any Converter {
        guard let type = registry.converterType(named: source.className) else {
            throw notFound(classKey, source.className)
        }
        let converter = type.init()
        do {
            try converter.configure(configs: source.settings, isKey: isKey)
        } catch {
            throw wrap(error, classKey)
        }
        return converter
    }

    private static func notFound(_ classKey: String, _ className: String) -> ConfigError {
        ConfigError(name: classKey, value: className, reason: "Class \(className) could not be found.")
    }

    private static func wrap(_ error: any Error, _ classKey: String) -> ConfigError {
        guard let error = error as? ConfigError else {
            return ConfigError("Cannot configure \(classKey): \(error)", name: classKey)
        }
        if let name = error.name, let reason = error.reason, error.message.hasPrefix("Invalid value ") {
            return ConfigError(name: classKey + "." + name, value: error.value, reason: reason)
        }
        return ConfigError("\(classKey): \(error.message)", name: error.name.map { classKey + "." + $0 } ?? classKey)
    }

    private static func settings(_ props: [String: String], _ classKey: String) -> [String: String] {
        var result: [String: String] = [:]
        let prefix = classKey + "."
        for (key, value) in props where key.hasPrefix(prefix) { result[String(key.dropFirst(prefix.count))] = value }
        return result
    }

    /// Releases the converters.
    public func close() {
        key.close()
        value.close()
        header.close()
    }
}

extension String {
    fileprivate func trimmingCharacters(in characters: String) -> String {
        var view = Substring(self)
        while let first = view.first, characters.contains(first) { view.removeFirst() }
        while let last = view.last, characters.contains(last) { view.removeLast() }
        return String(view)
    }
}
