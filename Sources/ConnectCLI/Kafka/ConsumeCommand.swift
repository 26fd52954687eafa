import ArgumentParser
import KafkaNIO
import KafkaProtocol
import NIOCore

struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Print records of a topic to standard output.",
        discussion: """
            Without --group the partitions are assigned directly (kcat's -C). With --group G (kcat's -G) the \
            consumer joins group G subscribed to the topics: the group splits the partitions among its members, \
            each partition starts at the group's committed offset (else per -o beginning|end, --from-beginning or \
            -X auto.offset.reset, default end), and offsets are committed (-X enable.auto.commit, default true: \
            every auto.commit.interval.ms and on exit, exactly up to the last record printed). Ctrl-C (SIGINT) or \
            SIGTERM commits and leaves the group. -e in group mode exits once every assigned partition is read \
            to its end.
            Format tokens (kcat's): %t topic, %p partition, %o offset, %k key, %s value, %K key length, \
            %S value length, %T timestamp (ms), %h headers (name=value,...), %% percent; \\n \\t escapes.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Topic to consume (with --group: one or more).") var topics: [String]
    @Option(
        name: [.customShort("G"), .customLong("group")],
        help: "Consume as a member of this consumer group (subscribe instead of assign)."
    )
    var group: String?
    @Option(name: [.customShort("p"), .customLong("partition")], help: "Partition to read (repeatable; default: all).")
    var partitions: [Int32] = []
    @Flag(help: "Start at the earliest offset (default: the end; with --group: where no offset is committed).")
    var fromBeginning = false
    @Option(
        name: [.customShort("o"), .customLong("offset")],
        help: "Where to start: beginning, end, or an offset in every partition read (not with --group)."
    )
    var offset: String?
    @Option(name: [.customShort("c"), .customLong("count")], help: "Exit after this many records.")
    var count: Int?
    @Flag(
        name: [.customShort("e"), .customLong("exit-at-end")],
        help: "Exit once every partition (with --group: every assigned partition) is read to its end."
    )
    var exitAtEnd = false
    @Option(name: [.customShort("f"), .customLong("format")], help: "Output format (default: '%s\\n').")
    var format: String = "%s\\n"

    /// Where `-o` / `--from-beginning` say to start.
    enum Start: Equatable {
        case beginning, end
        case offset(Int64)
    }

    func start() throws -> Start? {
        guard let offset else { return fromBeginning ? .beginning : nil }
        switch offset {
        case "beginning": return .beginning
        case "end": return .end
        default:
            guard let value = Int64(offset), value >= 0 else {
                throw ValidationError("-o \(offset): expected beginning, end or an offset (0 or more)")
            }
            return .offset(value)
        }
    }

    func validate() throws {
        if topics.isEmpty { throw ValidationError("name a topic to consume") }
        if fromBeginning && offset != nil { throw ValidationError("use either --from-beginning or -o, not both") }
        let start = try self.start()
        if group != nil {
            if !partitions.isEmpty {
                throw ValidationError("-p cannot be used with --group: the group assigns the partitions")
            }
            if case .offset = start {
                throw ValidationError(
                    "-o <offset> cannot be used with --group: members start at the group's committed offsets; use -o beginning or -o end for partitions without one"
                )
            }
        } else if topics.count > 1 {
            throw ValidationError("several topics need --group; without it consume reads one topic")
        }
        if let count, count < 0 { throw ValidationError("-c must be 0 or more") }
    }

    func run() async throws {
        let signals = ShutdownSignals()
        defer { signals.cancel() }
        if let group {
            try await self.runGroup(group, signals: signals)
        } else {
            try await self.runAssigned(signals: signals)
        }
    }

    /// Runs `loop` until it returns or SIGINT/SIGTERM arrives (then cancels it); either way
    /// `close` runs after, so offsets are committed and the group is left.
    private func untilSignal(
        _ signals: ShutdownSignals,
        loop: @escaping @Sendable () async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { tasks in
            tasks.addTask {
                try await loop()
                return true
            }
            tasks.addTask {
                await signals.wait()
                return false
            }
            defer { tasks.cancelAll() }
            while let finished = try await tasks.next() {
                if finished {
                    return
                }
                // A signal: stop the loop, and wait for it so that no record is half printed.
                tasks.cancelAll()
                // It ends with CancellationError (or a record batch cut short): not a failure.
                while (try? await tasks.next()) != nil {}
                return
            }
        }
    }

    private func runAssigned(signals: ShutdownSignals) async throws {
        let topic = topics[0]
        let formatter = RecordFormatter(self.format)
        let configuration = try KafkaConsumerConfiguration(properties: try connection.clientProperties())
        let start = try self.start()
        let (count, exitAtEnd) = (self.count, self.exitAtEnd)
        try await connection.withCluster { cluster in
            let metadata = try await cluster.metadata(for: [topic])
            let known = metadata.topics[topic]?.partitions.keys.sorted() ?? []
            let chosen = partitions.isEmpty ? known : partitions
            let assignment = chosen.map { TopicPartition(topic, $0) }
            let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
            consumer.assign(assignment)
            for topicPartition in assignment {
                switch start {
                case .offset(let offset): try await consumer.seek(topicPartition, to: .offset(offset))
                case .beginning: try await consumer.seek(topicPartition, to: .earliest)
                case .end, nil: try await consumer.seek(topicPartition, to: .latest)
                }
            }
            // The end of a partition is its high watermark as the fetches report it (the test
            // broker's ListOffsets(latest) is unreliable, and this needs no extra request).
            @Sendable func reachedEnd() -> Bool {
                exitAtEnd
                    && assignment.allSatisfy { partition in
                        guard let end = consumer.highWatermark(partition), let position = consumer.position(partition)
                        else { return false }
                        return position >= end
                    }
            }
            do {
                try await self.untilSignal(signals) {
                    try await Self.printRecords(consumer, formatter: formatter, count: count, done: reachedEnd)
                }
            } catch {
                await consumer.close()
                throw error
            }
            await consumer.close()
        }
    }

    private func runGroup(_ group: String, signals: ShutdownSignals) async throws {
        let formatter = RecordFormatter(self.format)
        var properties = try connection.clientProperties()
        properties["group.id"] = group
        // kcat's -G: -o beginning|end (or --from-beginning) is auto.offset.reset, which applies
        // only to partitions without a committed offset; without them -X auto.offset.reset decides.
        switch try self.start() {
        case .beginning: properties["auto.offset.reset"] = "earliest"
        case .end: properties["auto.offset.reset"] = "latest"
        case .offset, nil: break
        }
        let configuration = try KafkaConsumerConfiguration(properties: properties)
        let (count, exitAtEnd, topics) = (self.count, self.exitAtEnd, self.topics)
        try await connection.withCluster { cluster in
            let consumer = KafkaConsumer(configuration: configuration, cluster: cluster)
            // Caught up: assigned something (not amid a rebalance) and every assigned partition's
            // position has reached the high watermark its last fetch reported.
            @Sendable func caughtUp() -> Bool {
                guard exitAtEnd, consumer.groupGeneration != nil else { return false }
                let assigned = consumer.assignment
                return !assigned.isEmpty
                    && assigned.allSatisfy { partition in
                        guard let end = consumer.highWatermark(partition), let position = consumer.position(partition)
                        else { return false }
                        return position >= end
                    }
            }
            do {
                try await consumer.subscribe(topics: topics)
                try await self.untilSignal(signals) {
                    try await Self.printRecords(consumer, formatter: formatter, count: count, done: caughtUp)
                }
            } catch {
                await consumer.close()
                throw error
            }
            // With enable.auto.commit, close() commits the positions and sends LeaveGroup.
            await consumer.close()
        }
    }

    /// Polls and prints until `done()` or `count` records. When `count` ends the output amid a
    /// polled batch, the partitions are sought back to their first record not printed, so that
    /// the commit on close covers exactly what was printed.
    private static func printRecords(
        _ consumer: KafkaConsumer,
        formatter: RecordFormatter,
        count: Int?,
        done: @Sendable () -> Bool
    ) async throws {
        var printed = 0
        var output = ""
        while !done() {
            if let count, printed >= count { return }
            let records = try await consumer.poll(timeout: .milliseconds(250))
            var unprinted: [TopicPartition: Int64] = [:]
            for record in records {
                if let count, printed >= count {
                    let partition = TopicPartition(record.topic, record.partition)
                    if unprinted[partition] == nil { unprinted[partition] = record.offset }
                    continue
                }
                formatter.append(record, to: &output)
                printed += 1
            }
            writeStandardOutput(output)
            output.removeAll(keepingCapacity: true)
            // A partition revoked meanwhile was committed on revocation; nothing to move back.
            for (partition, offset) in unprinted {
                try? await consumer.seek(partition, to: .offset(offset))
            }
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
