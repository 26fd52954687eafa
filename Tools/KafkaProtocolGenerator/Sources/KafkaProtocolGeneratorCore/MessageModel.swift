import Foundation

// MARK: - Spec model (what the JSON says)

/// A contiguous, inclusive range of message versions, as the specs write them: `"0+"`, `"3-5"`,
/// `"7"` or `"none"`. `"N+"` runs to `Int16.max`.
public struct Versions: Hashable, Sendable, CustomStringConvertible {
    public var lowest: Int16
    public var highest: Int16

    public init(lowest: Int16, highest: Int16) {
        self.lowest = lowest
        self.highest = highest
    }

    /// The empty range.
    public static let none = Versions(lowest: 1, highest: 0)
    /// Every version.
    public static let all = Versions(lowest: 0, highest: Int16.max)

    public var isEmpty: Bool { lowest > highest }

    /// True when the range has no upper bound (`"N+"`).
    public var isOpenEnded: Bool { !isEmpty && highest == Int16.max }

    public func contains(_ version: Int16) -> Bool {
        version >= lowest && version <= highest
    }

    /// True when every version of `other` is in this range.
    public func covers(_ other: Versions) -> Bool {
        other.isEmpty || (!isEmpty && lowest <= other.lowest && highest >= other.highest)
    }

    public func intersection(_ other: Versions) -> Versions {
        if isEmpty || other.isEmpty { return .none }
        let result = Versions(lowest: max(lowest, other.lowest), highest: min(highest, other.highest))
        return result.isEmpty ? .none : result
    }

    /// The versions of this range below `other`'s lowest (other must be open-ended or empty).
    public func below(_ other: Versions) -> Versions {
        if other.isEmpty { return self }
        if other.lowest == 0 { return .none }
        return intersection(Versions(lowest: 0, highest: other.lowest - 1))
    }

    public var description: String {
        if isEmpty { return "none" }
        if highest == Int16.max { return "\(lowest)+" }
        if lowest == highest { return "\(lowest)" }
        return "\(lowest)-\(highest)"
    }

    /// Parses the spec notation.
    public static func parse(_ text: String) throws -> Versions {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "none" { return .none }
        if trimmed.hasSuffix("+") {
            guard let lowest = Int16(trimmed.dropLast()), lowest >= 0 else {
                throw SpecError("invalid versions \"\(text)\"")
            }
            return Versions(lowest: lowest, highest: Int16.max)
        }
        let parts = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 1, let single = Int16(parts[0]), single >= 0 {
            return Versions(lowest: single, highest: single)
        }
        if parts.count == 2, let lowest = Int16(parts[0]), let highest = Int16(parts[1]), lowest >= 0,
            lowest <= highest
        {
            return Versions(lowest: lowest, highest: highest)
        }
        throw SpecError("invalid versions \"\(text)\"")
    }
}

/// A field's type as the spec names it.
public indirect enum FieldType: Hashable, Sendable, CustomStringConvertible {
    case bool
    case int8
    case int16
    case uint16
    case int32
    case uint32
    case int64
    case float64
    case string
    case bytes
    case records
    case uuid
    /// A struct, named as in the spec.
    case structure(String)
    case array(FieldType)

    public static func parse(_ text: String) throws -> FieldType {
        if text.hasPrefix("[]") {
            let element = try parse(String(text.dropFirst(2)))
            if case .array = element {
                throw SpecError("nested arrays are not supported: \(text)")
            }
            if element == .records {
                throw SpecError("arrays of records are not supported: \(text)")
            }
            return .array(element)
        }
        switch text {
        case "bool": return .bool
        case "int8": return .int8
        case "int16": return .int16
        case "uint16": return .uint16
        case "int32": return .int32
        case "uint32": return .uint32
        case "int64": return .int64
        case "float64": return .float64
        case "string": return .string
        case "bytes": return .bytes
        case "records": return .records
        case "uuid": return .uuid
        default:
            guard let first = text.unicodeScalars.first, CharacterSet.uppercaseLetters.contains(first),
                text.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) })
            else {
                throw SpecError("unknown field type \"\(text)\"")
            }
            return .structure(text)
        }
    }

    public var description: String {
        switch self {
        case .bool: return "bool"
        case .int8: return "int8"
        case .int16: return "int16"
        case .uint16: return "uint16"
        case .int32: return "int32"
        case .uint32: return "uint32"
        case .int64: return "int64"
        case .float64: return "float64"
        case .string: return "string"
        case .bytes: return "bytes"
        case .records: return "records"
        case .uuid: return "uuid"
        case .structure(let name): return name
        case .array(let element): return "[]\(element)"
        }
    }

    /// True for the integer types.
    public var isInteger: Bool {
        switch self {
        case .int8, .int16, .uint16, .int32, .uint32, .int64: return true
        default: return false
        }
    }

    /// The struct this type names, directly or as the element of an array.
    public var structName: String? {
        switch self {
        case .structure(let name): return name
        case .array(let element): return element.structName
        default: return nil
        }
    }
}

