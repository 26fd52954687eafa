/// Accumulates indented source lines.
struct CodeWriter {
    private(set) var text = ""
    private var depth = 0

    /// Appends one line at the current indentation (an empty string gives an empty line).
    mutating func line(_ content: String = "") {
        if content.isEmpty {
            text += "\n"
        } else {
            text += String(repeating: "    ", count: depth) + content + "\n"
        }
    }

    /// Appends `header` and indents what follows, up to the matching ``close(_:)``.
    mutating func open(_ header: String) {
        line(header)
        depth += 1
    }

    /// Outdents and appends `footer` (by default a closing brace).
    mutating func close(_ footer: String = "}") {
        depth -= 1
        line(footer)
    }

    /// Outdents for one line (`} else {`, `case …:`) and indents again.
    mutating func middle(_ content: String) {
        depth -= 1
        line(content)
        depth += 1
    }

    mutating func indent() {
        depth += 1
    }

    mutating func outdent() {
        depth -= 1
    }
}

/// A version test known at generation time to always or never hold, or a range check on the
/// `version` parameter (a nil bound is one that always holds).
enum Condition: Equatable {
    case always
    case never
    case range(lower: Int16?, upper: Int16?)

    /// The condition under which `versions` contains the runtime version, given that the runtime
    /// version is one of `possible`.
    init(_ versions: Versions, within possible: Versions) {
        let effective = versions.intersection(possible)
        if effective.isEmpty {
            self = .never
        } else if versions.covers(possible) {
            self = .always
        } else {
            self = .range(
                lower: effective.lowest > possible.lowest ? effective.lowest : nil,
                upper: effective.highest < possible.highest ? effective.highest : nil
            )
        }
    }

    /// A Swift Bool expression that holds when the condition does.
    var swift: String {
        switch self {
        case .always:
            return "true"
        case .never:
            return "false"
        case .range(let lower?, let upper?) where lower == upper:
            return "version == \(lower)"
        case .range(let lower?, let upper?):
            return "version >= \(lower) && version <= \(upper)"
        case .range(let lower?, nil):
            return "version >= \(lower)"
        case .range(nil, let upper?):
            return "version <= \(upper)"
        case .range(nil, nil):
            return "true"
        }
    }

    /// A Swift Bool expression that holds when the condition does not.
    var negatedSwift: String {
        switch self {
        case .always:
            return "false"
        case .never:
            return "true"
        case .range(let lower?, let upper?) where lower == upper:
            return "version != \(lower)"
        case .range(let lower?, let upper?):
            return "version < \(lower) || version > \(upper)"
        case .range(let lower?, nil):
            return "version < \(lower)"
        case .range(nil, let upper?):
            return "version > \(upper)"
        case .range(nil, nil):
            return "false"
        }
    }
}

/// Emits version checks around consecutive statements, sharing one `if` between neighbours that
/// have the same condition.
struct ConditionGroup {
    private var current: Condition = .always

    /// Makes the following statements run under `condition`.
    mutating func enter(_ condition: Condition, into w: inout CodeWriter) {
        if condition == current { return }
        leave(into: &w)
        if case .range = condition {
            w.open("if \(condition.swift) {")
        }
        current = condition
    }

    /// Closes the open check, if any.
    mutating func leave(into w: inout CodeWriter) {
        if case .range = current {
            w.close()
        }
        current = .always
    }
}
