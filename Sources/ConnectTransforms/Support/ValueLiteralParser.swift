import ConnectAPI

/// Kafka's `Values.parseString`: infers a schema and value from text, as `InsertHeader` does for its
/// `value.literal` (and the `SimpleHeaderConverter` for header bytes).
///
/// - empty text → STRING; `true`/`false` → BOOLEAN; `null` → no schema and no value;
/// - integers → the smallest of INT8/INT16/INT32/INT64 that holds them (also `1.0`, `1e3`), larger →
///   Decimal; other decimals → FLOAT32 if finite as a float, else FLOAT64, else Decimal;
/// - `[…]` → ARRAY and `{k:v,…}` → MAP when the elements share a (numerically widened) schema;
///   malformed containers fall back to the whole text as STRING;
/// - text of exactly the ISO lengths that parses as `yyyy-MM-dd`, `HH:mm:ss.SSS'Z'` or
///   `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` (UTC) → Date, Time, Timestamp;
/// - anything else → STRING (the original text). Inside containers, strings may be double-quoted.
///
/// Containers whose elements have no common schema (or only nulls) get no schema (Kafka builds an
/// ARRAY/MAP schema without element schemas, which this data model cannot express).
enum ValueLiteralParser {
    static func parse(_ text: String) -> SchemaAndValue {
        if text.isEmpty { return SchemaAndValue(schema: .string, value: .string("")) }
        var parser = ValueParser(tokens: LiteralTokenizer(text))
        return ((try? parser.parse(embedded: false)) ?? nil) ?? .null
    }
}

/// Kafka's `Values.Parser`: splits text into tokens at unescaped `: , { } [ ] "` (each delimiter is
/// a token of its own), with one token of look-ahead.
private struct LiteralTokenizer {
    let original: String
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var nextToken: String?
    private(set) var previous: String?

    init(_ original: String) {
        self.original = original
        self.scalars = Array(original.unicodeScalars)
    }

    var position: Int { index }

    func mark() -> Int {
        index - (nextToken?.unicodeScalars.count ?? 0)
    }

    mutating func rewind(to position: Int) {
        index = position
        nextToken = nil
        previous = nil
    }

    var hasNext: Bool { nextToken != nil || index < scalars.count }

    mutating func next() -> String {
        if let token = nextToken {
            previous = token
            nextToken = nil
        } else {
            previous = consumeNextToken()
        }
        return previous!
    }

    /// The text of the next `count` tokens, or `nil` (and no tokens consumed) if there are fewer.
    mutating func next(_ count: Int) -> String? {
        let start = mark()
        for _ in 0..<count {
            guard hasNext else {
                rewind(to: start)
                return nil
            }
            _ = next()
        }
        return substring(start, position)
    }

    private func substring(_ start: Int, _ end: Int) -> String {
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[start..<end])
        return text
    }

    private mutating func consumeNextToken() -> String {
        var escaped = false
        let start = index
        while index < scalars.count {
            switch scalars[index] {
            case "\\":
                escaped.toggle()
            case ":", ",", "{", "}", "[", "]", "\"":
                if !escaped {
                    if start < index { return substring(start, index) }
                    index += 1
                    return substring(start, start + 1)
                }
                escaped = false
            default:
                escaped = false
            }
            index += 1
        }
        return substring(start, index)
    }

    /// Consumes the next token if, trimmed, it is `expected` (blank tokens are skipped).
    mutating func canConsume(_ expected: String) -> Bool {
        if nextToken == nil {
            guard hasNext else { return false }
            nextToken = consumeNextToken()
        }
        while isBlank(nextToken!) && index < scalars.count { nextToken = consumeNextToken() }
        if javaTrim(nextToken!) == expected {
            nextToken = nil
            return true
        }
        return false
    }
}

private func isBlank(_ text: String) -> Bool {
    javaTrim(text).isEmpty
}

/// Kafka's `Values.ValueParser`.
private struct ValueParser {
    var tokens: LiteralTokenizer

    /// `nil` is Java's null (the literal `null`, or nothing left).
    mutating func parse(embedded: Bool) throws(DataError) -> SchemaAndValue? {
        guard tokens.hasNext else { return nil }
        if embedded && tokens.canConsume("\"") { return parseQuotedString() }
        if canParseSingleTokenLiteral(embedded, "null") { return nil }
        if canParseSingleTokenLiteral(embedded, "true") {
            return SchemaAndValue(schema: .boolean, value: .boolean(true))
        }
        if canParseSingleTokenLiteral(embedded, "false") {
            return SchemaAndValue(schema: .boolean, value: .boolean(false))
        }
        let start = tokens.mark()
        do {
            if tokens.canConsume("[") { return try parseArray() }
            if tokens.canConsume("{") { return try parseMap() }
        } catch {
            tokens.rewind(to: start)
        }
        let token = tokens.next()
        if isBlank(token) { return SchemaAndValue(schema: .string, value: .string(token)) }
        return try parseNextToken(embedded: embedded, javaTrim(token))
    }

