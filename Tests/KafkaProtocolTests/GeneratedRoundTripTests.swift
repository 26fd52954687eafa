import KafkaProtocol
import NIOCore
import Testing

/// One generated message value at one of its type's valid versions.
struct GeneratedMessageCase: Sendable, CustomTestStringConvertible {
    var message: any KafkaMessage
    var version: Int16

    var testDescription: String { "\(type(of: message)) v\(version)" }

    /// Every value of `values` at every version its type defines.
    static func cases(_ values: [any KafkaMessage]) -> [GeneratedMessageCase] {
        var cases: [GeneratedMessageCase] = []
        for message in values {
            for version in validVersions(of: message) {
                cases.append(GeneratedMessageCase(message: message, version: version))
            }
        }
        return cases
    }

    /// Every sample of `GeneratedMessageSamples` at every version.
    static let samples: [GeneratedMessageCase] = cases(GeneratedMessageSamples.all())
    /// Every default value at every version.
    static let defaults: [GeneratedMessageCase] = cases(GeneratedMessageSamples.defaults())

    static func validVersions<M: KafkaMessage>(of message: M) -> ClosedRange<Int16> {
        M.validVersions
    }
}

/// The encoding of `message` at `version`.
private func encodedBuffer<M: KafkaMessage>(_ message: M, version: Int16) throws -> ByteBuffer {
    var buffer = ByteBuffer()
    try message.write(into: &buffer, version: version)
    return buffer
}

@Suite("Generated messages: round trips")
struct GeneratedRoundTripTests {
    @Test("there is a sample of every generated type")
    func samplesCoverEveryGeneratedType() {
        let names = Set(GeneratedMessageSamples.all().map { "\(type(of: $0))" })
        // 42 APIs (request and response), two headers, two consumer-protocol structures.
        #expect(names.count == 42 * 2 + 4)
        #expect(names.contains("RequestHeader"))
        #expect(names.contains("ResponseHeader"))
        #expect(names.contains("ConsumerProtocolSubscription"))
        #expect(names.contains("ConsumerProtocolAssignment"))
        let defaultNames = GeneratedMessageSamples.defaults().map { "\(type(of: $0))" }
        #expect(defaultNames == GeneratedMessageSamples.all().map { "\(type(of: $0))" })
    }

    @Test("sample: encode → decode → encode gives identical bytes", arguments: GeneratedMessageCase.samples)
    func sampleRoundTrip(_ testCase: GeneratedMessageCase) throws {
        try Self.checkRoundTrip(testCase.message, version: testCase.version)
    }

    @Test("default: encode → decode gives the default back", arguments: GeneratedMessageCase.defaults)
    func defaultRoundTrip(_ testCase: GeneratedMessageCase) throws {
        try Self.checkRoundTrip(testCase.message, version: testCase.version)
        try Self.checkDecodesToItself(testCase.message, version: testCase.version)
    }

    @Test("a sample encodes differently from the default wherever the type has fields")
    func samplesAreNotDefaults() throws {
        let samples = GeneratedMessageSamples.all()
        let defaults = GeneratedMessageSamples.defaults()
        for (sample, defaultValue) in zip(samples, defaults) {
            try Self.checkDiffers(sample, from: defaultValue)
        }
    }

    @Test("every field survives exactly in the versions that carry it", arguments: GeneratedMessageCase.samples)
    func fieldsSurviveInTheirVersions(_ testCase: GeneratedMessageCase) throws {
        try Self.checkFieldPresence(testCase.message, version: testCase.version)
    }

    static let fieldVersions: [String: [String: ClosedRange<Int16>]] = GeneratedMessageSamples.fieldVersions()

    /// Byte equality alone cannot catch a writer and a reader that agree on a mistake (both skipping
    /// a field, say). Samples have every field set to a non-default value, so after a round trip a
    /// field must equal the sample's in the versions that have it, and must not in the others.
    static func checkFieldPresence<M: KafkaMessage>(_ message: M, version: Int16) throws {
        var buffer = try encodedBuffer(message, version: version)
        let decoded = try M(from: &buffer, version: version)
        var problems: [String] = []
        FieldPresence.compareStruct(
            decoded: decoded,
            sample: message,
            version: version,
            path: "\(M.self)",
            table: Self.fieldVersions,
            problems: &problems
        )
        #expect(problems.isEmpty, "v\(version):\n\(problems.joined(separator: "\n"))")
    }

