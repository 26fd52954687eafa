/// The big-endian wire formats of Kafka's `ShortSerializer`, `IntegerSerializer`, `LongSerializer`,
/// `FloatSerializer`, `DoubleSerializer` and `BooleanSerializer`, shared by the number converters.
enum FixedWidthCoding {
    static func bigEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: MemoryLayout<T>.size)
        var remaining = value
        for position in bytes.indices.reversed() {
            bytes[position] = UInt8(truncatingIfNeeded: remaining)
            remaining = remaining >> 8
        }
        return bytes
    }

    /// Reads a big-endian integer of exactly `MemoryLayout<T>.size` bytes.
    /// - Throws: ``DataError`` `Failed to deserialize <typeName>: Size of data received by
    ///   <deserializer> is not <n>` (Kafka's message, including its `Deserializer` for float/double).
    static func integer<T: FixedWidthInteger>(
        _ type: T.Type,
        from bytes: [UInt8],
        typeName: String,
        deserializerName: String
    ) throws(DataError) -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count == size else {
            throw DataError(
                "Failed to deserialize \(typeName): Size of data received by \(deserializerName) is not \(size)"
            )
        }
        var value: T = 0
        for byte in bytes { value = (value << 8) | T(truncatingIfNeeded: byte) }
        return value
    }

    /// Shared `configure` for the number and boolean converters: parses `converter.type` only.
    static func configure(_ configs: [String: String], definition: ConfigDef, isKey: Bool?) throws(ConfigError) {
        _ = try ConverterConfig.parse(configs, definition: definition, isKey: isKey)
    }
}