/// One entry of a spec's `fields` list.
public struct FieldSpec: Sendable {
    public var name: String
    public var type: FieldType
    public var versions: Versions
    public var nullableVersions: Versions
    public var taggedVersions: Versions
    public var tag: UInt32?
    /// The field's own `flexibleVersions`, which overrides the message's for this field's encoding.
    public var flexibleVersions: Versions?
    /// The spec's `default`, as written.
    public var defaultText: String?
    public var about: String?
    public var ignorable: Bool
    /// The fields of a struct declared inline by this field.
    public var inlineFields: [FieldSpec]?

    public init(
        name: String,
        type: FieldType,
        versions: Versions,
        nullableVersions: Versions,
        taggedVersions: Versions,
        tag: UInt32?,
        flexibleVersions: Versions?,
        defaultText: String?,
        about: String?,
        ignorable: Bool,
        inlineFields: [FieldSpec]?
    ) {
        self.name = name
        self.type = type
        self.versions = versions
        self.nullableVersions = nullableVersions
        self.taggedVersions = taggedVersions
        self.tag = tag
        self.flexibleVersions = flexibleVersions
        self.defaultText = defaultText
        self.about = about
        self.ignorable = ignorable
        self.inlineFields = inlineFields
    }

    /// The versions in which the field is a regular (untagged) field.
    public var regularVersions: Versions { versions.below(taggedVersions) }

    /// The versions in which the field is written in the tagged-field section.
    public var presentTaggedVersions: Versions { versions.intersection(taggedVersions) }
}

/// A named list of fields: a common struct, or a struct declared inline by a field.
public struct StructSpec: Sendable {
    public var name: String
    public var versions: Versions
    public var fields: [FieldSpec]

    public init(name: String, versions: Versions, fields: [FieldSpec]) {
        self.name = name
        self.versions = versions
        self.fields = fields
    }
}

/// One spec file.
public struct MessageSpec: Sendable {
    public enum Kind: String, Sendable {
        case request
        case response
        case header
        case data
        case metadata
        case coordinatorKey = "coordinator-key"
        case coordinatorValue = "coordinator-value"
    }

    public var name: String
    public var kind: Kind
    public var apiKey: Int16?
    public var validVersions: Versions
    public var flexibleVersions: Versions
    public var fields: [FieldSpec]
    public var commonStructs: [StructSpec]

    public init(
        name: String,
        kind: Kind,
        apiKey: Int16?,
        validVersions: Versions,
        flexibleVersions: Versions,
        fields: [FieldSpec],
        commonStructs: [StructSpec]
    ) {
        self.name = name
        self.kind = kind
        self.apiKey = apiKey
        self.validVersions = validVersions
        self.flexibleVersions = flexibleVersions
        self.fields = fields
        self.commonStructs = commonStructs
    }
}

// MARK: - Resolved model (what the emitter works from)

/// A field's default, resolved against its type.
public enum DefaultValue: Hashable, Sendable {
    case null
    case integer(Int64)
    case bool(Bool)
    case double(Double)
    case string(String)
    /// The type's zero value: empty bytes, zero UUID, empty array, a default struct.
    case typeDefault
}

