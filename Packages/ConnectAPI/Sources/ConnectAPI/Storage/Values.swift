/// Kafka's `org.apache.kafka.connect.data.Values` as the header converter uses it: rendering any Connect
/// value as text (``convertToString(schema:value:)``) and parsing such text back with schema inference
/// (``parseString(_:)``), spec §4.7.
///
/// The text syntax is Kafka's, quirks included: top-level strings are not quoted, strings inside arrays
/// and maps are (`["a","b"]`, `{"k":1}`), bytes are Base64, dates, times and timestamps use ISO-8601-like
/// forms chosen by the value (`2024-01-31`, `13:45:00.123Z`, `2024-01-31T13:45:00.123Z`). Parsing infers
/// the narrowest integer type, `FLOAT32` for decimal literals that fit a float, `Decimal` beyond, arrays
/// and maps with a common element schema, and falls back to a `STRING` of the original text when the
/// text is not a value.
///
/// Differences from Kafka: times and dates are formatted and parsed in UTC (Kafka uses the JVM's default
/// time zone, which Connect deployments normally set to UTC) with the proleptic Gregorian calendar (Java
/// switches to the Julian calendar before 1582); only ASCII digits count as digits.
public enum Values {
    /// The text form of a value (Kafka's `Values.convertToString`), or `nil` for ``ConnectValue/null``.
    /// The schema is not needed: values carry their kind (logical values included).
    public static func convertToString(schema: Schema?, value: ConnectValue) -> String? {
        if value.isNull { return nil }
        var text = ""
        append(&text, value, embedded: false)
        return text
    }

    /// Parses text into a schema and value with Kafka's inference rules (`Values.parseString`).
    /// `"null"` gives ``SchemaAndValue/null``; the empty string a `STRING`; text that is not a number,
    /// boolean, temporal value, array or map a `STRING` holding the text unchanged.
    /// - Throws: ``DataError`` only for text that cannot be parsed at all (the header converter then keeps
    ///   the raw bytes).
    public static func parseString(_ text: String) throws(DataError) -> SchemaAndValue {
        if text.isEmpty { return SchemaAndValue(schema: .string, value: .string(text)) }
        var parser = ValuesParser(text)
        return try parser.parse(embedded: false) ?? .null
    }

    // MARK: - Rendering

    static func append(_ text: inout String, _ value: ConnectValue, embedded: Bool) {
        switch value {
        case .null: text += "null"
        case .int8(let number): text += String(number)
        case .int16(let number): text += String(number)
        case .int32(let number): text += String(number)
        case .int64(let number): text += String(number)
        case .float32(let number): text += JavaFormat.float(number)
        case .float64(let number): text += JavaFormat.double(number)
        case .decimal(let decimal): text += decimal.description
        case .boolean(let flag): text += flag ? "true" : "false"
        case .string(let string):
            if embedded {
                text += "\""
                text += escape(string)
                text += "\""
            } else {
                text += string
            }
        case .bytes(let bytes):
            if embedded { text += "\"" }
            text += Base64Text.encode(bytes)
            if embedded { text += "\"" }
        case .array(let elements):
            text += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { text += "," }
                append(&text, element, embedded: true)
            }
            text += "]"
        case .map(let map):
            text += "{"
            for (position, entry) in map.enumerated() {
                if position > 0 { text += "," }
                append(&text, entry.key, embedded: true)
                text += ":"
                append(&text, entry.value, embedded: true)
            }
            text += "}"
        case .struct(let value):
            text += "{"
            for field in value.schema.fields {
                if field.index > 0 { text += "," }
                append(&text, .string(field.name), embedded: true)
                text += ":"
                append(&text, value.get(field), embedded: true)
            }
            text += "}"
        case .date(let days): text += formatTemporal(millis: Int64(days) * LogicalType.millisPerDay)
        case .time(let millis): text += formatTemporal(millis: Int64(millis))
        case .timestamp(let millis): text += formatTemporal(millis: millis)
        }
    }

    /// `\` → `\\` and `"` → `\"` (Kafka's `Values.escape`).
    static func escape(_ string: String) -> String {
        guard string.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") }) else {
            return string
        }
        var escaped = ""
        for character in string.unicodeScalars {
            if character == "\\" || character == "\"" { escaped.unicodeScalars.append("\\") }
            escaped.unicodeScalars.append(character)
        }
        return escaped
    }

    /// Kafka's `Values.dateFormatFor`: below one day → `HH:mm:ss.SSS'Z'`; a whole number of days →
    /// `yyyy-MM-dd`; otherwise `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`.
    static func formatTemporal(millis: Int64) -> String {
        if millis < LogicalType.millisPerDay {
            let millisOfDay = CivilTime.floorDivide(millis, LogicalType.millisPerDay).remainder
            return CivilTime.timeString(millisOfDay: millisOfDay) + "Z"
        }
        if millis % LogicalType.millisPerDay == 0 {
            return CivilTime.dateString(days: millis / LogicalType.millisPerDay)
        }
        return CivilTime.timestampString(millis: millis)
    }
}

/// Standard Base64 with padding (Java's `Base64.getEncoder()`), for header text.
enum Base64Text {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var position = 0
        while position + 3 <= bytes.count {
            let chunk = UInt32(bytes[position]) << 16 | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2])
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(alphabet[Int(chunk >> 6 & 63)])
            output.append(alphabet[Int(chunk & 63)])
            position += 3
        }
        let remaining = bytes.count - position
        if remaining > 0 {
            let first = UInt32(bytes[position]) << 16
            let second = remaining == 2 ? UInt32(bytes[position + 1]) << 8 : 0
            let chunk = first | second
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(remaining == 2 ? alphabet[Int(chunk >> 6 & 63)] : UInt8(ascii: "="))
            output.append(UInt8(ascii: "="))
        }
        return String(decoding: output, as: UTF8.self)
    }
}
