import ConnectAPI

/// Java's number parsing and narrowing rules, which Kafka's SMTs inherit (`Integer.parseInt`,
/// `Double.parseDouble`, `(byte) longValue`, `BigDecimal.longValue()`, …).
enum JavaNumbers {
    // MARK: Parsing

    /// `Long.parseLong`: an optional `+`/`-` and ASCII digits, nothing else (no whitespace); `nil` if
    /// the text is not a number or out of range for `T`.
    static func parseInteger<T: FixedWidthInteger & SignedInteger>(_ text: String, as type: T.Type) -> T? {
        var utf8 = Substring(text).utf8[...]
        guard let first = utf8.first else { return nil }
        var negative = false
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            utf8 = utf8.dropFirst()
        }
        guard !utf8.isEmpty else { return nil }
        var value: T = 0
        for byte in utf8 {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            let digit = T(byte - UInt8(ascii: "0"))
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            guard !overflow1 else { return nil }
            // Accumulate negatively so that T.min parses.
            let (next, overflow2) =
                negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
            guard !overflow2 else { return nil }
            value = next
        }
        return value
    }

    /// `Double.parseDouble`: surrounding whitespace (characters up to U+0020) ignored; decimal or
    /// hexadecimal notation with an optional `f`/`F`/`d`/`D` suffix; `NaN` and `Infinity` (exact
    /// case) with an optional sign.
    static func parseDouble(_ text: String) -> Double? {
        guard let (sign, body) = floatingBody(text) else { return nil }
        if body == "NaN" { return .nan }
        if body == "Infinity" { return sign == "-" ? -.infinity : .infinity }
        return Double(sign + body)
    }

    /// `Float.parseFloat` (rounded directly from the decimal text to single precision).
    static func parseFloat(_ text: String) -> Float? {
        guard let (sign, body) = floatingBody(text) else { return nil }
        if body == "NaN" { return .nan }
        if body == "Infinity" { return sign == "-" ? -.infinity : .infinity }
        return Float(sign + body)
    }

    /// Splits Java floating-point text into sign and body, rejecting forms Swift accepts but Java does
    /// not (`nan`, `inf`, …).
    private static func floatingBody(_ text: String) -> (String, String)? {
        let scalars = text.unicodeScalars
        guard let start = scalars.firstIndex(where: { $0.value > 0x20 }) else { return nil }
        let end = scalars.lastIndex(where: { $0.value > 0x20 })!
        var body = Substring(String(scalars[start...end]))
        var sign = ""
        if let first = body.first, first == "+" || first == "-" {
            sign = first == "-" ? "-" : ""
            body = body.dropFirst()
        }
        if body == "NaN" || body == "Infinity" { return (sign, String(body)) }
        let isHex = body.hasPrefix("0x") || body.hasPrefix("0X")
        if let last = body.last, "fFdD".contains(last), !isHex || body.contains(where: { $0 == "p" || $0 == "P" }) {
            body = body.dropLast()
        }
        guard let first = body.first, first.isASCII, first.isNumber || first == "." else { return nil }
        let allowed: (Character) -> Bool =
            isHex
            ? { $0.isASCII && ($0.isHexDigit || "xXpP.+-".contains($0)) }
            : { $0.isASCII && ($0.isNumber || ".eE+-".contains($0)) }
        guard body.allSatisfy(allowed) else { return nil }
        return (sign, String(body))
    }

    // MARK: Narrowing (Java casts)

    /// Java's `(int) double`: NaN is 0, out-of-range values saturate, the rest truncate toward zero.
    static func int32(_ value: Double) -> Int32 {
        if value.isNaN { return 0 }
        if value >= 2_147_483_647 { return .max }
        if value <= -2_147_483_648 { return .min }
        return Int32(value.rounded(.towardZero))
    }

    /// Java's `(long) double`.
    static func int64(_ value: Double) -> Int64 {
        if value.isNaN { return 0 }
        if value >= 9_223_372_036_854_775_808.0 { return .max }
        if value <= -9_223_372_036_854_775_808.0 { return .min }
        return Int64(value.rounded(.towardZero))
    }

    /// `BigDecimal.longValue()`: the low 64 bits of the integer part (truncated toward zero). Works on
    /// the digits, so huge scales (`1E+2000000000`, `1E-2000000000`) cost nothing.
    static func int64(_ decimal: ConnectDecimal) -> Int64 {
        if decimal.scale == 0, let unscaled = decimal.unscaledInt64 { return unscaled }
        guard let digits = integerDigits(decimal) else { return 0 }
        var value: Int64 = 0
        for digit in digits.utf8 { value = value &* 10 &+ Int64(digit - UInt8(ascii: "0")) }
        for _ in 0..<max(0, -Int(decimal.scale)) { value = value &* 10 }
        return decimal.isNegative ? 0 &- value : value
    }

    /// The digits of the integer part of the magnitude before any trailing zeros a negative scale adds;
    /// `nil` when the integer part is 0 modulo 2^64 (no integer digits, or at least 64 trailing zeros,
    /// since 10^64 is a multiple of 2^64).
    private static func integerDigits(_ decimal: ConnectDecimal) -> Substring? {
        let digits = Substring(decimal.unscaledDigits)
        let scale = Int(decimal.scale)
        if scale >= 0 { return scale >= digits.count ? nil : digits.dropLast(scale) }
        return -scale >= 64 ? nil : digits
    }

    /// The integer value if the decimal is integral and fits in 64 bits (`1.00` → 1, `1E+3` → 1000).
    static func exactInt64(_ decimal: ConnectDecimal) -> Int64? {
        let digits = Substring(decimal.unscaledDigits)
        let scale = Int(decimal.scale)
        var integer: Substring
        var zeros = 0
        if scale >= 0 {
            let fraction = digits.suffix(scale)
            guard fraction.allSatisfy({ $0 == "0" }) else { return nil }
            integer = scale >= digits.count ? "0" : digits.dropLast(scale)
        } else {
            integer = digits
            zeros = -scale
        }
        guard integer.count + zeros <= 20 else { return integer.allSatisfy { $0 == "0" } ? 0 : nil }
        let text = (decimal.isNegative ? "-" : "") + integer + String(repeating: "0", count: zeros)
        return Int64(text)
    }

    /// `BigDecimal.doubleValue()`.
    static func double(_ decimal: ConnectDecimal) -> Double {
        Double(decimal.description) ?? .nan
    }

    /// `BigDecimal.floatValue()`.
    static func float(_ decimal: ConnectDecimal) -> Float {
        Float(decimal.description) ?? .nan
    }

    // MARK: Rendering

    /// Standard Base64 with padding (`Base64.getEncoder().encodeToString`).
    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(alphabet[Int(chunk >> 6 & 63)])
            output.append(alphabet[Int(chunk & 63)])
            index += 3
        }
        let remaining = bytes.count - index
        if remaining == 1 {
            let chunk = UInt32(bytes[index]) << 16
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(UInt8(ascii: "="))
            output.append(UInt8(ascii: "="))
        } else if remaining == 2 {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(alphabet[Int(chunk >> 6 & 63)])
            output.append(UInt8(ascii: "="))
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Kafka's `Values.dateFormatFor(date).format(date)` in UTC: `HH:mm:ss.SSS'Z'` below one day of
    /// milliseconds (including every negative instant), `yyyy-MM-dd` for exact days, else
    /// `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`.
    static func isoString(epochMillis millis: Int64) -> String {
        if millis < LogicalType.millisPerDay { return SimpleDateFormat.isoTime.format(epochMillis: millis) }
        if millis % LogicalType.millisPerDay == 0 { return SimpleDateFormat.isoDate.format(epochMillis: millis) }
        return SimpleDateFormat.isoTimestamp.format(epochMillis: millis)
    }
}
