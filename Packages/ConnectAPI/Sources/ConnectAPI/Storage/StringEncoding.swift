/// The Java character sets ``StringConverter`` supports for `converter.encoding`, with Java's
/// behaviour for text that does not fit: characters an encoding cannot represent are written as `?`,
/// and malformed input decodes to U+FFFD (what `String.getBytes(Charset)` and `new String(bytes,
/// Charset)` do).
enum StringEncoding: Sendable, Hashable {
    case utf8
    case iso8859_1
    case usASCII
    /// UTF-16 with a big-endian byte order mark on output; input byte order from a BOM, else big-endian.
    case utf16
    case utf16BE
    case utf16LE

    /// The encoding for a Java charset name or alias (case-insensitive), or `nil` if unsupported.
    init?(javaName: String) {
        switch javaName.lowercased() {
        case "utf-8", "utf8", "unicode-1-1-utf-8": self = .utf8
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "iso8859_1", "iso_8859_1", "8859_1", "latin1", "l1",
            "cp819", "ibm819", "ibm-819", "csisolatin1", "iso-ir-100", "iso_8859-1:1987", "819":
            self = .iso8859_1
        case "us-ascii", "ascii", "us", "iso646-us", "ascii7", "646", "cp367", "ibm367", "default", "csascii",
            "ansi_x3.4-1968", "ansi_x3.4-1986", "iso-ir-6", "iso_646.irv:1991", "iso_646.irv:1983":
            self = .usASCII
        case "utf-16", "utf16", "unicode": self = .utf16
        case "utf-16be", "utf_16be", "x-utf-16be", "iso-10646-ucs-2", "unicodebigunmarked": self = .utf16BE
        case "utf-16le", "utf_16le", "x-utf-16le", "unicodelittleunmarked": self = .utf16LE
        default: return nil
        }
    }

    func encode(_ string: String) -> [UInt8] {
        switch self {
        case .utf8:
            return Array(string.utf8)
        case .iso8859_1, .usASCII:
            let limit: UInt32 = self == .usASCII ? 0x7F : 0xFF
            var bytes: [UInt8] = []
            bytes.reserveCapacity(string.utf8.count)
            for scalar in string.unicodeScalars {
                bytes.append(scalar.value <= limit ? UInt8(scalar.value) : UInt8(ascii: "?"))
            }
            return bytes
        case .utf16, .utf16BE, .utf16LE:
            var bytes: [UInt8] = self == .utf16 ? [0xFE, 0xFF] : []
            bytes.reserveCapacity(bytes.count + string.utf16.count * 2)
            let littleEndian = self == .utf16LE
            for unit in string.utf16 {
                let high = UInt8(unit >> 8)
                let low = UInt8(unit & 0xFF)
                if littleEndian {
                    bytes.append(low)
                    bytes.append(high)
                } else {
                    bytes.append(high)
                    bytes.append(low)
                }
            }
            return bytes
        }
    }

    func decode(_ bytes: [UInt8]) -> String {
        switch self {
        case .utf8:
            return String(decoding: bytes, as: UTF8.self)
        case .iso8859_1:
            var scalars = String.UnicodeScalarView()
            for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
            return String(scalars)
        case .usASCII:
            var scalars = String.UnicodeScalarView()
            for byte in bytes { scalars.append(byte < 0x80 ? Unicode.Scalar(byte) : "\u{FFFD}") }
            return String(scalars)
        case .utf16, .utf16BE, .utf16LE:
            var littleEndian = self == .utf16LE
            var start = 0
            if self == .utf16 && bytes.count >= 2 {
                if bytes[0] == 0xFE && bytes[1] == 0xFF {
                    start = 2
                } else if bytes[0] == 0xFF && bytes[1] == 0xFE {
                    start = 2
                    littleEndian = true
                }
            }
            var units: [UInt16] = []
            units.reserveCapacity((bytes.count - start) / 2)
            var position = start
            while position + 1 < bytes.count {
                let first = UInt16(bytes[position])
                let second = UInt16(bytes[position + 1])
                units.append(littleEndian ? (second << 8 | first) : (first << 8 | second))
                position += 2
            }
            var text = String(decoding: units, as: UTF16.self)
            if position < bytes.count { text.append("\u{FFFD}") }  // odd trailing byte
            return text
        }
    }
}