/// A field with everything the emitter needs worked out.
public struct ResolvedField: Sendable {
    public var spec: FieldSpec
    /// The Swift property name, unescaped (`throttleTimeMs`).
    public var propertyName: String
    /// The property name as it can be written in Swift source (keywords in backticks).
    public var swiftName: String
    public var type: FieldType
    /// True when the Swift property is Optional.
    public var isOptional: Bool
    public var defaultValue: DefaultValue
    /// For struct and struct-array fields: the Swift name of the struct, as seen from the message.
    public var structSwiftName: String?
}

/// A struct to emit: the message itself, a struct declared inline, or a common struct.
public struct ResolvedStruct: Sendable {
    /// The name in the spec.
    public var specName: String
    /// The Swift type name (the spec name unless it collides with a Swift builtin).
    public var swiftName: String
    /// Swift type names from the top-level message down to this struct.
    public var path: [String]
    /// The versions in which this struct can be encoded: the message's valid versions narrowed by
    /// the fields that lead to it. Used to drop version checks that always hold.
    public var possibleVersions: Versions
    public var fields: [ResolvedField]
    /// Structs declared inside this one, in spec order (common structs last, in the message).
    public var nested: [ResolvedStruct]

    public var qualifiedName: String { path.joined(separator: ".") }
}

/// A message ready for emission.
public struct ResolvedMessage: Sendable {
    public var spec: MessageSpec
    public var root: ResolvedStruct

    public var name: String { spec.name }
}

/// Turns a ``MessageSpec`` into a ``ResolvedMessage``, checking the rules the emitter relies on.
public enum MessageResolver {
    public static func resolve(_ spec: MessageSpec) throws -> ResolvedMessage {
        var commonNames = Set<String>()
        for common in spec.commonStructs {
            guard commonNames.insert(common.name).inserted else {
                throw SpecError("\(spec.name): common struct \(common.name) declared twice")
            }
        }
        var declared = commonNames
        let rootName = spec.name
        var root = try resolveStruct(
            specName: rootName,
            swiftName: rootName,
            path: [rootName],
            fields: spec.fields,
            possible: spec.validVersions,
            message: spec,
            commonNames: commonNames,
            declared: &declared
        )
        for common in spec.commonStructs {
            let swiftName = Naming.structTypeName(common.name)
            let nested = try resolveStruct(
                specName: common.name,
                swiftName: swiftName,
                path: [rootName, swiftName],
                fields: common.fields,
                possible: spec.validVersions.intersection(common.versions),
                message: spec,
                commonNames: commonNames,
                declared: &declared
            )
            root.nested.append(nested)
        }
        return ResolvedMessage(spec: spec, root: root)
    }

    static func resolveStruct(
        specName: String,
        swiftName: String,
        path: [String],
        fields: [FieldSpec],
        possible: Versions,
        message: MessageSpec,
        commonNames: Set<String>,
        declared: inout Set<String>
    ) throws -> ResolvedStruct {
        var resolvedFields: [ResolvedField] = []
        var nested: [ResolvedStruct] = []
        var propertyNames = Set<String>()
        var tags = Set<UInt32>()
        for field in fields {
            let context = "\(message.name): \(path.joined(separator: ".")).\(field.name)"
            let resolved = try resolveField(field, message: message, context: context)
            guard propertyNames.insert(resolved.propertyName).inserted else {
                throw SpecError("\(context): two fields map to the Swift name \(resolved.propertyName)")
            }
            if Naming.reservedMemberNames.contains(resolved.propertyName) {
                throw SpecError("\(context): \(resolved.propertyName) clashes with a generated member")
            }
            if let tag = field.tag {
                guard tags.insert(tag).inserted else {
                    throw SpecError("\(context): tag \(tag) used twice")
                }
            }
            resolvedFields.append(resolved)
            guard let structName = field.type.structName else {
                if field.inlineFields != nil {
                    throw SpecError("\(context): a \(field.type) field cannot declare fields")
                }
                continue
            }
            if let inline = field.inlineFields {
                guard !commonNames.contains(structName) else {
                    throw SpecError("\(context): \(structName) is a common struct and cannot be redeclared")
                }
                guard declared.insert(structName).inserted else {
                    throw SpecError("\(context): struct \(structName) declared twice")
                }
                let nestedSwiftName = Naming.structTypeName(structName)
                nested.append(
                    try resolveStruct(
                        specName: structName,
                        swiftName: nestedSwiftName,
                        path: path + [nestedSwiftName],
                        fields: inline,
                        possible: possible.intersection(field.versions),
                        message: message,
                        commonNames: commonNames,
                        declared: &declared
                    )
                )
            } else if !commonNames.contains(structName) {
                throw SpecError("\(context): struct \(structName) has no fields and is not a common struct")
            }
        }
        return ResolvedStruct(
            specName: specName,
            swiftName: swiftName,
            path: path,
            possibleVersions: possible,
            fields: resolvedFields,
            nested: nested
        )
    }

