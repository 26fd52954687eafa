import ConnectAPI

/// The subset of Java's `java.text.SimpleDateFormat` that Kafka's SMTs use, fixed to UTC and to
/// Java's default (English, US week rules) locale, as Connect normally runs: `TimestampConverter`
/// formats and parses with it, `TimestampRouter` formats topic suffixes with it, and the ISO formats
/// of `Values` (used by `Cast` to string and by `InsertHeader`'s literal parsing) are instances of it.
///
/// Pattern letters: `G y Y M L w W D d F E u a H k K h m s S z Z X`, quoting with `'…'` and `''`,
/// every other character literal. Formatting follows Java exactly for these letters in UTC
/// (`z` prints `UTC`, `Z` prints `+0000`, `X` prints `Z`). Parsing is lenient like Java's default:
/// surrounding spaces before a field are skipped, a numeric field followed directly by another field
/// takes exactly its pattern width, out-of-range values roll over (month 13 is January of the next
/// year), text after the pattern is ignored, and missing fields default to 1970-01-01T00:00:00.000.
/// Time zones parse as `UTC`, `GMT`, `UT` (optionally followed by an offset), `Z`, and numeric
/// offsets `+hh`, `+hhmm`, `+hh:mm`; named zones other than those are not supported (parse fails).
/// Week-based fields (`Y`, `w`, `W`, `F`, `u`, `E`) are checked but do not drive the parsed date.
struct SimpleDateFormat: Sendable, Hashable, CustomStringConvertible {
    /// A pattern that Java's `SimpleDateFormat` constructor would reject; the message is Java's.
    struct PatternError: Error, Sendable, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    private enum Token: Sendable, Hashable {
        case literal([Character])
        case field(Character, Int)

        var isField: Bool {
            if case .field = self { return true }
            return false
        }
    }

    /// The pattern as given.
    let pattern: String
    private let tokens: [Token]

    /// Pattern letters Java accepts (`DateFormatSymbols.patternChars` plus `L`).
    private static let patternLetters: Set<Character> = Set("GyMdkHmsSEDFwWahKzZYuXL")

