import ConnectAPI
import ConnectJSON
import Foundation

/// JsonConverter round trips (`fromConnectData` + `toConnectData`) per second, single-threaded:
///
/// - `json-converter-struct`: a 10-field struct (int32, int64, string, boolean, float64 and optional
///   fields; about 160 bytes of payload) with `schemas.enable=true`, so each message also carries and
///   parses the schema envelope;
/// - `json-converter-schemaless`: the same data as a 10-key map with `schemas.enable=false`;
/// - `foundation-jsonserialization`: Foundation's `JSONSerialization` round trip of the same payload as a
///   `[String: Any]`, for comparison (docs/performance.md), and the converters' speed-ups over it
///   (`json-converter-vs-foundation`).
///
/// Each measurement warms up for 0.3 s, then runs for about 2 s and prints one JSON line:
/// `{"bench": "...", "round_trips_per_sec": N, "ns_per_round_trip": x}`.
func runJSONConverterBenchmarks() {
    // BENCH_JSON_ONLY=struct|schemaless|foundation runs one measurement (for profiling).
    let only = ProcessInfo.processInfo.environment["BENCH_JSON_ONLY"]
    func enabled(_ name: String) -> Bool { only == nil || only == name }
    do {
        let (schema, values) = try jsonBenchStruct()
        let structConverter = JSONConverter()
        try structConverter.configure(configs: ["schemas.enable": "true"], isKey: false)
        let structs = try values.map { ConnectValue.struct(try Struct(schema: schema, values: $0)) }
        let sample = try structConverter.fromConnectData(topic: "bench", schema: schema, value: structs[0]) ?? []
        let payloadBytes =
            try JSONConverter(config: JSONConverterConfig(schemasEnabled: false))
            .fromConnectData(topic: "bench", schema: schema, value: structs[0])?.count ?? 0
        var structRate = Double.nan
        if enabled("struct") {
            structRate = measureJSONRoundTrips(
                name: "json-converter-struct",
                extra: ", \"payload_bytes\": \(payloadBytes), \"message_bytes\": \(sample.count)"
            ) { index in
                let value = structs[index & (structs.count - 1)]
                let bytes = try structConverter.fromConnectData(topic: "bench", schema: schema, value: value)
                let decoded = try structConverter.toConnectData(topic: "bench", bytes: bytes)
                return decoded.value.structValue?.values.count ?? 0
            }
        }
        guard only == nil || only != "struct" else { return }

        let schemalessConverter = JSONConverter()
        try schemalessConverter.configure(configs: ["schemas.enable": "false"], isKey: false)
        let maps = values.map { fieldValues in
            var map = ConnectMap(minimumCapacity: fieldValues.count)
            for (field, value) in zip(schema.fields, fieldValues) {
                // Schemaless JSON numbers read back as int64/float64.
                let widened: ConnectValue = value.integerValue.map { .int64($0) } ?? value
                map.updateValue(widened, forKey: .string(field.name))
            }
            return ConnectValue.map(map)
        }
        let mapBytes = try schemalessConverter.fromConnectData(topic: "bench", schema: nil, value: maps[0])?.count ?? 0
        let converterRate =
            !enabled("schemaless")
            ? Double.nan
            : measureJSONRoundTrips(name: "json-converter-schemaless", extra: ", \"payload_bytes\": \(mapBytes)") {
                index in
                let value = maps[index & (maps.count - 1)]
                let bytes = try schemalessConverter.fromConnectData(topic: "bench", schema: nil, value: value)
                let decoded = try schemalessConverter.toConnectData(topic: "bench", bytes: bytes)
                return decoded.value.mapValue?.count ?? 0
            }

        let dictionaries: [[String: Any]] = values.map { fieldValues in
            var dictionary: [String: Any] = [:]
            for (field, value) in zip(schema.fields, fieldValues) { dictionary[field.name] = foundationValue(value) }
            return dictionary
        }
        let foundationRate =
            !enabled("foundation")
            ? Double.nan
            : measureJSONRoundTrips(name: "foundation-jsonserialization", extra: "") { index in
                let data = try JSONSerialization.data(withJSONObject: dictionaries[index & (dictionaries.count - 1)])
                let object = try JSONSerialization.jsonObject(with: data)
                return (object as? [String: Any])?.count ?? 0
            }
        guard only == nil else { return }
        let schemalessRatio = (converterRate / foundationRate * 10).rounded() / 10
        let structRatio = (structRate / foundationRate * 10).rounded() / 10
        print(
            "{\"bench\": \"json-converter-vs-foundation\", \"schemaless_speedup\": \(schemalessRatio), "
                + "\"struct_speedup\": \(structRatio)}"
        )
    } catch {
        print("{\"bench\": \"json-converter\", \"error\": \"\(error)\"}")
    }
}