    static func resolveField(_ field: FieldSpec, message: MessageSpec, context: String) throws -> ResolvedField {
        let propertyName = Naming.lowerCamel(field.name)
        let nullable = !field.nullableVersions.isEmpty
        switch field.type {
        case .string, .bytes, .records, .uuid, .array, .structure:
            break
        default:
            if nullable {
                throw SpecError("\(context): a \(field.type) field cannot be nullable")
            }
        }
        if field.type == .uuid && nullable {
            throw SpecError("\(context): nullable uuid fields are not supported")
        }
        let isOptional = nullable || field.type == .records
        if field.tag != nil {
            guard !field.taggedVersions.isEmpty else {
                throw SpecError("\(context): has a tag but no taggedVersions")
            }
            guard field.taggedVersions.isOpenEnded else {
                throw SpecError("\(context): taggedVersions must be open-ended (N+)")
            }
            guard message.flexibleVersions.covers(field.taggedVersions) else {
                throw SpecError("\(context): taggedVersions are not all flexible versions")
            }
            if field.type == .records {
                throw SpecError("\(context): records cannot be tagged")
            }
        } else if !field.taggedVersions.isEmpty {
            throw SpecError("\(context): has taggedVersions but no tag")
        }
        if let flexible = field.flexibleVersions {
            switch field.type {
            case .string, .bytes:
                break
            default:
                throw SpecError("\(context): only string and bytes fields may override flexibleVersions")
            }
            if field.tag != nil && !flexible.covers(field.taggedVersions) {
                throw SpecError("\(context): a tagged field cannot opt out of flexible encoding")
            }
        }
        let defaultValue = try resolveDefault(field, isOptional: isOptional, context: context)
        var structSwiftName: String?
        if let structName = field.type.structName {
            structSwiftName = Naming.structTypeName(structName)
        }
        return ResolvedField(
            spec: field,
            propertyName: propertyName,
            swiftName: Naming.escapedIdentifier(propertyName),
            type: field.type,
            isOptional: isOptional,
            defaultValue: defaultValue,
            structSwiftName: structSwiftName
        )
    }

