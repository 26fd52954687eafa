import ConnectAPI

/// Reads the files `swift-connect standalone` takes, as Kafka's `connect-standalone` does: the
/// worker's `.properties`, and connector configurations as Java properties, a JSON object of settings,
/// or a JSON `{"name": …, "config": {…}}` create request.
public enum ConnectorConfigFile {
    /// A connector configuration read from a file.
    public struct Entry: Sendable, Hashable {
        /// The connector's name.
        public var name: String
        /// Its settings.
        public var config: [String: String]
    }

    /// Parses Java properties text.
    /// - Throws: ``ConfigError`` for a malformed escape.
    public static func properties(_ text: String) throws(ConfigError) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in try JavaProperties.parse(text) { result[key] = value }
        return result
    }

    /// Parses a connector configuration file's contents: JSON if it starts with `{`, else properties.
    /// - Parameter file: The file's name, for error messages.
    /// - Throws: ``ConfigError`` naming the file and what is wrong (malformed JSON, non-string values,
    ///   no `name`).
    public static func connector(_ text: String, file: String) throws(ConfigError) -> Entry {
        let trimmed = text.drop { $0.isWhitespace }
        var name: String?
        var config: [String: String]
        if trimmed.first == "{" {
            let document: ConnectValue
            do {
                document = try OffsetJSON.decode(Array(text.utf8))
            } catch {
                throw ConfigError("Cannot parse \(file) as JSON: \(error)")
            }
            guard let root = OffsetJSON.stringMap(document) else {
                throw ConfigError("\(file) must hold a JSON object")
            }
            if case .map? = root["config"], let inner = root["config"].flatMap(OffsetJSON.stringMap) {
                // A CreateConnectorRequest: {"name": …, "config": {…}}.
                config = try strings(inner, file)
                if case .string(let requestName)? = root["name"] { name = requestName }
            } else {
                config = try strings(root, file)
            }
        } else {
            config = try properties(text)
        }
        name = name ?? config[ConnectorConfig.nameConfig]
        guard let name, !name.isEmpty else {
            throw ConfigError.missingRequired(ConnectorConfig.nameConfig).with(file: file)
        }
        config[ConnectorConfig.nameConfig] = name
        return Entry(name: name, config: config)
    }

    private static func strings(_ map: [String: ConnectValue], _ file: String) throws(ConfigError) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in map {
            switch value {
            case .string(let string): result[key] = string
            case .int64, .float64, .boolean: result[key] = value.description
            case .null: continue
            default: throw ConfigError(name: key, value: value.description, reason: "\(file): expected a string")
            }
        }
        return result
    }
}

extension ConfigError {
    fileprivate func with(file: String) -> ConfigError {
        var copy = self
        copy.message = "\(file): \(message)"
        return copy
    }
}
