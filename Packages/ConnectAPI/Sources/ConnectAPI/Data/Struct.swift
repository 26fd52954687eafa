/// The value of a `STRUCT` schema (Kafka's `Struct`): a schema and one value per field.
///
/// Field values are stored in an array indexed by ``Field/index`` (no per-struct dictionary), so
/// creating a struct is one allocation and access through a ``Field`` or an index is a bounds-checked
/// array access. Access by name looks the field up in the schema (a short linear scan for small
/// structs, a hash lookup for large ones).
///
/// `Struct` is a value type: copies are independent (copy-on-write). Writes are validated against the
/// field's schema and throw a ``DataError`` naming the field.
///
/// Performance (release build, 2-core machine, 10-field struct): building the value array in field
/// order and calling ``init(schema:values:)`` costs about 0.1 µs; ``init(schema:)`` plus ten
/// `put(_:_:)` calls with ``Field``s about 0.35 µs (by name a little more). Validation of primitive
/// and logical values is one comparison; nested containers are checked deeply. Converters should read
/// ``values`` (or iterate ``Schema/fields`` and call `get(_:)` with each ``Field``) rather than look fields up by name.
///
/// ```swift
/// var order = try Struct(schema: schema)
/// try order.put("id", .int64(42))
/// try order.put("amount", .decimal(ConnectDecimal(unscaled: 1999, scale: 2)))
/// try order.validate()            // required fields present?
/// let id = try order.get("id")    // .int64(42)
/// ```
public struct Struct: Sendable, Hashable, CustomStringConvertible {
    /// The struct's schema (kind ``Schema/Kind/struct``).
    public let schema: Schema
    /// The raw field values by field index; ``ConnectValue/null`` where unset (defaults not applied).
    public private(set) var values: [ConnectValue]

    /// Creates a struct with every field unset (``ConnectValue/null``).
    /// - Throws: ``DataError`` if `schema` is not a struct schema.
    public init(schema: Schema) throws(DataError) {
        guard schema.kind == .struct else { throw DataError("Not a struct schema: \(schema)") }
        self.schema = schema
        self.values = schema.unsetFieldValues
    }

    /// Creates a struct from its field values in field order, validating each against its field's
    /// schema (required fields may still be ``ConnectValue/null``; call ``validate()`` to check them).
    /// - Throws: ``DataError`` if `schema` is not a struct schema, the number of values differs from the
    ///   number of fields, or a value does not match its field's schema.
    public init(schema: Schema, values: [ConnectValue]) throws(DataError) {
        guard schema.kind == .struct else { throw DataError("Not a struct schema: \(schema)") }
        guard values.count == schema.fields.count else {
            throw DataError("Struct schema \(schema) has \(schema.fields.count) fields, got \(values.count) values")
        }
        let fields = schema.fields
        for index in fields.indices {
            let tag = values[index].tag
            if tag == fields[index].schema.acceptedTag || tag == ConnectValue.null.tag { continue }
            try fields[index].schema.validate(values[index], location: { "field: \"\(fields[index].name)\"" })
        }
        self.schema = schema
        self.values = values
    }

    // MARK: Reading

    /// The value of the named field, or the field schema's default when the value is unset.
    /// - Throws: ``DataError`` (`"<name> is not a valid field name"`) if the schema has no such field.
    public func get(_ fieldName: String) throws(DataError) -> ConnectValue {
        get(try lookupField(fieldName))
    }

    /// The value of a field of this struct's schema, or the field schema's default when unset.
    public func get(_ field: Field) -> ConnectValue {
        let value = values[field.index]
        if value.isNull { return field.schema.defaultValue }
        return value
    }

    /// The stored value of the named field, without applying the default.
    /// - Throws: ``DataError`` if the schema has no such field.
    public func getWithoutDefault(_ fieldName: String) throws(DataError) -> ConnectValue {
        values[try lookupField(fieldName).index]
    }

    /// The value of the named field with the default applied, or `nil` if the schema has no such field.
    public subscript(fieldName: String) -> ConnectValue? {
        guard let index = schema.fieldIndex(named: fieldName) else { return nil }
        return get(schema.fields[index])
    }

    // MARK: Writing

    /// Sets the named field after validating `value` against the field's schema.
    /// - Throws: ``DataError`` if there is no such field or the value does not match (the message names
    ///   the field, e.g. `Invalid value: null used for required field: "id", schema type: INT64`).
    public mutating func put(_ fieldName: String, _ value: ConnectValue) throws(DataError) {
        try put(try lookupField(fieldName), value)
    }

    /// Sets a field of this struct's schema after validating `value` against the field's schema.
    /// - Throws: ``DataError`` if the value does not match the field's schema, or the field does not
    ///   belong to this struct's schema.
    public mutating func put(_ field: Field, _ value: ConnectValue) throws(DataError) {
        let index = field.index
        guard index >= 0 && index < values.count && schema.fields[index].schema === field.schema else {
            try putSlowly(field, value)
            return
        }
        try field.schema.validate(value, location: { "field: \"\(field.name)\"" })
        values[index] = value
    }

    /// `put` for a field that is not (identically) this schema's field at that index: accepted if an
    /// equal field is there.
    private mutating func putSlowly(_ field: Field, _ value: ConnectValue) throws(DataError) {
        guard field.index >= 0 && field.index < values.count && schema.fields[field.index] == field else {
            throw DataError("\(field.name) is not a valid field name")
        }
        try field.schema.validate(value, location: { "field: \"\(field.name)\"" })
        values[field.index] = value
    }

    // MARK: Validation

    /// Checks every field: a field that is unset must be optional or have a default; a set field must
    /// match its schema.
    /// - Throws: ``DataError`` naming the first field that fails, e.g.
    ///   `Invalid value: null used for required field: "id", schema type: INT64`.
    public func validate() throws(DataError) {
        for field in schema.fields {
            let value = values[field.index]
            if value.isNull && (field.schema.isOptional || !field.schema.defaultValue.isNull) { continue }
            try field.schema.validate(value, location: { "field: \"\(field.name)\"" })
        }
    }

    private func lookupField(_ fieldName: String) throws(DataError) -> Field {
        guard let index = schema.fieldIndex(named: fieldName) else {
            throw DataError("\(fieldName) is not a valid field name")
        }
        return schema.fields[index]
    }

    /// `Struct{a=1,b=x}` listing the fields that are set, as Kafka's `Struct.toString()`.
    public var description: String {
        var parts: [String] = []
        for field in schema.fields where !values[field.index].isNull {
            parts.append("\(field.name)=\(values[field.index])")
        }
        return "Struct{" + parts.joined(separator: ",") + "}"
    }
}
