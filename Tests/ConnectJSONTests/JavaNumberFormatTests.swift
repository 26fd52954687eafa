import ConnectAPI
import ConnectJSON
import Testing

/// Doubles and floats are written as Java's `Double.toString`/`Float.toString`. The writer has a fast
/// path for values with few digits; these tests check it against ConnectAPI's `description` (Java's
/// rendering derived from Swift's shortest digits) on many values.
@Suite struct JavaNumberFormatTests {
    func written(_ values: [ConnectValue]) throws -> [String] {
        let converter = try JSONTestSupport.converter(schemasEnabled: false)
        let json = try #require(try JSONTestSupport.encode(converter, nil, .array(values)))
        return json.dropFirst().dropLast().split(separator: ",").map(String.init)
    }

    @Test func doublesMatchJavaRendering() throws {
        var random = SplitMix64(seed: 99)
        var values: [Double] = [
            0.1, 0.2, 0.3, 1.5, 98.6, 0.265625, 1234567.125, 9999999.999, 0.001, 0.0015, 1e-3, 123.0,
        ]
        for _ in 0..<3000 {
            // Human-scale numbers with few digits (the fast path) …
            let digits = Double(Int64.random(in: 0...999_999_999_999, using: &random))
            let scale = [1.0, 10, 100, 1000, 1e4, 1e5, 1e6, 1e9, 1e12][Int.random(in: 0..<9, using: &random)]
            values.append(digits / scale)
            // … and arbitrary ones.
            values.append(Double(bitPattern: random.next()))
            values.append(Double.random(in: 1e-3..<1e7, using: &random))
        }
        values = values.filter(\.isFinite)
        let output = try written(values.map { .float64($0) })
        for (value, text) in zip(values, output) {
            #expect(text == ConnectValue.float64(value).description, "\(value)")
            #expect(Double(text) == value)
        }
    }

    @Test func floatsMatchJavaRendering() throws {
        var random = SplitMix64(seed: 5)
        var values: [Float] = [0.1, 12.34, 1e10, .greatestFiniteMagnitude, .leastNormalMagnitude, 16_777_216]
        for _ in 0..<3000 {
            values.append(Float(bitPattern: UInt32(truncatingIfNeeded: random.next())))
            values.append(Float(Int32.random(in: 0...99_999, using: &random)) / 100)
        }
        values = values.filter { $0.isFinite && !$0.isSubnormal }
        let output = try written(values.map { .float32($0) })
        for (value, text) in zip(values, output) {
            #expect(text == ConnectValue.float32(value).description, "\(value)")
            #expect(Float(text) == value)
        }
    }

    /// Java prefers two digits when the one-digit shortest form is not the closest: the smallest
    /// subnormals print as 4.9E-324, 9.9E-324 (JDK 8-18 printed 1.0E-323) and 1.4E-45 (JDK 19+ spec).
    @Test func subnormalsUseTwoDigits() throws {
        #expect(
            try written([
                .float64(.leastNonzeroMagnitude), .float64(2 * .leastNonzeroMagnitude),
                .float32(.leastNonzeroMagnitude),
            ])
                == ["4.9E-324", "9.9E-324", "1.4E-45"]
        )
    }
}
