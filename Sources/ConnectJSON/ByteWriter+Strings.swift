// Strings and bytes as Jackson writes them (jackson-core 2.16 `UTF8JsonGenerator`, `CharTypes`
// `sOutputEscapes128`): `"` and `\` are backslash-escaped; the control characters U+0000…U+001F use the
// short forms `\b \t \n \f \r` where they exist and `\u00XX` with upper-case hex otherwise (the default
// `WRITE_HEX_UPPER_CASE`); everything else, including `/`, DEL and all non-ASCII text, is written as raw
// UTF-8. Binary values are standard Base64 with `=` padding and no line breaks (Jackson's default
// `MIME-NO-LINEFEEDS` variant).

private let hexDigits: StaticString = "0123456789ABCDEF"

let base64Alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

extension ByteWriter {
    /// Appends a JSON string literal.
    @inline(__always)
    mutating func appendString(_ string: String) {
        // Borrowing the UTF-8 of native and small strings avoids the copy (and retain) that the mutating
        // `withUTF8` needs; bridged or otherwise foreign strings take that path.
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { appendString(utf8: $0) }
        if done == nil {
            var string = string
            string.withUTF8 { appendString(utf8: $0) }
        }
    }

    /// Appends a JSON string literal for UTF-8 text: one pass that copies and checks together, eight
    /// bytes at a time while none needs escaping.
    mutating func appendString(utf8 text: UnsafeBufferPointer<UInt8>) {
        let count = text.count
        guard let source = text.baseAddress, count > 0 else {
            append(UInt8(ascii: "\""), UInt8(ascii: "\""))
            return
        }
        reserve(count &+ 2)
        var output = unsafeTail(reserving: count &+ 2)
        output[0] = UInt8(ascii: "\"")
        var written = 1
        var index = 0
        while index < count {
            if index &+ 8 <= count {
                let raw = UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self)
                let word = UInt64(littleEndian: raw)
                let quote = word ^ 0x2222_2222_2222_2222
                let backslash = word ^ 0x5C5C_5C5C_5C5C_5C5C
                // Quotes, backslashes and control characters; bytes >= 0x80 (UTF-8 sequences) may be
                // flagged by the subtractions, and masking with ~word clears them.
                let special =
                    ((quote &- 0x0101_0101_0101_0101) & ~quote) | ((backslash &- 0x0101_0101_0101_0101) & ~backslash)
                    | ((word &- 0x2020_2020_2020_2020) & ~word)
                if special & ~word & 0x8080_8080_8080_8080 == 0 {
                    UnsafeMutableRawPointer(output + written).storeBytes(of: raw, as: UInt64.self)
                    written &+= 8
                    index &+= 8
                    continue
                }
            }
            let byte = source[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                advance(by: written)
                appendEscape(byte)
                // The escape may have moved the buffer: continue after it with room for the rest.
                output = unsafeTail(reserving: count &- index &+ 1)
                written = 0
            } else {
                output[written] = byte
                written &+= 1
            }
            index &+= 1
        }
        output[written] = UInt8(ascii: "\"")
        advance(by: written &+ 1)
    }

    private mutating func appendEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): append(UInt8(ascii: "\\"), UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): append(UInt8(ascii: "\\"), UInt8(ascii: "\\"))
        case 0x08: append(UInt8(ascii: "\\"), UInt8(ascii: "b"))
        case 0x09: append(UInt8(ascii: "\\"), UInt8(ascii: "t"))
        case 0x0A: append(UInt8(ascii: "\\"), UInt8(ascii: "n"))
        case 0x0C: append(UInt8(ascii: "\\"), UInt8(ascii: "f"))
        case 0x0D: append(UInt8(ascii: "\\"), UInt8(ascii: "r"))
        default:
            reserve(6)
            let hex = hexDigits.utf8Start
            appendUnchecked(UInt8(ascii: "\\"))
            appendUnchecked(UInt8(ascii: "u"))
            appendUnchecked(UInt8(ascii: "0"))
            appendUnchecked(UInt8(ascii: "0"))
            appendUnchecked(hex[Int(byte >> 4)])
            appendUnchecked(hex[Int(byte & 0xF)])
        }
    }

    /// Appends bytes as a JSON string of their Base64 encoding.
    mutating func appendBase64String(_ bytes: [UInt8]) {
        let encodedLength = (bytes.count + 2) / 3 * 4
        let tail = unsafeTail(reserving: encodedLength + 2)
        tail[0] = UInt8(ascii: "\"")
        base64Alphabet.withUnsafeBufferPointer { alphabet in
            bytes.withUnsafeBufferPointer { input in
                var out = 1
                var position = 0
                let count = input.count
                while position + 3 <= count {
                    let chunk =
                        UInt32(input[position]) << 16 | UInt32(input[position + 1]) << 8 | UInt32(input[position + 2])
                    tail[out] = alphabet[Int(chunk >> 18 & 63)]
                    tail[out + 1] = alphabet[Int(chunk >> 12 & 63)]
                    tail[out + 2] = alphabet[Int(chunk >> 6 & 63)]
                    tail[out + 3] = alphabet[Int(chunk & 63)]
                    out += 4
                    position += 3
                }
                let remaining = count - position
                if remaining > 0 {
                    let chunk = UInt32(input[position]) << 16 | (remaining == 2 ? UInt32(input[position + 1]) << 8 : 0)
                    tail[out] = alphabet[Int(chunk >> 18 & 63)]
                    tail[out + 1] = alphabet[Int(chunk >> 12 & 63)]
                    tail[out + 2] = remaining == 2 ? alphabet[Int(chunk >> 6 & 63)] : UInt8(ascii: "=")
                    tail[out + 3] = UInt8(ascii: "=")
                }
            }
        }
        tail[encodedLength + 1] = UInt8(ascii: "\"")
        advance(by: encodedLength + 2)
    }
}

