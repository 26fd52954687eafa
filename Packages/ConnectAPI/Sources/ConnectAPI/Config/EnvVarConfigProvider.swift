import Foundation

/// Reads values from environment variables (Kafka's `EnvVarConfigProvider`, KIP-887):
/// `${env:DB_PASSWORD}`. The path must be empty.
///
/// Parameter `allowlist.pattern` is a regular expression that a variable's whole name must match to be
/// visible (default `.*`, every variable).
public struct EnvVarConfigProvider: ConfigProvider {
    /// The parameter filtering visible variables: `allowlist.pattern`.
    public static let allowlistPatternConfig = "allowlist.pattern"

    private let variables: [String: String]

    /// Creates the provider over the process environment.
    /// - Throws: ``ConfigError`` if `allowlist.pattern` is not a valid regular expression.
    public init(configs: [String: String]) throws {
        try self.init(environment: ProcessInfo.processInfo.environment, configs: configs)
    }

    /// Creates the provider over the given variables (for tests and embedding).
    /// - Throws: ``ConfigError`` if `allowlist.pattern` is not a valid regular expression.
    public init(environment: [String: String], configs: [String: String]) throws {
        guard let pattern = configs[Self.allowlistPatternConfig] else {
            variables = environment
            return
        }
        let expression: NSRegularExpression
        do {
            expression = try NSRegularExpression(pattern: "^(?:\(pattern))$")
        } catch {
            throw ConfigError(name: Self.allowlistPatternConfig, value: pattern, reason: "Invalid regular expression")
        }
        variables = environment.filter { name, _ in
            let range = NSRange(name.startIndex..<name.endIndex, in: name)
            return expression.firstMatch(in: name, options: [.anchored], range: range)?.range == range
        }
    }

    /// Every visible variable.
    /// - Throws: ``ConfigError`` if `path` is not empty.
    public func get(path: String) async throws -> ConfigData {
        try checkPath(path)
        return ConfigData(data: variables)
    }

    /// The requested visible variables.
    /// - Throws: ``ConfigError`` if `path` is not empty.
    public func get(path: String, keys: Set<String>) async throws -> ConfigData {
        try checkPath(path)
        return ConfigData(data: variables.filter { keys.contains($0.key) })
    }

    private func checkPath(_ path: String) throws(ConfigError) {
        if !path.isEmpty {
            throw ConfigError("Path is not supported for EnvVarConfigProvider, invalid value '\(path)'")
        }
    }
}
