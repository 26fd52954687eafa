/// Builds a ``Schema`` fluently, with Kafka's `SchemaBuilder` rules:
///
/// - `optional()`/`required()`, `name`, `version`, `doc` and `defaultValue` may each be set once (setting
///   the same value again is allowed; a different one is an error: `Invalid SchemaBuilder call: name has
///   already been set.`);
/// - fields only on struct schemas, with non-empty, unique names (`Cannot create field because of field
///   name duplication <name>`);
/// - the default value must be valid for the schema (`Invalid default value`), including logical types;
///   `.null` as default means "no default" and is valid only for optional schemas.
///
/// Calls never throw; the first rule broken is remembered and ``build()`` throws it as a ``DataError``.
/// (Kafka throws at the offending call; this lets the chain read without `try` at every step.) The
/// default value is checked in ``build()`` against the finished schema, so the order of calls does not
/// matter.
///
/// `SchemaBuilder` is a value type: each fluent call returns a modified copy. In loops, use the mutating
/// ``addField(_:_:)``, which does not copy the field list:
///
/// ```swift
/// let point = try SchemaBuilder.struct().name("Point").field("x", .int32).field("y", .int32).build()
///
/// var builder = SchemaBuilder.struct()
/// for (name, schema) in columns { builder.addField(name, schema) }
/// let row = try builder.optional().build()
/// ```
public struct SchemaBuilder: Sendable {
    /// The kind of schema being built.
    public let kind: Kind
    /// Whether the schema will be optional (false unless ``optional()`` was called).
    public var isOptional: Bool { optionalFlag ?? false }
    /// The default value set so far, if any.
    public private(set) var defaultValue: ConnectValue?
    /// The name set so far.
    public private(set) var name: String?
    /// The version set so far.
    public private(set) var version: Int?
    /// The documentation set so far.
    public private(set) var doc: String?
    /// The parameters set so far, in insertion order.
    public private(set) var parameters: SchemaParameters
    /// The fields added so far (struct schemas).
    public private(set) var fields: [Field]
    /// The key schema (map schemas).
    public private(set) var keySchema: Schema?
    /// The element or value schema (array and map schemas).
    public private(set) var valueSchema: Schema?

    /// The kind of a schema (same as ``Schema/Kind``).
    public typealias Kind = Schema.Kind

    private var optionalFlag: Bool?
    /// Bit set of the attributes set through a fluent call, which may not be set again to a different
    /// value.
    private var locked: UInt8 = 0
    private var error: DataError?

    private enum Attribute: UInt8 {
        case optional = 1
        case defaultValue = 2
        case name = 4
        case version = 8
        case doc = 16

        var name: String {
            switch self {
            case .optional: "optional"
            case .defaultValue: "default"
            case .name: "name"
            case .version: "version"
            case .doc: "doc"
            }
        }
    }

    /// Starts a schema of the given kind. For arrays and maps prefer ``array(_:)`` and ``map(_:_:)``,
    /// which set the element schemas.
    public init(_ kind: Kind) {
        self.kind = kind
        self.parameters = SchemaParameters()
        self.fields = []
    }

    /// Starts a builder holding every attribute of an existing schema (fields, element schemas, name,
    /// version, doc, parameters, default, optionality). The copied attributes may be overridden once,
    /// which is what transforms deriving a new schema from an input schema need.
    public init(copying schema: Schema) {
        self.kind = schema.kind
        self.optionalFlag = schema.isOptional
        // Not `nil`: ConnectValue is ExpressibleByNilLiteral, so a bare nil here would be `.null`.
        self.defaultValue = schema.defaultValue.isNull ? Optional<ConnectValue>.none : schema.defaultValue
        self.name = schema.name
        self.version = schema.version
        self.doc = schema.doc
        self.parameters = schema.parameters
        self.fields = schema.fields
        self.keySchema = schema.keySchema
        self.valueSchema = schema.valueSchema
    }

    /// Starts a builder of another kind with the name, version, doc and parameters of `schema` (Kafka's
    /// `SchemaUtil.copySchemaBasics`, used by transforms that rebuild a struct schema with other fields).
    /// Optionality, default, fields and element schemas are not copied; the copied attributes may be
    /// overridden once.
    public init(_ kind: Kind, basicsOf schema: Schema) {
        self.init(kind)
        self.name = schema.name
        self.version = schema.version
        self.doc = schema.doc
        self.parameters = schema.parameters
    }

    // MARK: Starting points

    /// An INT8 schema builder.
    public static func int8() -> SchemaBuilder { SchemaBuilder(.int8) }
    /// An INT16 schema builder.
    public static func int16() -> SchemaBuilder { SchemaBuilder(.int16) }
    /// An INT32 schema builder.
    public static func int32() -> SchemaBuilder { SchemaBuilder(.int32) }
    /// An INT64 schema builder.
    public static func int64() -> SchemaBuilder { SchemaBuilder(.int64) }
    /// A FLOAT32 schema builder.
    public static func float32() -> SchemaBuilder { SchemaBuilder(.float32) }
    /// A FLOAT64 schema builder.
    public static func float64() -> SchemaBuilder { SchemaBuilder(.float64) }
    /// A BOOLEAN schema builder (Kafka's `SchemaBuilder.bool()`).
    public static func boolean() -> SchemaBuilder { SchemaBuilder(.boolean) }
    /// A STRING schema builder.
    public static func string() -> SchemaBuilder { SchemaBuilder(.string) }
    /// A BYTES schema builder.
    public static func bytes() -> SchemaBuilder { SchemaBuilder(.bytes) }
    /// A STRUCT schema builder; add fields with ``field(_:_:)``.
    public static func `struct`() -> SchemaBuilder { SchemaBuilder(.struct) }

