import ArgumentParser
import KafkaNIO
import KafkaProtocol
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Produce each line of standard input as a record."
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Topic to produce to.") var topic: String
    @Option(
        name: [.customShort("K"), .customLong("key-separator")],
        help: "Split each line at the first occurrence into key and value."
    )
    var keySeparator: String?
    @Option(
        name: [.customShort("H"), .customLong("header")],
        help: "A header name=value added to every record. Repeatable."
    )
    var headers: [String] = []
    @Option(name: [.customShort("p"), .customLong("partition")], help: "Partition (default: the partitioner chooses).")
    var partition: Int32?
    @Option(name: [.customShort("z"), .customLong("compression")], help: "none, gzip, snappy, lz4 or zstd.")
    var compression: String?

    func validate() throws {
        if let keySeparator, keySeparator.isEmpty { throw ValidationError("--key-separator must not be empty") }
    }

    func run() async throws {
        let recordHeaders = try self.headers.map { header -> KafkaRecordHeader in
            guard let equals = header.firstIndex(of: "=") else {
                throw ValidationError("--header \(header): expected name=value")
            }
            return KafkaRecordHeader(
                key: String(header[..<equals]),
                value: ByteBuffer(string: String(header[header.index(after: equals)...]))
            )
        }
        var defaults: [String: String] = [:]
        if let compression { defaults["compression.type"] = compression }
        let configuration = try KafkaProducerConfiguration(
            properties: try connection.clientProperties(defaults: defaults)
        )
        let failures = try await connection.withCluster { cluster -> Int in
            let producer = KafkaProducer(configuration: configuration, cluster: cluster)
            var failures = 0
            var chunk: [KafkaProducerRecord] = []
            func sendChunk() async {
                let results = await producer.send(contentsOf: chunk)
                for case .failure(let error) in results {
                    failures += 1
                    writeStandardError("delivery failed: \(error)\n")
                }
                chunk.removeAll(keepingCapacity: true)
            }
            while let line = readLine(strippingNewline: true) {
                var key: ByteBuffer?
                var value = Substring(line)
                if let keySeparator, let range = line.firstRange(of: keySeparator) {
                    key = ByteBuffer(string: String(line[..<range.lowerBound]))
                    value = line[range.upperBound...]
                }
                chunk.append(
                    KafkaProducerRecord(
                        topic: topic,
                        partition: partition,
                        key: key,
                        value: ByteBuffer(substring: value),
                        headers: recordHeaders
                    )
                )
                if chunk.count >= 1000 { await sendChunk() }
            }
            if !chunk.isEmpty { await sendChunk() }
            await producer.close()
            return failures
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
