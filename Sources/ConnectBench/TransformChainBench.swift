import ConnectAPI
import ConnectTransforms

/// Throughput of a three-stage transform chain over sink records with a 10-field struct value:
/// `InsertField$Value` (a static field) → `ReplaceField$Value` (one rename) → `Cast$Value` (one field
/// to string), configured through `TransformationRegistry` as a connector configuration would be.
/// Prints one JSON line: `{"bench": "transform-chain-3", "records_per_sec": N, "ns_per_record": x}`.
func runTransformChainBenchmark() {
    let chain: TransformationChain
    let records: [SinkRecord]
    do {
        chain = try TransformationRegistry.kafkaBuiltIns.makeChain(connectorConfig: [
            "transforms": "insert,rename,cast",
            "transforms.insert.type": "org.apache.kafka.connect.transforms.InsertField$Value",
            "transforms.insert.static.field": "source",
            "transforms.insert.static.value": "bench",
            "transforms.rename.type": "org.apache.kafka.connect.transforms.ReplaceField$Value",
            "transforms.rename.renames": "email:email_address",
            "transforms.cast.type": "org.apache.kafka.connect.transforms.Cast$Value",
            "transforms.cast.spec": "age:string",
        ])
        records = try transformBenchRecords(count: 1024)
    } catch {
        print("{\"bench\": \"transform-chain-3\", \"error\": \"\(error)\"}")
        return
    }

    // Warm-up (caches, allocator), then a timed run of about 2 seconds in batches over the pool.
    var checksum = 0
    let clock = ContinuousClock()
    let warmUpEnd = clock.now.advanced(by: .milliseconds(300))
    while clock.now < warmUpEnd { checksum &+= runTransformBatch(chain, records) }

    var processed = 0
    let start = clock.now
    let deadline = start.advanced(by: .seconds(2))
    while clock.now < deadline {
        checksum &+= runTransformBatch(chain, records)
        processed += records.count
    }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let recordsPerSecond = Int((Double(processed) / seconds).rounded())
    let nanosPerRecord = (seconds * 1e9 / Double(processed) * 10).rounded() / 10
    precondition(checksum != 0, "the chain produced no fields")
    print(
        "{\"bench\": \"transform-chain-3\", \"records_per_sec\": \(recordsPerSecond), \"ns_per_record\": \(nanosPerRecord)}"
    )
}

/// Runs the chain over every record; returns the number of fields produced (keeps the work observable).
private func runTransformBatch(_ chain: TransformationChain, _ records: [SinkRecord]) -> Int {
    var fields = 0
    for record in records {
        do {
            if let transformed = try chain.apply(record), case .struct(let value) = transformed.value {
                fields &+= value.values.count
            }
        } catch {
            fatalError("transform chain failed: \(error)")
        }
    }
    return fields
}

/// Sink records sharing one 10-field schema, with varying values.
private func transformBenchRecords(count: Int) throws -> [SinkRecord] {
    let schema = try SchemaBuilder.struct().name("com.example.Customer")
        .field("id", .int64)
        .field("name", .string)
        .field("email", .string)
        .field("age", .int32)
        .field("score", .float64)
        .field("active", .boolean)
        .field("country", .optionalString)
        .field("created", .timestamp)
        .field("balance", .decimal(scale: 2))
        .field("notes", .optionalString)
        .build()
    return try (0..<count).map { index in
        let value = try Struct(
            schema: schema,
            values: [
                .int64(Int64(index)),
                .string("customer \(index)"),
                .string("customer\(index)@example.com"),
                .int32(Int32(18 + index % 60)),
                .float64(Double(index) * 0.5),
                .boolean(index % 2 == 0),
                index % 3 == 0 ? .null : .string("NL"),
                .timestamp(millis: 1_700_000_000_000 + Int64(index)),
                .decimal(ConnectDecimal(unscaled: Int64(index) * 100 + 99, scale: 2)),
                .null,
            ]
        )
        return SinkRecord(
            topic: "customers",
            partition: Int32(index % 8),
            keySchema: .int64,
            key: .int64(Int64(index)),
            valueSchema: schema,
            value: .struct(value),
            kafkaOffset: Int64(index),
            timestamp: 1_700_000_000_000 + Int64(index)
        )
    }
}
