import Foundation

/// Reads values from the files of a directory (Kafka's `DirectoryConfigProvider`): the path is the
/// directory, the key a file name in it, the value the file's entire UTF-8 content, untrimmed.
/// `${dir:/run/secrets:db-password}`. Only regular files directly in the directory count (symbolic
/// links to regular files too, as Kubernetes mounts secrets that way).
///
/// Parameter `allowed.paths` restricts the directories as for ``FileConfigProvider``. A path that is
/// not allowed or not a directory yields no data.
public struct DirectoryConfigProvider: ConfigProvider {
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

    /// Every regular file in the directory at `path`.
    public func get(path: String) async throws -> ConfigData {
        try read(path, accept: { _ in true })
    }

    /// The requested files of the directory at `path`.
    public func get(path: String, keys: Set<String>) async throws -> ConfigData {
        try read(path, accept: keys.contains)
    }

    private func read(_ path: String, accept: (String) -> Bool) throws -> ConfigData {
        guard !path.isEmpty, let directory = allowedPaths.parseUntrustedPath(path) else {
            return ConfigData(data: [:])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else { return ConfigData(data: [:]) }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ConfigError("Could not list directory \(directory)")
        }
        var data: [String: String] = [:]
        for name in names where accept(name) {
            let file = (directory as NSString).appendingPathComponent(name)
            var fileIsDirectory: ObjCBool = false
            // fileExists follows symbolic links, so a link to a regular file is read.
            guard FileManager.default.fileExists(atPath: file, isDirectory: &fileIsDirectory),
                !fileIsDirectory.boolValue
            else { continue }
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw ConfigError("Could not read file \(file) for property \(name)")
            }
            data[name] = String(decoding: contents, as: UTF8.self)
        }
        return ConfigData(data: data)
    }
}