/// Runs `body` with increasing indexes for 0.3 s of warm-up and about 2 s of measurement; prints the
/// result line and returns the round trips per second.
private func measureJSONRoundTrips(name: String, extra: String, _ body: (Int) throws -> Int) -> Double {
    let clock = ContinuousClock()
    var checksum = 0
    var index = 0
    // BENCH_JSON_ITERATIONS=N: exactly N round trips, no warm-up (for instruction counts with perf stat).
    if let fixed = ProcessInfo.processInfo.environment["BENCH_JSON_ITERATIONS"].flatMap(Int.init) {
        do {
            for _ in 0..<fixed {
                checksum &+= try body(index)
                index &+= 1
            }
            print("{\"bench\": \"\(name)\", \"iterations\": \(fixed), \"checksum\": \(checksum)}")
        } catch {
            print("{\"bench\": \"\(name)\", \"error\": \"\(error)\"}")
        }
        return .nan
    }
    do {
        let warmUpEnd = clock.now.advanced(by: .milliseconds(300))
        while clock.now < warmUpEnd {
            for _ in 0..<256 {
                checksum &+= try body(index)
                index &+= 1
            }
        }
        var count = 0
        let start = clock.now
        let deadline = start.advanced(by: .seconds(2))
        while clock.now < deadline {
            for _ in 0..<256 {
                checksum &+= try body(index)
                index &+= 1
            }
            count += 256
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(count) / seconds
        let nanos = (seconds * 1e9 / Double(count) * 10).rounded() / 10
        precondition(checksum != 0, "no fields decoded")
        print(
            "{\"bench\": \"\(name)\", \"round_trips_per_sec\": \(Int(rate.rounded())), \"ns_per_round_trip\": \(nanos)\(extra)}"
        )
        return rate
    } catch {
        print("{\"bench\": \"\(name)\", \"error\": \"\(error)\"}")
        return .nan
    }
}

/// A 10-field schema and 64 rows of field values (a power of two, for cheap indexing).
private func jsonBenchStruct() throws -> (Schema, [[ConnectValue]]) {
    let schema = try SchemaBuilder.struct().name("com.example.Customer")
        .field("id", .int32)
        .field("account", .int64)
        .field("name", .string)
        .field("active", .boolean)
        .field("score", .float64)
        .field("nick", .optionalString)
        .field("email", .optionalString)
        .field("created", .int64)
        .field("visits", .optionalInt32)
        .field("ratio", .float64)
        .build()
    let names = ["Alice Smith", "Bob Jones", "Carol White", "Dan Brown"]
    var rows: [[ConnectValue]] = []
    for row in 0..<64 {
        let nickname: ConnectValue = row % 2 == 0 ? .null : .string("nick\(row)")
        let visits: ConnectValue = row % 4 == 0 ? .null : .int32(Int32(row * 7))
        var values: [ConnectValue] = []
        values.append(.int32(Int32(100_000 + row)))
        values.append(.int64(9_876_543_210_000 + Int64(row)))
        values.append(.string(names[row % names.count]))
        values.append(.boolean(row % 3 != 0))
        values.append(.float64(98.6 + Double(row) / 8))
        values.append(nickname)
        values.append(.string("u\(row)@example.com"))
        values.append(.int64(1_700_000_000_000 + Int64(row) * 1000))
        values.append(visits)
        values.append(.float64(0.25 + Double(row) / 64))
        rows.append(values)
    }
    return (schema, rows)
}

private func foundationValue(_ value: ConnectValue) -> Any {
    switch value {
    case .null: NSNull()
    case .int32(let number): Int(number)
    case .int64(let number): Int(number)
    case .float64(let number): number
    case .boolean(let flag): flag
    case .string(let text): text
    default: NSNull()
    }
}
