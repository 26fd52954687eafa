/// A byte-level JSON reader over UTF-8 input, with the grammar Kafka's JsonDeserializer accepts (Jackson
/// 2.16 defaults plus `ALLOW_LEADING_ZEROS_FOR_NUMBERS`): standard JSON, numbers may have leading zeros,
/// no comments, no single quotes, no `NaN` tokens, control characters in strings must be escaped, and
/// Jackson's default limits (nesting depth 1000, numbers of at most 1000 characters, strings of at most
/// 20,000,000 bytes). Unlike Jackson, content after the root value (other than whitespace) is rejected.
///
/// The reader does not build a tree: the decoders walk the input once, guided by the schema.
struct JSONReader {
    let base: UnsafePointer<UInt8>
    let end: Int
    var position: Int
    var depth = 0

    static let maxDepth = 1000
    static let maxNumberLength = 1000
    static let maxStringLength = 20_000_000

    init(_ buffer: UnsafeRawBufferPointer, start: Int = 0, end: Int? = nil) {
        // An empty buffer may have no address; any valid pointer will do as nothing is read from it.
        self.base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? JSONReader.emptyInput
        self.end = end ?? buffer.count
        self.position = start
    }

    nonisolated(unsafe) private static let emptyInput: UnsafePointer<UInt8> = {
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return UnsafePointer(pointer)
    }()

    // MARK: Bytes

    /// The byte at the current position, or 0 at the end.
    @inline(__always)
    var peek: UInt8 { position < end ? base[position] : 0 }

    var isAtEnd: Bool { position >= end }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < end {
            let byte = base[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position &+= 1
        }
    }

    /// Skips whitespace and returns the next byte (0 at the end) without consuming it.
    @inline(__always)
    mutating func nextToken() -> UInt8 {
        skipWhitespace()
        return peek
    }

    /// Skips whitespace and consumes `byte`, or fails naming what was expected.
    @inline(__always)
    mutating func expect(_ byte: UInt8, _ expected: @autoclosure () -> String) throws(JSONFailure) {
        skipWhitespace()
        guard position < end, base[position] == byte else { throw unexpected(expected()) }
        position &+= 1
    }

    /// Consumes `text` if the input continues with exactly these bytes (after whitespace).
    @inline(__always)
    mutating func consume(_ text: StaticString) -> Bool {
        skipWhitespace()
        let length = text.utf8CodeUnitCount
        guard end &- position >= length, Self.equalBytes(base + position, text.utf8Start, length) else { return false }
        position &+= length
        return true
    }

    /// After a member or element: consumes `,` (returns true) or the closing `close` (returns false).
    @inline(__always)
    mutating func continues(closing close: UInt8) throws(JSONFailure) -> Bool {
        skipWhitespace()
        if position < end {
            let byte = base[position]
            position &+= 1
            if byte == UInt8(ascii: ",") { return true }
            if byte == close { return false }
            position &-= 1
        }
        throw unexpected(close == UInt8(ascii: "}") ? "',' or '}'" : "',' or ']'")
    }

    func unexpected(_ expected: String) -> JSONFailure {
        guard position < end else {
            return .syntax("Unexpected end-of-input at offset \(position): expected \(expected)")
        }
        let byte = base[position]
        let shown: String
        if byte >= 0x20 && byte < 0x7F {
            shown = "'\(Character(Unicode.Scalar(byte)))' (code \(byte))"
        } else {
            shown = "(code \(byte))"
        }
        return .syntax("Unexpected character \(shown) at offset \(position): expected \(expected)")
    }

    /// Enters an object or array, enforcing the nesting limit.
    @inline(__always)
    mutating func enterContainer() throws(JSONFailure) {
        depth &+= 1
        if depth > Self.maxDepth {
            throw .syntax(
                "Document nesting depth (\(depth)) exceeds the maximum allowed (\(Self.maxDepth)) at offset \(position)"
            )
        }
    }

    @inline(__always)
    mutating func leaveContainer() {
        depth &-= 1
    }

    /// Kafka's node type names (Jackson's `JsonNodeType`) for the value starting at `byte`, as used in
    /// Kafka's error messages.
    static func nodeType(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "{"): "OBJECT"
        case UInt8(ascii: "["): "ARRAY"
        case UInt8(ascii: "\""): "STRING"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "BOOLEAN"
        case UInt8(ascii: "n"): "NULL"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): "NUMBER"
        default: "MISSING"
        }
    }

    // MARK: Literals

    /// Consumes `true`, `false` or `null` (the caller has seen the first letter).
    mutating func readLiteral() throws(JSONFailure) -> UInt8 {
        let first = base[position]
        let literal: StaticString =
            switch first {
            case UInt8(ascii: "t"): "true"
            case UInt8(ascii: "f"): "false"
            default: "null"
            }
        let length = literal.utf8CodeUnitCount
        guard end - position >= length else { throw unrecognizedToken() }
        let expected = literal.utf8Start
        for offset in 0..<length where base[position + offset] != expected[offset] {
            throw unrecognizedToken()
        }
        position += length
        return first
    }

    private func unrecognizedToken() -> JSONFailure {
        var tokenEnd = position
        while tokenEnd < end, tokenEnd - position < 32 {
            let byte = base[tokenEnd]
            guard
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            else { break }
            tokenEnd += 1
        }
        let token = String(
            decoding: UnsafeBufferPointer(start: base + position, count: max(tokenEnd - position, 1)),
            as: UTF8.self
        )
        return .syntax(
            "Unrecognized token '\(token)' at offset \(position): was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
        )
    }

    // MARK: Skipping

    /// Validates and skips one value.
    mutating func skipValue() throws(JSONFailure) {
        switch nextToken() {
        case UInt8(ascii: "{"):
            try enterContainer()
            position += 1
            if nextToken() == UInt8(ascii: "}") {
                position += 1
            } else {
                repeat {
                    guard nextToken() == UInt8(ascii: "\"") else { throw unexpected("a field name") }
                    _ = try scanString()
                    try expect(UInt8(ascii: ":"), "':'")
                    try skipValue()
                } while try continues(closing: UInt8(ascii: "}"))
            }
            leaveContainer()
        case UInt8(ascii: "["):
            try enterContainer()
            position += 1
            if nextToken() == UInt8(ascii: "]") {
                position += 1
            } else {
                repeat {
                    try skipValue()
                } while try continues(closing: UInt8(ascii: "]"))
            }
            leaveContainer()
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            _ = try readLiteral()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try scanNumber()
        default:
            throw unexpected("a value")
        }
    }

    /// Checks that only whitespace follows the root value.
    mutating func expectEnd() throws(JSONFailure) {
        skipWhitespace()
        if position < end { throw unexpected("end of input") }
    }
}
