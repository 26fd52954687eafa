/// A parsed JSON value with the position of its text, used for schema JSON (a rare path: schemas are
/// cached). The positions let a schema's `default` be decoded with the schema once it is built.
struct JSONNode {
    indirect enum Value {
        case null
        case boolean(Bool)
        case number(JSONReader.NumberToken)
        case string(String)
        case array([JSONNode])
        /// Members in order; duplicates are kept, and lookups take the last (Jackson's `ObjectNode`).
        case object([(key: String, value: JSONNode)])
    }

    var value: Value
    /// Where the value's text starts and ends in the input.
    var span: Range<Int>

    /// The last member named `key` of an object; `nil` otherwise (Jackson's `JsonNode.get`).
    subscript(key: String) -> JSONNode? {
        guard case .object(let members) = value else { return nil }
        return members.last { $0.key == key }?.value
    }

    var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    var textValue: String? {
        if case .string(let text) = value { return text }
        return nil
    }
}

extension JSONReader {
    /// Parses one value into a ``JSONNode`` tree.
    mutating func parseNode() throws(JSONFailure) -> JSONNode {
        let first = nextToken()
        let start = position
        let value: JSONNode.Value
        switch first {
        case UInt8(ascii: "{"):
            try enterContainer()
            position += 1
            var members: [(key: String, value: JSONNode)] = []
            if nextToken() == UInt8(ascii: "}") {
                position += 1
            } else {
                repeat {
                    guard nextToken() == UInt8(ascii: "\"") else { throw unexpected("a field name") }
                    let key = makeString(try scanString())
                    try expect(UInt8(ascii: ":"), "':'")
                    members.append((key, try parseNode()))
                } while try continues(closing: UInt8(ascii: "}"))
            }
            leaveContainer()
            value = .object(members)
        case UInt8(ascii: "["):
            try enterContainer()
            position += 1
            var elements: [JSONNode] = []
            if nextToken() == UInt8(ascii: "]") {
                position += 1
            } else {
                repeat {
                    elements.append(try parseNode())
                } while try continues(closing: UInt8(ascii: "]"))
            }
            leaveContainer()
            value = .array(elements)
        case UInt8(ascii: "\""):
            value = .string(makeString(try scanString()))
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            switch try readLiteral() {
            case UInt8(ascii: "t"): value = .boolean(true)
            case UInt8(ascii: "f"): value = .boolean(false)
            default: value = .null
            }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            value = .number(try scanNumber())
        default:
            throw unexpected("a value")
        }
        return JSONNode(value: value, span: start..<position)
    }
}
