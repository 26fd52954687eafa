import ConnectAPI
import Foundation
import Testing

@Suite struct ConfigInfosTests {
    /// A small definition shaped like FileStreamSinkConnector's plus the framework's `topics` key.
    let definition = ConfigDef([
        ConfigKey(
            "topics",
            type: .list,
            default: "",
            importance: .high,
            documentation: "List of topics to consume, separated by commas",
            group: "Common",
            orderInGroup: 4,
            width: .long,
            displayName: "Topics"
        ),
        ConfigKey(
            "file",
            type: .string,
            default: nil,
            importance: .high,
            documentation: "Destination filename. If not specified, the standard output will be used"
        ),
        ConfigKey(
            "db.password",
            type: .password,
            importance: .high,
            documentation: "Password.",
            group: "Connection",
            orderInGroup: 1,
            width: .medium,
            displayName: "Password"
        ),
        ConfigKey(
            "batch.size",
            type: .int,
            default: 2000,
            validator: .atLeast(1),
            importance: .low,
            documentation: "Batch size."
        ),
        ConfigKey("flush.ms", type: .long, default: 500, importance: .low, documentation: nil),
    ])

    /// The JSON Kafka's `PUT /connector-plugins/{p}/config/validate` produces for this definition and
    /// these values, written from spec §3.9 (`AbstractHerder.generateResult`, `convertConfigKey`,
    /// `convertConfigValue` and the Jackson names of `ConfigInfos`, `ConfigInfo`, `ConfigKeyInfo` — whose
    /// order is serialized as `order` — and `ConfigValueInfo`): values for keys without a definition
    /// come first with `"definition": null`; a key without a value gets `"value": null`; passwords show
    /// `[hidden]`; `display_name` defaults to the key name; absent strings are `null`.
    let expectedJSON = """
        {
          "name": "org.apache.kafka.connect.file.FileStreamSinkConnector",
          "error_count": 3,
          "groups": ["Common", "Connection"],
          "configs": [
            {
              "definition": null,
              "value": {"name": "extra", "value": "x", "recommended_values": [], "errors": ["Unknown key"], "visible": true}
            },
            {
              "definition": {
                "name": "topics", "type": "LIST", "required": false, "default_value": "", "importance": "HIGH",
                "documentation": "List of topics to consume, separated by commas", "group": "Common", "width": "LONG",
                "display_name": "Topics", "dependents": [], "order": 4
              },
              "value": {
                "name": "topics", "value": "", "recommended_values": [],
                "errors": ["Must configure one of topics or topics.regex"], "visible": true
              }
            },
            {
              "definition": {
                "name": "file", "type": "STRING", "required": false, "default_value": null, "importance": "HIGH",
                "documentation": "Destination filename. If not specified, the standard output will be used",
                "group": null, "width": "NONE", "display_name": "file", "dependents": [], "order": -1
              },
              "value": {"name": "file", "value": null, "recommended_values": [], "errors": [], "visible": true}
            },
            {
              "definition": {
                "name": "db.password", "type": "PASSWORD", "required": true, "default_value": null,
                "importance": "HIGH", "documentation": "Password.", "group": "Connection", "width": "MEDIUM",
                "display_name": "Password", "dependents": [], "order": 1
              },
              "value": {"name": "db.password", "value": "[hidden]", "recommended_values": [], "errors": [], "visible": true}
            },
            {
              "definition": {
                "name": "batch.size", "type": "INT", "required": false, "default_value": "2000", "importance": "LOW",
                "documentation": "Batch size.", "group": null, "width": "NONE", "display_name": "batch.size",
                "dependents": [], "order": -1
              },
              "value": {
                "name": "batch.size", "value": "0", "recommended_values": [],
                "errors": ["Invalid value 0 for configuration batch.size: Value must be at least 1"], "visible": true
              }
            },
            {
              "definition": {
                "name": "flush.ms", "type": "LONG", "required": false, "default_value": "500", "importance": "LOW",
                "documentation": null, "group": null, "width": "NONE", "display_name": "flush.ms",
                "dependents": [], "order": -1
              },
              "value": null
            }
          ]
        }
        """

    @Test func matchesKafkasValidateResponse() throws {
        var values = definition.validate(["topics": "", "db.password": "hunter2", "batch.size": "0"])
        // What the runtime adds: the sink rule on `topics`, a connector-specific value without a
        // definition, and `flush.ms` left unvalidated.
        values[0].addErrorMessage("Must configure one of topics or topics.regex")
        values.removeAll { $0.name == "flush.ms" }
        values.append(ConfigValue(name: "extra", value: .string("x"), errorMessages: ["Unknown key"]))

        let infos = ConfigInfos(
            name: "org.apache.kafka.connect.file.FileStreamSinkConnector",
            configDef: definition,
            values: values
        )
        #expect(infos.errorCount == 3)
        let encoded = try JSONEncoder().encode(infos)
        #expect(try canonical(encoded) == canonical(Data(expectedJSON.utf8)))
        #expect(!String(decoding: encoded, as: UTF8.self).contains("hunter2"))

        // And it decodes back (Kafka's constructor also accepts `order_in_group`).
        #expect(try JSONDecoder().decode(ConfigInfos.self, from: encoded) == infos)
        let legacy =
            #"{"name":"a","type":"INT","required":true,"default_value":null,"importance":"LOW","documentation":null,"group":null,"order_in_group":3,"width":"NONE","display_name":null,"dependents":[]}"#
        #expect(try JSONDecoder().decode(ConfigKeyInfo.self, from: Data(legacy.utf8)).orderInGroup == 3)
    }

    @Test func prefixedPartsCountValuesWithErrors() {
        let converterDef = ConfigDef([
            ConfigKey(
                "schemas.enable",
                type: .boolean,
                default: true,
                importance: .high,
                documentation: nil,
                group: "Schemas"
            )
        ])
        let values = converterDef.validate(["schemas.enable": "maybe"])
        let part = ConfigInfos.prefixed(configDef: converterDef, values: values, prefix: "value.converter.")
        #expect(part.name == "")
        #expect(part.errorCount == 1)
        #expect(part.groups == ["Schemas"])
        #expect(part.configs.first?.definition?.name == "value.converter.schemas.enable")
        #expect(part.configs.first?.value?.name == "value.converter.schemas.enable")

        let main = ConfigInfos(name: "C", configDef: definition, values: [])
        let merged = ConfigInfos.merge(name: "C", [main, part])
        #expect(merged.groups == ["Common", "Connection", "Schemas"])
        #expect(merged.errorCount == 1)
        #expect(merged.configs.count == definition.configKeys.count + 1)
    }

    @Test func describesDefinitionsForTheConfigEndpoint() {
        let info = ConfigKeyInfo(definition["db.password"]!)
        #expect(info.required)
        #expect(info.type == "PASSWORD")
        let secretDefault = ConfigKey("token", type: .password, default: "abc", importance: .low, documentation: nil)
        #expect(ConfigKeyInfo(secretDefault).defaultValue == "[hidden]")
    }

    /// Parses JSON and re-serializes it with sorted keys, so documents compare regardless of key order
    /// and formatting.
    private func canonical(_ data: Data) throws -> String {
        let object = try JSONSerialization.jsonObject(with: data)
        return String(
            decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
            as: UTF8.self
        )
    }
}