    static func checkRoundTrip<M: KafkaMessage>(_ message: M, version: Int16) throws {
        let first = try encodedBuffer(message, version: version)
        var reader = first
        let decoded = try M(from: &reader, version: version)
        #expect(reader.readableBytes == 0, "decoding left \(reader.readableBytes) bytes unread")
        let second = try encodedBuffer(decoded, version: version)
        #expect(first == second, "re-encoding changed the bytes")
        // Decoding is stable: the re-encoded bytes decode to the same value.
        var again = second
        #expect(try M(from: &again, version: version) == decoded)
    }

    /// Decoding a value's encoding gives the value itself; true for default values at every
    /// version (fields a version lacks keep their defaults).
    static func checkDecodesToItself<M: KafkaMessage>(_ message: M, version: Int16) throws {
        var buffer = try encodedBuffer(message, version: version)
        #expect(try M(from: &buffer, version: version) == message)
    }

    static func checkDiffers<M: KafkaMessage>(_ sample: M, from other: any KafkaMessage) throws {
        let defaultValue = try #require(other as? M)
        #expect(sample != defaultValue)
        for version in M.validVersions {
            let defaultBytes = try encodedBuffer(defaultValue, version: version)
            let sampleBytes = try encodedBuffer(sample, version: version)
            // A version with no fields at all (ApiVersionsRequest v0) encodes to nothing either way.
            if defaultBytes.readableBytes > 0 {
                #expect(sampleBytes != defaultBytes, "\(M.self) v\(version): sample encodes like the default")
            }
        }
    }
}

/// Walks generated values with `Mirror`, comparing a decoded value with the sample it came from.
private enum FieldPresence {
    typealias Table = [String: [String: ClosedRange<Int16>]]

    static func typeKey(_ value: Any) -> String {
        let name = String(reflecting: type(of: value))
        let module = "KafkaProtocol."
        return name.hasPrefix(module) ? String(name.dropFirst(module.count)) : name
    }

    static func compareStruct(
        decoded: Any,
        sample: Any,
        version: Int16,
        path: String,
        table: Table,
        problems: inout [String]
    ) {
        let key = typeKey(sample)
        guard let fields = table[key] else {
            problems.append("\(path): no field table for \(key)")
            return
        }
        let decodedChildren = Array(Mirror(reflecting: decoded).children)
        let sampleChildren = Array(Mirror(reflecting: sample).children)
        guard decodedChildren.count == sampleChildren.count else {
            problems.append("\(path): different shapes")
            return
        }
        for (decodedChild, sampleChild) in zip(decodedChildren, sampleChildren) {
            guard let label = sampleChild.label else { continue }
            let fieldPath = "\(path).\(label)"
            if fields[label]?.contains(version) ?? false {
                compareValues(
                    decodedChild.value,
                    sampleChild.value,
                    version: version,
                    path: fieldPath,
                    table: table,
                    problems: &problems
                )
            } else if isEqual(decodedChild.value, sampleChild.value) {
                problems.append("\(fieldPath) is not in this version but kept the sample's value")
            }
        }
    }

    static func compareValues(
        _ decoded: Any,
        _ sample: Any,
        version: Int16,
        path: String,
        table: Table,
        problems: inout [String]
    ) {
        let decodedMirror = Mirror(reflecting: decoded)
        let sampleMirror = Mirror(reflecting: sample)
        if sampleMirror.displayStyle == .optional {
            guard let sampleValue = sampleMirror.children.first?.value else {
                problems.append("\(path): the sample is nil")
                return
            }
            guard let decodedValue = decodedMirror.children.first?.value else {
                problems.append("\(path): decoded as nil")
                return
            }
            compareValues(decodedValue, sampleValue, version: version, path: path, table: table, problems: &problems)
            return
        }
        if table[typeKey(sample)] != nil {
            compareStruct(
                decoded: decoded,
                sample: sample,
                version: version,
                path: path,
                table: table,
                problems: &problems
            )
            return
        }
        if sampleMirror.displayStyle == .collection {
            let decodedElements = Array(decodedMirror.children)
            let sampleElements = Array(sampleMirror.children)
            guard decodedElements.count == sampleElements.count else {
                problems.append("\(path): \(decodedElements.count) elements instead of \(sampleElements.count)")
                return
            }
            for (index, (decodedElement, sampleElement)) in zip(decodedElements, sampleElements).enumerated() {
                compareValues(
                    decodedElement.value,
                    sampleElement.value,
                    version: version,
                    path: "\(path)[\(index)]",
                    table: table,
                    problems: &problems
                )
            }
            return
        }
        if !isEqual(decoded, sample) {
            problems.append("\(path): decoded \(decoded), expected \(sample)")
        }
    }

