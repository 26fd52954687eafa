/// An arbitrary-precision decimal: the in-memory value of Kafka's `Decimal` logical type (Java's
/// `BigDecimal`), `unscaled × 10^-scale`.
///
/// The unscaled integer is stored exactly as Connect encodes it: big-endian two's complement bytes of
/// minimal length (Java's `BigInteger.toByteArray()`), so encoding a decimal for the wire is free.
/// Equality is Java's `BigDecimal.equals`: value **and** scale (`2.0` ≠ `2.00`).
///
/// ```swift
/// let price = ConnectDecimal(unscaled: -12345, scale: 2)      // -123.45
/// price.unscaledBytes                                          // [0xCF, 0xC7]
/// ConnectDecimal("-123.45") == price                          // true
/// price.description                                            // "-123.45"
/// ```
public struct ConnectDecimal: Sendable, Hashable, CustomStringConvertible {
    /// The unscaled value as big-endian two's complement bytes of minimal length (at least one byte).
    public let unscaledBytes: [UInt8]
    /// The number of digits after the decimal point (negative: the unscaled value is multiplied by a
    /// power of ten).
    public let scale: Int32

    /// Creates a decimal from big-endian two's complement bytes of the unscaled value; the bytes are
    /// normalized to minimal length (an empty array is zero).
    public init(unscaledBytes: [UInt8], scale: Int32) {
        self.unscaledBytes = TwosComplement.minimal(unscaledBytes)
        self.scale = scale
    }

    /// Creates a decimal from a 64-bit unscaled value.
    public init(unscaled: Int64, scale: Int32 = 0) {
        self.init(unscaledBytes: TwosComplement.bytes(of: unscaled), scale: scale)
    }

    /// Parses a decimal number the way Java's `new BigDecimal(String)` does: optional sign, digits with
    /// an optional point, optional exponent (`1.5E+3` has unscaled 15, scale -2). The scale is the
    /// number of fraction digits minus the exponent, so `"1.50"` keeps scale 2.
    /// Returns `nil` if the text is not a decimal number.
    public init?(_ text: some StringProtocol) {
        var digits: [UInt8] = []
        var negative = false
        var fractionDigits = 0
        var exponent = 0
        var sawPoint = false
        var utf8 = Substring(text).utf8[...]
        if let first = utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            utf8 = utf8.dropFirst()
        }
        while let byte = utf8.first {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits.append(byte - UInt8(ascii: "0"))
                if sawPoint { fractionDigits += 1 }
            } else if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard let parsed = Int(Substring(utf8.dropFirst())) else { return nil }
                exponent = parsed
                utf8 = utf8[utf8.endIndex...]
                break
            } else {
                return nil
            }
            utf8 = utf8.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        let scale = fractionDigits - exponent
        guard let scale32 = Int32(exactly: scale) else { return nil }
        let magnitude = BigMagnitude(decimalDigits: digits)
        self.init(unscaledBytes: TwosComplement.bytes(magnitude: magnitude, negative: negative), scale: scale32)
    }

    /// Whether the value is below zero.
    public var isNegative: Bool { unscaledBytes[0] & 0x80 != 0 }

    /// Whether the value is zero (at any scale).
    public var isZero: Bool { unscaledBytes == [0] }

    /// The unscaled value if it fits in 64 bits.
    public var unscaledInt64: Int64? {
        guard unscaledBytes.count <= 8 else { return nil }
        var value: Int64 = isNegative ? -1 : 0
        for byte in unscaledBytes { value = (value << 8) | Int64(byte) }
        return value
    }

    /// The unscaled value's absolute value in decimal digits, without sign.
    public var unscaledDigits: String {
        TwosComplement.magnitude(of: unscaledBytes).decimalString
    }

    /// The value as Java's `BigDecimal.toString()` renders it: plain notation when the scale is not
    /// negative and the adjusted exponent is at least -6 (`-123.45`, `0.000001`), scientific otherwise
    /// (`1.2E+5`, `1E-7`).
    public var description: String {
        let digits = unscaledDigits
        let sign = isNegative ? "-" : ""
        let adjusted = -Int(scale) + (digits.count - 1)
        if scale >= 0 && adjusted >= -6 {
            return sign + Self.plain(digits: digits, scale: Int(scale))
        }
        var text = sign + String(digits.first!)
        if digits.count > 1 { text += "." + digits.dropFirst() }
        if adjusted != 0 { text += "E" + (adjusted > 0 ? "+" : "") + String(adjusted) }
        return text
    }

    /// The value in plain notation, never scientific (Java's `BigDecimal.toPlainString()`).
    public var plainString: String {
        let digits = unscaledDigits
        let sign = isNegative ? "-" : ""
        if scale <= 0 {
            if digits == "0" { return "0" }
            return sign + digits + String(repeating: "0", count: Int(-scale))
        }
        return sign + Self.plain(digits: digits, scale: Int(scale))
    }

    /// The nearest `Double` (may lose precision).
    public var doubleValue: Double {
        Double(description) ?? .nan
    }

    private static func plain(digits: String, scale: Int) -> String {
        if scale == 0 { return digits }
        if digits.count > scale {
            let split = digits.index(digits.endIndex, offsetBy: -scale)
            return digits[..<split] + "." + digits[split...]
        }
        return "0." + String(repeating: "0", count: scale - digits.count) + digits
    }
}

// MARK: - Big integer helpers