    private mutating func canParseSingleTokenLiteral(_ embedded: Bool, _ literal: String) -> Bool {
        let start = tokens.mark()
        if tokens.canConsume(literal) && (embedded || !tokens.hasNext) { return true }
        tokens.rewind(to: start)
        return false
    }

    private mutating func parseNextToken(embedded: Bool, _ token: String) throws(DataError) -> SchemaAndValue {
        let first = token.unicodeScalars.first!
        let firstIsDigit = first.properties.numericType == .decimal
        if firstIsDigit, let temporal = parseMultipleTokensAsTemporal(token) { return temporal }
        if firstIsDigit || first == "+" || first == "-", let number = Self.parseAsNumber(token) { return number }
        if embedded { throw DataError("Failed to parse embedded value") }
        return SchemaAndValue(schema: .string, value: .string(tokens.original))
    }

    private mutating func parseQuotedString() -> SchemaAndValue {
        var content = ""
        while tokens.hasNext {
            if tokens.canConsume("\"") { break }
            content += tokens.next()
        }
        return Self.parseAsTemporal(content) ?? SchemaAndValue(schema: .string, value: .string(content))
    }

    private mutating func parseArray() throws(DataError) -> SchemaAndValue {
        var result: [ConnectValue] = []
        var elementSchema = SchemaMerger()
        while tokens.hasNext {
            if tokens.canConsume("]") {
                guard let common = elementSchema.common else {
                    return SchemaAndValue(schema: nil, value: .array(result))
                }
                let schema = try SchemaBuilder.array(common).build()
                return SchemaAndValue(
                    schema: schema,
                    value: .array(try result.map { (v) throws(DataError) in try Self.convert(v, to: common) })
                )
            }
            if tokens.canConsume(",") {
                throw DataError("Unable to parse an empty array element: \(tokens.original)")
            }
            let element = try parse(embedded: true)
            elementSchema.merge(element)
            result.append(element?.value ?? .null)
            let current = tokens.mark()
            if tokens.canConsume("]") {
                tokens.rewind(to: current)
            } else if !tokens.canConsume(",") {
                throw DataError("Array elements missing ',' delimiter")
            }
        }
        if tokens.previous == "," { throw DataError("Array is missing element after ',': \(tokens.original)") }
        throw DataError("Array is missing terminating ']': \(tokens.original)")
    }

    private mutating func parseMap() throws(DataError) -> SchemaAndValue {
        var result = ConnectMap()
        var keySchema = SchemaMerger()
        var valueSchema = SchemaMerger()
        while tokens.hasNext {
            if tokens.canConsume("}") {
                guard let keys = keySchema.common, let values = valueSchema.common else {
                    return SchemaAndValue(schema: nil, value: .map(result))
                }
                let schema = try SchemaBuilder.map(keys, values).build()
                var aligned = ConnectMap(minimumCapacity: result.count)
                for (key, value) in result {
                    aligned[try Self.convert(key, to: keys)] = try Self.convert(value, to: values)
                }
                return SchemaAndValue(schema: schema, value: .map(aligned))
            }
            if tokens.canConsume(",") {
                throw DataError("Unable to parse a map entry with no key or value: \(tokens.original)")
            }
            guard let key = try parse(embedded: true), !key.value.isNull else {
                throw DataError("Map entry may not have a null key: \(tokens.original)")
            }
            guard tokens.canConsume(":") else {
                throw DataError("Map entry is missing ':' at \(tokens.position) in \(tokens.original)")
            }
            let value = try parse(embedded: true)
            result[key.value] = value?.value ?? .null
            _ = tokens.canConsume(",")
            keySchema.merge(key)
            valueSchema.merge(value)
        }
        if tokens.previous == "," { throw DataError("Map is missing element after ',': \(tokens.original)") }
        throw DataError("Map is missing terminating '}': \(tokens.original)")
    }

    private mutating func parseMultipleTokensAsTemporal(_ token: String) -> SchemaAndValue? {
        // Time and timestamp literals are split at their colons: try the token and the next four.
        let position = tokens.mark()
        if let remainder = tokens.next(4), let temporal = Self.parseAsTemporal(token + remainder) { return temporal }
        tokens.rewind(to: position)
        return Self.parseAsTemporal(token)
    }

