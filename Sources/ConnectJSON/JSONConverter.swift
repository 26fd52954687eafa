import ConnectAPI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Kafka Connect's JSON converter (`org.apache.kafka.connect.json.JsonConverter`, spec §4.4): the same
/// bytes as Kafka's for the same data, written and read by a byte-level UTF-8 codec working directly on
/// ``ConnectValue``s (no Foundation, no intermediate tree).
///
/// With `schemas.enable=true` (the default) every value is wrapped in an envelope carrying its schema:
///
/// ```json
/// {"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false},"payload":{"id":1}}
/// ```
///
/// With `schemas.enable=false` the payload stands alone and reading infers types (integers → `int64`,
/// other numbers → `float64`, objects → maps with string keys, arrays, strings, booleans, null).
///
/// The output matches Kafka's Jackson-based writer byte for byte: compact JSON; floats as Java's
/// `Float.toString`/`Double.toString` (`1.0E10`, `-0.0`), non-finite ones as the strings `"NaN"`,
/// `"Infinity"`, `"-Infinity"`; strings escaped as Jackson does (`\"`, `\\`, `\b \t \n \f \r`, other
/// control characters `\u00XX`, everything else raw UTF-8); bytes and BASE64 decimals as padded Base64;
/// maps with non-string keys as arrays of `[key, value]` pairs.
///
/// Reading accepts anything Kafka's reader accepts (whitespace, members in any order, leading zeros) and
/// rejects malformed JSON, envelopes that are not exactly `schema` + `payload`, and values that do not fit
/// the schema with a ``DataError`` naming what was expected. See `JSONReader+Decoding.swift` for where it
/// is stricter than Kafka's.
///
/// Schemas are translated once and cached in both directions (`schemas.cache.size` each, least recently
/// used evicted), so steady-state conversions cost one lock and one comparison of the schema. Instances
/// are safe to use from several tasks at once once configured.
public final class JSONConverter: ValueHeaderConverter, @unchecked Sendable {
    /// `org.apache.kafka.connect.json.JsonConverter`
    public static let className = "org.apache.kafka.connect.json.JsonConverter"

    private struct State {
        var config: JSONConverterConfig
        var options: JSONCodingOptions
        var encodePlans: LRUCache<Schema, SchemaPlan>
        var decodePlans: LRUCache<[UInt8], SchemaPlan>
        /// The most recently used plans: most streams use one schema at a time.
        var lastEncodePlan: SchemaPlan?
        /// The schema texts read most recently (most recent first), compared byte for byte before any
        /// hashing: a topic usually carries one schema or a handful.
        var recentDecodes: [(key: [UInt8], plan: SchemaPlan)] = []
        /// The capacity to allocate for output: the size of recent output, adjusted when far off.
        var outputSizeHint = 512

        /// Moves (or adds) a schema text to the front of the recently read ones, keeping at most four.
        mutating func remember(_ key: [UInt8], _ plan: SchemaPlan) {
            recentDecodes.removeAll { $0.plan === plan }
            recentDecodes.insert((key, plan), at: 0)
            if recentDecodes.count > 4 { recentDecodes.removeLast() }
        }

        init(config: JSONConverterConfig) {
            self.config = config
            self.options = config.codingOptions
            self.encodePlans = LRUCache(capacity: config.schemaCacheSize)
            self.decodePlans = LRUCache(capacity: config.schemaCacheSize)
        }
    }

    private let lock = Lock()
    // Guarded by `lock`; the lock makes run-time exclusivity checks redundant.
    @exclusivity(unchecked) private var state: State

    /// `converter.type` and the JSON settings (see ``JSONConverterConfig``).
    public static var configDef: ConfigDef { JSONConverterConfig.configDef }

    /// A converter with Kafka's default settings (schemas enabled, BASE64 decimals); call
    /// ``configure(configs:isKey:)`` to apply others.
    public init() {
        state = State(config: JSONConverterConfig())
    }

    /// A converter with the given settings.
    public init(config: JSONConverterConfig) {
        state = State(config: config)
    }

    /// The current settings.
    public var config: JSONConverterConfig {
        lock.withLock { state.config }
    }

