import ConnectAPI

/// Builds a Connect schema from its JSON (Kafka's `JsonConverter.asConnectSchema`): `type` is required;
/// `optional` counts only as the boolean `true`; `name` and `doc` only as strings; `version` only as an
/// integer; parameter values must be strings; unknown members are ignored; `default` is decoded with the
/// schema built so far.
struct JSONSchemaReader {
    let input: UnsafeRawBufferPointer
    let options: JSONCodingOptions

    /// The schema, or `nil` for JSON `null`.
    func schema(from node: JSONNode) throws(JSONFailure) -> Schema? {
        if node.isNull { return nil }
        guard let typeName = node["type"]?.textValue else { throw .data("Schema must contain 'type' field") }
        var builder: SchemaBuilder
        switch typeName {
        case "boolean": builder = .boolean()
        case "int8": builder = .int8()
        case "int16": builder = .int16()
        case "int32": builder = .int32()
        case "int64": builder = .int64()
        case "float": builder = .float32()
        case "double": builder = .float64()
        case "bytes": builder = .bytes()
        case "string": builder = .string()
        case "array":
            guard let items = node["items"], !items.isNull, let itemSchema = try schema(from: items) else {
                throw .data("Array schema did not specify the element type")
            }
            builder = .array(itemSchema)
        case "map":
            guard let keys = node["keys"] else { throw .data("Map schema did not specify the key type") }
            guard let values = node["values"] else { throw .data("Map schema did not specify the value type") }
            guard let keySchema = try schema(from: keys) else { throw .data("keySchema cannot be null.") }
            guard let valueSchema = try schema(from: values) else { throw .data("valueSchema cannot be null.") }
            builder = .map(keySchema, valueSchema)
        case "struct":
            guard let fields = node["fields"], case .array(let entries) = fields.value else {
                throw .data("Struct schema's \"fields\" argument is not an array.")
            }
            builder = .struct()
            for entry in entries {
                guard let fieldName = entry["field"]?.textValue else {
                    throw .data("Struct schema's field name not specified properly")
                }
                guard let fieldSchema = try schema(from: entry) else {
                    throw .data("Struct schema's field name not specified properly")
                }
                builder.addField(fieldName, fieldSchema)
            }
        default:
            throw .data("Unknown schema type: \(typeName)")
        }

        if case .boolean(true)? = node["optional"]?.value {
            builder = builder.optional()
        } else {
            builder = builder.required()
        }
        if let name = node["name"]?.textValue { builder = builder.name(name) }
        if case .number(let token)? = node["version"]?.value, token.isInteger {
            // Jackson's intValue(): the low 32 bits.
            builder = builder.version(Int(Int32(truncatingIfNeeded: JSONReader(input).wrappedInteger(token))))
        }
        if let doc = node["doc"]?.textValue { builder = builder.doc(doc) }
        if let parameters = node["parameters"], case .object(let members) = parameters.value {
            for member in members {
                guard let value = member.value.textValue else {
                    throw .data("Schema parameters must have string values.")
                }
                builder = builder.parameter(member.key, value)
            }
        }
        if let defaultNode = node["default"] {
            let withoutDefault = try build(builder)
            let plan = SchemaPlan.make(withoutDefault, options: options)
            var reader = JSONReader(input, start: defaultNode.span.lowerBound, end: defaultNode.span.upperBound)
            let value = try reader.decode(plan, replaceNullWithDefault: options.replaceNullWithDefault)
            builder = builder.defaultValue(value)
        }
        return try build(builder)
    }

    private func build(_ builder: SchemaBuilder) throws(JSONFailure) -> Schema {
        do {
            return try builder.build()
        } catch {
            throw .data(error)
        }
    }
}