    static func parseAsTemporal(_ text: String) -> SchemaAndValue? {
        let token = text.replacing("\\:", with: ":")
        switch token.unicodeScalars.count {
        case 13:
            guard let millis = SimpleDateFormat.isoTime.parse(token), let value = Int32(exactly: millis) else {
                return nil
            }
            return SchemaAndValue(schema: .time, value: .time(millis: value))
        case 24:
            guard let millis = SimpleDateFormat.isoTimestamp.parse(token) else { return nil }
            return SchemaAndValue(schema: .timestamp, value: .timestamp(millis: millis))
        case 10:
            guard let millis = SimpleDateFormat.isoDate.parse(token),
                let days = Int32(exactly: floorDivide(millis, LogicalType.millisPerDay))
            else { return nil }
            return SchemaAndValue(schema: .date, value: .date(days: days))
        default:
            return nil
        }
    }

    static func parseAsNumber(_ token: String) -> SchemaAndValue? {
        guard let decimal = ConnectDecimal(token) else { return nil }
        // Integral values that fit in a long become the smallest integer type.
        if let integral = JavaNumbers.exactInt64(decimal) {
            if let value = Int8(exactly: integral) { return SchemaAndValue(schema: .int8, value: .int8(value)) }
            if let value = Int16(exactly: integral) { return SchemaAndValue(schema: .int16, value: .int16(value)) }
            if let value = Int32(exactly: integral) { return SchemaAndValue(schema: .int32, value: .int32(value)) }
            return SchemaAndValue(schema: .int64, value: .int64(integral))
        }
        let floatValue = JavaNumbers.float(decimal)
        if floatValue.isFinite && decimal.scale != 0 {
            return SchemaAndValue(schema: .float32, value: .float32(floatValue))
        }
        let doubleValue = JavaNumbers.double(decimal)
        if doubleValue.isFinite && decimal.scale != 0 {
            return SchemaAndValue(schema: .float64, value: .float64(doubleValue))
        }
        return SchemaAndValue(schema: .decimal(scale: decimal.scale), value: .decimal(decimal))
    }

    /// Kafka's `Values.convertTo` for the conversions `alignListEntriesWithSchema` needs: numeric
    /// widening, identity for equal kinds, text rendering to STRING. A null for a required schema is an
    /// error (which makes the container fall back to a string, as in Kafka).
    static func convert(_ value: ConnectValue, to schema: Schema) throws(DataError) -> ConnectValue {
        if value.isNull {
            if schema.isOptional { return .null }
            throw DataError("Unable to convert a null value to a schema that requires a value")
        }
        if schema.logicalType != nil { return value }
        func long() throws(DataError) -> Int64 {
            switch value {
            case .int8(let v): return Int64(v)
            case .int16(let v): return Int64(v)
            case .int32(let v): return Int64(v)
            case .int64(let v): return v
            case .float32(let v): return JavaNumbers.int64(Double(v))
            case .float64(let v): return JavaNumbers.int64(v)
            case .decimal(let v): return JavaNumbers.int64(v)
            default: throw DataError("Unable to convert \(value) (\(Requirements.javaClass(value))) to a number")
            }
        }
        func double() throws(DataError) -> Double {
            switch value {
            case .float32(let v): return Double(v)
            case .float64(let v): return v
            case .decimal(let v): return JavaNumbers.double(v)
            default: return Double(try long())
            }
        }
        switch schema.kind {
        case .int8: return .int8(Int8(truncatingIfNeeded: try long()))
        case .int16: return .int16(Int16(truncatingIfNeeded: try long()))
        case .int32: return .int32(Int32(truncatingIfNeeded: try long()))
        case .int64: return .int64(try long())
        case .float32: return .float32(Float(try double()))
        case .float64: return .float64(try double())
        case .string:
            if case .string = value { return value }
            return .string(value.description)
        default: return value
        }
    }
}

/// Kafka's `Values.SchemaMerger`: the common schema of several values, widening numbers.
private struct SchemaMerger {
    private(set) var common: Schema?
    private var compatible = true

    mutating func merge(_ latest: SchemaAndValue?) {
        guard let schema = latest?.schema, compatible else { return }
        guard let previous = common else {
            common = schema
            return
        }
        common = Self.merge(previous, schema)
        compatible = common != nil
    }

    private static let widening: [Schema.Kind] = [.int8, .int16, .int32, .int64, .float32, .float64]

    private static func merge(_ previous: Schema, _ new: Schema) -> Schema? {
        if previous.kind != new.kind {
            guard let old = widening.firstIndex(of: previous.kind), let next = widening.firstIndex(of: new.kind) else {
                return nil
            }
            return next > old ? new : previous
        }
        if previous.isOptional == new.isOptional { return previous.isOptional ? previous : new }
        return previous == new ? previous : nil
    }
}
