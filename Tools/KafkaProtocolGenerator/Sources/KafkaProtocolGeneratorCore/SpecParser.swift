import Foundation

/// Reads Kafka's JSON message specs (JSON with `//` line comments) into ``MessageSpec`` values.
///
/// The parser keeps to what the spec format defines (see KAFKA-README.md next to the specs) and
/// rejects what it does not understand, so that a new spec feature fails loudly instead of being
/// silently mis-encoded.
public enum SpecParser {
    /// Removes `//` line comments outside JSON strings. A `//` inside a string (a URL in an
    /// "about" text, say) is kept, as are escaped quotes inside strings. Line breaks are kept so
    /// that JSON error positions still point at the right line.
    public static func stripComments(_ text: String) -> String {
        var output: [UInt8] = []
        let bytes = Array(text.utf8)
        output.reserveCapacity(bytes.count)
        var index = 0
        var inString = false
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                output.append(byte)
                if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                    output.append(bytes[index + 1])
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\"") {
                inString = true
                output.append(byte)
                index += 1
                continue
            }
            if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "/") {
                // Skip to the end of the line; keep the line break itself.
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") {
                    index += 1
                }
                continue
            }
            output.append(byte)
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Parses one spec file.
    public static func parse(contentsOf url: URL) throws -> MessageSpec {
        let data = try Data(contentsOf: url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw SpecError("\(url.lastPathComponent): not UTF-8")
        }
        do {
            return try parse(text)
        } catch let error as SpecError {
            throw SpecError("\(url.lastPathComponent): \(error.message)")
        }
    }

    /// Parses the text of one spec file.
    public static func parse(_ text: String) throws -> MessageSpec {
        let stripped = stripComments(text)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(stripped.utf8), options: [])
        } catch {
            throw SpecError("invalid JSON: \(error.localizedDescription)")
        }
        guard let root = object as? [String: Any] else {
            throw SpecError("the top level is not a JSON object")
        }
        return try parseMessage(root)
    }

    // MARK: - Objects

    static func parseMessage(_ json: [String: Any]) throws -> MessageSpec {
        let name = try requiredString(json, "name", in: "message")
        let typeText = try requiredString(json, "type", in: name)
        guard let kind = MessageSpec.Kind(rawValue: typeText) else {
            throw SpecError("\(name): unknown message type \"\(typeText)\"")
        }
        let validVersions = try Versions.parse(try requiredString(json, "validVersions", in: name))
        let flexibleVersions = try Versions.parse(try requiredString(json, "flexibleVersions", in: name))
        var apiKey: Int16?
        if let value = json["apiKey"] {
            guard let number = value as? NSNumber, let key = Int16(exactly: number.int64Value) else {
                throw SpecError("\(name): apiKey is not a 16-bit integer")
            }
            apiKey = key
        }
        let fields = try parseFields(json["fields"], in: name)
        var commonStructs: [StructSpec] = []
        if let value = json["commonStructs"] {
            guard let array = value as? [Any] else {
                throw SpecError("\(name): commonStructs is not an array")
            }
            for element in array {
                guard let object = element as? [String: Any] else {
                    throw SpecError("\(name): a common struct is not an object")
                }
                let structName = try requiredString(object, "name", in: "\(name) common struct")
                let versions = try Versions.parse(try requiredString(object, "versions", in: structName))
                let structFields = try parseFields(object["fields"], in: structName)
                commonStructs.append(StructSpec(name: structName, versions: versions, fields: structFields))
            }
        }
        return MessageSpec(
            name: name,
            kind: kind,
            apiKey: apiKey,
            validVersions: validVersions,
            flexibleVersions: flexibleVersions,
            fields: fields,
            commonStructs: commonStructs
        )
    }

    static func parseFields(_ value: Any?, in owner: String) throws -> [FieldSpec] {
        guard let value else { return [] }
        guard let array = value as? [Any] else {
            throw SpecError("\(owner): fields is not an array")
        }
        var fields: [FieldSpec] = []
        for element in array {
            guard let object = element as? [String: Any] else {
                throw SpecError("\(owner): a field is not an object")
            }
            fields.append(try parseField(object, in: owner))
        }
        return fields
    }

    static func parseField(_ json: [String: Any], in owner: String) throws -> FieldSpec {
        let name = try requiredString(json, "name", in: "\(owner) field")
        let context = "\(owner).\(name)"
        let type = try FieldType.parse(try requiredString(json, "type", in: context))
        let versions = try Versions.parse(try requiredString(json, "versions", in: context))
        let nullableVersions = try optionalString(json, "nullableVersions", in: context).map(Versions.parse) ?? .none
        let taggedVersions = try optionalString(json, "taggedVersions", in: context).map(Versions.parse) ?? .none
        let flexibleVersions = try optionalString(json, "flexibleVersions", in: context).map(Versions.parse)
        var tag: UInt32?
        if let value = json["tag"] {
            // A few specs spell the tag as a string ("tag": "0").
            if let string = value as? String, let parsed = UInt32(string) {
                tag = parsed
            } else if let number = value as? NSNumber, let parsed = UInt32(exactly: number.int64Value) {
                tag = parsed
            } else {
                throw SpecError("\(context): tag is not a non-negative integer")
            }
        }
        var defaultText: String?
        if let value = json["default"] {
            if let string = value as? String {
                defaultText = string
            } else if let number = value as? NSNumber {
                // Some specs write the default as a JSON number or boolean. JSONSerialization gives
                // both as NSNumber, so the field's type decides how to spell it.
                if type == .bool {
                    defaultText = number.boolValue ? "true" : "false"
                } else {
                    defaultText = number.stringValue
                }
            } else {
                throw SpecError("\(context): default is neither a string nor a number")
            }
        }
        let about = try optionalString(json, "about", in: context)
        let ignorable = (json["ignorable"] as? Bool) ?? false
        var inlineFields: [FieldSpec]?
        if json["fields"] != nil {
            inlineFields = try parseFields(json["fields"], in: context)
        }
        return FieldSpec(
            name: name,
            type: type,
            versions: versions,
            nullableVersions: nullableVersions,
            taggedVersions: taggedVersions,
            tag: tag,
            flexibleVersions: flexibleVersions,
            defaultText: defaultText,
            about: about,
            ignorable: ignorable,
            inlineFields: inlineFields
        )
    }

    // MARK: - Helpers

    static func requiredString(_ json: [String: Any], _ key: String, in context: String) throws -> String {
        guard let value = json[key] else {
            throw SpecError("\(context): missing \"\(key)\"")
        }
        guard let string = value as? String else {
            throw SpecError("\(context): \"\(key)\" is not a string")
        }
        return string
    }

    static func optionalString(_ json: [String: Any], _ key: String, in context: String) throws -> String? {
        guard let value = json[key] else { return nil }
        guard let string = value as? String else {
            throw SpecError("\(context): \"\(key)\" is not a string")
        }
        return string
    }
}

/// A spec the generator cannot handle; the message names the file and the field.
public struct SpecError: Error, CustomStringConvertible, Sendable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
