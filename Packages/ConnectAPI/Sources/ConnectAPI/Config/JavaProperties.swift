/// A parser for the Java `.properties` format, as `java.util.Properties.load(Reader)` reads it.
///
/// - Lines end with `\n`, `\r` or `\r\n`; blank lines and lines whose first non-blank character is `#`
///   or `!` are comments.
/// - A line ending in an odd number of backslashes continues on the next line, whose leading
///   whitespace is skipped.
/// - The key ends at the first unescaped `=`, `:` or whitespace; whitespace around the separator is
///   skipped; the rest of the line is the value.
/// - Escapes: `\t`, `\n`, `\r`, `\f`, `\uXXXX`; a backslash before any other character yields that
///   character (so `\=`, `\:`, `\ ` and `\\` work in keys and values).
/// - A repeated key keeps its last value.
public enum JavaProperties {
    /// Parses properties text.
    /// - Returns: The properties, with the keys in their order of first appearance.
    /// - Throws: ``ConfigError`` `Malformed \uxxxx encoding.` for a bad unicode escape.
    public static func parse(_ text: String) throws(ConfigError) -> [(key: String, value: String)] {
        var entries: [(key: String, value: String)] = []
        var positions: [String: Int] = [:]
        for line in logicalLines(Array(text.unicodeScalars)) {
            let (key, value) = try split(line)
            if let position = positions[key] {
                entries[position].value = value
            } else {
                positions[key] = entries.count
                entries.append((key, value))
            }
        }
        return entries
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\u{0C}"
    }

    /// Joins continuation lines and drops comments and blank lines; escapes are kept for `split`.
    private static func logicalLines(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var lines: [[Unicode.Scalar]] = []
        var position = 0
        var current: [Unicode.Scalar] = []
        var continuing = false
        while position < scalars.count {
            // Read one natural line.
            var end = position
            while end < scalars.count && scalars[end] != "\n" && scalars[end] != "\r" { end += 1 }
            var natural = Array(scalars[position..<end])
            position = end
            if position < scalars.count {
                if scalars[position] == "\r" && position + 1 < scalars.count && scalars[position + 1] == "\n" {
                    position += 2
                } else {
                    position += 1
                }
            }
            // Leading whitespace is skipped on every natural line, continuation or not.
            let firstNonBlank = natural.firstIndex { !isWhitespace($0) } ?? natural.count
            natural.removeFirst(firstNonBlank)
            if !continuing {
                if natural.isEmpty { continue }
                if natural[0] == "#" || natural[0] == "!" { continue }
            }
            var trailingBackslashes = 0
            for scalar in natural.reversed() {
                guard scalar == "\\" else { break }
                trailingBackslashes += 1
            }
            if trailingBackslashes % 2 == 1 {
                natural.removeLast()
                current.append(contentsOf: natural)
                continuing = true
                continue
            }
            current.append(contentsOf: natural)
            lines.append(current)
            current = []
            continuing = false
        }
        if continuing && !current.isEmpty { lines.append(current) }
        return lines
    }

    private static func split(_ line: [Unicode.Scalar]) throws(ConfigError) -> (String, String) {
        var keyEnd = 0
        var valueStart = line.count
        var hasSeparator = false
        var escaped = false
        while keyEnd < line.count {
            let scalar = line[keyEnd]
            if escaped {
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else if scalar == "=" || scalar == ":" {
                valueStart = keyEnd + 1
                hasSeparator = true
                break
            } else if isWhitespace(scalar) {
                valueStart = keyEnd + 1
                break
            }
            keyEnd += 1
        }
        while valueStart < line.count {
            let scalar = line[valueStart]
            if isWhitespace(scalar) {
                valueStart += 1
            } else if !hasSeparator && (scalar == "=" || scalar == ":") {
                hasSeparator = true
                valueStart += 1
            } else {
                break
            }
        }
        let key = try unescape(line[0..<keyEnd])
        let value = try unescape(line[min(valueStart, line.count)...])
        return (key, value)
    }

    private static func unescape(_ scalars: ArraySlice<Unicode.Scalar>) throws(ConfigError) -> String {
        var result = String.UnicodeScalarView()
        var position = scalars.startIndex
        while position < scalars.endIndex {
            let scalar = scalars[position]
            position += 1
            guard scalar == "\\", position < scalars.endIndex else {
                if scalar != "\\" { result.append(scalar) }
                continue
            }
            let escaped = scalars[position]
            position += 1
            switch escaped {
            case "t": result.append("\t")
            case "n": result.append("\n")
            case "r": result.append("\r")
            case "f": result.append("\u{0C}")
            case "u":
                var code = try hexCode(scalars, at: position)
                position += 4
                // Java strings are UTF-16: a character outside the BMP is written as two escapes.
                if (0xD800...0xDBFF).contains(code), position + 6 <= scalars.endIndex,
                    scalars[position] == "\\", scalars[position + 1] == "u",
                    case let low = try hexCode(scalars, at: position + 2), (0xDC00...0xDFFF).contains(low)
                {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    position += 6
                }
                guard let decoded = Unicode.Scalar(code) else { throw ConfigError("Malformed \\uxxxx encoding.") }
                result.append(decoded)
            default: result.append(escaped)
            }
        }
        return String(result)
    }

    private static func hexCode(_ scalars: ArraySlice<Unicode.Scalar>, at position: Int) throws(ConfigError) -> UInt32 {
        guard position + 4 <= scalars.endIndex else { throw ConfigError("Malformed \\uxxxx encoding.") }
        let hex = String(String.UnicodeScalarView(scalars[position..<position + 4]))
        guard
            hex.utf8.allSatisfy({
                UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0 || UInt8(ascii: "a")...UInt8(ascii: "f") ~= $0
                    || UInt8(ascii: "A")...UInt8(ascii: "F") ~= $0
            }),
            let code = UInt32(hex, radix: 16)
        else { throw ConfigError("Malformed \\uxxxx encoding.") }
        return code
    }
}
