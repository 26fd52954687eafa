/// A port of Kafka's `Values.ValueParser` and `Values.Parser` (the tokenizer) — the inference that
/// ``SimpleHeaderConverter`` applies to header text. The structure follows Kafka's closely, because its
/// results depend on the exact token sequence (e.g. whitespace handling and the fallback of malformed
/// arrays and maps to strings).
struct ValuesParser {
    private var tokens: ValuesTokenizer

    private static let trueValue = SchemaAndValue(schema: .boolean, value: .boolean(true))
    private static let falseValue = SchemaAndValue(schema: .boolean, value: .boolean(false))
    private static let isoDateLength = 10  // yyyy-MM-dd
    private static let isoTimeLength = 13  // HH:mm:ss.SSS'Z' without the quotes
    private static let isoTimestampLength = 24  // yyyy-MM-dd'T'HH:mm:ss.SSS'Z' without the quotes

    init(_ text: String) {
        tokens = ValuesTokenizer(text)
    }

    /// Kafka's `ValueParser.parse(embedded)`; `nil` for `null` or no input.
    mutating func parse(embedded: Bool) throws(DataError) -> SchemaAndValue? {
        if !tokens.hasNext { return nil }
        if embedded && tokens.canConsume("\"") { return parseQuotedString() }
        if canParseSingleTokenLiteral(embedded: embedded, "null") { return nil }
        if canParseSingleTokenLiteral(embedded: embedded, "true") { return Self.trueValue }
        if canParseSingleTokenLiteral(embedded: embedded, "false") { return Self.falseValue }

        let start = tokens.mark
        do {
            if tokens.canConsume("[") { return try parseArray() }
            if tokens.canConsume("{") { return try parseMap() }
        } catch {
            // Not a valid array or map: reparse the text as a plain token.
            tokens.rewind(to: start)
        }
        let token = tokens.next()
        if tokens.isBlank(token) { return SchemaAndValue(schema: .string, value: .string(tokens.text(token))) }
        return try parseNextToken(embedded: embedded, tokens.trimmedText(token))
    }

    private mutating func canParseSingleTokenLiteral(embedded: Bool, _ literal: String) -> Bool {
        let start = tokens.mark
        // A top-level literal must be the whole text ("true}" is the string "true}"); an embedded one is
        // followed by a delimiter its caller handles.
        if tokens.canConsume(literal) && (embedded || !tokens.hasNext) { return true }
        tokens.rewind(to: start)
        return false
    }

    private mutating func parseNextToken(embedded: Bool, _ token: String) throws(DataError) -> SchemaAndValue {
        let first = token.utf8.first ?? 0
        let isDigit = first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")
        if isDigit, let temporal = parseMultipleTokensAsTemporal(token) { return temporal }
        if isDigit || first == UInt8(ascii: "+") || first == UInt8(ascii: "-"),
            let number = Self.parseAsNumber(token)
        {
            return number
        }
        if embedded { throw DataError("Failed to parse embedded value") }
        return SchemaAndValue(schema: .string, value: .string(tokens.original))
    }

    private mutating func parseQuotedString() -> SchemaAndValue {
        var content = ""
        while tokens.hasNext {
            if tokens.canConsume("\"") { break }
            content += tokens.text(tokens.next())
        }
        if let temporal = Self.parseAsTemporal(content) { return temporal }
        return SchemaAndValue(schema: .string, value: .string(content))
    }

    private mutating func parseArray() throws(DataError) -> SchemaAndValue {
        var result: [ConnectValue] = []
        var elementSchema = SchemaMerger()
        while tokens.hasNext {
            if tokens.canConsume("]") {
                guard let common = elementSchema.common else {
                    // Every element is null, the array is empty, or the elements have no common schema.
                    return SchemaAndValue(schema: Schema(kind: .array), value: .array(result))
                }
                let listSchema = try SchemaBuilder.array(common).build()
                result = try result.map { (element) throws(DataError) in
                    try ValuesConversion.convert(element, to: common)
                }
                return SchemaAndValue(schema: listSchema, value: .array(result))
            }
            if tokens.canConsume(",") {
                throw DataError("Unable to parse an empty array element: \(tokens.original)")
            }
            let element = try parse(embedded: true)
            elementSchema.merge(element)
            result.append(element?.value ?? .null)

            let current = tokens.mark
            if tokens.canConsume("]") {
                tokens.rewind(to: current)
            } else if !tokens.canConsume(",") {
                throw DataError("Array elements missing ',' delimiter")
            }
        }
        if tokens.previousText == "," {
            throw DataError("Array is missing element after ',': \(tokens.original)")
        }
        throw DataError("Array is missing terminating ']': \(tokens.original)")
    }

