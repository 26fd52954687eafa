import ArgumentParser
import KafkaNIO
import KafkaProtocol
import NIOCore

/// `swift-connect kafka perf`: throughput measurements for scripts/bench-client, in the spirit of
/// kafka-producer-perf-test / kafka-consumer-perf-test. Each prints one JSON line.
struct PerfCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perf",
        abstract: "Measure produce and consume throughput.",
        subcommands: [Produce.self, Consume.self]
    )

    struct Produce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Produce N records of a given size as fast as possible."
        )
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Topic.") var topic: String
        @Option(help: "Number of records.") var records: Int
        @Option(help: "Value size in bytes.") var recordSize: Int
        @Option(help: "Records per send(contentsOf:) call.") var chunk: Int = 10_000
        @Option(help: "Chunks in flight at once.") var window: Int = 8
        @Option(help: "Records per transaction (0: no transactions); each one is begun, sent and committed.")
        var transactionSize: Int = 0

        func run() async throws {
            let payload = ByteBuffer(repeating: UInt8(ascii: "x"), count: recordSize)
            var defaults = [
                "linger.ms": "5", "batch.size": "4194304", "max.request.size": "8388608",
            ]
            if transactionSize > 0 {
                defaults["transactional.id"] = "perf-\(UInt32.random(in: 0...UInt32.max))"
                // Each transaction is one send(contentsOf:) awaited before the commit, so lingering
                // would only add 5 ms per transaction; librdkafka's commit flushes without lingering.
                defaults["linger.ms"] = "0"
            }
            let configuration = try KafkaProducerConfiguration(
                // The reference run (scripts/interop/bench_ck.py) uses 4 MiB batches and 8 MiB requests;
                // acks stays at Kafka's default (all) so that the idempotent producer can pipeline.
                properties: try connection.clientProperties(defaults: defaults)
            )
            if transactionSize > 0 {
                try await self.runTransactions(configuration, payload: payload)
                return
            }
            let (seconds, failures) = try await connection.withCluster { cluster -> (Double, Int) in
                let producer = KafkaProducer(configuration: configuration, cluster: cluster)
                // Metadata first, so the timing covers producing only.
                _ = try await cluster.metadata(for: [topic], allowAutoTopicCreation: true)
                let start = monotonicSeconds()
                let failures = await withTaskGroup(of: Int.self) { group -> Int in
                    var failures = 0
                    var sent = 0
                    var running = 0
                    while sent < records || running > 0 {
                        if sent < records && running < window {
                            let count = min(chunk, records - sent)
                            sent += count
                            running += 1
                            group.addTask {
                                let batch = [KafkaProducerRecord](
                                    repeating: KafkaProducerRecord(topic: topic, value: payload),
                                    count: count
                                )
                                let results = await producer.send(contentsOf: batch)
                                return results.reduce(0) { count, result in
                                    if case .failure = result { return count + 1 }
                                    return count
                                }
                            }
                        } else if let finished = await group.next() {
                            failures += finished
                            running -= 1
                        }
                    }
                    return failures
                }
                let seconds = monotonicSeconds() - start
                await producer.close()
                return (seconds, failures)
            }
            writeStandardOutput(
                "{\"records\": \(records), \"bytes\": \(records * recordSize), \"seconds\": \(seconds), \"failures\": \(failures)}\n"
            )
            if failures > 0 { throw ExitCode(1) }
        }

        /// Transactions of `transactionSize` records, one after the other: begin, send, commit.
        private func runTransactions(_ configuration: KafkaProducerConfiguration, payload: ByteBuffer) async throws {
            let (seconds, failures) = try await connection.withCluster { cluster -> (Double, Int) in
                let producer = KafkaProducer(configuration: configuration, cluster: cluster)
                _ = try await cluster.metadata(for: [topic], allowAutoTopicCreation: true)
                try await producer.initTransactions()
                let start = monotonicSeconds()
                var failures = 0
                var sent = 0
                while sent < records {
                    let count = min(transactionSize, records - sent)
                    sent += count
                    try producer.beginTransaction()
                    let results = await producer.send(
                        contentsOf: [KafkaProducerRecord](
                            repeating: KafkaProducerRecord(topic: topic, value: payload),
                            count: count
                        )
                    )
                    failures += results.filter { if case .failure = $0 { true } else { false } }.count
                    try await producer.commitTransaction()
                }
                let seconds = monotonicSeconds() - start
                await producer.close()
                return (seconds, failures)
            }
            writeStandardOutput(
                "{\"records\": \(records), \"bytes\": \(records * recordSize), \"seconds\": \(seconds), \"failures\": \(failures)}\n"
            )
            if failures > 0 { throw ExitCode(1) }
        }
    }

    struct Consume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Consume N records from the beginning as fast as possible.",
            discussion: """
                With --group G: as the single member of group G (use a fresh group): subscribe, wait for \
                the assignment, read N records, commit them synchronously. The JSON line then also has \
                "join_seconds" (subscribe until the first assignment); "seconds" covers it all, from \
                subscribe to the commit.
                """
        )
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Topic.") var topic: String
        @Option(help: "Number of records to read.") var records: Int
        @Option(help: "Consume as a member of this (fresh) consumer group instead of assigning partitions.")
        var group: String?

        func run() async throws {
            var defaults = [
                // read_committed is librdkafka's default, so the reference run reads that way too.
                "max.poll.records": "100000", "isolation.level": "read_committed",
            ]
            if let group {
                defaults["group.id"] = group
                defaults["auto.offset.reset"] = "earliest"
                defaults["enable.auto.commit"] = "false"
            }
            let configuration = try KafkaConsumerConfiguration(
                properties: try connection.clientProperties(defaults: defaults)
            )
            if group != nil {
                try await self.runGroup(configuration)
                return
            }
            let (seconds, bytes) = try await connection.withCluster { cluster -> (Double, Int) in
                let metadata = try await cluster.metadata(for: [topic])
                let assignment = (metadata.topics[topic]?.partitions.keys.sorted() ?? []).map {
                    TopicPartition(topic, $0)
                }
                let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
                consumer.assign(assignment)
                for topicPartition in assignment { try await consumer.seek(topicPartition, to: .earliest) }
                let start = monotonicSeconds()
                var count = 0
                var bytes = 0
                while count < records {
                    let polled = try await consumer.poll()
                    count += polled.count
                    for record in polled { bytes += record.value?.readableBytes ?? 0 }
                }
                let seconds = monotonicSeconds() - start
                await consumer.close()
                return (seconds, bytes)
            }
            writeStandardOutput("{\"records\": \(records), \"bytes\": \(bytes), \"seconds\": \(seconds)}\n")
        }

        /// Subscribe, read `records`, commit: timed as a whole, and the join on its own.
        private func runGroup(_ configuration: KafkaConsumerConfiguration) async throws {
            let (seconds, joinSeconds, count, bytes) = try await connection.withCluster {
                cluster -> (Double, Double, Int, Int) in
                // Metadata first, so the timing covers the group and the reading only.
                _ = try await cluster.metadata(for: [topic])
                let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
                let start = monotonicSeconds()
                var joined: Double?
                var count = 0
                var bytes = 0
                do {
                    try await consumer.subscribe(topics: [topic])
                    while count < records {
                        let polled = try await consumer.poll(timeout: .milliseconds(100))
                        if joined == nil, consumer.groupGeneration != nil { joined = monotonicSeconds() }
                        count += polled.count
                        for record in polled { bytes += record.value?.readableBytes ?? 0 }
                    }
                    try await consumer.commitSync()
                } catch {
                    await consumer.close()
                    throw error
                }
                let end = monotonicSeconds()
                await consumer.close()
                return (end - start, (joined ?? end) - start, count, bytes)
            }
            writeStandardOutput(
                "{\"records\": \(count), \"bytes\": \(bytes), \"seconds\": \(seconds), \"join_seconds\": \(joinSeconds)}\n"
            )
        }
    }
}