    /// Compiles a pattern.
    /// - Throws: ``PatternError`` `Illegal pattern character 'b'`, `Unterminated quote`, or
    ///   `invalid ISO 8601 format: length=4`, as Java's constructor.
    init(_ pattern: String) throws(PatternError) {
        self.pattern = pattern
        var tokens: [Token] = []
        var literal: [Character] = []
        let characters = Array(pattern)
        var index = 0
        func flushLiteral() {
            if !literal.isEmpty {
                tokens.append(.literal(literal))
                literal.removeAll()
            }
        }
        while index < characters.count {
            let character = characters[index]
            if character == "'" {
                // '' is a quote; 'text' is quoted text in which '' is a quote.
                if index + 1 < characters.count && characters[index + 1] == "'" {
                    literal.append("'")
                    index += 2
                    continue
                }
                index += 1
                var closed = false
                while index < characters.count {
                    if characters[index] == "'" {
                        if index + 1 < characters.count && characters[index + 1] == "'" {
                            literal.append("'")
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    literal.append(characters[index])
                    index += 1
                }
                if !closed { throw PatternError(message: "Unterminated quote") }
                continue
            }
            if character.isASCII && character.isLetter {
                guard Self.patternLetters.contains(character) else {
                    throw PatternError(message: "Illegal pattern character '\(character)'")
                }
                var count = 1
                while index + count < characters.count && characters[index + count] == character { count += 1 }
                if character == "X" && count > 3 {
                    throw PatternError(message: "invalid ISO 8601 format: length=\(count)")
                }
                flushLiteral()
                tokens.append(.field(character, count))
                index += count
                continue
            }
            literal.append(character)
            index += 1
        }
        flushLiteral()
        self.tokens = tokens
    }

    var description: String { pattern }

    // MARK: Well-known formats (Kafka's `Values` ISO 8601 patterns)

    /// `yyyy-MM-dd`
    static let isoDate = try! SimpleDateFormat("yyyy-MM-dd")
    /// `HH:mm:ss.SSS'Z'`
    static let isoTime = try! SimpleDateFormat("HH:mm:ss.SSS'Z'")
    /// `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`
    static let isoTimestamp = try! SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")

    // MARK: Formatting

    /// Formats an instant (milliseconds since the epoch) in UTC.
    func format(epochMillis millis: Int64) -> String {
        let fields = CalendarFields(epochMillis: millis)
        var output = ""
        output.reserveCapacity(pattern.count + 8)
        for token in tokens {
            switch token {
            case .literal(let characters):
                output.append(contentsOf: characters)
            case .field(let letter, let count):
                Self.appendField(letter, count, fields, to: &output)
            }
        }
        return output
    }

    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
    private static let monthShortNames = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    private static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    private static let dayShortNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    private static func appendField(
        _ letter: Character,
        _ count: Int,
        _ fields: CalendarFields,
        to output: inout String
    ) {
        switch letter {
        case "G": output += fields.year > 0 ? "AD" : "BC"
        case "y":
            let yearOfEra = fields.year > 0 ? fields.year : 1 - fields.year
            if count == 2 {
                appendNumber(yearOfEra % 100, minDigits: 2, to: &output)
            } else {
                appendNumber(yearOfEra, minDigits: count, to: &output)
            }
        case "Y":
            if count == 2 {
                appendNumber(fields.weekYear % 100, minDigits: 2, to: &output)
            } else {
                appendNumber(fields.weekYear, minDigits: count, to: &output)
            }
        case "M", "L":
            if count >= 4 {
                output += monthNames[Int(fields.month - 1)]
            } else if count == 3 {
                output += monthShortNames[Int(fields.month - 1)]
            } else {
                appendNumber(fields.month, minDigits: count, to: &output)
            }
        case "w": appendNumber(fields.weekOfYear, minDigits: count, to: &output)
        case "W": appendNumber(fields.weekOfMonth, minDigits: count, to: &output)
        case "D": appendNumber(fields.dayOfYear, minDigits: count, to: &output)
        case "d": appendNumber(fields.day, minDigits: count, to: &output)
        case "F": appendNumber((fields.day - 1) / 7 + 1, minDigits: count, to: &output)
        case "E": output += count >= 4 ? dayNames[fields.dayOfWeek] : dayShortNames[fields.dayOfWeek]
        case "u": appendNumber(fields.dayOfWeek == 0 ? 7 : Int64(fields.dayOfWeek), minDigits: count, to: &output)
        case "a": output += fields.hour < 12 ? "AM" : "PM"
        case "H": appendNumber(fields.hour, minDigits: count, to: &output)
        case "k": appendNumber(fields.hour == 0 ? 24 : fields.hour, minDigits: count, to: &output)
        case "K": appendNumber(fields.hour % 12, minDigits: count, to: &output)
        case "h": appendNumber(fields.hour % 12 == 0 ? 12 : fields.hour % 12, minDigits: count, to: &output)
        case "m": appendNumber(fields.minute, minDigits: count, to: &output)
        case "s": appendNumber(fields.second, minDigits: count, to: &output)
        case "S": appendNumber(fields.millisecond, minDigits: count, to: &output)
        case "z": output += count >= 4 ? "Coordinated Universal Time" : "UTC"
        case "Z": output += "+0000"
        case "X": output += "Z"
        default: break
        }
    }

    private static func appendNumber(_ value: Int64, minDigits: Int, to output: inout String) {
        let digits = String(value.magnitude)
        if value < 0 { output += "-" }
        if digits.count < minDigits { output += String(repeating: "0", count: minDigits - digits.count) }
        output += digits
    }

    // MARK: Parsing

    /// Parses text from its start (Java's `parse(String)`): the instant in milliseconds since the
    /// epoch, or `nil` where Java throws `ParseException`. Text after the pattern is ignored.
    func parse(_ text: String) -> Int64? {
        let characters = Array(text)
        var position = 0
        var parsed = ParsedFields()
        for (index, token) in tokens.enumerated() {
            switch token {
            case .literal(let literal):
                for expected in literal {
                    guard position < characters.count, characters[position] == expected else { return nil }
                    position += 1
                }
            case .field(let letter, let count):
                let obeyCount = index + 1 < tokens.count && tokens[index + 1].isField
                guard
                    Self.parseField(
                        letter,
                        count,
                        obeyCount: obeyCount,
                        characters,
                        &position,
                        &parsed
                    )
                else { return nil }
            }
        }
        return parsed.epochMillis()
    }

    private struct ParsedFields {
        var year: Int64 = 1970
        var bce = false
        var month: Int64?
        var day: Int64?
        var dayOfYear: Int64?
        var hourOfDay: Int64?
        var hour12: Int64?
        var pm: Bool?
        var minute: Int64 = 0
        var second: Int64 = 0
        var millisecond: Int64 = 0
        var offsetMillis: Int64 = 0

        func epochMillis() -> Int64? {
            // Lenient values roll over, but absurd ones (beyond any representable instant) fail.
            let limit: Int64 = 1_000_000_000_000
            for value in [self.year, month ?? 0, day ?? 0, dayOfYear ?? 0] where value.magnitude > UInt64(limit) {
                return nil
            }
            guard self.year.magnitude < 300_000_000 else { return nil }
            let year = bce ? 1 - self.year : self.year
            var days: Int64
            if month == nil && day == nil, let dayOfYear {
                days = CivilDate.days(year: year, month: 1, day: 1) + dayOfYear - 1
            } else {
                let month = self.month ?? 1
                let normalizedYear = year + floorDivide(month - 1, 12)
                let normalizedMonth = floorModulo(month - 1, 12) + 1
                days = CivilDate.days(year: normalizedYear, month: normalizedMonth, day: 1) + (day ?? 1) - 1
            }
            var hour: Int64 = hourOfDay ?? 0
            if hourOfDay == nil, let hour12 {
                hour = hour12 + ((pm ?? false) ? 12 : 0)
            } else if hourOfDay == nil, pm == true {
                hour = 12
            }
            var total: Int64 = 0
            for (value, unit) in [
                (days, LogicalType.millisPerDay), (hour, 3_600_000), (minute, 60_000), (second, 1000),
                (millisecond, 1),
            ] {
                let (product, overflow) = value.multipliedReportingOverflow(by: unit)
                guard !overflow else { return nil }
                let (sum, overflow2) = total.addingReportingOverflow(product)
                guard !overflow2 else { return nil }
                total = sum
            }
            let (result, overflow) = total.subtractingReportingOverflow(offsetMillis)
            return overflow ? nil : result
        }
    }

    // swift-format-ignore: FunctionParameterCount
    private static func parseField(
        _ letter: Character,
        _ count: Int,
        obeyCount: Bool,
        _ text: [Character],
        _ position: inout Int,
        _ parsed: inout ParsedFields
    ) -> Bool {
        // Java skips spaces and tabs before every field.
        while position < text.count && (text[position] == " " || text[position] == "\t") { position += 1 }
        guard position < text.count else { return false }
        let limit = obeyCount ? min(text.count, position + count) : text.count

        func number() -> Int64? {
            var index = position
            var negative = false
            if index < limit && text[index] == "-" {
                negative = true
                index += 1
            }
            let digitsStart = index
            var value: Int64 = 0
            while index < limit, let digit = text[index].wholeNumberValue, text[index].isASCII {
                let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
                let (next, overflow2) = times10.addingReportingOverflow(Int64(digit))
                guard !overflow && !overflow2 else { return nil }
                value = next
                index += 1
            }
            guard index > digitsStart else { return nil }
            position = index
            return negative ? -value : value
        }

        func match(_ candidates: [String]) -> Int? {
            var best: (index: Int, length: Int)?
            for (index, candidate) in candidates.enumerated() {
                let length = candidate.count
                guard position + length <= text.count else { continue }
                let slice = String(text[position..<(position + length)])
                if slice.lowercased() == candidate.lowercased(), length > (best?.length ?? 0) {
                    best = (index, length)
                }
            }
            guard let best else { return nil }
            position += best.length
            return best.index
        }

        switch letter {
        case "G":
            guard let era = match(["BC", "AD"]) else { return false }
            parsed.bce = era == 0
        case "y", "Y":
            let start = position
            guard let value = number() else { return false }
            if letter == "Y" { return true }  // week year: accepted, not used
            if count <= 2 && position - start == 2 && text[start].isNumber {
                parsed.year = twoDigitYear(value)
            } else {
                parsed.year = value
            }
        case "M", "L":
            if count <= 2 {
                guard let value = number() else { return false }
                parsed.month = value
            } else {
                if let index = match(monthNames) {
                    parsed.month = Int64(index + 1)
                } else if let index = match(monthShortNames) {
                    parsed.month = Int64(index + 1)
                } else {
                    return false
                }
            }
        case "d":
            guard let value = number() else { return false }
            parsed.day = value
        case "D":
            guard let value = number() else { return false }
            parsed.dayOfYear = value
        case "w", "W", "F", "u":
            guard number() != nil else { return false }
        case "E":
            guard match(dayNames) != nil || match(dayShortNames) != nil else { return false }
        case "a":
            guard let index = match(["AM", "PM"]) else { return false }
            parsed.pm = index == 1
        case "H":
            guard let value = number() else { return false }
            parsed.hourOfDay = value
        case "k":
            guard let value = number() else { return false }
            parsed.hourOfDay = value == 24 ? 0 : value
        case "K":
            guard let value = number() else { return false }
            parsed.hour12 = value
        case "h":
            guard let value = number() else { return false }
            parsed.hour12 = value == 12 ? 0 : value
        case "m":
            guard let value = number() else { return false }
            parsed.minute = value
        case "s":
            guard let value = number() else { return false }
            parsed.second = value
        case "S":
            guard let value = number() else { return false }
            parsed.millisecond = value
        case "z", "Z", "X":
            guard let offset = parseZone(letter, text, &position) else { return false }
            parsed.offsetMillis = offset
        default:
            return false
        }
        return true
    }

    /// `UTC`/`GMT`/`UT` (optionally followed by an offset), `Z` (ISO), or `±hh`, `±hhmm`, `±hh:mm`.
    private static func parseZone(_ letter: Character, _ text: [Character], _ position: inout Int) -> Int64? {
        func hasPrefix(_ prefix: String) -> Bool {
            let prefix = Array(prefix)
            guard position + prefix.count <= text.count else { return false }
            return Array(text[position..<(position + prefix.count)]) == prefix
        }
        if letter == "X" || letter == "Z" || letter == "z", position < text.count, text[position] == "Z" {
            position += 1
            return 0
        }
        for name in ["UTC", "GMT", "UT"] where hasPrefix(name) {
            position += name.count
            var afterName = position
            if let offset = parseOffset(text, &afterName) {
                position = afterName
                return offset
            }
            return 0
        }
        return parseOffset(text, &position)
    }

    private static func parseOffset(_ text: [Character], _ position: inout Int) -> Int64? {
        var index = position
        guard index < text.count, text[index] == "+" || text[index] == "-" else { return nil }
        let negative = text[index] == "-"
        index += 1
        func digits(_ maxCount: Int) -> (Int64, Int)? {
            var value: Int64 = 0
            var count = 0
            while count < maxCount, index < text.count, text[index].isASCII, let digit = text[index].wholeNumberValue {
                value = value * 10 + Int64(digit)
                index += 1
                count += 1
            }
            return count == 0 ? nil : (value, count)
        }
        guard let (first, firstCount) = digits(4) else { return nil }
        var hours = first
        var minutes: Int64 = 0
        if firstCount == 4 {
            hours = first / 100
            minutes = first % 100
        } else if firstCount == 3 {
            return nil
        } else if index < text.count, text[index] == ":" {
            index += 1
            guard let (value, count) = digits(2), count == 2 else { return nil }
            minutes = value
        }
        guard hours <= 23, minutes <= 59 else { return nil }
        position = index
        let offset = (hours * 60 + minutes) * 60_000
        return negative ? -offset : offset
    }

    /// Java's two-digit-year window: within 80 years before and 20 years after the current year.
    private static func twoDigitYear(_ value: Int64) -> Int64 {
        let currentYear = CalendarFields(epochMillis: wallClockMillis()).year
        let centuryStart = currentYear - 80
        var year = (centuryStart / 100) * 100 + value
        if year < centuryStart { year += 100 }
        return year
    }
}

/// Calendar fields of an instant in UTC, with Java's US week rules (weeks start on Sunday; week 1 of
/// a year is the week containing January 1).
struct CalendarFields {
    let year: Int64
    let month: Int64
    let day: Int64
    let hour: Int64
    let minute: Int64
    let second: Int64
    let millisecond: Int64
    /// 0 = Sunday … 6 = Saturday.
    let dayOfWeek: Int
    let dayOfYear: Int64
    let weekOfYear: Int64
    let weekYear: Int64
    let weekOfMonth: Int64

    init(epochMillis millis: Int64) {
        let days = floorDivide(millis, LogicalType.millisPerDay)
        let millisOfDay = floorModulo(millis, LogicalType.millisPerDay)
        let (year, month, day) = CivilDate.civil(days: days)
        self.year = year
        self.month = month
        self.day = day
        hour = millisOfDay / 3_600_000
        minute = millisOfDay / 60_000 % 60
        second = millisOfDay / 1000 % 60
        millisecond = millisOfDay % 1000
        let dayOfWeek = Int(floorModulo(days + 4, 7))
        self.dayOfWeek = dayOfWeek
        let yearStart = CivilDate.days(year: year, month: 1, day: 1)
        dayOfYear = days - yearStart + 1
        let weekStart = days - Int64(dayOfWeek)
        let nextYearStart = CivilDate.days(year: year + 1, month: 1, day: 1)
        if weekStart + 6 >= nextYearStart {
            weekOfYear = 1
            weekYear = year + 1
        } else {
            let firstWeekStart = yearStart - floorModulo(yearStart + 4, 7)
            weekOfYear = (weekStart - firstWeekStart) / 7 + 1
            weekYear = year
        }
        let monthStart = days - (day - 1)
        let monthStartDayOfWeek = floorModulo(monthStart + 4, 7)
        weekOfMonth = (day - 1 + monthStartDayOfWeek) / 7 + 1
    }
}

/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's algorithms).
enum CivilDate {
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
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

    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

@inline(__always)
func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
}

@inline(__always)
func floorModulo(_ value: Int64, _ divisor: Int64) -> Int64 {
    let remainder = value % divisor
    return remainder != 0 && (remainder < 0) != (divisor < 0) ? remainder + divisor : remainder
}
