import ConnectAPI

/// How field names in a transform's configuration are read (KIP-821's `field.syntax.version`).
public enum FieldSyntaxVersion: String, Sendable, Hashable, CaseIterable {
    /// Field names are taken as they are: only top-level fields (the default).
    case v1 = "V1"
    /// Dotted paths into nested structs and maps; a name containing dots is wrapped in backticks
    /// (`` `a.b`.c ``), and a backtick inside a wrapped name is escaped with a backslash.
    case v2 = "V2"

    /// `field.syntax.version`
    public static let configName = "field.syntax.version"

    /// The configuration key (STRING, default `V1`, case-insensitive `V1`/`V2`).
    static let configKey = ConfigKey(
        configName,
        type: .string,
        default: "V1",
        validator: .caseInsensitiveValidString(in: ["V1", "V2"]),
        importance: .high,
        documentation: "Defines the version of the syntax to access fields. If set to `V1`, then the field paths are "
            + "limited to access the elements at the root level of the struct or map. If set to `V2`, the syntax "
            + "will support accessing nested elements. To access nested elements, dotted notation is used. If dots "
            + "are already included in the field name, then backtick pairs can be used to wrap field names "
            + "containing dots. E.g. to access the subfield `baz` from a field named \"foo.bar\" in a struct/map "
            + "the following format can be used to access its elements: \"`foo.bar`.baz\"."
    )
}

/// A path to one field, possibly nested (Kafka's `SingleFieldPath`).
public struct SingleFieldPath: Sendable, Hashable, CustomStringConvertible {
    /// The syntax the path was read with.
    public let version: FieldSyntaxVersion
    /// The field names from the outermost to the field itself.
    public let steps: [String]

    /// Parses a path.
    /// - Throws: ``ConfigError`` `Incomplete backtick pair in path: [<path>], consider adding a backslash
    ///   before backtick at position <n> to escape it` for an unclosed backtick (V2).
    public init(_ path: String, version: FieldSyntaxVersion) throws(ConfigError) {
        self.version = version
        switch version {
        case .v1: steps = [path]
        case .v2: steps = try Self.parseV2(path)
        }
    }

    private static func parseV2(_ path: String) throws(ConfigError) -> [String] {
        let characters = Array(path)
        var steps: [String] = []
        var index = 0
        while index < characters.count {
            if characters[index] != "`" {
                let start = index
                if let dot = characters[index...].firstIndex(of: ".") {
                    steps.append(String(characters[start..<dot]))
                    index = dot + 1
                } else {
                    steps.append(String(characters[start...]))
                    index = characters.count
                }
            } else {
                let backtickAt = index
                index += 1
                var field = ""
                var start = index
                while true {
                    guard let closing = characters[index...].firstIndex(of: "`") else {
                        throw incompleteBacktick(path, backtickAt)
                    }
                    index = closing
                    let escaped = characters[index - 1] == "\\"
                    if index >= characters.count - 1 {
                        if escaped { throw incompleteBacktick(path, backtickAt) }
                        field += String(characters[start..<index])
                        steps.append(field)
                        index += 1
                        break
                    }
                    if characters[index + 1] != "." {
                        index += 1
                        continue
                    }
                    if escaped {
                        field += String(characters[start..<(index - 1)]) + "`"
                        index += 1
                        start = index
                        continue
                    }
                    field += String(characters[start..<index])
                    steps.append(field)
                    index += 2
                    break
                }
            }
        }
        if let last = characters.last, last == "." { steps.append("") }
        return steps
    }

    private static func incompleteBacktick(_ path: String, _ position: Int) -> ConfigError {
        ConfigError(
            "Incomplete backtick pair in path: [\(path)], consider adding a backslash before backtick at position "
                + "\(position) to escape it"
        )
    }

    /// The steps joined with dots, as given for V1.
    public var description: String { steps.joined(separator: ".") }

    /// The field at this path in a struct schema, or `nil` if a step is missing.
    public func field(in schema: Schema?) -> Field? {
        guard var current = schema, let last = steps.last else { return nil }
        for step in steps.dropLast() {
            guard let field = current.field(named: step) else { return nil }
            current = field.schema
        }
        return current.field(named: last)
    }

    /// The value at this path in a struct, `nil` (``ConnectValue/null``) if a step is missing or null.
    /// - Parameter withDefault: Whether a null field takes its schema default.
    /// - Throws: ``DataError`` if an intermediate step is not a struct.
    public func value(in value: Struct?, withDefault: Bool = true) throws(DataError) -> ConnectValue {
        guard var current = value, let last = steps.last else { return .null }
        for step in steps.dropLast() {
            guard let field = current.schema.field(named: step) else { return .null }
            guard let next = try Requirements.requireStructOrNull(current.get(field), purpose: "nested field access")
            else { return .null }
            current = next
        }
        guard let field = current.schema.field(named: last) else { return .null }
        return withDefault ? current.get(field) : current.values[field.index]
    }

    /// The value at this path in a schemaless map, ``ConnectValue/null`` if missing.
    /// - Throws: ``DataError`` if an intermediate step is not a map.
    public func value(in map: ConnectMap?) throws(DataError) -> ConnectValue {
        guard var current = map, let last = steps.last else { return .null }
        for step in steps.dropLast() {
            guard
                let next = try Requirements.requireMapOrNull(
                    current[.string(step)] ?? .null,
                    purpose: "nested field access"
                )
            else { return .null }
            current = next
        }
        return current[.string(last)] ?? .null
    }
}
