import ConnectAPI
import ConnectJSON
import Testing

/// `toConnectData(fromConnectData(x)) == x` for the golden values and for generated schemas and values.
@Suite struct JSONConverterRoundTripTests {
    /// Every schema'd golden value except the one whose null field is deliberately replaced by its default.
    static let roundTripCases = JSONConverterGoldenTests.cases.filter {
        $0.schema != nil && !$0.value.isNull && $0.schemasEnabled && $0.name != "null field replaced with default"
    }

    @Test(arguments: roundTripCases)
    func goldenValuesRoundTrip(_ testCase: JSONConverterGoldenTests.Case) throws {
        let converter = try JSONTestSupport.converter(
            decimalFormat: testCase.decimalFormat,
            replaceNullWithDefault: testCase.replaceNullWithDefault
        )
        let bytes = try #require(
            try converter.fromConnectData(topic: "t", schema: testCase.schema, value: testCase.value)
        )
        let decoded = try converter.toConnectData(topic: "t", bytes: bytes)
        #expect(decoded == SchemaAndValue(schema: testCase.schema, value: testCase.value))
    }

    @Test(arguments: ["BASE64", "NUMERIC"], [true, false])
    func generatedValuesRoundTrip(decimalFormat: String, replaceNullWithDefault: Bool) throws {
        var random = SplitMix64(seed: 0x5EED)
        let writer = try JSONTestSupport.converter(
            decimalFormat: decimalFormat,
            replaceNullWithDefault: replaceNullWithDefault
        )
        // A separate reader: its caches start empty, so every schema is parsed from the text.
        let reader = try JSONTestSupport.converter(
            decimalFormat: decimalFormat,
            replaceNullWithDefault: replaceNullWithDefault
        )
        for _ in 0..<300 {
            let schema = Generator.schema(&random, depth: 0)
            let value = Generator.value(for: schema, &random, allowNull: false)
            let bytes = try #require(try writer.fromConnectData(topic: "t", schema: schema, value: value))
            let decoded = try reader.toConnectData(topic: "t", bytes: bytes)
            #expect(decoded.schema == schema)
            #expect(decoded.value == value, "\(String(decoding: bytes, as: UTF8.self))")
            // Writing again gives the same bytes.
            #expect(try writer.fromConnectData(topic: "t", schema: decoded.schema, value: decoded.value) == bytes)
        }
    }

    @Test func schemalessValuesRoundTrip() throws {
        var random = SplitMix64(seed: 42)
        let converter = try JSONTestSupport.converter(schemasEnabled: false)
        let enveloped = try JSONTestSupport.converter(schemasEnabled: true)
        for _ in 0..<300 {
            let value = Generator.schemalessValue(&random, depth: 0)
            if value.isNull { continue }  // a tombstone: no bytes at all
            for converter in [converter, enveloped] {
                let bytes = try #require(try converter.fromConnectData(topic: "t", schema: nil, value: value))
                let decoded = try converter.toConnectData(topic: "t", bytes: bytes)
                #expect(
                    decoded == SchemaAndValue(schema: nil, value: value),
                    "\(String(decoding: bytes, as: UTF8.self))"
                )
            }
        }
    }

    /// Every float and double written (Java's shortest digits) reads back to the same bits, including
    /// subnormals, the extremes and NaN/Infinity (written as strings).
    @Test func floatsRoundTripExactly() throws {
        var random = SplitMix64(seed: 7)
        let writer = try JSONTestSupport.converter(schemasEnabled: false)
        let reader = try JSONTestSupport.converter(schemasEnabled: true)
        var doubleValues: [ConnectValue] = [
            .float64(.leastNonzeroMagnitude), .float64(.leastNormalMagnitude), .float64(1e23),
            .float64(.greatestFiniteMagnitude), .float64(Double(bitPattern: 0x4340_0000_0000_0001)), .float64(.nan),
        ]
        var floatValues: [ConnectValue] = [
            .float32(.leastNonzeroMagnitude), .float32(.leastNormalMagnitude), .float32(.greatestFiniteMagnitude),
            .float32(-.infinity),
        ]
        for _ in 0..<2000 {
            doubleValues.append(.float64(Double(bitPattern: random.next())))
            floatValues.append(.float32(Float(bitPattern: UInt32(truncatingIfNeeded: random.next()))))
        }
        for (typeName, kind, values) in [
            ("double", Schema.float64, doubleValues), ("float", Schema.float32, floatValues),
        ] {
            let schema = try SchemaBuilder.array(kind).build()
            let payload = try #require(try writer.fromConnectData(topic: "t", schema: schema, value: .array(values)))
            let envelope =
                Array(#"{"schema":{"type":"array","items":{"type":""#.utf8) + Array(typeName.utf8)
                + Array(#""}},"payload":"#.utf8) + payload + [UInt8(ascii: "}")]
            #expect(try reader.toConnectData(topic: "t", bytes: envelope).value == .array(values))
        }
    }
}

/// A small deterministic random number generator for reproducible generated tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random schemas and matching values.
enum Generator {
    static let strings = [
        "", "a", "héllo", "quote\"back\\slash", "line\nbreak\u{1}", "😀 emoji", "/slash",
        "long " + String(repeating: "x", count: 100),
    ]

    static func schema(_ random: inout SplitMix64, depth: Int) -> Schema {
        let choice = Int.random(in: 0..<(depth < 3 ? 17 : 13), using: &random)
        var builder: SchemaBuilder
        switch choice {
        case 0: builder = .int8()
        case 1: builder = .int16()
        case 2: builder = .int32()
        case 3: builder = .int64()
        case 4: builder = .float32()
        case 5: builder = .float64()
        case 6: builder = .boolean()
        case 7: builder = .string()
        case 8: builder = .bytes()
        case 9: builder = .decimal(scale: Int32.random(in: -3...6, using: &random))
        case 10: builder = .date()
        case 11: builder = .time()
        case 12: builder = .timestamp()
        case 13: builder = .array(schema(&random, depth: depth + 1))
        case 14: builder = .map(.string, schema(&random, depth: depth + 1))
        case 15: builder = .map(schema(&random, depth: 3), schema(&random, depth: depth + 1))
        default:
            builder = .struct()
            for index in 0..<Int.random(in: 0...5, using: &random) {
                builder.addField("f\(index)_" + strings[index % 4], schema(&random, depth: depth + 1))
            }
            if Bool.random(using: &random) { builder = builder.name("com.example.S\(depth)") }
        }
        if Bool.random(using: &random) { builder = builder.optional() }
        if Int.random(in: 0..<4, using: &random) == 0 {
            builder = builder.doc(strings[Int.random(in: 0..<strings.count, using: &random)])
        }
        if Int.random(in: 0..<4, using: &random) == 0 && builder.name == nil {
            builder = builder.version(Int.random(in: 1...9, using: &random))
        }
        if Int.random(in: 0..<5, using: &random) == 0 { builder = builder.parameter("p", strings[1]) }
        if choice < 13 && Int.random(in: 0..<4, using: &random) == 0 {
            let withoutDefault = try! builder.build()
            builder = builder.defaultValue(value(for: withoutDefault, &random, allowNull: false))
        }
        return try! builder.build()
    }

    static func value(for schema: Schema, _ random: inout SplitMix64, allowNull: Bool) -> ConnectValue {
        if allowNull && schema.isOptional && schema.defaultValue.isNull && Int.random(in: 0..<4, using: &random) == 0 {
            return .null
        }
        switch schema.logicalType {
        case .decimal(let scale):
            return .decimal(
                ConnectDecimal(
                    unscaled: Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &random),
                    scale: scale
                )
            )
        case .date: return .date(days: Int32.random(in: -100_000...100_000, using: &random))
        case .time: return .time(millis: Int32.random(in: 0...86_400_000, using: &random))
        case .timestamp:
            return .timestamp(millis: Int64.random(in: -1_000_000_000_000_000...1_000_000_000_000_000, using: &random))
        case nil: break
        }
        switch schema.kind {
        case .int8: return .int8(Int8.random(in: .min ... .max, using: &random))
        case .int16: return .int16(Int16.random(in: .min ... .max, using: &random))
        case .int32: return .int32(Int32.random(in: .min ... .max, using: &random))
        case .int64: return .int64(Int64.random(in: .min ... .max, using: &random))
        case .float32: return .float32(Float(bitPattern: UInt32.random(in: 0 ... .max, using: &random)))
        case .float64: return .float64(Double(bitPattern: random.next()))
        case .boolean: return .boolean(Bool.random(using: &random))
        case .string: return .string(strings[Int.random(in: 0..<strings.count, using: &random)])
        case .bytes:
            return .bytes(
                (0..<Int.random(in: 0...10, using: &random)).map { _ in UInt8.random(in: 0 ... .max, using: &random) }
            )
        case .array:
            return .array(
                (0..<Int.random(in: 0...3, using: &random)).map { _ in
                    value(for: schema.valueSchema!, &random, allowNull: true)
                }
            )
        case .map:
            var map = ConnectMap()
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                map.updateValue(
                    value(for: schema.valueSchema!, &random, allowNull: true),
                    forKey: value(for: schema.keySchema!, &random, allowNull: false)
                )
            }
            return .map(map)
        case .struct:
            let values = schema.fields.map { value(for: $0.schema, &random, allowNull: true) }
            return .struct(try! Struct(schema: schema, values: values))
        }
    }

    /// Values of the kinds schemaless JSON decodes to: int64, float64, string, boolean, null, arrays and
    /// maps with string keys.
    static func schemalessValue(_ random: inout SplitMix64, depth: Int) -> ConnectValue {
        switch Int.random(in: 0..<(depth < 3 ? 7 : 5), using: &random) {
        case 0: return .int64(Int64.random(in: .min ... .max, using: &random))
        case 1:
            let double = Double(bitPattern: random.next())
            return .float64(double.isFinite ? double : 0.5)
        case 2: return .string(strings[Int.random(in: 0..<strings.count, using: &random)])
        case 3: return .boolean(Bool.random(using: &random))
        case 4: return .null
        case 5:
            return .array(
                (0..<Int.random(in: 0...3, using: &random)).map { _ in schemalessValue(&random, depth: depth + 1) }
            )
        default:
            var map = ConnectMap()
            for index in 0..<Int.random(in: 0...3, using: &random) {
                map.updateValue(schemalessValue(&random, depth: depth + 1), forKey: .string(strings[index]))
            }
            return .map(map)
        }
    }
}
