import Foundation
import Testing

/// Keeps the connector-author guides in `docs/guides` identical to the code that compiles.
///
/// A snippet is the lines between `// snippet.<name>` and `// snippet.end` in a Swift file under one of
/// ``Snippet/folders`` (the examples, their tests, the example plugin packages, the integration tests),
/// without their common indentation.
/// A guide quotes one with a fenced `swift` block right after `<!-- snippet: <name> -->`, and names
/// the file in the text just before the marker. Every `swift` block of a guide must be such a quote.
///
/// When a test here fails after an edit to the examples, copy the expected text from the failure
/// into the guide.
@Suite struct GuidesQuoteCompiledCode {
    static let guides = [
        "docs/guides/writing-a-source-connector.md",
        "docs/guides/writing-a-sink-connector.md",
        "docs/guides/data-model.md",
        "docs/guides/testing-your-connector.md",
    ]

    @Test(arguments: guides) func everySwiftBlockQuotesASnippetVerbatim(guide: String) throws {
        let snippets = try Snippet.all()
        let quotes = try Quote.all(in: guide)
        #expect(!quotes.isEmpty, "\(guide) quotes no code")
        for quote in quotes {
            let location = SourceLocation(
                fileID: guide,
                filePath: repositoryRoot.path + "/" + guide,
                line: quote.line,
                column: 1
            )
            guard let name = quote.snippetName else {
                Issue.record(
                    "A swift block is not a quote: put <!-- snippet: name --> before it",
                    sourceLocation: location
                )
                continue
            }
            guard let snippet = snippets[name] else {
                Issue.record("No snippet named '\(name)' in the examples", sourceLocation: location)
                continue
            }
            #expect(
                quote.code == snippet.code,
                "The quote of '\(name)' differs from \(snippet.file); it should read:\n\(snippet.code)",
                sourceLocation: location
            )
            #expect(
                quote.attribution.contains("`\(snippet.file)`"),
                "The text before the quote of '\(name)' should name `\(snippet.file)`",
                sourceLocation: location
            )
        }
    }

    @Test func everySnippetIsQuoted() throws {
        let quoted = Set(try Self.guides.flatMap { try Quote.all(in: $0) }.compactMap(\.snippetName))
        let unquoted = try Snippet.all().keys.filter { !quoted.contains($0) }.sorted()
        #expect(unquoted.isEmpty, "Snippets no guide quotes: \(unquoted)")
    }
}

/// The repository's root: three levels above this file.
private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A `// snippet.<name>` … `// snippet.end` region of a Swift file.
private struct Snippet {
    var name: String
    /// The file's path relative to the repository root.
    var file: String
    var code: String

    static let folders = [
        "Sources/ConnectAPIExamples", "Tests/ConnectAPIExamplesTests", "Tests/IntegrationTests",
        // The example plugin packages' sources and tests (not their .build folders).
        "Examples/CSVDirectorySource/Sources", "Examples/CSVDirectorySource/Tests",
        "Examples/HTTPSink/Sources", "Examples/HTTPSink/Tests",
    ]

    /// Every snippet by name.
    /// - Throws: ``Malformed`` for nested, unterminated or duplicate regions.
    static func all() throws -> [String: Snippet] {
        var snippets: [String: Snippet] = [:]
        for folder in folders {
            let directory = repositoryRoot.appendingPathComponent(folder)
            let files =
                FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)?
                .compactMap { $0 as? URL }
                .filter { $0.pathExtension == "swift" } ?? []
            for url in files {
                let file = folder + url.path.dropFirst(directory.path.count)
                for snippet in try parse(try String(contentsOf: url, encoding: .utf8), file: file) {
                    guard snippets[snippet.name] == nil else {
                        throw Malformed("Snippet '\(snippet.name)' is defined twice (\(file))")
                    }
                    snippets[snippet.name] = snippet
                }
            }
        }
        return snippets
    }

    private static func parse(_ text: String, file: String) throws -> [Snippet] {
        var snippets: [Snippet] = []
        var open: (name: String, lines: [Substring])?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("// snippet.") {
                let name = String(trimmed.dropFirst("// snippet.".count))
                if name == "end" {
                    guard let region = open else { throw Malformed("snippet.end without a start in \(file)") }
                    snippets.append(Snippet(name: region.name, file: file, code: dedent(region.lines)))
                    open = nil
                } else {
                    if let region = open { throw Malformed("Snippet '\(region.name)' in \(file) is not ended") }
                    open = (name, [])
                }
            } else if open != nil {
                open?.lines.append(line)
            }
        }
        if let region = open { throw Malformed("Snippet '\(region.name)' in \(file) is not ended") }
        return snippets
    }

    /// The lines without the indentation they all share, joined with newlines.
    private static func dedent(_ lines: [Substring]) -> String {
        let indents = lines.filter { !$0.allSatisfy(\.isWhitespace) }.map { $0.prefix(while: { $0 == " " }).count }
        let indent = indents.min() ?? 0
        return lines.map { $0.allSatisfy(\.isWhitespace) ? "" : String($0.dropFirst(indent)) }.joined(separator: "\n")
    }
}

/// A fenced `swift` block of a guide.
private struct Quote {
    /// The snippet named by the `<!-- snippet: name -->` line right before the block, if any.
    var snippetName: String?
    /// The last line of text before the marker, which names the quoted file.
    var attribution: String
    var code: String
    /// The 1-based line of the opening fence.
    var line: Int

    static func all(in guide: String) throws -> [Quote] {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent(guide), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var quotes: [Quote] = []
        var index = 0
        while index < lines.count {
            guard lines[index].trimmingCharacters(in: .whitespaces) == "```swift" else {
                index += 1
                continue
            }
            let fence = index
            var body: [String] = []
            index += 1
            while index < lines.count, lines[index].trimmingCharacters(in: .whitespaces) != "```" {
                body.append(lines[index])
                index += 1
            }
            index += 1
            let before = lines[..<fence].filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            var name: String?
            var attribution = ""
            if let marker = before.last, let parsed = snippetName(inMarker: marker) {
                name = parsed
                attribution = before.dropLast().last ?? ""
            }
            quotes.append(
                Quote(snippetName: name, attribution: attribution, code: body.joined(separator: "\n"), line: fence + 1)
            )
        }
        return quotes
    }

    /// `name` from `<!-- snippet: name -->`.
    private static func snippetName(inMarker line: String) -> String? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("<!-- snippet:"), trimmed.hasSuffix("-->") else { return nil }
        return trimmed.dropFirst("<!-- snippet:".count).dropLast("-->".count).trimmingCharacters(in: .whitespaces)
    }
}

private struct Malformed: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
