import ConnectAPI
import Testing

@testable import ConnectTransforms

@Suite struct HoistFieldTests {
    @Test func schemaless() throws {
        let xform = try HoistField<RecordKey>(configs: ["field": "magic"])
        let transformed = try #require(try xform.apply(sinkRecord(key: .int32(42))))
        #expect(transformed.keySchema == nil)
        #expect(transformed.key == map(["magic": .int32(42)]))
    }

    @Test func withSchema() throws {
        let xform = try HoistField<RecordKey>(configs: ["field": "magic"])
        let transformed = try #require(try xform.apply(sinkRecord(keySchema: .int32, key: .int32(42))))
        #expect(transformed.keySchema?.kind == .struct)
        #expect(transformed.keySchema?.field(named: "magic")?.schema == .int32)
        #expect(try structValue(transformed.key).get("magic") == .int32(42))
    }

    @Test func valueVariantAndNulls() throws {
        let xform = try HoistField<RecordValue>(configs: ["field": "v"])
        let optional = try #require(try xform.apply(sinkRecord(valueSchema: .optionalString, value: .null)))
        #expect(try structValue(optional.value).get("v") == .null)
        #expect(
            dataErrorMessage { _ = try xform.apply(sinkRecord(valueSchema: .string, value: .null)) }
                == "Invalid value: null used for required field: \"v\", schema type: STRING"
        )
        #expect(try xform.apply(sinkRecord())?.value == map(["v": .null]))
    }

    @Test func configRequiresField() {
        #expect(
            configErrorMessage { _ = try HoistField<RecordValue>(configs: [:]) }
                == "Missing required configuration \"field\" which has no default value."
        )
    }
}
