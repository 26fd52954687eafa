#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Numbers as Jackson writes them for Kafka's JsonConverter: integers in decimal; `float`/`double` with
// Java's `Float.toString`/`Double.toString` (Jackson 2.16's `NumberOutput.toString(v, false)`, the
// default without `USE_FAST_DOUBLE_WRITER`; see jackson-core `UTF8JsonGenerator.writeNumber(double)`).
// The digits follow the JDK 19+ specification of `Double.toString` (Raffaello Giulietti's algorithm,
// JDK-4511638): the shortest decimal that rounds to the value, closest to it among equally short ones;
// plain notation for 10^-3 <= |v| < 10^7 with at least one digit after the point (`100.0`, `0.001`),
// otherwise `d.dddE±n` (`1.0E7`, `1.0E-4`, `-1.5E-300`). Kafka 3.9's images run JDK 21, so this is what
// they emit; JDK 8-17 occasionally printed a longer digit string (e.g. `2.0E-3` is the same, but
// `1.0E23` printed as `1.0E23` and 2^-1074 as `4.9E-324` in both). Non-finite values are not numbers in
// JSON: Jackson's default `QUOTE_NON_NUMERIC_NUMBERS` writes them as the strings "NaN", "Infinity" and
// "-Infinity" (handled by the caller).

/// "00", "01", …, "99" back to back.
private let digitPairs: StaticString = """
    00010203040506070809101112131415161718192021222324252627282930313233343536373839\
    40414243444546474849505152535455565758596061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899
    """

extension ByteWriter {
    /// Appends a signed integer in decimal.
    @inline(__always)
    mutating func appendInteger(_ value: Int64) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            appendUnsigned(value.magnitude)
        } else {
            appendUnsigned(UInt64(value))
        }
    }

    /// Appends an unsigned integer in decimal.
    mutating func appendUnsigned(_ value: UInt64) {
        if value < 10 {
            append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value))
            return
        }
        var length = 2
        var threshold: UInt64 = 100
        while length < 20 && value >= threshold {
            length &+= 1
            threshold = threshold &* 10
        }
        let tail = unsafeTail(reserving: length)
        // Two digits per division, from a literal table (no lazily initialized global).
        let pairs = digitPairs.utf8Start
        var remaining = value
        var position = length
        while remaining >= 100 {
            let pair = Int(truncatingIfNeeded: remaining % 100) &* 2
            remaining /= 100
            position &-= 2
            tail[position] = pairs[pair]
            tail[position &+ 1] = pairs[pair &+ 1]
        }
        if remaining >= 10 {
            let pair = Int(truncatingIfNeeded: remaining) &* 2
            tail[0] = pairs[pair]
            tail[1] = pairs[pair &+ 1]
        } else {
            tail[0] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: remaining)
        }
        advance(by: length)
    }

    /// Appends a finite `Double` as Java's `Double.toString` renders it.
    mutating func appendJavaDouble(_ value: Double) {
        if value == 0 {
            if value.sign == .minus { append(UInt8(ascii: "-")) }
            append(ascii: "0.0")
            return
        }
        if value.sign == .minus { append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        let plain = magnitude >= 1e-3 && magnitude < 1e7
        if plain && appendShortPlainDouble(magnitude) { return }
        var digits = ShortestDigits(magnitude.description)
        if digits.count == 1 && value.isSubnormal { digits = ShortestDigits(twoDigitsOf: magnitude) }
        appendJavaStyle(digits, magnitudeIsPlain: plain)
    }

    /// Fast path for positive values in Java's plain range with at most 15 significant digits (most
    /// human-scale numbers): the fewest fraction digits k for which round(v × 10^k) / 10^k == v. With at
    /// most 15 digits there is only one such decimal per k (DBL_DIG), the floating-point product is
    /// close enough to it to round to it, and the division is correctly rounded (both operands exact),
    /// so this is exactly the shortest representation Java prints.
    private mutating func appendShortPlainDouble(_ magnitude: Double) -> Bool {
        var scale = 1.0
        for fractionDigits in 0...15 {
            let scaled = magnitude * scale
            if scaled >= 1e15 { return false }
            // Round half up by truncation (no libm call); scaled is below 2^53.
            let candidate = Double(Int64(scaled + 0.5))
            if candidate / scale == magnitude {
                appendPlain(UInt64(Int64(candidate)), fractionDigits: fractionDigits)
                return true
            }
            scale *= 10
        }
        return false
    }

    /// `digits` with a decimal point `fractionDigits` from the right (`0.0025`, `12.5`, `100.0`).
    private mutating func appendPlain(_ digits: UInt64, fractionDigits: Int) {
        if fractionDigits == 0 {
            appendUnsigned(digits)
            append(UInt8(ascii: "."), UInt8(ascii: "0"))
            return
        }
        var divisor: UInt64 = 1
        for _ in 0..<fractionDigits { divisor *= 10 }
        appendUnsigned(digits / divisor)
        append(UInt8(ascii: "."))
        let fraction = digits % divisor
        // Leading zeros of the fraction, then its digits.
        var threshold = divisor / 10
        while threshold > 1 && fraction < threshold {
            append(UInt8(ascii: "0"))
            threshold /= 10
        }
        appendUnsigned(fraction)
    }

    /// Appends a finite `Float` as Java's `Float.toString` renders it.
    mutating func appendJavaFloat(_ value: Float) {
        if value == 0 {
            if value.sign == .minus { append(UInt8(ascii: "-")) }
            append(ascii: "0.0")
            return
        }
        var digits = ShortestDigits(value.magnitude.description)
        if digits.count == 1 && value.isSubnormal { digits = ShortestDigits(twoDigitsOf: Double(value.magnitude)) }
        if value.sign == .minus { append(UInt8(ascii: "-")) }
        appendJavaStyle(digits, magnitudeIsPlain: value.magnitude >= 1e-3 && value.magnitude < 1e7)
    }

    private mutating func appendJavaStyle(_ digits: ShortestDigits, magnitudeIsPlain plain: Bool) {
        // value = 0.d1d2…dn × 10^pointPosition
        let count = digits.count
        let point = digits.pointPosition
        reserve(count + 12)
        withUnsafeBytes(of: digits.storage) { raw in
            let digit = raw.bindMemory(to: UInt8.self)
            if plain {
                if point <= 0 {
                    append(ascii: "0.")
                    for _ in 0 ..< -point { appendUnchecked(UInt8(ascii: "0")) }
                    for index in 0..<count { appendUnchecked(digit[index]) }
                } else if point >= count {
                    for index in 0..<count { appendUnchecked(digit[index]) }
                    for _ in 0..<point - count { appendUnchecked(UInt8(ascii: "0")) }
                    appendUnchecked(UInt8(ascii: "."))
                    appendUnchecked(UInt8(ascii: "0"))
                } else {
                    for index in 0..<point { appendUnchecked(digit[index]) }
                    appendUnchecked(UInt8(ascii: "."))
                    for index in point..<count { appendUnchecked(digit[index]) }
                }
            } else {
                appendUnchecked(digit[0])
                appendUnchecked(UInt8(ascii: "."))
                if count == 1 {
                    appendUnchecked(UInt8(ascii: "0"))
                } else {
                    for index in 1..<count { appendUnchecked(digit[index]) }
                }
                appendUnchecked(UInt8(ascii: "E"))
                appendInteger(Int64(point - 1))
            }
        }
    }
}

