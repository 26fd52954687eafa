import ConnectAPI
import Testing

@testable import ConnectTransforms

@Suite struct InsertHeaderTests {
    private static func record(_ headers: Headers) -> SourceRecord {
        sourceRecord(key: "key", value: "value", timestamp: 0, headers: headers)
    }

    @Test func insertionWithExistingOtherHeader() throws {
        let xform = try InsertHeader(configs: ["header": "inserted", "value.literal": "inserted-value"])
        var headers = Headers()
        headers.addString("existing", "existing-value")
        var expected = headers
        expected.addString("inserted", "inserted-value")
        let original = Self.record(headers)
        let transformed = try #require(xform.apply(original))
        #expect(transformed.headers == expected)
        #expect(
            transformed.key == original.key && transformed.value == original.value
                && transformed.topic == original.topic
        )
        #expect(transformed.sourcePartition == original.sourcePartition)
    }

    @Test func insertionWithExistingSameHeader() throws {
        let xform = try InsertHeader(configs: ["header": "existing", "value.literal": "inserted-value"])
        var headers = Headers()
        headers.addString("existing", "preexisting-value")
        var expected = headers
        expected.addString("existing", "inserted-value")
        #expect(xform.apply(Self.record(headers))?.headers == expected)
    }

    @Test func insertionWithByteHeader() throws {
        let xform = try InsertHeader(configs: ["header": "inserted", "value.literal": "1"])
        var expected = Headers()
        expected.addByte("inserted", 1)
        #expect(xform.apply(Self.record(Headers()))?.headers == expected)
    }

    @Test(arguments: [
        ("true", Schema.boolean, ConnectValue.boolean(true)),
        ("1000", .int16, .int16(1000)),
        ("3000000000", .int64, .int64(3_000_000_000)),
        ("1.5", .float32, .float32(1.5)),
        ("2024-01-31", .date, .date(days: 19753)),
        ("2024-01-31T13:45:00.123Z", .timestamp, .timestamp(millis: 1_706_708_700_123)),
        ("13:45:00.123Z", .time, .time(millis: 49_500_123)),
        ("hello world", .string, "hello world"),
    ])
    func literalsAreInferred(literal: String, schema: Schema, value: ConnectValue) throws {
        let xform = try InsertHeader(configs: ["header": "h", "value.literal": literal])
        #expect(xform.header == Header(key: "h", schema: schema, value: value))
    }

    @Test func configRejectsMissingKeys() {
        #expect(
            configErrorMessage { _ = try InsertHeader(configs: ["value.literal": "1"]) }
                == "Missing required configuration \"header\" which has no default value."
        )
        #expect(
            configErrorMessage { _ = try InsertHeader(configs: ["header": "inserted"]) }
                == "Missing required configuration \"value.literal\" which has no default value."
        )
    }
}
