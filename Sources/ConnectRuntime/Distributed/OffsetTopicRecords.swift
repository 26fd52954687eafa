import ConnectAPI

/// Offsets topic records (`offset.storage.topic`) as Kafka Connect writes them: key
/// `["<connector>",{<source partition>}]`, value `{<source offset>}` or `null` (reset), both through
/// the JsonConverter with schemas disabled.
public enum OffsetRecordCodec {
    /// The key and value bytes for a partition's offset (`nil` offset: tombstone).
    public static func encode(
        _ key: OffsetKey,
        offset: [String: ConnectValue]?
    ) throws -> (key: [UInt8], value: [UInt8]?) {
        (try OffsetJSON.encodeKey(key), try offset.map(OffsetJSON.encodeMap))
    }

    /// Reads a record; `nil` for keys Kafka ignores (not JSON, not a two-element
    /// `[string, object]` list, or a value that is neither an object nor null).
    /// The offset is `nil` for a tombstone. Keys compare by parsed value, not bytes: a Java
    /// worker's partition map may list its members in any order.
    public static func decode(
        key keyBytes: [UInt8]?,
        value valueBytes: [UInt8]?
    ) -> (key: OffsetKey, offset: [String: ConnectValue]?)? {
        guard let keyBytes, case .array(let parts)? = try? OffsetJSON.decode(keyBytes), parts.count == 2,
            case .string(let namespace) = parts[0], let partition = OffsetJSON.stringMap(parts[1])
        else { return nil }
        let key = OffsetKey(namespace: namespace, partition: partition)
        guard let valueBytes else { return (key, nil) }
        guard let value = try? OffsetJSON.decode(valueBytes) else { return nil }
        if value.isNull { return (key, nil) }
        guard let offset = OffsetJSON.stringMap(value) else { return nil }
        return (key, offset)
    }
}
