/// A field of a struct schema (Kafka's `Field`): its name, its position in the struct and its schema.
///
/// ``Struct`` stores field values in an array indexed by ``index``, so reading or writing through a
/// `Field` needs no name lookup.
public struct Field: Sendable, Hashable, CustomStringConvertible {
    /// The field's name, unique within its struct schema.
    public let name: String
    /// The field's position in ``Schema/fields``.
    public let index: Int
    /// The schema of the field's values.
    public let schema: Schema

    /// Creates a field. Struct schemas built by ``SchemaBuilder`` create their fields themselves;
    /// this initializer exists for code that needs a free-standing `Field` value.
    public init(name: String, index: Int, schema: Schema) {
        self.name = name
        self.index = index
        self.schema = schema
    }

    /// `Field{name=<name>, index=<index>, schema=<schema>}`, as Kafka's `Field.toString()`.
    public var description: String {
        "Field{name=\(name), index=\(index), schema=\(schema)}"
    }
}