    /// An ARRAY schema builder with the given element schema.
    public static func array(_ valueSchema: Schema) -> SchemaBuilder {
        var builder = SchemaBuilder(.array)
        builder.valueSchema = valueSchema
        return builder
    }

    /// A MAP schema builder with the given key and value schemas.
    public static func map(_ keySchema: Schema, _ valueSchema: Schema) -> SchemaBuilder {
        var builder = SchemaBuilder(.map)
        builder.keySchema = keySchema
        builder.valueSchema = valueSchema
        return builder
    }

    /// A `Decimal` logical schema builder (`Decimal.builder(scale)`).
    public static func decimal(scale: Int32) -> SchemaBuilder { LogicalType.decimal(scale: scale).builder() }
    /// A `Date` logical schema builder (`Date.builder()`).
    public static func date() -> SchemaBuilder { LogicalType.date.builder() }
    /// A `Time` logical schema builder (`Time.builder()`).
    public static func time() -> SchemaBuilder { LogicalType.time.builder() }
    /// A `Timestamp` logical schema builder (`Timestamp.builder()`).
    public static func timestamp() -> SchemaBuilder { LogicalType.timestamp.builder() }

    // MARK: Attributes

    /// Makes the schema optional (null is a valid value).
    public func optional() -> SchemaBuilder {
        var copy = self
        copy.set(.optional, current: optionalFlag, new: true) { $0.optionalFlag = true }
        return copy
    }

    /// Makes the schema required (the default).
    public func required() -> SchemaBuilder {
        var copy = self
        copy.set(.optional, current: optionalFlag, new: false) { $0.optionalFlag = false }
        return copy
    }

    /// Sets the default value; it is validated against the schema in ``build()``.
    public func defaultValue(_ value: ConnectValue) -> SchemaBuilder {
        var copy = self
        copy.set(.defaultValue, current: defaultValue, new: value) { $0.defaultValue = value }
        return copy
    }

    /// Sets the name.
    public func name(_ name: String) -> SchemaBuilder {
        var copy = self
        copy.set(.name, current: self.name, new: name) { $0.name = name }
        return copy
    }

    /// Sets the version.
    public func version(_ version: Int) -> SchemaBuilder {
        var copy = self
        copy.set(.version, current: self.version, new: version) { $0.version = version }
        return copy
    }

    /// Sets the documentation.
    public func doc(_ doc: String) -> SchemaBuilder {
        var copy = self
        copy.set(.doc, current: self.doc, new: doc) { $0.doc = doc }
        return copy
    }

    /// Adds (or replaces) a parameter; parameters keep insertion order.
    public func parameter(_ key: String, _ value: String) -> SchemaBuilder {
        var copy = self
        copy.parameters[key] = value
        return copy
    }

    /// Adds (or replaces) several parameters, in order.
    public func parameters(_ parameters: SchemaParameters) -> SchemaBuilder {
        var copy = self
        for (key, value) in parameters { copy.parameters[key] = value }
        return copy
    }

    /// Adds a field to a struct schema.
    public func field(_ name: String, _ schema: Schema) -> SchemaBuilder {
        var copy = self
        copy.addField(name, schema)
        return copy
    }

    /// Adds a field to a struct schema in place (no copy of the field list).
    public mutating func addField(_ name: String, _ schema: Schema) {
        guard error == nil else { return }
        guard kind == .struct else {
            error = DataError("Cannot create fields on type \(kind)")
            return
        }
        guard !name.isEmpty else {
            error = DataError("fieldName cannot be null.")
            return
        }
        if fields.contains(where: { $0.name == name }) {
            error = DataError("Cannot create field because of field name duplication \(name)")
            return
        }
        fields.append(Field(name: name, index: fields.count, schema: schema))
    }

    /// The field with the given name added so far, if any.
    public func field(named name: String) -> Field? {
        fields.first { $0.name == name }
    }

    // MARK: Building

    /// Builds the schema.
    /// - Throws: ``DataError`` for the first rule broken while building (see the type's documentation),
    ///   or `Invalid default value: <reason>` if the default value is not valid for the schema.
    public func build() throws(DataError) -> Schema {
        if let error { throw error }
        if kind == .array && valueSchema == nil { throw DataError("valueSchema cannot be null.") }
        if kind == .map && (keySchema == nil || valueSchema == nil) {
            throw DataError(keySchema == nil ? "keySchema cannot be null." : "valueSchema cannot be null.")
        }
        let withoutDefault = Schema(
            kind: kind,
            isOptional: isOptional,
            name: name,
            version: version,
            doc: doc,
            parameters: parameters,
            fields: fields,
            keySchema: keySchema,
            valueSchema: valueSchema
        )
        guard let defaultValue else { return withoutDefault }
        do {
            try withoutDefault.validate(defaultValue)
        } catch {
            throw DataError("Invalid default value: \(error.message)", underlying: error)
        }
        if defaultValue.isNull { return withoutDefault }
        return Schema(
            kind: kind,
            isOptional: isOptional,
            defaultValue: defaultValue,
            name: name,
            version: version,
            doc: doc,
            parameters: parameters,
            fields: fields,
            keySchema: keySchema,
            valueSchema: valueSchema
        )
    }

    private mutating func set<Value: Equatable>(
        _ attribute: Attribute,
        current: Value?,
        new: Value,
        apply: (inout SchemaBuilder) -> Void
    ) {
        guard error == nil else { return }
        if locked & attribute.rawValue != 0, let current, current != new {
            error = DataError("Invalid SchemaBuilder call: \(attribute.name) has already been set.")
            return
        }
        locked |= attribute.rawValue
        apply(&self)
    }
}
