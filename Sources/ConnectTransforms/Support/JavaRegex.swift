import ConnectAPI
import Foundation
import Synchronization

/// A compiled regular expression with the Java `java.util.regex` operations Kafka's SMTs use:
/// `matches()` (the whole input must match) and `replaceFirst` with Java's replacement syntax.
///
/// The engine is ICU's (through `NSRegularExpression`), whose syntax follows Java's: groups, named
/// groups `(?<name>…)`, lookahead and lookbehind, possessive and lazy quantifiers, `\Q…\E`, embedded
/// flags `(?i)`, `\p{…}` classes including the `java…` ones. Known differences: `\w`, `\d`, `\b` and
/// the POSIX classes are Unicode-aware in ICU but ASCII-only in Java by default, and error messages
/// differ from Java's `PatternSyntaxException` text.
final class JavaPattern: @unchecked Sendable, CustomStringConvertible {
    /// A pattern that does not compile.
    struct SyntaxError: Error, Sendable {
        /// Why it does not compile.
        let reason: String
    }

    /// The pattern as given.
    let pattern: String
    /// Capturing groups in the pattern.
    let groupCount: Int
    /// Names of the named groups.
    let groupNames: Set<String>
    private let findExpression: NSRegularExpression
    private let wholeExpression: NSRegularExpression

    /// Compiles a pattern.
    /// - Throws: ``SyntaxError`` with the parser's explanation.
    init(_ pattern: String) throws(SyntaxError) {
        self.pattern = pattern
        do {
            findExpression = try NSRegularExpression(pattern: pattern)
            // Java's matches(): the whole input, with backtracking into alternatives ("a|ab" matches "ab").
            var body = pattern
            if let quote = body.range(of: "\\Q", options: .backwards),
                body.range(of: "\\E", range: quote.upperBound..<body.endIndex) == nil
            {
                body += "\\E"
            }
            wholeExpression = try NSRegularExpression(pattern: "(?:" + body + ")\\z")
        } catch {
            throw SyntaxError(reason: Self.explain(pattern))
        }
        groupCount = findExpression.numberOfCaptureGroups
        groupNames = Self.namedGroups(in: pattern)
    }

    var description: String { pattern }

    /// Java's `matcher(text).matches()`.
    func matches(_ text: String) -> Bool {
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return wholeExpression.firstMatch(in: text, options: [.anchored], range: range) != nil
    }

    /// Java's `matcher(text).replaceFirst(replacement)`: the first match found from the start is
    /// replaced; text without a match is returned unchanged.
    func replaceFirst(in text: String, with replacement: JavaReplacement) -> String {
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        guard let match = findExpression.firstMatch(in: text, range: range),
            let matched = Range(match.range, in: text)
        else { return text }
        var output = String(text[..<matched.lowerBound])
        for segment in replacement.segments {
            switch segment {
            case .literal(let literal):
                output += literal
            case .group(let index):
                if let groupRange = Range(match.range(at: index), in: text) { output += text[groupRange] }
            case .namedGroup(let name):
                if let groupRange = Range(match.range(withName: name), in: text) { output += text[groupRange] }
            }
        }
        output += text[matched.upperBound...]
        return output
    }

    /// A human-readable reason why a pattern does not compile (from Swift's regex parser, whose
    /// diagnostics are more helpful than ICU's).
    private static func explain(_ pattern: String) -> String {
        do {
            _ = try Regex(pattern)
        } catch {
            return "\(error)"
        }
        return "the pattern is not a valid regular expression"
    }

    /// Names declared with `(?<name>…)` (not `(?<=` / `(?<!` lookbehinds).
    private static func namedGroups(in pattern: String) -> Set<String> {
        var names: Set<String> = []
        let characters = Array(pattern)
        var index = 0
        var inClass = false
        while index < characters.count {
            let character = characters[index]
            if character == "\\" {
                index += 2
                continue
            }
            if character == "[" { inClass = true }
            if character == "]" { inClass = false }
            if !inClass, character == "(", index + 3 < characters.count, characters[index + 1] == "?",
                characters[index + 2] == "<", characters[index + 3] != "=", characters[index + 3] != "!"
            {
                var end = index + 3
                var name = ""
                while end < characters.count, characters[end] != ">" {
                    name.append(characters[end])
                    end += 1
                }
                names.insert(name)
                index = end
            }
            index += 1
        }
        return names
    }
}