/// Conversions between two's complement byte arrays and magnitudes.
enum TwosComplement {
    /// Strips redundant sign-extension bytes; an empty array becomes `[0]`.
    static func minimal(_ bytes: [UInt8]) -> [UInt8] {
        guard !bytes.isEmpty else { return [0] }
        var start = 0
        while start < bytes.count - 1 {
            let byte = bytes[start]
            let nextHigh = bytes[start + 1] & 0x80
            if (byte == 0x00 && nextHigh == 0) || (byte == 0xFF && nextHigh != 0) {
                start += 1
            } else {
                break
            }
        }
        return start == 0 ? bytes : Array(bytes[start...])
    }

    /// The minimal two's complement bytes of an `Int64`.
    static func bytes(of value: Int64) -> [UInt8] {
        let bigEndian = value.bigEndian
        let bytes = withUnsafeBytes(of: bigEndian) { Array($0) }
        return minimal(bytes)
    }

    /// The minimal two's complement bytes of `±magnitude`.
    static func bytes(magnitude: BigMagnitude, negative: Bool) -> [UInt8] {
        var bytes: [UInt8] = [0]  // leading sign byte, removed by `minimal` when redundant
        bytes.append(contentsOf: magnitude.bigEndianBytes)
        if negative && !magnitude.isZero { negate(&bytes) }
        return minimal(bytes)
    }

    /// The absolute value of a two's complement number.
    static func magnitude(of bytes: [UInt8]) -> BigMagnitude {
        guard let first = bytes.first, first & 0x80 != 0 else { return BigMagnitude(bigEndianBytes: bytes) }
        var positive = bytes
        negate(&positive)
        // -2^(8n-1) negates to itself; read it as unsigned.
        return BigMagnitude(bigEndianBytes: positive)
    }

    /// Two's complement negation in place (invert, add one).
    private static func negate(_ bytes: inout [UInt8]) {
        var carry = true
        for position in bytes.indices.reversed() {
            let inverted = ~bytes[position]
            if carry {
                let (sum, overflow) = inverted.addingReportingOverflow(1)
                bytes[position] = sum
                carry = overflow
            } else {
                bytes[position] = inverted
            }
        }
    }
}

/// A non-negative integer of any size, as little-endian 32-bit limbs; just enough arithmetic for
/// decimal text conversion.
struct BigMagnitude {
    /// Little-endian limbs without trailing zero limbs (empty is zero).
    private(set) var limbs: [UInt32]

    init(bigEndianBytes bytes: [UInt8]) {
        limbs = []
        var limb: UInt32 = 0
        var shift: UInt32 = 0
        for byte in bytes.reversed() {
            limb |= UInt32(byte) << shift
            shift += 8
            if shift == 32 {
                limbs.append(limb)
                limb = 0
                shift = 0
            }
        }
        if shift > 0 { limbs.append(limb) }
        trim()
    }

    /// Builds a magnitude from decimal digit values (0…9), most significant first.
    init(decimalDigits digits: [UInt8]) {
        limbs = []
        var position = 0
        // Consume the digits nine at a time: multiply by 10^9 and add the chunk.
        let firstChunk = digits.count % 9 == 0 ? 9 : digits.count % 9
        var chunkLength = firstChunk
        while position < digits.count {
            var chunk: UInt32 = 0
            var multiplier: UInt32 = 1
            for offset in 0..<chunkLength {
                chunk = chunk * 10 + UInt32(digits[position + offset])
                multiplier *= 10
            }
            multiplyAdd(multiplier: multiplier, addend: chunk)
            position += chunkLength
            chunkLength = 9
        }
        trim()
    }

    var isZero: Bool { limbs.isEmpty }

    /// Big-endian bytes without leading zeros (empty for zero).
    var bigEndianBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(limbs.count * 4)
        for limb in limbs.reversed() {
            bytes.append(UInt8(truncatingIfNeeded: limb >> 24))
            bytes.append(UInt8(truncatingIfNeeded: limb >> 16))
            bytes.append(UInt8(truncatingIfNeeded: limb >> 8))
            bytes.append(UInt8(truncatingIfNeeded: limb))
        }
        let firstNonZero = bytes.firstIndex { $0 != 0 } ?? bytes.endIndex
        return Array(bytes[firstNonZero...])
    }

    /// The decimal digits ("0" for zero).
    var decimalString: String {
        if limbs.isEmpty { return "0" }
        var remaining = self
        var chunks: [UInt32] = []
        while !remaining.isZero { chunks.append(remaining.divide(by: 1_000_000_000)) }
        var text = String(chunks.last!)
        for chunk in chunks.dropLast().reversed() {
            let part = String(chunk)
            text += String(repeating: "0", count: 9 - part.count) + part
        }
        return text
    }

    private mutating func multiplyAdd(multiplier: UInt32, addend: UInt32) {
        var carry = UInt64(addend)
        for position in limbs.indices {
            let product = UInt64(limbs[position]) * UInt64(multiplier) + carry
            limbs[position] = UInt32(truncatingIfNeeded: product)
            carry = product >> 32
        }
        if carry > 0 { limbs.append(UInt32(carry)) }
    }

    /// Divides in place and returns the remainder.
    private mutating func divide(by divisor: UInt32) -> UInt32 {
        var remainder: UInt64 = 0
        for position in limbs.indices.reversed() {
            let dividend = (remainder << 32) | UInt64(limbs[position])
            limbs[position] = UInt32(dividend / UInt64(divisor))
            remainder = dividend % UInt64(divisor)
        }
        trim()
        return UInt32(remainder)
    }

    private mutating func trim() {
        while let last = limbs.last, last == 0 { limbs.removeLast() }
    }
}