/// Decodes standard Base64 as Jackson's default variant does when reading a `bytes` value: padding is
/// required, whitespace (any character up to U+0020) is skipped before each four-character group.
/// - Returns: The bytes, or `nil` for invalid input.
func decodeBase64(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
    var output: [UInt8] = []
    output.reserveCapacity(text.count / 4 * 3)
    var index = 0
    let count = text.count
    func value(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt32(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt32(byte - UInt8(ascii: "a") + 26)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0") + 52)
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
    while true {
        while index < count && text[index] <= 0x20 { index += 1 }
        if index >= count { return output }
        guard index + 4 <= count else { return nil }
        guard let first = value(text[index]), let second = value(text[index + 1]) else { return nil }
        let third = text[index + 2]
        let fourth = text[index + 3]
        index += 4
        if third == UInt8(ascii: "=") {
            guard fourth == UInt8(ascii: "=") else { return nil }
            output.append(UInt8(truncatingIfNeeded: first << 2 | second >> 4))
            while index < count && text[index] <= 0x20 { index += 1 }
            return index == count ? output : nil
        }
        guard let thirdValue = value(third) else { return nil }
        if fourth == UInt8(ascii: "=") {
            output.append(UInt8(truncatingIfNeeded: first << 2 | second >> 4))
            output.append(UInt8(truncatingIfNeeded: second << 4 | thirdValue >> 2))
            while index < count && text[index] <= 0x20 { index += 1 }
            return index == count ? output : nil
        }
        guard let fourthValue = value(fourth) else { return nil }
        let chunk = first << 18 | second << 12 | thirdValue << 6 | fourthValue
        output.append(UInt8(truncatingIfNeeded: chunk >> 16))
        output.append(UInt8(truncatingIfNeeded: chunk >> 8))
        output.append(UInt8(truncatingIfNeeded: chunk))
    }
}
