/// The headers of a record (Kafka's Connect `Headers`/`ConnectHeaders`): an ordered list of
/// ``Header``s in which keys may repeat.
///
/// `Headers` is a value type, so a record's copy has independent headers and Kafka's `duplicate()` is a
/// plain assignment. Typed `add…` methods pick the schema (`addInt` uses ``Schema/int32``,
/// `addString` ``Schema/string`` or, for `nil`, ``Schema/optionalString``).
///
/// ```swift
/// var headers = Headers()
/// headers.addString("source", "orders-db")
/// headers.addLong("ingested-at", 1_700_000_000_000)
/// headers.lastWithName("source")?.value      // .string("orders-db")
/// headers.remove("source")
/// ```
public struct Headers: Sendable, Hashable, RandomAccessCollection, ExpressibleByArrayLiteral, CustomStringConvertible {
    private var storage: [Header]

    /// No headers.
    public init() {
        storage = []
    }

    /// The given headers, in order.
    public init(_ headers: some Sequence<Header>) {
        storage = Array(headers)
    }

    /// The given headers, in order.
    public init(arrayLiteral elements: Header...) {
        storage = elements
    }

    // MARK: Collection

    /// The position of the first header.
    public var startIndex: Int { storage.startIndex }
    /// The position past the last header.
    public var endIndex: Int { storage.endIndex }
    /// The header at a position.
    public subscript(position: Int) -> Header { storage[position] }

    // MARK: Lookup

    /// The last header with the given key, if any.
    public func lastWithName(_ key: String) -> Header? {
        storage.last { $0.key == key }
    }

    /// Every header with the given key, in order.
    public func allWithName(_ key: String) -> [Header] {
        storage.filter { $0.key == key }
    }

    // MARK: Adding

    /// Appends a header as is.
    public mutating func add(_ header: Header) {
        storage.append(header)
    }

    /// Appends a header after checking that the value matches the schema (Kafka's
    /// `add(key, value, schema)`). With a `nil` schema any value is accepted.
    /// - Throws: ``DataError`` if the value does not match the schema.
    public mutating func add(_ key: String, _ value: ConnectValue, schema: Schema?) throws(DataError) {
        if let schema { try schema.validate(value, location: { "header \"\(key)\"" }) }
        storage.append(Header(key: key, schema: schema, value: value))
    }

    /// Appends a header from a schema and value, checked as ``add(_:_:schema:)``.
    /// - Throws: ``DataError`` if the value does not match the schema.
    public mutating func add(_ key: String, _ schemaAndValue: SchemaAndValue) throws(DataError) {
        try add(key, schemaAndValue.value, schema: schemaAndValue.schema)
    }

    /// Appends a string header (``Schema/string``, or ``Schema/optionalString`` for `nil`).
    public mutating func addString(_ key: String, _ value: String?) {
        storage.append(
            Header(
                key: key,
                schema: value == nil ? .optionalString : .string,
                value: value.map(ConnectValue.string) ?? .null
            )
        )
    }

    /// Appends a bytes header (``Schema/bytes``, or ``Schema/optionalBytes`` for `nil`).
    public mutating func addBytes(_ key: String, _ value: [UInt8]?) {
        storage.append(
            Header(
                key: key,
                schema: value == nil ? .optionalBytes : .bytes,
                value: value.map(ConnectValue.bytes) ?? .null
            )
        )
    }

    /// Appends a boolean header (``Schema/boolean``).
    public mutating func addBoolean(_ key: String, _ value: Bool) {
        storage.append(Header(key: key, schema: .boolean, value: .boolean(value)))
    }

    /// Appends an INT8 header (``Schema/int8``).
    public mutating func addByte(_ key: String, _ value: Int8) {
        storage.append(Header(key: key, schema: .int8, value: .int8(value)))
    }

    /// Appends an INT16 header (``Schema/int16``).
    public mutating func addShort(_ key: String, _ value: Int16) {
        storage.append(Header(key: key, schema: .int16, value: .int16(value)))
    }

    /// Appends an INT32 header (``Schema/int32``).
    public mutating func addInt(_ key: String, _ value: Int32) {
        storage.append(Header(key: key, schema: .int32, value: .int32(value)))
    }

    /// Appends an INT64 header (``Schema/int64``).
    public mutating func addLong(_ key: String, _ value: Int64) {
        storage.append(Header(key: key, schema: .int64, value: .int64(value)))
    }

