import Foundation

/// Reads values from Java `.properties` files (Kafka's `FileConfigProvider`): the path is the file,
/// the key a property in it. `${file:/etc/kafka/secrets.properties:db.password}`.
///
/// Parameter `allowed.paths` (comma-separated absolute paths that must exist) restricts the files that
/// may be read; a file outside them yields no data, so its placeholders stay unresolved. A file that
/// cannot be read throws `Could not read properties from file <path>`.
public struct FileConfigProvider: ConfigProvider {
    /// The parameter restricting readable paths: `allowed.paths`.
    public static let allowedPathsConfig = "allowed.paths"

    private let allowedPaths: AllowedPaths

    /// Creates the provider.
    /// - Throws: ``ConfigError`` if an allowed path is not absolute or does not exist.
    public init(configs: [String: String]) throws {
        allowedPaths = try AllowedPaths(configValue: configs[Self.allowedPathsConfig]) {
            FileManager.default.fileExists(atPath: $0)
        }
    }

    /// Every property in the file at `path`.
    public func get(path: String) async throws -> ConfigData {
        guard let properties = try read(path) else { return ConfigData(data: [:]) }
        return ConfigData(data: Dictionary(properties, uniquingKeysWith: { _, last in last }))
    }

    /// The requested properties of the file at `path`.
    public func get(path: String, keys: Set<String>) async throws -> ConfigData {
        guard let properties = try read(path) else { return ConfigData(data: [:]) }
        var data: [String: String] = [:]
        for (key, value) in properties where keys.contains(key) { data[key] = value }
        return ConfigData(data: data)
    }

    private func read(_ path: String) throws -> [(key: String, value: String)]? {
        guard !path.isEmpty, let filePath = allowedPaths.parseUntrustedPath(path) else { return nil }
        guard let data = FileManager.default.contents(atPath: filePath) else {
            throw ConfigError("Could not read properties from file \(path)")
        }
        return try JavaProperties.parse(String(decoding: data, as: UTF8.self))
    }
}
