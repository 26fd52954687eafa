import ConnectAPI
import ConnectJSON

/// Offsets as JSON, the way Kafka's offsets topic writes them (JsonConverter without schemas):
/// keys `["<connector>",{"filename":"a.txt"}]`, values `{"position":30}`. Integers read back as
/// `int64`, other numbers as `float64`.
enum OffsetJSON {
    private static let converter: JSONConverter = {
        var config = JSONConverterConfig()
        config.schemasEnabled = false
        return JSONConverter(config: config)
    }()

    /// `["<connector>",<partition>]`.
    static func encodeKey(_ key: OffsetKey) throws -> [UInt8] {
        try encode(.array([.string(key.namespace), .map(ConnectMap(key.partition))]))
    }

    /// A partition or offset map.
    static func encodeMap(_ map: [String: ConnectValue]) throws -> [UInt8] {
        try encode(.map(ConnectMap(map)))
    }

    /// Any schemaless value, compact.
    static func encode(_ value: ConnectValue) throws -> [UInt8] {
        try converter.fromConnectData(topic: "", schema: nil, value: value) ?? Array("null".utf8)
    }

    /// Any JSON document, schemaless.
    static func decode(_ bytes: [UInt8]) throws -> ConnectValue {
        try converter.toConnectData(topic: "", bytes: bytes).value
    }

    /// A map with string keys, or `nil` if `value` is not one.
    static func stringMap(_ value: ConnectValue) -> [String: ConnectValue]? {
        guard case .map(let map) = value else { return nil }
        var result: [String: ConnectValue] = [:]
        for (key, value) in map {
            guard case .string(let name) = key else { return nil }
            result[name] = value
        }
        return result
    }
}
