import ConnectAPI
import Testing

@testable import ConnectTransforms

/// Random and hostile inputs to every parser the transforms use: they may fail, never crash.
@Suite struct RobustnessTests {
    /// A small deterministic generator (SplitMix64).
    struct Generator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func string(from alphabet: [Character], maxLength: Int) -> String {
            let length = Int(next() % UInt64(maxLength + 1))
            return String((0..<length).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] })
        }
    }

    static let alphabet = Array("0123456789-+.eE:,[]{}\"\\` TZyMdHmsSzXa'$()?*|abc\u{0}é")

    @Test func parsersSurviveRandomInput() throws {
        var generator = Generator(state: 42)
        let format = try SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZ")
        for _ in 0..<3000 {
            let text = generator.string(from: Self.alphabet, maxLength: 24)
            _ = ValueLiteralParser.parse(text)
            _ = format.parse(text)
            _ = try? SingleFieldPath(text, version: .v2)
            _ = try? JavaReplacement(text, groupCount: 2, groupNames: ["a"])
            _ = JavaNumbers.parseDouble(text)
            _ = JavaNumbers.parseInteger(text, as: Int16.self)
            if let decimal = ConnectDecimal(text) {
                _ = JavaNumbers.int64(decimal)
                _ = JavaNumbers.exactInt64(decimal)
            }
            if let pattern = try? SimpleDateFormat(text) {
                _ = pattern.format(epochMillis: Int64(bitPattern: generator.next()))
                _ = pattern.parse(text)
            }
            if let regex = try? JavaPattern(text) { _ = regex.matches(text) }
            _ = try? CastConfig.castValue(schema: .string, .string(text), to: .int32)
            _ = try? CastConfig.castValue(schema: .string, .string(text), to: .float32)
        }
    }

    @Test func extremeInstantsFormat() throws {
        let format = try SimpleDateFormat("G yyyy-MM-dd HH:mm:ss.SSS EEE D w W F u k K h a z Z X Y")
        for millis in [Int64.min, Int64.max, 0, -1, -86_400_000, 253_402_300_800_000] {
            #expect(!format.format(epochMillis: millis).isEmpty)
            _ = JavaNumbers.isoString(epochMillis: millis)
        }
    }

    @Test func castHandlesEveryInputKind() {
        let values: [ConnectValue] = [
            .int8(.min), .int16(.max), .int32(.min), .int64(.max), .float32(.infinity), .float64(-.nan),
            .boolean(true), "x", .bytes([]),
            .decimal(ConnectDecimal(unscaledBytes: [0x80] + Array(repeating: 0, count: 40), scale: -5)),
            .date(days: .min), .time(millis: 86_400_000), .timestamp(millis: .min), [.int8(1)], ["k": "v"],
        ]
        for value in values {
            for target in CastConfig.outputTypes {
                _ = try? CastConfig.castValue(schema: nil, value, to: target)
                if let kind = value.kind, let schema = Schema.primitive(kind) {
                    _ = try? CastConfig.castValue(schema: schema, value, to: target)
                }
            }
        }
    }
}
