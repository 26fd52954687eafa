import ConnectAPI
import ConnectJSON

/// Helpers shared by the JSON converter tests.
enum JSONTestSupport {
    static func converter(
        schemasEnabled: Bool = true,
        decimalFormat: String = "BASE64",
        replaceNullWithDefault: Bool = true,
        isKey: Bool = false
    ) throws -> JSONConverter {
        let converter = JSONConverter()
        try converter.configure(
            configs: [
                "schemas.enable": String(schemasEnabled),
                "decimal.format": decimalFormat,
                "replace.null.with.default": String(replaceNullWithDefault),
            ],
            isKey: isKey
        )
        return converter
    }

    /// The converter's output as text (`nil` for a tombstone).
    static func encode(_ converter: JSONConverter, _ schema: Schema?, _ value: ConnectValue) throws -> String? {
        try converter.fromConnectData(topic: "topic", schema: schema, value: value).map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    static func decode(_ converter: JSONConverter, _ json: String) throws -> SchemaAndValue {
        try converter.toConnectData(topic: "topic", bytes: Array(json.utf8))
    }
}