    private mutating func parseMap() throws(DataError) -> SchemaAndValue {
        var result = ConnectMap()
        var keySchema = SchemaMerger()
        var valueSchema = SchemaMerger()
        while tokens.hasNext {
            if tokens.canConsume("}") {
                if let keyCommon = keySchema.common, let valueCommon = valueSchema.common {
                    let mapSchema = try SchemaBuilder.map(keyCommon, valueCommon).build()
                    var aligned = ConnectMap(minimumCapacity: result.count)
                    for (key, value) in result {
                        aligned.updateValue(
                            try ValuesConversion.convert(value, to: valueCommon),
                            forKey: try ValuesConversion.convert(key, to: keyCommon)
                        )
                    }
                    return SchemaAndValue(schema: mapSchema, value: .map(aligned))
                }
                if let keyCommon = keySchema.common {
                    var aligned = ConnectMap(minimumCapacity: result.count)
                    for (key, value) in result {
                        aligned.updateValue(value, forKey: try ValuesConversion.convert(key, to: keyCommon))
                    }
                    return SchemaAndValue(schema: Schema(kind: .map, keySchema: keyCommon), value: .map(aligned))
                }
                return SchemaAndValue(schema: Schema(kind: .map), value: .map(result))
            }
            if tokens.canConsume(",") {
                throw DataError("Unable to parse a map entry with no key or value: \(tokens.original)")
            }
            guard let key = try parse(embedded: true), !key.value.isNull else {
                throw DataError("Map entry may not have a null key: \(tokens.original)")
            }
            if !tokens.canConsume(":") {
                throw DataError("Map entry is missing ':' at \(tokens.position) in \(tokens.original)")
            }
            let value = try parse(embedded: true)
            result.updateValue(value?.value ?? .null, forKey: key.value)
            _ = tokens.canConsume(",")
            keySchema.merge(key)
            valueSchema.merge(value)
        }
        if tokens.previousText == "," {
            throw DataError("Map is missing element after ',': \(tokens.original)")
        }
        throw DataError("Map is missing terminating '}': \(tokens.original)")
    }

    /// Times and timestamps contain unescaped colons, so they arrive as five tokens.
    private mutating func parseMultipleTokensAsTemporal(_ token: String) -> SchemaAndValue? {
        let position = tokens.mark
        if let remainder = tokens.next(count: 4), let temporal = Self.parseAsTemporal(token + remainder) {
            return temporal
        }
        tokens.rewind(to: position)
        return Self.parseAsTemporal(token)
    }

    // MARK: Numbers

    /// Kafka's `parseAsNumber`: the narrowest integer type for integral values that fit 64 bits, else
    /// `FLOAT32` if finite (even if imprecise), else `FLOAT64`, else `Decimal`; integral values beyond 64
    /// bits are always `Decimal`. `nil` if the token is not a Java `BigDecimal` literal.
    static func parseAsNumber(_ token: String) -> SchemaAndValue? {
        guard let decimal = ConnectDecimal(token) else { return nil }
        if let exact = parseAsExactInteger(decimal) { return exact }
        if decimal.scale != 0 {
            if let float = Float(token), float.isFinite {
                return SchemaAndValue(schema: .float32, value: .float32(float))
            }
            if let double = Double(token), double.isFinite {
                return SchemaAndValue(schema: .float64, value: .float64(double))
            }
        }
        return SchemaAndValue(schema: .decimal(scale: decimal.scale), value: .decimal(decimal))
    }

    private static func parseAsExactInteger(_ decimal: ConnectDecimal) -> SchemaAndValue? {
        guard let integral = ValuesConversion.integralValue(of: decimal) else { return nil }
        if let value = Int8(exactly: integral) { return SchemaAndValue(schema: .int8, value: .int8(value)) }
        if let value = Int16(exactly: integral) { return SchemaAndValue(schema: .int16, value: .int16(value)) }
        if let value = Int32(exactly: integral) { return SchemaAndValue(schema: .int32, value: .int32(value)) }
        return SchemaAndValue(schema: .int64, value: .int64(integral))
    }

    // MARK: Temporal values

