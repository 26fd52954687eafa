import Foundation

/// Emits `GeneratedMessageSamples.swift` for the test target: for every generated top-level type,
/// a value with every field set to something other than its default (arrays with two elements,
/// nested structs filled in recursively, nullable fields non-nil, one unknown tagged field with a
/// high tag in every struct). The hand-written round-trip tests encode these at every version.
public enum SampleEmitter {
    /// The tag of the unknown tagged field every sample struct carries.
    public static let unknownTag: UInt32 = 9000

    public static func samplesFile(_ messages: [ResolvedMessage]) -> String {
        var w = CodeWriter()
        w.line("import KafkaProtocol")
        w.line("import NIOCore")
        w.line()
        w.line("/// A sample of every generated message type, with every field set to a non-default value.")
        w.open("enum GeneratedMessageSamples {")
        w.line("/// The unknown tagged field every sample struct carries (written in flexible versions only).")
        w.open("static func unknownTaggedField() -> KafkaTaggedField {")
        w.line("KafkaTaggedField(tag: \(unknownTag), data: ByteBuffer(bytes: [0xCA, 0xFE]))")
        w.close()
        w.line()
        w.line("/// One sample per generated top-level type.")
        w.open("static func all() -> [any KafkaMessage] {")
        w.line("var samples: [any KafkaMessage] = []")
        for message in messages {
            w.line("samples.append(Self.\(functionName(for: message.root))())")
        }
        w.line("return samples")
        w.close()
        w.line()
        w.line("/// The default value of every generated top-level type, in the order of `all()`.")
        w.open("static func defaults() -> [any KafkaMessage] {")
        w.line("var values: [any KafkaMessage] = []")
        for message in messages {
            w.line("values.append(\(message.root.swiftName)())")
        }
        w.line("return values")
        w.close()
        w.line()
        w.line("/// The versions in which each field of each generated struct is on the wire, by qualified")
        w.line("/// Swift type name. `unknownTaggedFields` is listed with the flexible versions; fields that")
        w.line("/// are never on the wire are left out.")
        w.open("static func fieldVersions() -> [String: [String: ClosedRange<Int16>]] {")
        w.line("var table: [String: [String: ClosedRange<Int16>]] = [:]")
        for message in messages {
            emitFieldVersions(message.root, flexible: message.spec.flexibleVersions, into: &w)
        }
        w.line("return table")
        w.close()
        for message in messages {
            emitSampleFunctions(message.root, into: &w)
        }
        w.close()
        return SwiftEmitter.fileHeader + "\n" + w.text
    }

    static func emitFieldVersions(_ node: ResolvedStruct, flexible: Versions, into w: inout CodeWriter) {
        let type = SwiftEmitter.stringLiteral(node.qualifiedName)
        w.line("table[\(type)] = [:]")
        var entries: [(String, Versions)] = node.fields.map { ($0.propertyName, $0.spec.versions) }
        entries.append(("unknownTaggedFields", flexible))
        for (name, versions) in entries {
            let present = versions.intersection(node.possibleVersions)
            if present.isEmpty { continue }
            w.line("table[\(type), default: [:]][\"\(name)\"] = \(present.lowest)...\(present.highest)")
        }
        for nested in node.nested {
            emitFieldVersions(nested, flexible: flexible, into: &w)
        }
    }

    static func functionName(for node: ResolvedStruct) -> String {
        Naming.lowerCamel(node.path.joined())
    }

    static func emitSampleFunctions(_ node: ResolvedStruct, into w: inout CodeWriter) {
        // Structs reachable from this one, by Swift name, to find the sample function of a field.
        let type = node.qualifiedName
        w.line()
        w.open("static func \(functionName(for: node))() -> \(type) {")
        w.line("var value: \(type) = \(type)()")
        for (index, field) in node.fields.enumerated() {
            w.line("value.\(field.swiftName) = \(sampleExpression(field, index: index, owner: node))")
        }
        w.line("value.unknownTaggedFields = [Self.unknownTaggedField()]")
        w.line("return value")
        w.close()
        for nested in node.nested {
            emitSampleFunctions(nested, into: &w)
        }
    }

    /// The path of the struct a field refers to: an inline struct of `owner`, or a common struct of
    /// the message.
    static func structPath(for field: ResolvedField, owner: ResolvedStruct) -> [String] {
        let name = field.structSwiftName ?? ""
        if field.spec.inlineFields != nil {
            return owner.path + [name]
        }
        return [owner.path[0], name]
    }

    static func sampleExpression(_ field: ResolvedField, index: Int, owner: ResolvedStruct) -> String {
        switch field.type {
        case .array(let element):
            let first = elementSample(element, field: field, index: index, owner: owner, ordinal: 1)
            let second = elementSample(element, field: field, index: index, owner: owner, ordinal: 2)
            return "[\(first), \(second)]"
        default:
            return elementSample(field.type, field: field, index: index, owner: owner, ordinal: 1)
        }
    }

    static func elementSample(
        _ type: FieldType,
        field: ResolvedField,
        index: Int,
        owner: ResolvedStruct,
        ordinal: Int
    ) -> String {
        let isElement = { () -> Bool in
            if case .array = field.type { return true }
            return false
        }()
        switch type {
        case .bool:
            if !isElement, case .bool(true) = field.defaultValue { return "false" }
            return ordinal == 1 ? "true" : "false"
        case .int8, .int16, .uint16, .int32, .uint32, .int64:
            var value = Int64(10 + (index * 3 + ordinal) % 100)
            if !isElement, case .integer(let defaultValue) = field.defaultValue, defaultValue == value {
                value += 1
            }
            return "\(value)"
        case .float64:
            var value = Double(index) + 1.5
            if !isElement, case .double(let defaultValue) = field.defaultValue, defaultValue == value {
                value += 1
            }
            return SwiftEmitter.doubleLiteral(value)
        case .string:
            return SwiftEmitter.stringLiteral("\(field.propertyName)-\(ordinal)")
        case .bytes:
            return "ByteBuffer(bytes: [0x01, 0x02, \(hexByte(index)), \(hexByte(ordinal))])"
        case .records:
            return "ByteBuffer(bytes: [0x0A, 0x0B, 0x0C, \(hexByte(index))])"
        case .uuid:
            let most = String(format: "0x%016llX", UInt64(0x0123_4567_89AB_0000) + UInt64(index))
            let least = String(format: "0x%016llX", UInt64(0xFEDC_BA98_7654_0000) + UInt64(ordinal))
            return "KafkaUUID(mostSignificantBits: \(most), leastSignificantBits: \(least))"
        case .structure:
            let path = structPath(for: field, owner: owner)
            return "Self.\(Naming.lowerCamel(path.joined()))()"
        case .array:
            return "[]"
        }
    }

    static func hexByte(_ value: Int) -> String {
        String(format: "0x%02X", value & 0xFF)
    }
}
