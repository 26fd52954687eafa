/// Renders numbers as Java's `Double.toString` / `Float.toString` do (shortest round-trip digits;
/// plain notation for magnitudes in [10^-3, 10^7), computerized scientific notation otherwise).
enum JavaFormat {
    /// Java's `Double.toString(value)`: `1.0`, `0.001`, `1.0E7`, `1.0E-4`, `NaN`, `-Infinity`.
    static func double(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        let magnitude = value.magnitude
        var text = magnitude.description
        if magnitude.isSubnormal {
            // value = n × 2^-1074 = n × 4.9406564584124654… × 10^-324.
            let scaled = Double(magnitude.significandBitPattern) * 4.940_656_458_412_465_4
            text = twoDigitSubnormal(text, scaled: scaled, exponent: -324) { Double($0) == magnitude }
        }
        return format(swiftDescription: text, negative: value < 0, plain: magnitude >= 1e-3 && magnitude < 1e7)
    }

    /// Java's `Float.toString(value)`.
    static func float(_ value: Float) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        let magnitude = value.magnitude
        var text = magnitude.description
        if magnitude.isSubnormal {
            // Exact as a Double; the scale by 10^45 rounds, far below the precision needed here.
            let scaled = Double(magnitude) * 1e45
            text = twoDigitSubnormal(text, scaled: scaled, exponent: -45) { Float($0) == magnitude }
        }
        return format(swiftDescription: text, negative: value < 0, plain: magnitude >= 1e-3 && magnitude < 1e7)
    }

    /// JDK 19+ `toString` picks the shortest decimal that rounds to the value, except that when that
    /// decimal has a single digit it picks the decimal *closest* to the value among those of one or two
    /// digits (JDK-4511638): `Double.MIN_VALUE` is `4.9E-324`, not `5.0E-324`, and `2 × MIN_VALUE` is
    /// `9.9E-324`, not `1.0E-323`. Only subnormals with small significands are affected (for normal
    /// numbers a one-digit decimal that rounds to the value is also the closest two-digit one).
    ///
    /// - Parameters:
    ///   - shortest: Swift's shortest representation of the (positive, subnormal) value.
    ///   - scaled: The value × 10^-`exponent`, to about 16 significant digits.
    ///   - roundTrips: Whether a decimal string parses back to the value.
    /// - Returns: `shortest`, or the closest two-digit decimal (`4.9e-324`) when `shortest` has one digit.
    private static func twoDigitSubnormal(
        _ shortest: String,
        scaled: Double,
        exponent: Int,
        roundTrips: (String) -> Bool
    ) -> String {
        let mantissa = shortest.prefix { $0 != "e" && $0 != "E" }
        guard mantissa.filter({ $0.isNumber && $0 != "0" }).count == 1 else { return shortest }
        var normalized = scaled
        var decimalExponent = exponent
        while normalized >= 10 {
            normalized /= 10
            decimalExponent += 1
        }
        while normalized < 1 {
            normalized *= 10
            decimalExponent -= 1
        }
        // Round to two significant digits. The exact value of a subnormal has hundreds of digits, so it is
        // never (nearly) halfway between two-digit decimals: the approximation rounds the same way.
        var twoDigits = Int((normalized * 10).rounded())
        if twoDigits == 100 {
            twoDigits = 10
            decimalExponent += 1
        }
        let candidate = "\(twoDigits / 10).\(twoDigits % 10)e\(decimalExponent)"
        return roundTrips(candidate) ? candidate : shortest
    }

    /// Reformats Swift's shortest representation of a positive finite number (`12.5`, `1e-05`,
    /// `1.5e+16`) in Java's style.
    private static func format(swiftDescription text: String, negative: Bool, plain: Bool) -> String {
        // Split into significant digits and a decimal exponent: value = 0.<digits> × 10^pointPosition.
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits = ""
        var pointPosition = 0
        var sawPoint = false
        for character in mantissa {
            if character == "." {
                sawPoint = true
            } else {
                digits.append(character)
                if !sawPoint { pointPosition += 1 }
            }
        }
        pointPosition += exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }

        var result = negative ? "-" : ""
        if plain {
            if pointPosition <= 0 {
                result += "0." + String(repeating: "0", count: -pointPosition) + digits
            } else if pointPosition >= digits.count {
                result += digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
            } else {
                let split = digits.index(digits.startIndex, offsetBy: pointPosition)
                result += digits[..<split] + "." + digits[split...]
            }
        } else {
            result += String(digits.first!) + "."
            result += digits.count > 1 ? String(digits.dropFirst()) : "0"
            result += "E" + String(pointPosition - 1)
        }
        return result
    }
}

/// Calendar arithmetic in UTC without Foundation (proleptic Gregorian, as `java.time`).
enum CivilTime {
    /// `yyyy-MM-dd` for a day count since 1970-01-01.
    static func dateString(days: Int64) -> String {
        let (year, month, day) = civil(fromDays: days)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    /// `HH:mm:ss.SSS` for milliseconds since midnight.
    static func timeString(millisOfDay millis: Int64) -> String {
        let hours = millis / 3_600_000
        let minutes = millis / 60_000 % 60
        let seconds = millis / 1000 % 60
        return pad(hours, 2) + ":" + pad(minutes, 2) + ":" + pad(seconds, 2) + "." + pad(millis % 1000, 3)
    }

    /// `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` for milliseconds since the epoch.
    static func timestampString(millis: Int64) -> String {
        let (days, millisOfDay) = floorDivide(millis, LogicalType.millisPerDay)
        return dateString(days: days) + "T" + timeString(millisOfDay: millisOfDay) + "Z"
    }

    /// Howard Hinnant's `civil_from_days`.
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Howard Hinnant's `days_from_civil`.
    static func days(fromYear year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value.magnitude)
        let padded = text.count < width ? String(repeating: "0", count: width - text.count) + text : text
        return value < 0 ? "-" + padded : padded
    }
}
