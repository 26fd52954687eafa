import ConnectAPI
import Testing

@testable import ConnectTransforms

/// A sink record with the given key/value and schemas (topic `test`, partition 0, offset 0).
func sinkRecord(
    topic: String = "test",
    partition: Int32 = 0,
    keySchema: Schema? = nil,
    key: ConnectValue = .null,
    valueSchema: Schema? = nil,
    value: ConnectValue = .null,
    offset: Int64 = 0,
    timestamp: Int64? = nil,
    headers: Headers = Headers()
) -> SinkRecord {
    SinkRecord(
        topic: topic,
        partition: partition,
        keySchema: keySchema,
        key: key,
        valueSchema: valueSchema,
        value: value,
        kafkaOffset: offset,
        timestamp: timestamp,
        headers: headers
    )
}

/// A source record with the given key/value and schemas (topic `topic`, partition 0).
func sourceRecord(
    topic: String = "topic",
    partition: Int32? = 0,
    keySchema: Schema? = nil,
    key: ConnectValue = .null,
    valueSchema: Schema? = nil,
    value: ConnectValue = .null,
    timestamp: Int64? = nil,
    headers: Headers = Headers()
) -> SourceRecord {
    SourceRecord(
        sourcePartition: ["foo": "bar"],
        sourceOffset: ["baz": "quxx"],
        topic: topic,
        kafkaPartition: partition,
        keySchema: keySchema,
        key: key,
        valueSchema: valueSchema,
        value: value,
        timestamp: timestamp,
        headers: headers
    )
}

/// A struct schema with the given fields.
func structSchema(_ fields: (String, Schema)..., name: String? = nil, optional: Bool = false) throws -> Schema {
    var builder = SchemaBuilder.struct()
    if let name { builder = builder.name(name) }
    if optional { builder = builder.optional() }
    for (fieldName, schema) in fields { builder.addField(fieldName, schema) }
    return try builder.build()
}

/// A struct value with the given field values (by name; unset fields null).
func makeStruct(_ schema: Schema, _ values: [String: ConnectValue]) throws -> Struct {
    var result = try Struct(schema: schema)
    for (name, value) in values { try result.put(name, value) }
    return result
}

/// A schemaless map with string keys, in the given order.
func map(_ pairs: KeyValuePairs<String, ConnectValue>) -> ConnectValue {
    .map(ConnectMap(pairs.map { (ConnectValue.string($0.key), $0.value) }))
}

/// The struct inside a value (fails the test otherwise).
func structValue(_ value: ConnectValue, sourceLocation: SourceLocation = #_sourceLocation) throws -> Struct {
    try #require(value.structValue, sourceLocation: sourceLocation)
}

/// The map inside a value (fails the test otherwise).
func mapValue(_ value: ConnectValue, sourceLocation: SourceLocation = #_sourceLocation) throws -> ConnectMap {
    try #require(value.mapValue, sourceLocation: sourceLocation)
}

/// The message of the ConfigError thrown by `body`.
func configErrorMessage(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    do {
        try body()
        Issue.record("expected a ConfigError", sourceLocation: sourceLocation)
        return nil
    } catch let error as ConfigError {
        return error.message
    } catch {
        Issue.record("expected a ConfigError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The message of the DataError thrown by `body`.
func dataErrorMessage(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    do {
        try body()
        Issue.record("expected a DataError", sourceLocation: sourceLocation)
        return nil
    } catch let error as DataError {
        return error.message
    } catch {
        Issue.record("expected a DataError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Milliseconds per day.
let millisPerDay: Int64 = 86_400_000