    /// Applies Kafka's default rules: the spec's `default` when given, else the type's zero value
    /// (null for records).
    static func resolveDefault(_ field: FieldSpec, isOptional: Bool, context: String) throws -> DefaultValue {
        guard let text = field.defaultText else {
            return field.type == .records ? .null : .typeDefault
        }
        if text == "null" {
            guard isOptional else {
                throw SpecError("\(context): default null on a field that is never nullable")
            }
            return .null
        }
        switch field.type {
        case .int8, .int16, .uint16, .int32, .uint32, .int64:
            guard let value = parseInteger(text) else {
                throw SpecError("\(context): invalid integer default \"\(text)\"")
            }
            let range: ClosedRange<Int64>
            switch field.type {
            case .int8: range = Int64(Int8.min)...Int64(Int8.max)
            case .int16: range = Int64(Int16.min)...Int64(Int16.max)
            case .uint16: range = 0...Int64(UInt16.max)
            case .int32: range = Int64(Int32.min)...Int64(Int32.max)
            case .uint32: range = 0...Int64(UInt32.max)
            default: range = Int64.min...Int64.max
            }
            guard range.contains(value) else {
                throw SpecError("\(context): default \(text) does not fit \(field.type)")
            }
            return .integer(value)
        case .bool:
            switch text.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw SpecError("\(context): invalid bool default \"\(text)\"")
            }
        case .float64:
            guard let value = Double(text), value.isFinite else {
                throw SpecError("\(context): invalid float64 default \"\(text)\"")
            }
            return .double(value)
        case .string:
            return .string(text)
        default:
            throw SpecError("\(context): a \(field.type) field can only default to null")
        }
    }

    /// Parses decimal, `0x` hex and `0`-prefixed octal integers, optionally negative.
    static func parseInteger(_ text: String) -> Int64? {
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        var negative = false
        if body.hasPrefix("-") {
            negative = true
            body = body.dropFirst()
        }
        let magnitude: UInt64?
        if body.hasPrefix("0x") || body.hasPrefix("0X") {
            magnitude = UInt64(body.dropFirst(2), radix: 16)
        } else if body.count > 1 && body.hasPrefix("0") {
            magnitude = UInt64(body.dropFirst(), radix: 8)
        } else {
            magnitude = UInt64(body, radix: 10)
        }
        guard let magnitude else { return nil }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return Int64.min }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }
}

// MARK: - Naming

/// Spec names → Swift names.
public enum Naming {
    /// lowerCamel by lowering the leading run of capitals; when the run is followed by a lowercase
    /// letter its last capital starts the next word: `ThrottleTimeMs` → `throttleTimeMs`,
    /// `ISRNodes` → `isrNodes`, `V3AndBelowTopics` → `v3AndBelowTopics`.
    public static func lowerCamel(_ name: String) -> String {
        let characters = Array(name)
        var run = 0
        while run < characters.count, characters[run].isUppercase {
            run += 1
        }
        if run == 0 { return name }
        var lowered = run
        if run > 1, run < characters.count, characters[run].isLowercase {
            lowered = run - 1
        }
        return characters[0..<lowered].map { $0.lowercased() }.joined() + String(characters[lowered...])
    }

    /// Swift's reserved words, which need backticks as identifiers.
    public static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
        "inout", "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public",
        "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case", "catch",
        "continue", "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat",
        "return", "throw", "switch", "where", "while", "Any", "as", "await", "false", "is", "nil", "self",
        "Self", "super", "throws", "true", "try", "Type", "Protocol",
    ]

    /// Property names the generated code itself uses.
    public static let reservedMemberNames: Set<String> = ["unknownTaggedFields", "write", "init"]

    public static func escapedIdentifier(_ name: String) -> String {
        keywords.contains(name) ? "`\(name)`" : name
    }

    /// Nested struct names that would break compilation or shadow a type the generated code uses.
    /// Such a name gets the suffix `Struct` (`Type` → `TypeStruct`).
    public static let reservedTypeNames: Set<String> = [
        "Type", "Protocol", "Self", "Any", "AnyObject", "Optional", "Array", "String", "Bool", "Double",
        "Int", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Error", "Never",
        "Sendable", "Equatable", "ByteBuffer", "KafkaUUID", "KafkaTaggedField", "KafkaProtocolError",
        "ApiKey", "Response", "ClosedRange",
    ]

    public static func structTypeName(_ specName: String) -> String {
        reservedTypeNames.contains(specName) ? specName + "Struct" : specName
    }

    /// The `ApiKey` case for a request spec name: `DescribeClusterRequest` → `describeCluster`.
    public static func apiKeyCaseName(requestName: String) -> String {
        var base = requestName
        if base.hasSuffix("Request") {
            base = String(base.dropLast("Request".count))
        }
        return escapedIdentifier(lowerCamel(base))
    }
}