    static func isEqual(_ lhs: Any, _ rhs: Any) -> Bool {
        guard let lhs = lhs as? any Equatable else { return false }
        return lhs.generatedTestsIsEqual(to: rhs)
    }
}

extension Equatable {
    fileprivate func generatedTestsIsEqual(to other: Any) -> Bool {
        guard let other = other as? Self else { return false }
        return self == other
    }
}

@Suite("Generated messages: hostile input")
struct GeneratedHostileInputTests {
    @Test("every truncation of an encoding throws KafkaProtocolError", arguments: GeneratedMessageCase.samples)
    func truncatedInputThrows(_ testCase: GeneratedMessageCase) throws {
        try Self.checkTruncations(testCase.message, version: testCase.version)
    }

    static func checkTruncations<M: KafkaMessage>(_ message: M, version: Int16) throws {
        let full = try encodedBuffer(message, version: version)
        var failures = 0
        for length in 0..<full.readableBytes {
            var prefix = try #require(full.getSlice(at: full.readerIndex, length: length))
            do {
                _ = try M(from: &prefix, version: version)
                failures += 1
            } catch is KafkaProtocolError {
                // Expected.
            } catch {
                Issue.record("\(M.self) v\(version), \(length) bytes: unexpected error \(error)")
            }
        }
        #expect(failures == 0, "\(M.self) v\(version): \(failures) truncated encodings decoded without error")
    }

    @Test("random bytes decode or throw KafkaProtocolError, never trap")
    func randomBytes() throws {
        var generator = GeneratedInputRandom(seed: 0x5EED)
        for message in GeneratedMessageSamples.all() {
            try Self.checkRandomInput(message, generator: &generator)
        }
    }

    fileprivate static func checkRandomInput<M: KafkaMessage>(
        _ message: M,
        generator: inout GeneratedInputRandom
    ) throws {
        for version in M.validVersions {
            for _ in 0..<20 {
                let length = Int(generator.next() % 64)
                var bytes: [UInt8] = []
                for _ in 0..<length {
                    bytes.append(UInt8(truncatingIfNeeded: generator.next()))
                }
                var buffer = ByteBuffer(bytes: bytes)
                do {
                    _ = try M(from: &buffer, version: version)
                } catch is KafkaProtocolError {
                    // Expected for most inputs.
                }
            }
            // Mutations of a valid encoding reach deeper than random bytes.
            let valid = Array(try encodedBuffer(message, version: version).readableBytesView)
            guard !valid.isEmpty else { continue }
            for _ in 0..<20 {
                var bytes = valid
                let position = Int(generator.next() % UInt64(bytes.count))
                bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                var buffer = ByteBuffer(bytes: bytes)
                do {
                    _ = try M(from: &buffer, version: version)
                } catch is KafkaProtocolError {
                    // Expected for some mutations.
                }
            }
        }
    }

    @Test("versions outside validVersions are rejected when writing and reading")
    func unsupportedVersions() {
        let request = ApiVersionsRequest()
        #expect(throws: KafkaProtocolError.unsupportedVersion(api: "ApiVersionsRequest", version: 5)) {
            _ = try encodedBuffer(request, version: 5)
        }
        #expect(throws: KafkaProtocolError.unsupportedVersion(api: "MetadataRequest", version: -1)) {
            _ = try encodedBuffer(MetadataRequest(), version: -1)
        }
        var empty = ByteBuffer()
        #expect(throws: KafkaProtocolError.unsupportedVersion(api: "ProduceResponse", version: 12)) {
            _ = try ProduceResponse(from: &empty, version: 12)
        }
    }

    @Test("an array count larger than the remaining bytes is rejected before allocating")
    func hugeArrayCount() {
        // ApiVersionsResponse v0: error code, then the ApiKeys array count.
        var buffer = ByteBuffer(bytes: [0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF])
        #expect(throws: KafkaProtocolError.self) {
            _ = try ApiVersionsResponse(from: &buffer, version: 0)
        }
    }

    @Test("a null on the wire for a non-nullable array throws unexpectedNull")
    func nullForNonNullableArray() {
        var buffer = ByteBuffer(bytes: [0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: KafkaProtocolError.unexpectedNull(field: "apiKeys")) {
            _ = try ApiVersionsResponse(from: &buffer, version: 0)
        }
    }
}

/// A small deterministic pseudo-random generator (SplitMix64), so that failures reproduce.
private struct GeneratedInputRandom {
    var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
