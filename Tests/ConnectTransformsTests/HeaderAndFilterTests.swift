import ConnectAPI
import Testing

@testable import ConnectTransforms

@Suite struct DropHeadersTests {
    private static func record(_ headers: Headers) -> SourceRecord {
        sourceRecord(key: "key", value: "value", timestamp: 0, headers: headers)
    }

    @Test func dropExistingHeaders() throws {
        let xform = try DropHeaders(configs: ["headers": "to-drop"])
        var expected = Headers()
        expected.addString("existing", "existing-value")
        var headers = expected
        headers.addString("to-drop", "existing-value")
        headers.addString("to-drop", "existing-other-value")
        let original = Self.record(headers)
        let transformed = try #require(xform.apply(original))
        #expect(transformed.headers == expected)
        #expect(transformed.key == original.key && transformed.value == original.value)
        #expect(xform.apply(Self.record(expected))?.headers == expected)
    }

    @Test func severalHeaderNames() throws {
        let xform = try DropHeaders(configs: ["headers": "a, b"])
        let headers: Headers = [
            Header(key: "a", schema: nil, value: .null), Header(key: "c", schema: nil, value: "keep"),
            Header(key: "b", schema: nil, value: .null),
        ]
        #expect(xform.apply(Self.record(headers))?.headers.map(\.key) == ["c"])
    }

    @Test func configRejectsEmptyList() {
        #expect(
            configErrorMessage { _ = try DropHeaders(configs: ["headers": ""]) }
                == "Invalid value [] for configuration headers: Empty list"
        )
        #expect(
            configErrorMessage { _ = try DropHeaders(configs: [:]) }
                == "Missing required configuration \"headers\" which has no default value."
        )
    }
}

@Suite struct FilterTests {
    @Test func dropsEverything() {
        let filter = Filter(configs: ["anything": "ignored"])
        #expect(filter.apply(sinkRecord(value: "v")) == nil)
        #expect(filter.apply(sourceRecord()) == nil)
        #expect(Filter.configDef.configKeys.isEmpty)
    }
}
