import ConnectAPI
import Testing

@testable import CSVDirectorySource

@Suite struct CSVParserTests {
    private func rows(_ text: String) throws -> [[String]] {
        try CSVParser.rows(Array(text.utf8))
    }

    @Test func quotedFieldsHoldDelimitersLineBreaksAndQuotes() throws {
        #expect(
            try rows("a,\"b,c\",\"d\"\"e\"\n\"multi\nline\",x\n") == [["a", "b,c", "d\"e"], ["multi\nline", "x"]]
        )
    }

    @Test func anyLineBreakEndsARowAndTheLastNeedsNone() throws {
        #expect(try rows("\u{FEFF}h1,h2\r\n1,2\r3,4\n5,") == [["h1", "h2"], ["1", "2"], ["3", "4"], ["5", ""]])
        #expect(try rows("") == [])
        #expect(try rows("\n") == [[""]])
    }

    @Test func malformedQuotesAreErrors() {
        #expect(throws: CSVError.self) { try rows("\"never closed\n") }
        #expect(throws: CSVError.self) { try rows("\"a\"b\n") }
    }

    @Test func columnNamesAreMadeUnique() {
        #expect(CSVDirectorySourceTask.columnNames(["id", "", " id ", "x"]) == ["id", "column2", "id_2", "x"])
    }
}

@Suite struct RegistrationTests {
    @Test func thePluginRegistersTheConnectorUnderItsClassName() {
        let registrar = ConnectPluginRegistrar(pluginName: "csv", version: "0.1.0")
        register(into: registrar)
        #expect(registrar.sourceConnectors.map(\.className) == ["com.example.csv.CSVDirectorySourceConnector"])
        #expect(registrar.sinkConnectors.isEmpty)
    }
}
