/// Splits CSV text into rows of fields (RFC 4180): fields separated by a delimiter, rows by `\n`,
/// `\r\n` or `\r`; a field in double quotes may contain delimiters, line breaks and `""` for a quote.
/// A value type over the whole file's bytes; a UTF-8 byte order mark is skipped.
struct CSVParser {
    private let bytes: [UInt8]
    private let delimiter: UInt8
    private var position: Int

    init(bytes: [UInt8], delimiter: UInt8 = UInt8(ascii: ",")) {
        self.bytes = bytes
        self.delimiter = delimiter
        self.position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// Every row; a trailing line break does not make an empty last row.
    /// - Throws: ``CSVError`` for a quote that is never closed or text right after a closing quote.
    static func rows(_ bytes: [UInt8], delimiter: UInt8 = UInt8(ascii: ",")) throws(CSVError) -> [[String]] {
        var parser = CSVParser(bytes: bytes, delimiter: delimiter)
        var rows: [[String]] = []
        while let row = try parser.nextRow() { rows.append(row) }
        return rows
    }

    /// The next row, or `nil` at the end.
    mutating func nextRow() throws(CSVError) -> [String]? {
        guard position < bytes.count else { return nil }
        var fields: [String] = []
        var field: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") && field.isEmpty {
                field = try quotedField()
                continue
            }
            position += 1
            switch byte {
            case delimiter:
                fields.append(String(decoding: field, as: UTF8.self))
                field = []
            case UInt8(ascii: "\n"):
                fields.append(String(decoding: field, as: UTF8.self))
                return fields
            case UInt8(ascii: "\r"):
                if position < bytes.count && bytes[position] == UInt8(ascii: "\n") { position += 1 }
                fields.append(String(decoding: field, as: UTF8.self))
                return fields
            default:
                field.append(byte)
            }
        }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
    }

    /// A quoted field, leaving the position after its closing quote.
    private mutating func quotedField() throws(CSVError) -> [UInt8] {
        let start = position
        position += 1
        var field: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            guard byte == UInt8(ascii: "\"") else {
                field.append(byte)
                continue
            }
            if position < bytes.count && bytes[position] == UInt8(ascii: "\"") {
                field.append(byte)
                position += 1
                continue
            }
            guard
                position == bytes.count
                    || [delimiter, UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(bytes[position])
            else { throw CSVError("Text after a closing quote at byte \(position)") }
            return field
        }
        throw CSVError("A quoted field starting at byte \(start) is never closed")
    }
}

/// Malformed CSV.
struct CSVError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
