import ConnectAPI

/// Everything the converter needs to know about one schema, worked out once and cached with it: how to
/// recognize its fields in JSON (their UTF-8 names), how to write them (`"name":` prefixes), its logical
/// type, its default value both decoded and as JSON, and its own schema JSON for the envelope.
///
/// Plans depend on the converter's settings (decimal format), so each converter builds its own. They are
/// immutable once built and shared between threads.
final class SchemaPlan: @unchecked Sendable {
    enum Logical {
        case none
        /// `Decimal` with the schema's scale (`nil` if the `scale` parameter is missing or invalid).
        case decimal(scale: Int32?)
        case date
        case time
        case timestamp
    }

    struct FieldPlan {
        let index: Int
        let name: String
        let nameUTF8: [UInt8]
        let plan: SchemaPlan
    }

    /// How a field is written and read on the fast path: primitive kinds inline, everything else
    /// (containers, logical types) through its plan.
    enum FieldCode: UInt8 {
        case other, int8, int16, int32, int64, float32, float64, boolean, string, bytes
    }
    let schema: Schema
    let kind: Schema.Kind
    let logical: Logical
    let isOptional: Bool
    /// The default value (logical form) or ``ConnectValue/null``.
    let defaultValue: ConnectValue
    let fields: [FieldPlan]
    /// Array elements or map values; `nil` for other kinds (or an array/map schema without one).
    let element: SchemaPlan?
    /// Map keys.
    let key: SchemaPlan?
    /// Maps with `STRING` keys are JSON objects; other maps arrays of `[key, value]` pairs.
    let mapAsObject: Bool
    /// The fields' keys as they appear in compact JSON, `"name":` (escaped as Jackson escapes), one
    /// after the other; field `i` is `fieldKeys[fieldKeyOffsets[i]..<fieldKeyOffsets[i + 1]]`.
    let fieldKeys: [UInt8]
    let fieldKeyOffsets: [Int]
    let fieldPlans: [SchemaPlan]
    let fieldCodes: [FieldCode]

    // The JSON members below are written once while the plan is built, before it is shared, and read
    // without run-time exclusivity checks.

    /// The default value as JSON, when the schema has one; set right after construction.
    @exclusivity(unchecked) private(set) var defaultJSON: [UInt8] = []
    /// Why the default could not be written as JSON (reported only when it is needed).
    @exclusivity(unchecked) private(set) var defaultJSONFailure: JSONFailure?
    /// The schema as Kafka's JsonConverter writes it (`{"type":…,"optional":…}`).
    @exclusivity(unchecked) private(set) var schemaJSON: [UInt8] = []
    @exclusivity(unchecked) private(set) var schemaJSONFailure: JSONFailure?
    /// `{"schema":<schema JSON>,"payload":` — what an envelope starts with.
    @exclusivity(unchecked) private(set) var envelopePrefix: [UInt8] = []

    var hasDefault: Bool { !defaultValue.isNull }

    private init(schema: Schema, fields: [FieldPlan], element: SchemaPlan?, key: SchemaPlan?) {
        self.schema = schema
        self.kind = schema.kind
        self.isOptional = schema.isOptional
        self.defaultValue = schema.defaultValue
        self.fields = fields
        self.element = element
        self.key = key
        self.mapAsObject = schema.kind == .map && schema.keySchema?.kind == .string
        var keys = ByteWriter(capacity: 16 * fields.count)
        var offsets = [0]
        for field in fields {
            keys.appendString(field.name)
            keys.append(UInt8(ascii: ":"))
            offsets.append(keys.count)
        }
        self.fieldKeys = keys.makeArray()
        self.fieldKeyOffsets = offsets
        self.fieldPlans = fields.map(\.plan)
        self.fieldCodes = fields.map { field in
            guard case .none = field.plan.logical else { return .other }
            switch field.plan.kind {
            case .int8: return .int8
            case .int16: return .int16
            case .int32: return .int32
            case .int64: return .int64
            case .float32: return .float32
            case .float64: return .float64
            case .boolean: return .boolean
            case .string: return .string
            case .bytes: return .bytes
            case .array, .map, .struct: return .other
            }
        }
        // Kafka picks logical converters by schema name alone.
        switch schema.name {
        case LogicalType.decimalName:
            self.logical = .decimal(scale: schema.parameters[LogicalType.scaleParameter].flatMap { Int32($0) })
        case LogicalType.dateName: self.logical = .date
        case LogicalType.timeName: self.logical = .time
        case LogicalType.timestampName: self.logical = .timestamp
        default: self.logical = .none
        }
    }

    /// Builds the plan of a schema and of every schema inside it.
    static func make(_ schema: Schema, options: JSONCodingOptions) -> SchemaPlan {
        var fields: [FieldPlan] = []
        fields.reserveCapacity(schema.fields.count)
        for field in schema.fields {
            fields.append(
                FieldPlan(
                    index: field.index,
                    name: field.name,
                    nameUTF8: Array(field.name.utf8),
                    plan: make(field.schema, options: options)
                )
            )
        }
        let element = schema.valueSchema.map { make($0, options: options) }
        let key = schema.keySchema.map { make($0, options: options) }
        let plan = SchemaPlan(schema: schema, fields: fields, element: element, key: key)
        plan.prepareJSON(options: options)
        return plan
    }

