/// A value together with its schema (Kafka's `SchemaAndValue`); what converters produce when decoding.
///
/// A `nil` schema means schemaless data.
public struct SchemaAndValue: Sendable, Hashable, CustomStringConvertible {
    /// The schema, or `nil` for schemaless data.
    public var schema: Schema?
    /// The value.
    public var value: ConnectValue

    /// No schema and no value (Kafka's `SchemaAndValue.NULL`).
    public static let null = SchemaAndValue(schema: nil, value: .null)

    /// Creates a pair.
    public init(schema: Schema?, value: ConnectValue) {
        self.schema = schema
        self.value = value
    }

    /// `SchemaAndValue{schema=<schema>, value=<value>}`.
    public var description: String {
        "SchemaAndValue{schema=\(schema.map(\.description) ?? "null"), value=\(value)}"
    }
}
