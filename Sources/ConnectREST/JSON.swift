import ConnectAPI
import ConnectJSON

/// A JSON document the REST API writes; object members keep their order.
indirect enum JSON: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])
    /// Already encoded JSON (Codable bodies, converted Connect values).
    case raw([UInt8])

    /// A string map as an object, keys sorted.
    static func object(_ map: [String: String]) -> JSON {
        .object(map.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }

    static func optional(_ string: String?) -> JSON { string.map { .string($0) } ?? .null }

    /// Compact UTF-8 bytes.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        write(to: &out)
        return out
    }

    private func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .int(let value): out += Array(String(value).utf8)
        case .string(let value): Self.writeString(value, to: &out)
        case .raw(let bytes): out += bytes
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Reads request bodies and writes Connect values with the schemaless JSON converter (integers read
/// as `int64`, other numbers as `float64`).
enum JSONBody {
    private static let converter: JSONConverter = {
        var config = JSONConverterConfig()
        config.schemasEnabled = false
        return JSONConverter(config: config)
    }()

    /// The body's JSON; `nil` for an empty body.
    /// - Throws: ``RESTError`` 400 for malformed JSON.
    static func parse(_ bytes: [UInt8]) throws(RESTError) -> ConnectValue? {
        guard bytes.contains(where: { !Self.isWhitespace($0) }) else { return nil }
        do {
            return try converter.toConnectData(topic: "", bytes: bytes).value
        } catch {
            throw RESTError(400, "Malformed JSON in the request body: \(error)")
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// A Connect value as JSON.
    static func json(_ value: ConnectValue) -> JSON {
        (try? converter.fromConnectData(topic: "", schema: nil, value: value)).flatMap { $0 }.map { .raw($0) } ?? .null
    }

    /// A string-keyed map of Connect values as JSON.
    static func json(_ map: [String: ConnectValue]) -> JSON {
        json(.map(ConnectMap(map.sorted { $0.key < $1.key }.map { (ConnectValue.string($0.key), $0.value) })))
    }

    /// An object's members by string key, or `nil` if `value` is not an object.
    static func members(_ value: ConnectValue?) -> [String: ConnectValue]? {
        guard case .map(let map)? = value else { return nil }
        var result: [String: ConnectValue] = [:]
        for (key, value) in map {
            guard case .string(let name) = key else { return nil }
            result[name] = value
        }
        return result
    }

    /// A configuration map as Jackson reads `Map<String, String>`: numbers and booleans become
    /// strings, `null` stays `nil`.
    /// - Throws: ``RESTError`` 400 when `value` is not an object of scalars.
    static func stringMap(_ value: ConnectValue?, what: String) throws(RESTError) -> [String: String?] {
        guard let members = members(value) else {
            throw RESTError(400, "The \(what) must be a JSON object of strings")
        }
        var result: [String: String?] = [:]
        for (key, value) in members {
            switch value {
            case .null: result[key] = .some(nil)
            case .string(let string): result[key] = string
            case .boolean(let bool): result[key] = bool ? "true" : "false"
            case .int64(let number): result[key] = String(number)
            case .float64(let number): result[key] = String(number)
            default: throw RESTError(400, "The value of \(key) in the \(what) must be a string, not \(value)")
            }
        }
        return result
    }
}
