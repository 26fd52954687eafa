import ConnectAPI

/// Connect values as JSON text: structs and maps become objects (in field/insertion order; a map key
/// that is not a string is written as its text), bytes Base64, decimals numbers, dates/times/
/// timestamps their integer encodings, non-finite floats `null`.
enum JSONWriter {
    static func write(_ value: ConnectValue, into output: inout String) {
        switch value {
        case .null: output += "null"
        case .boolean(let bool): output += bool ? "true" : "false"
        case .int8(let number): output += String(number)
        case .int16(let number): output += String(number)
        case .int32(let number): output += String(number)
        case .int64(let number): output += String(number)
        case .float32(let number): output += number.isFinite ? "\(number)" : "null"
        case .float64(let number): output += number.isFinite ? "\(number)" : "null"
        case .string(let text): writeString(text, into: &output)
        case .bytes(let bytes): writeString(base64(bytes), into: &output)
        case .decimal(let decimal): output += decimal.description
        case .date(let days): output += String(days)
        case .time(let millis): output += String(millis)
        case .timestamp(let millis): output += String(millis)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                write(element, into: &output)
            }
            output += "]"
        case .map(let map):
            output += "{"
            for (index, entry) in map.enumerated() {
                if index > 0 { output += "," }
                writeString(entry.key.stringValue ?? "\(entry.key)", into: &output)
                output += ":"
                write(entry.value, into: &output)
            }
            output += "}"
        case .struct(let value):
            output += "{"
            for field in value.schema.fields {
                if field.index > 0 { output += "," }
                writeString(field.name, into: &output)
                output += ":"
                write(value.get(field), into: &output)
            }
            output += "}"
        }
    }

    static func writeString(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    static func base64(_ bytes: [UInt8]) -> String {
        var output = ""
        var index = 0
        while index < bytes.count {
            let b0 = Int(bytes[index])
            let b1 = index + 1 < bytes.count ? Int(bytes[index + 1]) : 0
            let b2 = index + 2 < bytes.count ? Int(bytes[index + 2]) : 0
            output.append(alphabet[b0 >> 2])
            output.append(alphabet[(b0 & 0x03) << 4 | b1 >> 4])
            output.append(index + 1 < bytes.count ? alphabet[(b1 & 0x0F) << 2 | b2 >> 6] : "=")
            output.append(index + 2 < bytes.count ? alphabet[b2 & 0x3F] : "=")
            index += 3
        }
        return output
    }
}
