import ConnectAPI

/// The config providers a worker declares (`config.providers=file,env` with
/// `config.providers.<alias>.class` and `config.providers.<alias>.param.*`), as a ``ConfigTransformer``
/// that resolves `${provider:path:key}` placeholders in worker and connector configurations.
public enum ConfigProviders {
    /// Kafka's built-in providers by class name; the simple name and the name without the
    /// `ConfigProvider` suffix are aliases.
    static let builtIn: [(className: String, make: @Sendable ([String: String]) throws -> any ConfigProvider)] = [
        ("org.apache.kafka.common.config.provider.FileConfigProvider", { try FileConfigProvider(configs: $0) }),
        (
            "org.apache.kafka.common.config.provider.DirectoryConfigProvider",
            { try DirectoryConfigProvider(configs: $0) }
        ),
        ("org.apache.kafka.common.config.provider.EnvVarConfigProvider", { try EnvVarConfigProvider(configs: $0) }),
    ]

    /// The transformer for the providers `props` declares; `nil` when it declares none.
    /// - Throws: ``ConfigError`` naming `config.providers.<alias>.class` when a provider is unknown or
    ///   its parameters are invalid.
    public static func transformer(for props: [String: String]) throws(ConfigError) -> ConfigTransformer? {
        let aliases: [String]
        if let raw = props[WorkerConfig.configProvidersConfig],
            case .list(let list) = try ConfigDef.parseType(
                name: WorkerConfig.configProvidersConfig,
                value: raw,
                type: .list
            )
        {
            aliases = list
        } else {
            aliases = []
        }
        guard !aliases.isEmpty else { return nil }
        var providers: [String: any ConfigProvider] = [:]
        for alias in aliases {
            let classKey = "config.providers.\(alias).class"
            guard let className = props[classKey] else { throw ConfigError.missingRequired(classKey) }
            guard
                let entry = builtIn.first(where: {
                    $0.className == className || aliasesOf($0.className).contains(className)
                })
            else {
                throw ConfigError(name: classKey, value: className, reason: "Class \(className) could not be found.")
            }
            let paramPrefix = "config.providers.\(alias).param."
            var params: [String: String] = [:]
            for (key, value) in props where key.hasPrefix(paramPrefix) {
                params[String(key.dropFirst(paramPrefix.count))] = value
            }
            do {
                providers[alias] = try entry.make(params)
            } catch {
                throw ConfigError("Cannot configure config provider \(alias): \(error)", name: classKey)
            }
        }
        return ConfigTransformer(providers: providers)
    }

    private static func aliasesOf(_ className: String) -> [String] {
        let simple = className.split(separator: ".").last.map(String.init) ?? className
        return [simple, String(simple.dropLast("ConfigProvider".count))]
    }
}
