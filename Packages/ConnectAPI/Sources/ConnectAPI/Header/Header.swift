/// One record header (Kafka's Connect `Header`): a key, and a value with an optional schema.
///
/// Header values are converted to and from bytes per header by the worker's header converter.
public struct Header: Sendable, Hashable, CustomStringConvertible {
    /// The header's key; several headers may share a key.
    public var key: String
    /// The value's schema, or `nil` for schemaless values.
    public var schema: Schema?
    /// The value.
    public var value: ConnectValue

    /// Creates a header without validating the value against the schema (use
    /// ``Headers/add(_:_:schema:)`` for a validated add).
    public init(key: String, schema: Schema?, value: ConnectValue) {
        self.key = key
        self.schema = schema
        self.value = value
    }

    /// A copy with another key (Kafka's `Header.rename`).
    public func renamed(to key: String) -> Header {
        Header(key: key, schema: schema, value: value)
    }

    /// A copy with another schema and value (Kafka's `Header.with`).
    public func with(schema: Schema?, value: ConnectValue) -> Header {
        Header(key: key, schema: schema, value: value)
    }

    /// `ConnectHeader(key=<key>, value=<value>, schema=<schema>)`.
    public var description: String {
        "ConnectHeader(key=\(key), value=\(value), schema=\(schema.map(\.description) ?? "null"))"
    }
}