/// The significant digits of a positive finite number and the position of its decimal point:
/// value = 0.d1d2…dn × 10^pointPosition, without leading or trailing zeros (at most 17 digits + slack).
struct ShortestDigits {
    /// Up to 32 ASCII digits.
    var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var count = 0
    var pointPosition = 0

    /// Parses Swift's shortest round-trip rendering (`12.5`, `1e-05`, `1.5e+16`, `5e-324`).
    init(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            withUnsafeMutableBytes(of: &storage) { raw in
                var digitsBeforePoint = 0
                var sawPoint = false
                var exponent = 0
                var exponentNegative = false
                var index = 0
                var started = false
                while index < utf8.count {
                    let byte = utf8[index]
                    if byte == UInt8(ascii: ".") {
                        sawPoint = true
                    } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                        index += 1
                        while index < utf8.count {
                            let exponentByte = utf8[index]
                            if exponentByte == UInt8(ascii: "-") {
                                exponentNegative = true
                            } else if exponentByte >= UInt8(ascii: "0") && exponentByte <= UInt8(ascii: "9") {
                                exponent = exponent * 10 + Int(exponentByte - UInt8(ascii: "0"))
                            }
                            index += 1
                        }
                        break
                    } else {
                        if !sawPoint { digitsBeforePoint += 1 }
                        if byte == UInt8(ascii: "0") && !started {
                            // A leading zero is not significant: it only moves the point one place left.
                            digitsBeforePoint -= 1
                        } else if count < 32 {
                            started = true
                            raw[count] = byte
                            count += 1
                        }
                    }
                    index += 1
                }
                pointPosition = digitsBeforePoint + (exponentNegative ? -exponent : exponent)
                while count > 1 && raw[count - 1] == UInt8(ascii: "0") { count -= 1 }
            }
        }
    }

    /// The closest two-significant-digit decimal to `value` (exactly, via the C library's correctly
    /// rounded `%.1e`), which Java prefers over a one-digit shortest form (`4.9E-324`, not `5.0E-324`).
    init(twoDigitsOf value: Double) {
        var buffer = [CChar](repeating: 0, count: 32)
        let length = withVaList([value]) { arguments in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, 32, "%.1e", arguments) }
        }
        let text = String(
            decoding: buffer.prefix(max(0, min(Int(length), 31))).map { UInt8(bitPattern: $0) },
            as: UTF8.self
        )
        self.init(text)
    }
}
