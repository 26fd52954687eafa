/// Kafka's `Values.Parser`: splits text into tokens at the unescaped delimiters `: , { } [ ] "` (each
/// delimiter is a token of its own; a backslash escapes the next character), with marks to rewind to.
/// Works on UTF-8 bytes: the delimiters are ASCII, so they never occur inside a multi-byte character.
struct ValuesTokenizer {
    let original: String
    private let bytes: [UInt8]
    private(set) var position = 0
    private var nextToken: Range<Int>?
    private var previousToken: Range<Int>?

    init(_ text: String) {
        original = text
        bytes = Array(text.utf8)
    }

    /// The start of the token that would be returned next.
    var mark: Int { nextToken?.lowerBound ?? position }

    var hasNext: Bool { nextToken != nil || position < bytes.count }

    /// The text of the last token returned by ``next()``, if any.
    var previousText: String? { previousToken.map(text) }

    mutating func rewind(to mark: Int) {
        position = mark
        nextToken = nil
        previousToken = nil
    }

    mutating func next() -> Range<Int> {
        let token: Range<Int>
        if let pending = nextToken {
            token = pending
            nextToken = nil
        } else {
            token = consumeNextToken()
        }
        previousToken = token
        return token
    }

    /// The raw text of the next `count` tokens, or `nil` (and no tokens consumed) if there are fewer.
    mutating func next(count: Int) -> String? {
        let start = mark
        for _ in 0..<count {
            guard hasNext else {
                rewind(to: start)
                return nil
            }
            _ = next()
        }
        return text(start..<position)
    }

    /// Consumes the next non-blank token if its trimmed text is `expected`.
    mutating func canConsume(_ expected: String) -> Bool {
        if isNext(expected) {
            nextToken = nil
            return true
        }
        return false
    }

    private mutating func isNext(_ expected: String) -> Bool {
        if nextToken == nil {
            guard hasNext else { return false }
            nextToken = consumeNextToken()
        }
        while let token = nextToken, isBlank(token), position < bytes.count {
            nextToken = consumeNextToken()
        }
        return trimmedText(nextToken!) == expected
    }

    private mutating func consumeNextToken() -> Range<Int> {
        var escaped = false
        let start = position
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "\\"):
                escaped.toggle()
            case UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["),
                UInt8(ascii: "]"), UInt8(ascii: "\""):
                if !escaped {
                    if start < position { return start..<position }
                    position += 1
                    return start..<start + 1
                }
                escaped = false
            default:
                escaped = false
            }
            position += 1
        }
        return start..<position
    }

    func text(_ token: Range<Int>) -> String {
        String(decoding: bytes[token], as: UTF8.self)
    }

    /// Whether the token is empty or only characters up to U+0020 (Java's `String.trim().isEmpty()`).
    func isBlank(_ token: Range<Int>) -> Bool {
        bytes[token].allSatisfy { $0 <= 0x20 }
    }

    /// The token without leading and trailing characters up to U+0020 (Java's `String.trim()`).
    func trimmedText(_ token: Range<Int>) -> String {
        var lower = token.lowerBound
        var upper = token.upperBound
        while lower < upper && bytes[lower] <= 0x20 { lower += 1 }
        while upper > lower && bytes[upper - 1] <= 0x20 { upper -= 1 }
        return text(lower..<upper)
    }
}