    private func prepareJSON(options: JSONCodingOptions) {
        if hasDefault {
            var writer = ByteWriter(capacity: 64)
            do {
                try JSONValueEncoder(options: options).encode(defaultValue, plan: self, into: &writer, isDefault: true)
                defaultJSON = writer.makeArray()
            } catch {
                defaultJSONFailure = error
            }
        }
        var writer = ByteWriter(capacity: 128)
        do {
            try writeSchemaJSON(into: &writer)
            schemaJSON = writer.makeArray()
        } catch {
            schemaJSONFailure = error
        }
        var envelope = ByteWriter(capacity: schemaJSON.count + 24)
        envelope.append(ascii: "{\"schema\":")
        envelope.append(schemaJSON)
        envelope.append(ascii: ",\"payload\":")
        envelopePrefix = envelope.makeArray()
    }

    /// Kafka's `JsonConverter.asJsonSchema`: `type`; `items` / `keys`, `values` / `fields`; `optional`;
    /// then `name`, `version`, `doc`, `parameters` and `default` when set. Struct fields are their
    /// schema's JSON with a final `"field"` member.
    private func writeSchemaJSON(into writer: inout ByteWriter) throws(JSONFailure) {
        writer.append(ascii: "{\"type\":")
        switch kind {
        case .boolean: writer.append(ascii: "\"boolean\"")
        case .int8: writer.append(ascii: "\"int8\"")
        case .int16: writer.append(ascii: "\"int16\"")
        case .int32: writer.append(ascii: "\"int32\"")
        case .int64: writer.append(ascii: "\"int64\"")
        case .float32: writer.append(ascii: "\"float\"")
        case .float64: writer.append(ascii: "\"double\"")
        case .bytes: writer.append(ascii: "\"bytes\"")
        case .string: writer.append(ascii: "\"string\"")
        case .array:
            writer.append(ascii: "\"array\",\"items\":")
            try appendChildSchema(element, into: &writer)
        case .map:
            writer.append(ascii: "\"map\",\"keys\":")
            try appendChildSchema(key, into: &writer)
            writer.append(ascii: ",\"values\":")
            try appendChildSchema(element, into: &writer)
        case .struct:
            writer.append(ascii: "\"struct\",\"fields\":[")
            for field in fields {
                if field.index > 0 { writer.append(UInt8(ascii: ",")) }
                if let failure = field.plan.schemaJSONFailure { throw failure }
                let child = field.plan.schemaJSON
                // The child's JSON without its closing brace, then `,"field":"<name>"}`.
                child.withUnsafeBufferPointer { writer.append(UnsafeBufferPointer(rebasing: $0.dropLast())) }
                writer.append(ascii: ",\"field\":")
                writer.appendString(field.name)
                writer.append(UInt8(ascii: "}"))
            }
            writer.append(UInt8(ascii: "]"))
        }
        writer.append(ascii: ",\"optional\":")
        if isOptional { writer.append(ascii: "true") } else { writer.append(ascii: "false") }
        if let name = schema.name {
            writer.append(ascii: ",\"name\":")
            writer.appendString(name)
        }
        if let version = schema.version {
            writer.append(ascii: ",\"version\":")
            writer.appendInteger(Int64(version))
        }
        if let doc = schema.doc {
            writer.append(ascii: ",\"doc\":")
            writer.appendString(doc)
        }
        if !schema.parameters.isEmpty {
            writer.append(ascii: ",\"parameters\":{")
            for (position, entry) in schema.parameters.entries.enumerated() {
                if position > 0 { writer.append(UInt8(ascii: ",")) }
                writer.appendString(entry.key)
                writer.append(UInt8(ascii: ":"))
                writer.appendString(entry.value)
            }
            writer.append(UInt8(ascii: "}"))
        }
        if hasDefault {
            if let defaultJSONFailure { throw defaultJSONFailure }
            writer.append(ascii: ",\"default\":")
            writer.append(defaultJSON)
        }
        writer.append(UInt8(ascii: "}"))
    }

    private func appendChildSchema(_ child: SchemaPlan?, into writer: inout ByteWriter) throws(JSONFailure) {
        guard let child else {
            // An array or map schema without element schemas (Kafka's `arrayOfNull()`): Jackson writes null.
            writer.append(ascii: "null")
            return
        }
        if let failure = child.schemaJSONFailure { throw failure }
        writer.append(child.schemaJSON)
    }
}

/// The settings that change how values are written and read.
struct JSONCodingOptions: Sendable, Hashable {
    var schemasEnabled: Bool
    var decimalFormat: JSONConverterConfig.DecimalFormat
    var replaceNullWithDefault: Bool
}
