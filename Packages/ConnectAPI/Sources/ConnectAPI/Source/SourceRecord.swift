/// A record produced by a source task (Kafka's `SourceRecord`): a ``ConnectRecord`` plus the source
/// partition and offset the runtime commits for it.
///
/// Partition and offset maps have string keys and primitive values (integers, floats, booleans,
/// strings, bytes) or ``ConnectValue/null``; either map may be `nil`. They are `let`: transforms can
/// change the topic, key, value, headers… but not where the record came from.
///
/// ```swift
/// SourceRecord(
///     sourcePartition: ["filename": .string(path)],
///     sourceOffset: ["position": .int64(position)],
///     topic: "lines", valueSchema: .string, value: .string(line))
/// ```
public struct SourceRecord: ConnectRecord {
    // The fields live in one copy-on-write box: the runtime copies records between its stages, and a
    // copy of ten separately reference-counted fields cost more than the rest of the record path.
    // Fields are mutated only through `uniqueStorage()` (never shared while mutated), so the dynamic
    // exclusivity checks a class's vars would get are skipped.
    @usableFromInline final class Storage: @unchecked Sendable {
        @usableFromInline let sourcePartition: [String: ConnectValue]?
        @usableFromInline let sourceOffset: [String: ConnectValue]?
        @usableFromInline @exclusivity(unchecked) var topic: String
        @usableFromInline @exclusivity(unchecked) var kafkaPartition: Int32?
        @usableFromInline @exclusivity(unchecked) var keySchema: Schema?
        @usableFromInline @exclusivity(unchecked) var key: ConnectValue
        @usableFromInline @exclusivity(unchecked) var valueSchema: Schema?
        @usableFromInline @exclusivity(unchecked) var value: ConnectValue
        @usableFromInline @exclusivity(unchecked) var timestamp: Int64?
        @usableFromInline @exclusivity(unchecked) var headers: Headers

        @usableFromInline init(
            sourcePartition: [String: ConnectValue]?,
            sourceOffset: [String: ConnectValue]?,
            topic: String,
            kafkaPartition: Int32?,
            keySchema: Schema?,
            key: ConnectValue,
            valueSchema: Schema?,
            value: ConnectValue,
            timestamp: Int64?,
            headers: Headers
        ) {
            self.sourcePartition = sourcePartition
            self.sourceOffset = sourceOffset
            self.topic = topic
            self.kafkaPartition = kafkaPartition
            self.keySchema = keySchema
            self.key = key
            self.valueSchema = valueSchema
            self.value = value
            self.timestamp = timestamp
            self.headers = headers
        }

        @usableFromInline func copy() -> Storage {
            Storage(
                sourcePartition: sourcePartition,
                sourceOffset: sourceOffset,
                topic: topic,
                kafkaPartition: kafkaPartition,
                keySchema: keySchema,
                key: key,
                valueSchema: valueSchema,
                value: value,
                timestamp: timestamp,
                headers: headers
            )
        }
    }

    @usableFromInline var storage: Storage

    @usableFromInline mutating func uniqueStorage() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    /// Identifies the part of the source the record came from (a file, a table, a shard).
    @inlinable public var sourcePartition: [String: ConnectValue]? { storage.sourcePartition }
    /// The position within the source partition to resume after this record.
    @inlinable public var sourceOffset: [String: ConnectValue]? { storage.sourceOffset }
    /// The topic to write to.
    @inlinable public var topic: String {
        get { storage.topic }
        _modify {
            let unique = uniqueStorage()
            yield &unique.topic
        }
    }
    /// The partition to write to; `nil` lets the producer's partitioner choose.
    @inlinable public var kafkaPartition: Int32? {
        get { storage.kafkaPartition }
        _modify {
            let unique = uniqueStorage()
            yield &unique.kafkaPartition
        }
    }
    /// The key's schema.
    @inlinable public var keySchema: Schema? {
        get { storage.keySchema }
        _modify {
            let unique = uniqueStorage()
            yield &unique.keySchema
        }
    }
    /// The key.
    @inlinable public var key: ConnectValue {
        get { storage.key }
        _modify {
            let unique = uniqueStorage()
            yield &unique.key
        }
    }
    /// The value's schema.
    @inlinable public var valueSchema: Schema? {
        get { storage.valueSchema }
        _modify {
            let unique = uniqueStorage()
            yield &unique.valueSchema
        }
    }
    /// The value.
    @inlinable public var value: ConnectValue {
        get { storage.value }
        _modify {
            let unique = uniqueStorage()
            yield &unique.value
        }
    }
    /// Milliseconds since the epoch; `nil` lets the producer set it.
    @inlinable public var timestamp: Int64? {
        get { storage.timestamp }
        _modify {
            let unique = uniqueStorage()
            yield &unique.timestamp
        }
    }
    /// The headers.
    @inlinable public var headers: Headers {
        get { storage.headers }
        _modify {
            let unique = uniqueStorage()
            yield &unique.headers
        }
    }

    /// Creates a record.
    @inlinable public init(
        sourcePartition: [String: ConnectValue]?,
        sourceOffset: [String: ConnectValue]?,
        topic: String,
        kafkaPartition: Int32? = nil,
        keySchema: Schema? = nil,
        key: ConnectValue = .null,
        valueSchema: Schema?,
        value: ConnectValue,
        timestamp: Int64? = nil,
        headers: Headers = Headers()
    ) {
        storage = Storage(
            sourcePartition: sourcePartition,
            sourceOffset: sourceOffset,
            topic: topic,
            kafkaPartition: kafkaPartition,
            keySchema: keySchema,
            key: key,
            valueSchema: valueSchema,
            value: value,
            timestamp: timestamp,
            headers: headers
        )
    }

    public static func == (lhs: SourceRecord, rhs: SourceRecord) -> Bool {
        if lhs.storage === rhs.storage { return true }
        return lhs.sourcePartition == rhs.sourcePartition && lhs.sourceOffset == rhs.sourceOffset
            && lhs.topic == rhs.topic
            && lhs.kafkaPartition == rhs.kafkaPartition
            && lhs.keySchema == rhs.keySchema
            && lhs.key == rhs.key
            && lhs.valueSchema == rhs.valueSchema
            && lhs.value == rhs.value
            && lhs.timestamp == rhs.timestamp
            && lhs.headers == rhs.headers
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(sourcePartition)
        hasher.combine(sourceOffset)
        hasher.combine(topic)
        hasher.combine(kafkaPartition)
        hasher.combine(keySchema)
        hasher.combine(key)
        hasher.combine(valueSchema)
        hasher.combine(value)
        hasher.combine(timestamp)
        hasher.combine(headers)
    }

    public var description: String {
        "SourceRecord{sourcePartition=\(Self.render(sourcePartition)), sourceOffset=\(Self.render(sourceOffset))} "
            + "ConnectRecord{\(baseDescription)}"
    }

    private static func render(_ map: [String: ConnectValue]?) -> String {
        guard let map else { return "null" }
        return "{" + map.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "}"
    }
}