    /// Appends a FLOAT32 header (``Schema/float32``).
    public mutating func addFloat(_ key: String, _ value: Float) {
        storage.append(Header(key: key, schema: .float32, value: .float32(value)))
    }

    /// Appends a FLOAT64 header (``Schema/float64``).
    public mutating func addDouble(_ key: String, _ value: Double) {
        storage.append(Header(key: key, schema: .float64, value: .float64(value)))
    }

    /// Appends an array header; `nil` appends a header with no schema and no value.
    /// - Throws: ``DataError`` if `schema` is not an array schema or the value does not match it.
    public mutating func addList(_ key: String, _ value: [ConnectValue]?, schema: Schema) throws(DataError) {
        guard let value else { return storage.append(Header(key: key, schema: nil, value: .null)) }
        guard schema.kind == .array else { throw DataError("Expected schema of type ARRAY but found \(schema.kind)") }
        try add(key, .array(value), schema: schema)
    }

    /// Appends a map header; `nil` appends a header with no schema and no value.
    /// - Throws: ``DataError`` if `schema` is not a map schema or the value does not match it.
    public mutating func addMap(_ key: String, _ value: ConnectMap?, schema: Schema) throws(DataError) {
        guard let value else { return storage.append(Header(key: key, schema: nil, value: .null)) }
        guard schema.kind == .map else { throw DataError("Expected schema of type MAP but found \(schema.kind)") }
        try add(key, .map(value), schema: schema)
    }

    /// Appends a struct header with the struct's schema; `nil` appends a header with no schema and no
    /// value.
    public mutating func addStruct(_ key: String, _ value: Struct?) {
        guard let value else { return storage.append(Header(key: key, schema: nil, value: .null)) }
        storage.append(Header(key: key, schema: value.schema, value: .struct(value)))
    }

    /// Appends a `Decimal` header whose schema has the value's scale.
    public mutating func addDecimal(_ key: String, _ value: ConnectDecimal) {
        storage.append(Header(key: key, schema: .decimal(scale: value.scale), value: .decimal(value)))
    }

    /// Appends a `Date` header (``Schema/date``).
    public mutating func addDate(_ key: String, days: Int32) {
        storage.append(Header(key: key, schema: .date, value: .date(days: days)))
    }

    /// Appends a `Time` header (``Schema/time``).
    public mutating func addTime(_ key: String, millis: Int32) {
        storage.append(Header(key: key, schema: .time, value: .time(millis: millis)))
    }

    /// Appends a `Timestamp` header (``Schema/timestamp``).
    public mutating func addTimestamp(_ key: String, millis: Int64) {
        storage.append(Header(key: key, schema: .timestamp, value: .timestamp(millis: millis)))
    }

    // MARK: Removing and transforming

    /// Removes every header with the given key.
    public mutating func remove(_ key: String) {
        storage.removeAll { $0.key == key }
    }

    /// Keeps only the last header with the given key (other keys are untouched).
    public mutating func retainLatest(_ key: String) {
        guard let last = storage.lastIndex(where: { $0.key == key }) else { return }
        var position = 0
        storage.removeAll { header in
            defer { position += 1 }
            return header.key == key && position != last
        }
    }

    /// Keeps only the last header of every key, preserving the order of the kept headers.
    public mutating func retainLatest() {
        var seen: Set<String> = []
        var kept: [Header] = []
        for header in storage.reversed() where seen.insert(header.key).inserted { kept.append(header) }
        storage = kept.reversed()
    }

    /// Removes every header.
    public mutating func clear() {
        storage.removeAll()
    }

    /// Replaces every header with the transform's result; returning `nil` removes the header
    /// (Kafka's `Headers.apply(HeaderTransform)`).
    public mutating func apply(_ transform: (Header) throws -> Header?) rethrows {
        storage = try storage.compactMap(transform)
    }

    /// Like ``apply(_:)`` for the headers with the given key only.
    public mutating func apply(_ key: String, _ transform: (Header) throws -> Header?) rethrows {
        storage = try storage.compactMap { $0.key == key ? try transform($0) : $0 }
    }

    /// `ConnectHeaders(headers=<h1>, <h2>)`.
    public var description: String {
        "ConnectHeaders(headers=" + storage.map(\.description).joined(separator: ", ") + ")"
    }
}
