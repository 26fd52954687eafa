import ArgumentParser
import KafkaNIO
import KafkaProtocol
import NIOCore

struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Print records of a topic to standard output.",
        discussion: """
            Format tokens (kcat's): %t topic, %p partition, %o offset, %k key, %s value, %K key length, \
            %S value length, %T timestamp (ms), %h headers (name=value,...), %% percent; \\n \\t escapes.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Topic to consume.") var topic: String
    @Option(name: [.customShort("p"), .customLong("partition")], help: "Partition to read (repeatable; default: all).")
    var partitions: [Int32] = []
    @Flag(help: "Start at the earliest offset (default: the end).") var fromBeginning = false
    @Option(name: [.customShort("o"), .customLong("offset")], help: "Start at this offset in every partition read.")
    var offset: Int64?
    @Option(name: [.customShort("c"), .customLong("count")], help: "Exit after this many records.")
    var count: Int?
    @Flag(name: [.customShort("e"), .customLong("exit-at-end")], help: "Exit once every partition is read to its end.")
    var exitAtEnd = false
    @Option(name: [.customShort("f"), .customLong("format")], help: "Output format (default: '%s\\n').")
    var format: String = "%s\\n"

    func run() async throws {
        let formatter = RecordFormatter(self.format)
        let configuration = try KafkaConsumerConfiguration(properties: try connection.clientProperties())
        try await connection.withCluster { cluster in
            let metadata = try await cluster.metadata(for: [topic])
            let known = metadata.topics[topic]?.partitions.keys.sorted() ?? []
            let chosen = partitions.isEmpty ? known : partitions
            let assignment = chosen.map { TopicPartition(topic, $0) }
            let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
            consumer.assign(assignment)
            for topicPartition in assignment {
                if let offset {
                    try await consumer.seek(topicPartition, to: .offset(offset))
                } else {
                    try await consumer.seek(topicPartition, to: fromBeginning ? .earliest : .latest)
                }
            }
            // The end of a partition is its high watermark as the fetches report it (the test
            // broker's ListOffsets(latest) is unreliable, and this needs no extra request).
            func reachedEnd() -> Bool {
                exitAtEnd
                    && assignment.allSatisfy { partition in
                        guard let end = consumer.highWatermark(partition), let position = consumer.position(partition)
                        else { return false }
                        return position >= end
                    }
            }
            var printed = 0
            var output = ""
            while !reachedEnd() {
                if let count, printed >= count { break }
                let records = try await consumer.poll(timeout: .seconds(1))
                for record in records {
                    if let count, printed >= count { break }
                    formatter.append(record, to: &output)
                    printed += 1
                }
                writeStandardOutput(output)
                output.removeAll(keepingCapacity: true)
            }
            await consumer.close()
        }
    }
}

/// A kcat-style output format, parsed once.
struct RecordFormatter {
    enum Token {
        case literal(String)
        case topic, partition, offset, key, value, keyLength, valueLength, timestamp, headers
    }

    let tokens: [Token]

    init(_ format: String) {
        var tokens: [Token] = []
        var literal = ""
        var iterator = format.makeIterator()
        func flush() {
            if !literal.isEmpty { tokens.append(.literal(literal)) }
            literal = ""
        }
        while let character = iterator.next() {
            switch character {
            case "%":
                guard let next = iterator.next() else {
                    literal.append("%")
                    break
                }
                let token: Token?
                switch next {
                case "t": token = .topic
                case "p": token = .partition
                case "o": token = .offset
                case "k": token = .key
                case "s": token = .value
                case "K": token = .keyLength
                case "S": token = .valueLength
                case "T": token = .timestamp
                case "h": token = .headers
                default: token = nil
                }
                if let token {
                    flush()
                    tokens.append(token)
                } else {
                    literal.append(next == "%" ? "%" : "%\(next)")
                }
            case "\\":
                switch iterator.next() {
                case "n": literal.append("\n")
                case "t": literal.append("\t")
                case "r": literal.append("\r")
                case "\\": literal.append("\\")
                case .some(let other): literal.append("\\\(other)")
                case .none: literal.append("\\")
                }
            default:
                literal.append(character)
            }
        }
        flush()
        self.tokens = tokens
    }

    func append(_ record: KafkaConsumerRecord, to output: inout String) {
        for token in self.tokens {
            switch token {
            case .literal(let text): output += text
            case .topic: output += record.topic
            case .partition: output += String(record.partition)
            case .offset: output += String(record.offset)
            case .key: output += record.key.map { String(buffer: $0) } ?? ""
            case .value: output += record.value.map { String(buffer: $0) } ?? ""
            case .keyLength: output += String(record.key?.readableBytes ?? -1)
            case .valueLength: output += String(record.value?.readableBytes ?? -1)
            case .timestamp: output += String(record.timestamp)
            case .headers:
                output += record.headers.map { "\($0.key)=\($0.value.map { String(buffer: $0) } ?? "")" }
                    .joined(separator: ",")
            }
        }
    }
}
