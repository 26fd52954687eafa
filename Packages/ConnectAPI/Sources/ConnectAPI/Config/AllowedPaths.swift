/// The `allowed.paths` rule of the file and directory providers (Kafka's `AllowedPaths`): when set,
/// only paths that, once normalized, lie under one of the listed absolute directories may be read.
struct AllowedPaths: Sendable {
    /// Normalized allowed roots; `nil` allows every path.
    private let roots: [[Substring]]?

    /// Parses the comma-separated `allowed.paths` value.
    /// - Throws: ``ConfigError`` `Path <p> is not absolute` or `Path <p> does not exist`.
    init(configValue: String?, exists: (String) -> Bool) throws(ConfigError) {
        guard let configValue, !configValue.isEmpty else {
            roots = nil
            return
        }
        var roots: [[Substring]] = []
        for entry in configValue.split(separator: ",", omittingEmptySubsequences: false) {
            let normalized = Self.normalize(String(entry))
            let text = Self.render(normalized, absolute: entry.hasPrefix("/"))
            guard entry.hasPrefix("/") else { throw ConfigError("Path \(text) is not absolute") }
            guard exists(text) else { throw ConfigError("Path \(text) does not exist") }
            roots.append(normalized)
        }
        self.roots = roots
    }

    /// The path to read, or `nil` if it is not allowed (Kafka's `parseUntrustedPath`).
    func parseUntrustedPath(_ path: String) -> String? {
        guard let roots else { return path }
        let normalized = Self.normalize(path)
        guard path.hasPrefix("/") else { return nil }
        for root in roots where normalized.starts(with: root) {
            return Self.render(normalized, absolute: true)
        }
        return nil
    }

    /// Lexical normalization like Java's `Path.normalize()`: drops `.` and empty components and
    /// resolves `..` against the preceding component.
    static func normalize(_ path: String) -> [Substring] {
        var components: [Substring] = []
        let absolute = path.hasPrefix("/")
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." {
                if let last = components.last, last != ".." {
                    components.removeLast()
                } else if !absolute {
                    components.append(component)
                }
                continue
            }
            components.append(component)
        }
        return components
    }

    private static func render(_ components: [Substring], absolute: Bool) -> String {
        (absolute ? "/" : "") + components.joined(separator: "/")
    }
}
