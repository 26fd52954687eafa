/// Replaces `${provider:path:key}` and `${provider:key}` placeholders in config values with values
/// from ``ConfigProvider``s (Kafka's `ConfigTransformer`, spec §3.10).
///
/// Placeholders match Kafka's pattern `\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}`: the provider is the text
/// before the first colon, the path the text up to the next colon (empty when there is none), the key
/// the rest. Several placeholders may appear in one value; each is replaced textually. As in Kafka, a
/// placeholder naming an **unknown provider** or a **key the provider does not have is left
/// unchanged**; errors thrown by a provider (an unreadable file, a path given to the environment
/// provider) propagate.
///
/// ```swift
/// let transformer = ConfigTransformer(providers: ["file": try FileConfigProvider(configs: [:])])
/// let resolved = try await transformer.transform(["db.password": "${file:/etc/secrets.properties:db.password}"])
/// resolved.data["db.password"]   // the secret
/// ```
public struct ConfigTransformer: Sendable {
    /// The providers by alias.
    public let providers: [String: any ConfigProvider]

    /// Creates a transformer over the given providers, keyed by the alias used in placeholders.
    public init(providers: [String: any ConfigProvider]) {
        self.providers = providers
    }

    /// Resolves every placeholder in `configs`.
    /// - Returns: The configs with placeholders replaced, and the TTLs the providers reported, by path.
    /// - Throws: Whatever a provider throws.
    public func transform(_ configs: [String: String]) async throws -> ConfigTransformerResult {
        // Collect the keys needed per provider and path, then ask each provider once per path.
        var keysByProvider: [String: [String: Set<String>]] = [:]
        for value in configs.values {
            for variable in Self.variables(in: value) {
                keysByProvider[variable.provider, default: [:]][variable.path, default: []].insert(variable.key)
            }
        }
        var lookups: [String: [String: [String: String]]] = [:]
        var ttls: [String: Int64] = [:]
        for (providerName, keysByPath) in keysByProvider.sorted(by: { $0.key < $1.key }) {
            guard let provider = providers[providerName] else { continue }
            for (path, keys) in keysByPath.sorted(by: { $0.key < $1.key }) {
                let data = try await provider.get(path: path, keys: keys)
                if let ttl = data.ttl, ttl >= 0 { ttls[path] = ttl }
                lookups[providerName, default: [:]][path] = data.data
            }
        }
        var result: [String: String] = [:]
        for (name, value) in configs { result[name] = Self.replace(value, lookups) }
        return ConfigTransformerResult(data: result, ttls: ttls)
    }

    /// The placeholders in a value, in order.
    public static func variables(in value: String) -> [ConfigVariable] {
        var variables: [ConfigVariable] = []
        let utf8 = value.utf8
        var position = utf8.startIndex
        while position < utf8.endIndex {
            guard let variable = match(in: value, at: position) else {
                position = utf8.index(after: position)
                continue
            }
            variables.append(variable)
            position = variable.range.upperBound
        }
        return variables
    }

    /// Whether a value contains at least one placeholder.
    public static func containsVariable(_ value: String) -> Bool {
        !variables(in: value).isEmpty
    }

    /// Matches Kafka's placeholder pattern starting exactly at `start`.
    private static func match(in value: String, at start: String.Index) -> ConfigVariable? {
        let utf8 = value.utf8
        guard utf8[start] == UInt8(ascii: "$") else { return nil }
        let brace = utf8.index(after: start)
        guard brace < utf8.endIndex, utf8[brace] == UInt8(ascii: "{") else { return nil }
        let contentStart = utf8.index(after: brace)
        // `[^}]` cannot cross a `}`, so a match from here must end at the first `}`.
        guard let close = utf8[contentStart...].firstIndex(of: UInt8(ascii: "}")) else { return nil }
        let content = utf8[contentStart..<close]
        guard let firstColon = content.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let provider = String(value[contentStart..<firstColon])
        let rest = value[utf8.index(after: firstColon)..<close]
        let path: String
        let key: String
        if let secondColon = rest.utf8.firstIndex(of: UInt8(ascii: ":")) {
            path = String(rest[..<secondColon])
            key = String(rest[rest.utf8.index(after: secondColon)...])
        } else {
            path = ""
            key = String(rest)
        }
        return ConfigVariable(provider: provider, path: path, key: key, range: start..<utf8.index(after: close))
    }

    private static func replace(_ value: String, _ lookups: [String: [String: [String: String]]]) -> String {
        let variables = variables(in: value)
        guard !variables.isEmpty else { return value }
        var result = ""
        var copied = value.startIndex
        for variable in variables {
            guard let replacement = lookups[variable.provider]?[variable.path]?[variable.key] else { continue }
            result += value[copied..<variable.range.lowerBound]
            result += replacement
            copied = variable.range.upperBound
        }
        result += value[copied...]
        return result
    }
}