    /// A date, time or timestamp if the text (with `\:` unescaped) has exactly the length of one of
    /// the ISO forms and parses with it (leniently, as `SimpleDateFormat`: out-of-range fields roll over
    /// and text after the pattern is ignored).
    static func parseAsTemporal(_ text: String) -> SchemaAndValue? {
        let unescaped = text.utf8.contains(UInt8(ascii: "\\")) ? replacingEscapedColons(text) : text
        let length = unescaped.utf16.count
        let bytes = Array(unescaped.utf8)
        switch length {
        case isoTimeLength:
            guard let time = TemporalPattern.time.match(bytes) else { return nil }
            return SchemaAndValue(schema: .time, value: .time(millis: Int32(truncatingIfNeeded: time)))
        case isoTimestampLength:
            guard let timestamp = TemporalPattern.timestamp.match(bytes) else { return nil }
            return SchemaAndValue(schema: .timestamp, value: .timestamp(millis: timestamp))
        case isoDateLength:
            guard let date = TemporalPattern.date.match(bytes) else { return nil }
            return SchemaAndValue(
                schema: .date,
                value: .date(
                    days: Int32(truncatingIfNeeded: CivilTime.floorDivide(date, LogicalType.millisPerDay).quotient)
                )
            )
        default:
            return nil
        }
    }

    private static func replacingEscapedColons(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var position = 0
        while position < bytes.count {
            if bytes[position] == UInt8(ascii: "\\"), position + 1 < bytes.count,
                bytes[position + 1] == UInt8(ascii: ":")
            {
                output.append(UInt8(ascii: ":"))
                position += 2
            } else {
                output.append(bytes[position])
                position += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// Kafka's `Values.SchemaMerger`: the common schema of the values seen so far, widening numbers.
struct SchemaMerger {
    private(set) var common: Schema?
    private var compatible = true

    mutating func merge(_ latest: SchemaAndValue?) {
        guard compatible, let schema = latest?.schema else { return }
        guard let previous = common else {
            common = schema
            return
        }
        common = Self.merge(previous, schema)
        compatible = common != nil
    }

    /// Kafka's `Values.mergeSchemas`.
    static func merge(_ previous: Schema, _ new: Schema) -> Schema? {
        if previous.kind != new.kind {
            let numeric: [Schema.Kind] = [.int8, .int16, .int32, .int64, .float32, .float64]
            guard let previousRank = numeric.firstIndex(of: previous.kind),
                let newRank = numeric.firstIndex(of: new.kind)
            else { return nil }
            return newRank > previousRank ? new : previous
        }
        if previous.isOptional == new.isOptional { return previous.isOptional ? previous : new }
        return previous == new ? previous : nil
    }
}

/// The three `SimpleDateFormat` patterns `Values` uses, matched leniently.
enum TemporalPattern {
    case date
    case time
    case timestamp

    private enum Element {
        case number(Component)
        case literal(UInt8)
    }

    private enum Component {
        case year, month, day, hour, minute, second, millisecond
    }

    private var elements: [Element] {
        let date: [Element] = [
            .number(.year), .literal(UInt8(ascii: "-")), .number(.month), .literal(UInt8(ascii: "-")), .number(.day),
        ]
        let time: [Element] = [
            .number(.hour), .literal(UInt8(ascii: ":")), .number(.minute), .literal(UInt8(ascii: ":")),
            .number(.second), .literal(UInt8(ascii: ".")), .number(.millisecond), .literal(UInt8(ascii: "Z")),
        ]
        switch self {
        case .date: return date
        case .time: return time
        case .timestamp: return date + [.literal(UInt8(ascii: "T"))] + time
        }
    }

    /// The instant the text denotes (UTC), if the pattern matches from the start of the text.
    func match(_ bytes: [UInt8]) -> Int64? {
        var year: Int64 = 1970
        var month: Int64 = 1
        var day: Int64 = 1
        var clock: Int64 = 0
        var position = 0
        for element in elements {
            switch element {
            case .literal(let byte):
                guard position < bytes.count, bytes[position] == byte else { return nil }
                position += 1
            case .number(let component):
                // SimpleDateFormat skips spaces and tabs before a numeric field.
                while position < bytes.count,
                    bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t")
                {
                    position += 1
                }
                var value: Int64 = 0
                let start = position
                while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9")
                {
                    value = value &* 10 &+ Int64(bytes[position] - UInt8(ascii: "0"))
                    position += 1
                }
                guard position > start, position - start <= 9 else { return nil }
                switch component {
                case .year: year = value
                case .month: month = value
                case .day: day = value
                case .hour: clock += value * 3_600_000
                case .minute: clock += value * 60_000
                case .second: clock += value * 1000
                case .millisecond: clock += value
                }
            }
        }
        // Lenient calendar: months beyond 12 roll into the next years, days beyond the month's end into
        // the next months.
        let monthIndex = month - 1
        let normalizedYear = year + CivilTime.floorDivide(monthIndex, 12).quotient
        let normalizedMonth = CivilTime.floorDivide(monthIndex, 12).remainder + 1
        let days = CivilTime.days(fromYear: normalizedYear, month: normalizedMonth, day: 1) + day - 1
        return days * LogicalType.millisPerDay + clock
    }
}