    /// Applies settings and clears the schema caches (Kafka's `configure(Map, boolean)`).
    /// - Throws: ``ConfigError`` for an invalid setting.
    public func configure(configs: [String: String], isKey: Bool) throws {
        let config = try JSONConverterConfig(configs: ConverterConfig.settingType(configs, isKey: isKey))
        lock.withLock { state = State(config: config) }
    }

    /// Applies header converter settings (Kafka's `configure(Map)`); a missing `converter.type` means
    /// `header`.
    /// - Throws: ``ConfigError`` for an invalid setting.
    public func configure(configs: [String: String]) throws {
        let config = try JSONConverterConfig(configs: configs)
        lock.withLock { state = State(config: config) }
    }

    /// Does nothing (no resources).
    public func close() {}

    // MARK: Converter

    /// Serializes a value; `nil` only when both the schema and the value are absent (a tombstone).
    /// - Throws: ``DataError`` if the value does not match the schema (or, without a schema, has no JSON
    ///   form: structs and logical values need a schema).
    public func fromConnectData(
        topic: String,
        headers: Headers,
        schema: Schema?,
        value: ConnectValue
    ) throws
        -> [UInt8]?
    {
        do {
            return try encode(schema: schema, value: value)
        } catch {
            throw error.dataError
        }
    }

