extension JSONReader {
    /// A scanned number: where it is, whether it is an integer literal, and its first 19 significant
    /// digits with a decimal exponent for fast conversions.
    struct NumberToken {
        var start: Int
        var end: Int
        /// No fraction and no exponent (Jackson makes it an int, long or BigInteger node).
        var isInteger = true
        var isNegative = false
        /// The first (up to) 19 significant digits.
        var mantissa: UInt64 = 0
        /// How many significant digits the literal has in total.
        var significantDigits = 0
        /// value = ±mantissa × 10^exponent, exact when `significantDigits <= 19`.
        var exponent = 0

        var isExact: Bool { significantDigits <= 19 }
    }

    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]

    /// 10^exponent for 0...22 (exact doubles), without touching a global table.
    @inline(__always)
    static func powerOfTen(_ exponent: Int) -> Double {
        var value = 1.0
        var remaining = exponent
        var base = 10.0
        // Exact: every intermediate power of ten up to 10^22 is representable.
        while remaining > 0 {
            if remaining & 1 == 1 { value *= base }
            base *= base
            remaining >>= 1
        }
        return value
    }

    /// Scans a number at the current position (`-`? digits (`.` digits)? ([eE] [+-]? digits)?; leading
    /// zeros allowed, as Kafka enables Jackson's `ALLOW_LEADING_ZEROS_FOR_NUMBERS`).
    mutating func scanNumber() throws(JSONFailure) -> NumberToken {
        var token = NumberToken(start: position, end: position)
        if base[position] == UInt8(ascii: "-") {
            token.isNegative = true
            position &+= 1
        }
        var digitCount = 0
        while position < end {
            let digit = base[position] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            if token.significantDigits == 0 && digit == 0 {
                // leading zero
            } else if token.significantDigits < 19 {
                token.mantissa = token.mantissa &* 10 &+ UInt64(digit)
                token.significantDigits &+= 1
            } else {
                token.significantDigits &+= 1
                token.exponent &+= 1
            }
            digitCount &+= 1
            position &+= 1
        }
        guard digitCount > 0 else {
            throw unexpected(token.isNegative ? "a digit after '-' (to form a number)" : "a digit")
        }
        if position < end && base[position] == UInt8(ascii: ".") {
            token.isInteger = false
            position &+= 1
            var fractionDigits = 0
            while position < end {
                let digit = base[position] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                if token.significantDigits == 0 && digit == 0 {
                    token.exponent &-= 1
                } else if token.significantDigits < 19 {
                    token.mantissa = token.mantissa &* 10 &+ UInt64(digit)
                    token.significantDigits &+= 1
                    token.exponent &-= 1
                } else {
                    token.significantDigits &+= 1
                }
                fractionDigits &+= 1
                position &+= 1
            }
            guard fractionDigits > 0 else { throw unexpected("a digit after the decimal point") }
        }
        if position < end && (base[position] == UInt8(ascii: "e") || base[position] == UInt8(ascii: "E")) {
            token.isInteger = false
            position &+= 1
            var negativeExponent = false
            if position < end && (base[position] == UInt8(ascii: "+") || base[position] == UInt8(ascii: "-")) {
                negativeExponent = base[position] == UInt8(ascii: "-")
                position &+= 1
            }
            var exponent = 0
            var exponentDigits = 0
            while position < end {
                let digit = base[position] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                if exponent < 1_000_000_000 { exponent = exponent * 10 + Int(digit) }
                exponentDigits &+= 1
                position &+= 1
            }
            guard exponentDigits > 0 else { throw unexpected("a digit in the exponent") }
            token.exponent &+= negativeExponent ? -exponent : exponent
        }
        token.end = position
        if token.end - token.start > Self.maxNumberLength {
            throw .syntax(
                "Number value length (\(token.end - token.start)) exceeds the maximum allowed (\(Self.maxNumberLength))"
            )
        }
        return token
    }

    /// The literal's text.
    func text(_ token: NumberToken) -> String {
        String(decoding: UnsafeBufferPointer(start: base + token.start, count: token.end - token.start), as: UTF8.self)
    }

    /// The integer part (truncated toward zero) modulo 2^64, as Java's `longValue()` of the
    /// int/long/BigInteger/BigDecimal node Jackson makes of the literal.
    func wrappedInteger(_ token: NumberToken) -> Int64 {
        if token.isInteger && token.isExact {
            let value = Int64(bitPattern: token.mantissa)
            return token.isNegative ? 0 &- value : value
        }
        // Digits before the point, then fraction digits while the exponent moves the point right.
        var value: UInt64 = 0
        var index = token.isNegative ? token.start + 1 : token.start
        var integerDigits: [UInt8] = []
        var fractionDigits: [UInt8] = []
        var exponent = 0
        var inFraction = false
        while index < token.end {
            let byte = base[index]
            if byte == UInt8(ascii: ".") {
                inFraction = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                var negative = false
                index += 1
                if base[index] == UInt8(ascii: "+") || base[index] == UInt8(ascii: "-") {
                    negative = base[index] == UInt8(ascii: "-")
                    index += 1
                }
                while index < token.end {
                    if exponent < 1_000_000_000 { exponent = exponent * 10 + Int(base[index] - UInt8(ascii: "0")) }
                    index += 1
                }
                if negative { exponent = -exponent }
                break
            } else if inFraction {
                fractionDigits.append(byte - UInt8(ascii: "0"))
            } else {
                integerDigits.append(byte - UInt8(ascii: "0"))
            }
            index += 1
        }
        let allDigits = integerDigits + fractionDigits
        let pointPosition = integerDigits.count + exponent
        if pointPosition > 0 {
            for digit in allDigits.prefix(pointPosition) { value = value &* 10 &+ UInt64(digit) }
            // 10^64 ≡ 0 (mod 2^64): more trailing zeros than that change nothing.
            for _ in 0..<min(max(pointPosition - allDigits.count, 0), 64) { value = value &* 10 }
        }
        let result = Int64(bitPattern: value)
        return token.isNegative ? 0 &- result : result
    }

    /// The exact value as an `Int64` for an integer literal that fits, else `nil`.
    func exactInt64(_ token: NumberToken) -> Int64? {
        guard token.isInteger && token.isExact else { return nil }
        if token.isNegative {
            guard token.mantissa <= UInt64(Int64.max) + 1 else { return nil }
            return 0 &- Int64(bitPattern: token.mantissa)
        }
        guard token.mantissa <= UInt64(Int64.max) else { return nil }
        return Int64(token.mantissa)
    }

    /// The nearest `Double` (correctly rounded, as `BigDecimal.doubleValue()`).
    func doubleValue(_ token: NumberToken) -> Double {
        if token.isInteger, let exact = exactInt64(token) {
            // Jackson's int/long nodes convert with a Java cast: "-0" is 0.0.
            if abs(exact) < 1 << 53 { return Double(exact) }
        }
        if token.isExact && token.mantissa < 1 << 53 && token.exponent >= -22 && token.exponent <= 22 {
            // Clinger's fast path: both operands exact, one correctly rounded operation.
            var value = Double(token.mantissa)
            if token.exponent < 0 {
                value /= Self.powersOfTen[-token.exponent]
            } else {
                value *= Self.powersOfTen[token.exponent]
            }
            return token.isNegative ? -value : value
        }
        return Double(text(token)) ?? .nan
    }

    /// The nearest `Float` (correctly rounded from the literal, as `BigDecimal.floatValue()`).
    func floatValue(_ token: NumberToken) -> Float {
        if token.isExact && token.mantissa < 1 << 24 && token.exponent >= -10 && token.exponent <= 10 {
            var value = Float(token.mantissa)
            let power = Float(Self.powersOfTen[abs(token.exponent)])
            if token.exponent < 0 { value /= power } else { value *= power }
            if token.isInteger && token.mantissa == 0 { return 0 }
            return token.isNegative ? -value : value
        }
        return Float(text(token)) ?? .nan
    }
}