/// A replacement string in Java's `Matcher.appendReplacement` syntax, parsed once against a pattern:
/// `$n` (the longest group number that exists, as Java reads digits), `${name}`, `\` escaping the
/// next character; everything else literal.
struct JavaReplacement: Sendable, Hashable {
    enum Segment: Sendable, Hashable {
        case literal(String)
        case group(Int)
        case namedGroup(String)
    }

    /// A replacement Java would reject when applied; the message is Java's.
    struct SyntaxError: Error, Sendable {
        let reason: String
    }

    let segments: [Segment]

    /// Parses `replacement` for a pattern with `groupCount` groups and the given group names.
    /// - Throws: ``SyntaxError`` (`No group 2`, `character to be escaped is missing`, …).
    init(_ replacement: String, groupCount: Int, groupNames: Set<String>) throws(SyntaxError) {
        var segments: [Segment] = []
        var literal = ""
        let characters = Array(replacement)
        var cursor = 0
        func flush() {
            if !literal.isEmpty {
                segments.append(.literal(literal))
                literal = ""
            }
        }
        while cursor < characters.count {
            let character = characters[cursor]
            if character == "\\" {
                cursor += 1
                guard cursor < characters.count else {
                    throw SyntaxError(reason: "character to be escaped is missing")
                }
                literal.append(characters[cursor])
                cursor += 1
            } else if character == "$" {
                cursor += 1
                guard cursor < characters.count else {
                    throw SyntaxError(reason: "Illegal group reference: group index is missing")
                }
                if characters[cursor] == "{" {
                    cursor += 1
                    var name = ""
                    while cursor < characters.count, characters[cursor].isASCII,
                        characters[cursor].isLetter || characters[cursor].isNumber
                    {
                        name.append(characters[cursor])
                        cursor += 1
                    }
                    guard !name.isEmpty else {
                        throw SyntaxError(reason: "named capturing group has 0 length name")
                    }
                    guard cursor < characters.count, characters[cursor] == "}" else {
                        throw SyntaxError(reason: "named capturing group is missing trailing '}'")
                    }
                    cursor += 1
                    guard groupNames.contains(name) else { throw SyntaxError(reason: "No group with name {\(name)}") }
                    flush()
                    segments.append(.namedGroup(name))
                } else {
                    guard characters[cursor].isASCII, let first = characters[cursor].wholeNumberValue else {
                        throw SyntaxError(reason: "Illegal group reference")
                    }
                    var reference = first
                    cursor += 1
                    while cursor < characters.count, characters[cursor].isASCII,
                        let digit = characters[cursor].wholeNumberValue
                    {
                        let next = reference * 10 + digit
                        if next > groupCount { break }
                        reference = next
                        cursor += 1
                    }
                    guard reference <= groupCount else { throw SyntaxError(reason: "No group \(reference)") }
                    flush()
                    segments.append(.group(reference))
                }
            } else {
                literal.append(character)
                cursor += 1
            }
        }
        flush()
        self.segments = segments
    }
}

/// A bounded memo of a pure function of a topic name (regex results), so that a stream of records
/// with few distinct topics runs each regex once per topic. Cleared when it reaches its capacity.
final class TopicMemo<Value: Sendable>: Sendable {
    private let entries = Mutex<[String: Value]>([:])
    private let capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    func value(for topic: String, compute: (String) -> Value) -> Value {
        if let cached = entries.withLock({ $0[topic] }) { return cached }
        let computed = compute(topic)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[topic] = computed
        }
        return computed
    }
}

/// The wall clock in milliseconds since the epoch.
func wallClockMillis() -> Int64 {
    Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
}
