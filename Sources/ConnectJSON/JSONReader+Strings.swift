extension JSONReader {
    /// Where a string's content lies in the input (between the quotes, escapes not yet resolved).
    struct StringSpan {
        var start: Int
        var end: Int
        var hasEscapes: Bool
    }

    /// Scans a string starting at the opening quote, validating escapes and UTF-8; leaves the reader
    /// after the closing quote.
    mutating func scanString() throws(JSONFailure) -> StringSpan {
        let quote = position
        position &+= 1
        let start = position
        var hasEscapes = false
        var highBits: UInt8 = 0
        while true {
            // Eight bytes at a time while none is a quote, a backslash, a control character or non-ASCII
            // (little-endian loads: the first byte is the lowest).
            while position &+ 8 <= end {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
                let quote = word ^ 0x2222_2222_2222_2222
                let backslash = word ^ 0x5C5C_5C5C_5C5C_5C5C
                let special =
                    ((quote &- 0x0101_0101_0101_0101) & ~quote) | ((backslash &- 0x0101_0101_0101_0101) & ~backslash)
                    | ((word &- 0x2020_2020_2020_2020) & ~word) | word
                let flagged = special & 0x8080_8080_8080_8080
                if flagged != 0 {
                    // The lowest flagged byte is exact (borrows only flag bytes above a real match).
                    position &+= flagged.trailingZeroBitCount &>> 3
                    break
                }
                position &+= 8
            }
            guard position < end else {
                throw .syntax("Unexpected end-of-input in a String value starting at offset \(quote)")
            }
            let byte = base[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try validateEscape()
                continue
            }
            if byte < 0x20 {
                throw .syntax(
                    "Illegal unquoted character (CTRL-CHAR, code \(byte)) at offset \(position): has to be escaped using backslash to be included in string value"
                )
            }
            highBits |= byte
            position &+= 1
        }
        let span = StringSpan(start: start, end: position, hasEscapes: hasEscapes)
        position &+= 1
        if span.end - span.start > Self.maxStringLength {
            throw .syntax(
                "String value length (\(span.end - span.start)) exceeds the maximum allowed (\(Self.maxStringLength))"
            )
        }
        if highBits >= 0x80, let invalid = Self.firstInvalidUTF8(base, from: start, to: span.end) {
            throw .syntax(
                "Invalid UTF-8 byte 0x\(String(base[invalid], radix: 16, uppercase: true)) at offset \(invalid)"
            )
        }
        return span
    }

    /// Checks the escape at the current backslash and moves past it.
    private mutating func validateEscape() throws(JSONFailure) {
        guard position + 1 < end else { throw .syntax("Unexpected end-of-input in character escape sequence") }
        let escaped = base[position + 1]
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 2
        case UInt8(ascii: "u"):
            guard position + 6 <= end else { throw .syntax("Unexpected end-of-input in character escape sequence") }
            for offset in 2..<6 where Self.hexValue(base[position + offset]) == nil {
                throw .syntax(
                    "Unexpected character (code \(base[position + offset])) at offset \(position + offset): expected a hex-digit for character escape sequence"
                )
            }
            position += 6
        default:
            throw .syntax("Unrecognized character escape (code \(escaped)) at offset \(position + 1)")
        }
    }

    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The offset of the first byte that is not part of valid UTF-8 (no overlong forms, no surrogates,
    /// nothing above U+10FFFF), or `nil`.
    static func firstInvalidUTF8(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int? {
        var index = start
        while index < end {
            let lead = base[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lowerBound: UInt8 = 0x80
            var upperBound: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                lowerBound = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                upperBound = 0x9F
            case 0xF0:
                length = 4
                lowerBound = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                upperBound = 0x8F
            default: return index
            }
            guard index + length <= end else { return index }
            let second = base[index + 1]
            guard second >= lowerBound && second <= upperBound else { return index + 1 }
            for offset in 2..<length where base[index + offset] & 0xC0 != 0x80 { return index + offset }
            index += length
        }
        return nil
    }

    /// The string's bytes with escapes resolved (`\uD83D\uDE00` pairs combined; a lone surrogate, which
    /// Java strings allow but Swift's cannot hold, becomes U+FFFD).
    func unescapedBytes(_ span: StringSpan) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(span.end - span.start)
        var index = span.start
        func appendScalar(_ value: UInt32) {
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            output.append(contentsOf: UTF8.encode(scalar)!)
        }
        func hex4(_ at: Int) -> UInt32 {
            var value: UInt32 = 0
            for offset in 0..<4 { value = value << 4 | (Self.hexValue(base[at + offset]) ?? 0) }
            return value
        }
        while index < span.end {
            let byte = base[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            let escaped = base[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                let unit = hex4(index)
                index += 4
                if unit >= 0xD800 && unit < 0xDC00, index + 6 <= span.end, base[index] == UInt8(ascii: "\\"),
                    base[index + 1] == UInt8(ascii: "u")
                {
                    let low = hex4(index + 2)
                    if low >= 0xDC00 && low < 0xE000 {
                        index += 6
                        appendScalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                        continue
                    }
                }
                appendScalar(unit)
            default: output.append(escaped)  // \" \\ \/
            }
        }
        return output
    }

    /// The string's value.
    func makeString(_ span: StringSpan) -> String {
        if !span.hasEscapes {
            return String(
                decoding: UnsafeBufferPointer(start: base + span.start, count: span.end - span.start),
                as: UTF8.self
            )
        }
        return String(decoding: unescapedBytes(span), as: UTF8.self)
    }

    /// Whether the string's value equals `utf8` (without creating a `String` when there are no escapes).
    func string(_ span: StringSpan, equals utf8: [UInt8]) -> Bool {
        if span.hasEscapes { return unescapedBytes(span) == utf8 }
        let length = span.end - span.start
        guard length == utf8.count else { return false }
        return utf8.withUnsafeBufferPointer { expected in
            for index in 0..<length where base[span.start + index] != expected[index] { return false }
            return true
        }
    }
}
