import Foundation
import KafkaNIO
import KafkaProtocol
import NIOCore

/// One record as scripts/interop/ck.py reads and writes it (bytes in base64).
struct InteropRecord: Codable, Equatable, CustomStringConvertible {
    var partition: Int32?
    var offset: Int64?
    var key: String?
    var value: String?
    var headers: [[String?]]
    var timestamp: Int64?

    init(
        partition: Int32? = nil,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [(String, [UInt8]?)] = [],
        timestamp: Int64? = nil
    ) {
        self.partition = partition
        self.key = key.map { Data($0).base64EncodedString() }
        self.value = value.map { Data($0).base64EncodedString() }
        self.headers = headers.map { [$0.0, $0.1.map { Data($0).base64EncodedString() }] }
        self.timestamp = timestamp
    }

    init(_ record: KafkaConsumerRecord) {
        self.init(
            partition: record.partition,
            key: record.key.map { Array($0.readableBytesView) },
            value: record.value.map { Array($0.readableBytesView) },
            headers: record.headers.map { ($0.key, $0.value.map { Array($0.readableBytesView) }) },
            timestamp: record.timestamp
        )
        self.offset = record.offset
    }

    var keyBytes: [UInt8]? { key.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } }
    var valueBytes: [UInt8]? { value.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } }

    func producerRecord(topic: String) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: topic,
            partition: partition,
            key: keyBytes.map { ByteBuffer(bytes: $0) },
            value: valueBytes.map { ByteBuffer(bytes: $0) },
            headers: headers.map { pair in
                KafkaRecordHeader(
                    key: pair.first.flatMap { $0 } ?? "",
                    value: (pair.count > 1 ? pair[1] : nil).flatMap { Data(base64Encoded: $0) }.map {
                        ByteBuffer(bytes: [UInt8]($0))
                    }
                )
            },
            timestamp: timestamp
        )
    }

    var description: String {
        "p\(partition.map(String.init) ?? "?")@\(offset.map(String.init) ?? "?") key=\(key?.prefix(16) ?? "nil") value=\(value.map { "\($0.count)b64" } ?? "nil") headers=\(headers.count) ts=\(timestamp.map(String.init) ?? "nil")"
    }
}

struct DeliveryReport: Codable {
    var partition: Int32
    var offset: Int64
    var error: String?
}

/// Drives `confluent-kafka` (librdkafka 2.x), the reference client, through scripts/interop/ck.py.
enum ReferenceClient {
    /// `bootstrap` defaults to the test broker; `properties` are further librdkafka settings.
    static func produce(
        topic: String,
        records: [InteropRecord],
        compression: String = "none",
        bootstrap: String? = nil,
        properties: [String: String] = [:]
    ) throws -> [DeliveryReport] {
        let input = try records.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }.joined(
            separator: "\n"
        )
        let output = try run(
            [
                "produce", "--bootstrap", bootstrap ?? TestEnvironment.requireBootstrap(), "--topic", topic,
                "--compression", compression, "--partitioner", "murmur2_random",
            ] + Self.propertyArguments(properties),
            input: input + "\n"
        )
        return try output.split(separator: "\n").map {
            try JSONDecoder().decode(DeliveryReport.self, from: Data($0.utf8))
        }
    }

    static func consume(
        topic: String,
        count: Int,
        bootstrap: String? = nil,
        properties: [String: String] = [:]
    ) throws -> [InteropRecord] {
        let output = try run(
            [
                "consume", "--bootstrap", bootstrap ?? TestEnvironment.requireBootstrap(), "--topic", topic, "--count",
                String(count),
            ] + Self.propertyArguments(properties),
            input: ""
        )
        return try output.split(separator: "\n").map {
            try JSONDecoder().decode(InteropRecord.self, from: Data($0.utf8))
        }
    }

    private static func propertyArguments(_ properties: [String: String]) -> [String] {
        properties.sorted { $0.key < $1.key }.flatMap { ["--property", "\($0.key)=\($0.value)"] }
    }

    static func run(_ arguments: [String], input: String, script: String = "scripts/interop/ck.py") throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.python)
        process.arguments =
            [TestEnvironment.repositoryRoot.appendingPathComponent(script).path] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Write input and drain output concurrently so neither pipe fills up and blocks.
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errorBox = ErrorOutput()
        let errorRead = DispatchSemaphore(value: 0)
        let errorReader = Thread {
            errorBox.data = stderr.fileHandleForReading.readDataToEndOfFile()
            errorRead.signal()
        }
        errorReader.start()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errorRead.wait()
        guard process.terminationStatus == 0 else {
            throw TestFailure(
                "\(script) \(arguments.first ?? "") exited \(process.terminationStatus): \(String(decoding: errorBox.data ?? Data(), as: UTF8.self))"
            )
        }
        return String(decoding: data, as: UTF8.self)
    }

    private final class ErrorOutput: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: Data?
        var data: Data? {
            get { lock.withLock { stored } }
            set { lock.withLock { stored = newValue } }
        }
    }
}