    /// Deserializes bytes; `nil` gives ``SchemaAndValue/null``, as does empty (or blank) input with
    /// schemas disabled.
    /// - Throws: ``DataError`` for malformed JSON, a missing or extra envelope member, an invalid schema, or
    ///   a payload that does not fit its schema.
    public func toConnectData(topic: String, headers: Headers, bytes: [UInt8]?) throws -> SchemaAndValue {
        guard let bytes else { return .null }
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONFailure) in try decode(buffer) }
        }
        switch result {
        case .success(let value): return value
        case .failure(let failure): throw failure.dataError
        }
    }

    /// Deserializes bytes held elsewhere (a NIO `ByteBuffer`'s readable bytes, a memory-mapped file)
    /// without copying them into an array first.
    /// - Throws: ``DataError`` as ``toConnectData(topic:headers:bytes:)-(_,_,[UInt8]?)``.
    public func toConnectData(
        topic: String,
        headers: Headers,
        bytes: UnsafeRawBufferPointer
    ) throws
        -> SchemaAndValue
    {
        do {
            return try decode(bytes)
        } catch {
            throw error.dataError
        }
    }

    // MARK: Caches (for tests)

    /// The number of schemas in the write-direction cache.
    var encodeCacheCount: Int { lock.withLock { state.encodePlans.count } }
    /// The number of schema JSON texts in the read-direction cache.
    var decodeCacheCount: Int { lock.withLock { state.decodePlans.count } }

    // MARK: Writing

    private func encode(schema: Schema?, value: ConnectValue) throws(JSONFailure) -> [UInt8]? {
        if schema == nil && value.isNull { return nil }
        let (options, plan, sizeHint) = lock.withLock { () -> (JSONCodingOptions, SchemaPlan?, Int) in
            guard let schema else { return (state.options, nil, state.outputSizeHint) }
            return (state.options, encodePlan(for: schema), state.outputSizeHint)
        }
        if let plan, options.schemasEnabled, let failure = plan.schemaJSONFailure { throw failure }
        let encoder = JSONValueEncoder(options: options)
        // A malloc'd scratch buffer, copied into the result array at the end: creating the array with
        // `init(unsafeUninitializedCapacity:)` goes through an unspecialized stdlib path that costs more
        // than the copy.
        var writer = ByteWriter(capacity: max(sizeHint, (plan?.envelopePrefix.count ?? 0) + 64))
        try Self.write(value, plan: plan, encoder: encoder, into: &writer)
        let result = writer.makeArray()
        if result.count > sizeHint || result.count < sizeHint / 4 {
            let newHint = max(result.count + result.count / 8, 64)
            lock.withLock { state.outputSizeHint = newHint }
        }
        return result
    }

    /// Writes the envelope (if enabled) around the value.
    private static func write(
        _ value: ConnectValue,
        plan: SchemaPlan?,
        encoder: JSONValueEncoder,
        into writer: inout ByteWriter
    ) throws(JSONFailure) {
        let enveloped = encoder.options.schemasEnabled
        if enveloped {
            if let plan {
                writer.append(plan.envelopePrefix)
            } else {
                writer.append(ascii: "{\"schema\":null,\"payload\":")
            }
        }
        if let plan {
            try encoder.encode(value, plan: plan, into: &writer)
        } else {
            try encoder.encodeSchemaless(value, into: &writer, depth: 0)
        }
        if enveloped { writer.append(UInt8(ascii: "}")) }
    }

    /// The plan for a schema; called with the lock held.
    private func encodePlan(for schema: Schema) -> SchemaPlan {
        if let last = state.lastEncodePlan, last.schema === schema { return last }
        if let cached = state.encodePlans.value(forKey: schema) {
            state.lastEncodePlan = cached
            return cached
        }
        let plan = SchemaPlan.make(schema, options: state.options)
        state.encodePlans.insert(plan, forKey: schema)
        state.lastEncodePlan = plan
        return plan
    }

    // MARK: Reading

    private func decode(_ buffer: UnsafeRawBufferPointer) throws(JSONFailure) -> SchemaAndValue {
        let options = lock.withLock { state.options }
        var reader = JSONReader(buffer)
        guard options.schemasEnabled else {
            reader.skipWhitespace()
            // Jackson reads empty input as a missing node, which converts to null.
            if reader.isAtEnd { return .null }
            let value = try reader.decodeSchemaless()
            try reader.expectEnd()
            return SchemaAndValue(schema: nil, value: value)
        }
        return try decodeEnvelope(&reader, buffer: buffer, options: options)
    }

    private static let envelopeFailure = JSONFailure.data(
        "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration."
    )
    private static let schemaKey = Array("schema".utf8)
    private static let payloadKey = Array("payload".utf8)
    private static let schemaMember: StaticString = "\"schema\":"
    private static let payloadMember: StaticString = "\"payload\":"

    private enum EnvelopeMember {
        case schema
        case payload
        case other
    }

    /// Reads `{"schema":…,"payload":…}` in one pass. The payload is decoded in place when the schema came
    /// first (the usual order); otherwise it is skipped and decoded afterwards. Errors keep Kafka's
    /// precedence: malformed JSON anywhere, then the envelope's shape, then the schema, then the payload.
    private func decodeEnvelope(
        _ reader: inout JSONReader,
        buffer: UnsafeRawBufferPointer,
        options: JSONCodingOptions
    ) throws(JSONFailure) -> SchemaAndValue {
        guard reader.nextToken() == UInt8(ascii: "{") else {
            if !reader.isAtEnd {
                try reader.skipValue()
                try reader.expectEnd()
            }
            throw Self.envelopeFailure
        }
        try reader.enterContainer()
        reader.position += 1

        var sawSchema = false
        var sawPayload = false
        var sawOtherMember = false
        var plan: SchemaPlan?
        var schemaFailure: JSONFailure?
        var schemaGeneration = 0
        var payload = ConnectValue.null
        var payloadFailure: JSONFailure?
        var payloadGeneration = -1
        var payloadSpan = 0..<0

        if reader.nextToken() == UInt8(ascii: "}") {
            reader.position += 1
        } else {
            repeat {
                // Compact input (what Kafka writes) names the members without whitespace.
                let member: EnvelopeMember
                if reader.consume(Self.schemaMember) {
                    member = .schema
                } else if reader.consume(Self.payloadMember) {
                    member = .payload
                } else {
                    guard reader.nextToken() == UInt8(ascii: "\"") else { throw reader.unexpected("a field name") }
                    let key = try reader.scanString()
                    try reader.expect(UInt8(ascii: ":"), "':'")
                    if reader.string(key, equals: Self.schemaKey) {
                        member = .schema
                    } else if reader.string(key, equals: Self.payloadKey) {
                        member = .payload
                    } else {
                        member = .other
                    }
                }
                reader.skipWhitespace()
                let start = reader.position
                let depth = reader.depth
                if member == .schema {
                    sawSchema = true
                    schemaGeneration += 1
                    do {
                        plan = try schemaPlan(&reader, buffer: buffer, options: options)
                        schemaFailure = nil
                    } catch let failure where failure.kind == .data {
                        schemaFailure = failure
                        reader.position = start
                        reader.depth = depth
                        try reader.skipValue()
                    }
                } else if member == .payload {
                    sawPayload = true
                    if sawSchema && schemaFailure == nil {
                        payloadGeneration = schemaGeneration
                        do {
                            payload = try decodePayload(&reader, plan: plan, options: options)
                            payloadFailure = nil
                        } catch let failure where failure.kind == .data {
                            payloadFailure = failure
                            reader.position = start
                            reader.depth = depth
                            try reader.skipValue()
                        }
                    } else {
                        payloadGeneration = -1
                        try reader.skipValue()
                    }
                    payloadSpan = start..<reader.position
                } else {
                    sawOtherMember = true
                    try reader.skipValue()
                }
            } while try reader.continues(closing: UInt8(ascii: "}"))
        }
        reader.leaveContainer()
        try reader.expectEnd()

        guard sawSchema && sawPayload && !sawOtherMember else { throw Self.envelopeFailure }
        if let schemaFailure { throw schemaFailure }
        if payloadGeneration != schemaGeneration {
            // The payload came before the (last) schema: decode it now.
            var payloadReader = JSONReader(buffer, start: payloadSpan.lowerBound, end: payloadSpan.upperBound)
            payload = try decodePayload(&payloadReader, plan: plan, options: options)
        } else if let payloadFailure {
            throw payloadFailure
        }
        return SchemaAndValue(schema: plan?.schema, value: payload)
    }

    private func decodePayload(
        _ reader: inout JSONReader,
        plan: SchemaPlan?,
        options: JSONCodingOptions
    ) throws(JSONFailure) -> ConnectValue {
        guard let plan else { return try reader.decodeSchemaless() }
        return try reader.decode(plan, replaceNullWithDefault: options.replaceNullWithDefault)
    }

    /// The plan for the schema JSON at the reader's position (`nil` for `null`), from the caches when
    /// this exact text was seen before; leaves the reader after the schema.
    private func schemaPlan(
        _ reader: inout JSONReader,
        buffer: UnsafeRawBufferPointer,
        options: JSONCodingOptions
    ) throws(JSONFailure) -> SchemaPlan? {
        if reader.peek == UInt8(ascii: "n") {
            _ = try reader.readLiteral()
            return nil
        }
        let start = reader.position
        // Fast path: a recently seen text. A complete JSON value is determined by its bytes, so if the input
        // continues with a cached schema text, the schema is exactly that text.
        let recent = lock.withLock { state.recentDecodes }
        let available = reader.end - start
        for (index, entry) in recent.enumerated() where entry.key.count <= available {
            let matches = entry.key.withUnsafeBytes { key in
                memcmp(reader.base + start, key.baseAddress!, key.count) == 0
            }
            if matches {
                reader.position = start + entry.key.count
                if index > 0 { lock.withLock { state.remember(entry.key, entry.plan) } }
                return entry.plan
            }
        }
        try reader.skipValue()
        let key = Array(UnsafeBufferPointer(start: reader.base + start, count: reader.position - start))
        let cached = lock.withLock { () -> SchemaPlan? in
            guard let plan = state.decodePlans.value(forKey: key) else { return nil }
            state.remember(key, plan)
            return plan
        }
        if let cached { return cached }

        var nodeReader = JSONReader(buffer, start: start, end: reader.position)
        let node = try nodeReader.parseNode()
        guard let schema = try JSONSchemaReader(input: buffer, options: options).schema(from: node) else {
            return nil
        }
        let plan = SchemaPlan.make(schema, options: options)
        lock.withLock {
            // Only cache if the settings did not change meanwhile.
            guard state.options == options else { return }
            state.decodePlans.insert(plan, forKey: key)
            state.remember(key, plan)
        }
        return plan
    }
}
