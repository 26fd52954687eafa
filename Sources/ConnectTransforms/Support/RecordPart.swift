import ConnectAPI

/// Which half of a record a transform with Kafka's `$Key`/`$Value` variants works on.
///
/// Transforms such as ``Cast`` are generic over it: `Cast<RecordKey>` is Kafka's `Cast$Key`,
/// `Cast<RecordValue>` is `Cast$Value`. Both variants share one implementation; the part only says
/// where the schema and value are read from and written back to (Kafka's `operatingSchema`,
/// `operatingValue` and `newRecord`).
public protocol RecordPart: Sendable {
    /// `"Key"` or `"Value"`: the suffix of Kafka's nested class name (`Cast$Key`).
    static var variantName: String { get }

    /// The schema of this part of the record.
    static func schema<R: ConnectRecord>(of record: R) -> Schema?

    /// The value of this part of the record.
    static func value<R: ConnectRecord>(of record: R) -> ConnectValue

    /// A copy of the record with this part replaced; topic, partition, the other part, timestamp and
    /// headers are kept.
    static func replacing<R: ConnectRecord>(_ record: R, schema: Schema?, value: ConnectValue) -> R
}

/// The record key (Kafka's `$Key` variants).
public enum RecordKey: RecordPart {
    /// `"Key"`.
    public static var variantName: String { "Key" }

    /// The key schema.
    @inlinable
    public static func schema<R: ConnectRecord>(of record: R) -> Schema? { record.keySchema }

    /// The key.
    @inlinable
    public static func value<R: ConnectRecord>(of record: R) -> ConnectValue { record.key }

    /// A copy with another key schema and key.
    @inlinable
    public static func replacing<R: ConnectRecord>(_ record: R, schema: Schema?, value: ConnectValue) -> R {
        var copy = record
        copy.keySchema = schema
        copy.key = value
        return copy
    }
}

/// The record value (Kafka's `$Value` variants).
public enum RecordValue: RecordPart {
    /// `"Value"`.
    public static var variantName: String { "Value" }

    /// The value schema.
    @inlinable
    public static func schema<R: ConnectRecord>(of record: R) -> Schema? { record.valueSchema }

    /// The value.
    @inlinable
    public static func value<R: ConnectRecord>(of record: R) -> ConnectValue { record.value }

    /// A copy with another value schema and value.
    @inlinable
    public static func replacing<R: ConnectRecord>(_ record: R, schema: Schema?, value: ConnectValue) -> R {
        var copy = record
        copy.valueSchema = schema
        copy.value = value
        return copy
    }
}
