import Foundation
import Testing

@testable import KafkaProtocolGeneratorCore

@Suite("Spec parser and model")
struct SpecParserTests {
    @Test func commentsAreStrippedOutsideStrings() {
        let text = """
            // Licence header
            {
              "name": "X", // trailing comment
              "about": "see http://kafka.apache.org // not a comment",
              "quote": "a \\" // still a string",
              "path": "C:\\\\" // comment after an escaped backslash
            }
            """
        let stripped = SpecParser.stripComments(text)
        #expect(!stripped.contains("Licence"))
        #expect(!stripped.contains("trailing comment"))
        #expect(stripped.contains("http://kafka.apache.org // not a comment"))
        #expect(stripped.contains("\"a \\\" // still a string\""))
        #expect(!stripped.contains("comment after"))
        #expect(stripped.components(separatedBy: "\n").count == text.components(separatedBy: "\n").count)
    }

    @Test func parsesAMessage() throws {
        let spec = try SpecParser.parse(
            """
            // comment
            {
              "apiKey": 99, "type": "request", "name": "ThingRequest",
              "validVersions": "0-3", "flexibleVersions": "2+",
              "fields": [
                { "name": "ClientId", "type": "string", "versions": "1+", "nullableVersions": "1+",
                  "flexibleVersions": "none", "default": "null" },
                { "name": "Items", "type": "[]Item", "versions": "0+", "fields": [
                  { "name": "Value", "type": "int32", "versions": "0+", "default": "0x7fffffff" }
                ]},
                { "name": "Epoch", "type": "int64", "versions": "2+", "tag": "1", "taggedVersions": "2+",
                  "default": -1 },
                { "name": "Ready", "type": "bool", "versions": "3+", "default": "False" }
              ]
            }
            """
        )
        #expect(spec.name == "ThingRequest")
        #expect(spec.apiKey == 99)
        #expect(spec.validVersions == Versions(lowest: 0, highest: 3))
        #expect(spec.fields.count == 4)
        #expect(spec.fields[0].flexibleVersions == Versions.none)
        #expect(spec.fields[2].tag == 1)
        #expect(spec.fields[2].defaultText == "-1")
        let resolved = try MessageResolver.resolve(spec)
        #expect(resolved.root.fields.map(\.propertyName) == ["clientId", "items", "epoch", "ready"])
        #expect(resolved.root.fields[0].isOptional)
        #expect(resolved.root.fields[0].defaultValue == .null)
        #expect(resolved.root.nested.first?.fields.first?.defaultValue == .integer(0x7fff_ffff))
        #expect(resolved.root.fields[2].defaultValue == .integer(-1))
        #expect(resolved.root.fields[3].defaultValue == .bool(false))
    }

    @Test func versions() throws {
        #expect(try Versions.parse("0+") == Versions(lowest: 0, highest: .max))
        #expect(try Versions.parse("3-5") == Versions(lowest: 3, highest: 5))
        #expect(try Versions.parse("7") == Versions(lowest: 7, highest: 7))
        #expect(try Versions.parse("none").isEmpty)
        #expect(throws: SpecError.self) { try Versions.parse("5-3") }
        #expect(throws: SpecError.self) { try Versions.parse("x") }
        let all = Versions(lowest: 0, highest: 12)
        #expect(Condition(Versions(lowest: 0, highest: .max), within: all) == .always)
        #expect(Condition(Versions(lowest: 13, highest: .max), within: all) == .never)
        #expect(Condition(Versions(lowest: 9, highest: .max), within: all).swift == "version >= 9")
        #expect(Condition(Versions(lowest: 8, highest: 10), within: all).swift == "version >= 8 && version <= 10")
        #expect(Condition(Versions(lowest: 8, highest: 10), within: all).negatedSwift == "version < 8 || version > 10")
        #expect(Condition(Versions(lowest: 0, highest: 3), within: all).swift == "version <= 3")
        #expect(Condition(Versions(lowest: 4, highest: 4), within: all).swift == "version == 4")
        #expect(Condition(Versions(lowest: 12, highest: 12), within: all).swift == "version >= 12")
        #expect(Condition(Versions(lowest: 1, highest: .max), within: all).negatedSwift == "version < 1")
    }

    @Test func naming() {
        #expect(Naming.lowerCamel("ThrottleTimeMs") == "throttleTimeMs")
        #expect(Naming.lowerCamel("ErrorCode") == "errorCode")
        #expect(Naming.lowerCamel("ISRNodes") == "isrNodes")
        #expect(Naming.lowerCamel("TransactionalId") == "transactionalId")
        #expect(Naming.lowerCamel("V3AndBelowTopics") == "v3AndBelowTopics")
        #expect(Naming.lowerCamel("ID") == "id")
        #expect(Naming.lowerCamel("timeoutMs") == "timeoutMs")
        #expect(Naming.escapedIdentifier("protocol") == "`protocol`")
        #expect(Naming.escapedIdentifier("name") == "name")
        #expect(Naming.structTypeName("Type") == "TypeStruct")
        #expect(Naming.structTypeName("Topic") == "Topic")
        #expect(Naming.apiKeyCaseName(requestName: "DescribeClusterRequest") == "describeCluster")
    }

    @Test func integerDefaults() {
        #expect(MessageResolver.parseInteger("-1") == -1)
        #expect(MessageResolver.parseInteger("0x7fffffff") == 2_147_483_647)
        #expect(MessageResolver.parseInteger("-2147483648") == -2_147_483_648)
        #expect(MessageResolver.parseInteger("010") == 8)
        #expect(MessageResolver.parseInteger("0") == 0)
        #expect(MessageResolver.parseInteger("abc") == nil)
    }

    @Test func rejectsWhatItCannotEncode() {
        #expect(throws: SpecError.self) {
            _ = try MessageResolver.resolve(
                try SpecParser.parse(
                    """
                    { "type": "data", "name": "X", "validVersions": "0", "flexibleVersions": "none",
                      "fields": [ { "name": "A", "type": "int32", "versions": "0+", "nullableVersions": "0+" } ] }
                    """
                )
            )
        }
        #expect(throws: SpecError.self) {
            _ = try MessageResolver.resolve(
                try SpecParser.parse(
                    """
                    { "type": "data", "name": "X", "validVersions": "0", "flexibleVersions": "none",
                      "fields": [ { "name": "A", "type": "int32", "versions": "0+", "tag": 0, "taggedVersions": "0+" } ] }
                    """
                )
            )
        }
        #expect(throws: SpecError.self) {
            _ = try SpecParser.parse("{ \"type\": \"data\", \"name\": \"X\", \"validVersions\": \"0\" }")
        }
    }
}
