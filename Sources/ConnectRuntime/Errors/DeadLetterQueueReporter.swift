import ConnectAPI
import KafkaNIO
import KafkaProtocol
import Logging
import NIOCore

/// Writes failed records to the dead letter queue topic (Kafka's `DeadLetterQueueReporter`).
///
/// - Sink tasks: the record written is the record as consumed — the same key, value and header bytes
///   and timestamp, partition left to the producer.
/// - Source tasks (SwiftConnect only): the record as far as conversion got — for a produce failure the
///   converted record that Kafka refused; for a transform or converter failure the record as polled
///   (before transforms), converted with the task's converters, with `null` for a key or value whose
///   conversion fails and without headers that do not convert.
/// - With `errors.deadletterqueue.context.headers.enable=true` the `__connect.errors.*` headers are
///   appended, with Kafka's names and UTF-8 values. Swift errors have no stack trace: the
///   `exception.stacktrace` header holds the error's type and full description (with its chain of
///   underlying errors).
///
/// A record that cannot be written is logged; it does not fail the task (as in Kafka).
public final class DeadLetterQueueReporter: ErrorReporter {
    /// `__connect.errors.` — the prefix of the context headers.
    public static let headerPrefix = "__connect.errors."
    public static let topicHeader = headerPrefix + "topic"
    public static let partitionHeader = headerPrefix + "partition"
    public static let offsetHeader = headerPrefix + "offset"
    public static let connectorNameHeader = headerPrefix + "connector.name"
    public static let taskIDHeader = headerPrefix + "task.id"
    public static let stageHeader = headerPrefix + "stage"
    public static let classNameHeader = headerPrefix + "class.name"
    public static let exceptionClassNameHeader = headerPrefix + "exception.class.name"
    public static let exceptionMessageHeader = headerPrefix + "exception.message"
    public static let exceptionStacktraceHeader = headerPrefix + "exception.stacktrace"

    /// The topic.
    public let topic: String
    let contextHeaders: Bool
    let send: @Sendable (KafkaProducerRecord) async -> Result<Void, any Error>
    let closeProducer: @Sendable () async -> Void
    let logger: Logger

    /// A reporter writing through `send`.
    public init(
        topic: String,
        contextHeaders: Bool,
        logger: Logger,
        send: @escaping @Sendable (KafkaProducerRecord) async -> Result<Void, any Error>,
        close: @escaping @Sendable () async -> Void = {}
    ) {
        self.topic = topic
        self.contextHeaders = contextHeaders
        self.send = send
        self.closeProducer = close
        self.logger = logger
    }

    /// A reporter writing with its own producer (closed with the reporter). Creates the topic first if
    /// it does not exist, with one partition and `replicationFactor`, as Kafka does.
    static func make(
        config: ErrorHandlingConfig,
        producerConfiguration: KafkaProducerConfiguration,
        logger: Logger,
        metrics: TaskMetrics? = nil
    ) async throws -> DeadLetterQueueReporter {
        let producer = KafkaProducer(configuration: producerConfiguration, logger: logger)
        do {
            try await ensureTopic(
                config.deadLetterQueueTopic,
                replicationFactor: config.deadLetterQueueReplicationFactor,
                admin: KafkaAdminClient(cluster: producer.cluster)
            )
        } catch {
            await producer.close()
            throw ConnectError(
                "Could not create the dead letter queue topic '\(config.deadLetterQueueTopic)'; create it yourself "
                    + "or check errors.deadletterqueue.topic.replication.factor",
                underlying: error
            )
        }
        return DeadLetterQueueReporter(
            topic: config.deadLetterQueueTopic,
            contextHeaders: config.deadLetterQueueContextHeaders,
            logger: logger,
            send: { record in
                metrics?.update { $0.deadLetterQueueProduceRequests += 1 }
                do {
                    _ = try await producer.send(record)
                    return .success(())
                } catch {
                    metrics?.update { $0.deadLetterQueueProduceFailures += 1 }
                    return .failure(error)
                }
            },
            close: { await producer.close() }
        )
    }

    static func ensureTopic(_ topic: String, replicationFactor: Int16, admin: KafkaAdminClient) async throws {
        if try await admin.listTopics(includeInternal: true).contains(where: { $0.name == topic }) { return }
        do {
            try await admin.createTopics([.init(name: topic, partitions: 1, replicationFactor: replicationFactor)])
        } catch KafkaError.broker(let code, _) where code == .topicAlreadyExists {
            return
        }
    }

    public func report(_ context: ProcessingContext) async {
        guard let record = record(for: context) else {
            logger.warning("No record to write to the dead letter queue for a failure in \(context.stage.rawValue)")
            return
        }
        if case .failure(let error) = await send(record) {
            logger.error("Could not write a failed record to the dead letter queue topic \(topic): \(error)")
        }
    }

    public func close() async {
        await closeProducer()
    }

    /// The dead letter queue record for a failure, or `nil` if the context has no record.
    public func record(for context: ProcessingContext) -> KafkaProducerRecord? {
        var record: KafkaProducerRecord
        if let consumed = context.consumedRecord {
            record = KafkaProducerRecord(
                topic: topic,
                partition: nil,
                key: consumed.key,
                value: consumed.value,
                headers: consumed.headers,
                timestamp: consumed.timestamp >= 0 ? consumed.timestamp : nil
            )
        } else if let produced = context.producerRecord {
            record = produced
            record.topic = topic
            record.partition = nil
        } else {
            return nil
        }
        if contextHeaders { record.headers += Self.contextHeaders(context) }
        return record
    }

    /// The `__connect.errors.*` headers for a failure.
    public static func contextHeaders(_ context: ProcessingContext) -> [KafkaRecordHeader] {
        func header(_ key: String, _ value: String?) -> KafkaRecordHeader {
            KafkaRecordHeader(key: key, value: value.map { ByteBuffer(string: $0) })
        }
        var headers: [KafkaRecordHeader] = []
        if let consumed = context.consumedRecord {
            headers.append(header(topicHeader, consumed.topic))
            headers.append(header(partitionHeader, String(consumed.partition)))
            headers.append(header(offsetHeader, String(consumed.offset)))
        } else if let produced = context.producerRecord {
            // Source records: the topic they were meant for (no offset exists).
            headers.append(header(topicHeader, produced.topic))
            if let partition = produced.partition { headers.append(header(partitionHeader, String(partition))) }
        } else if let source = context.sourceRecord {
            headers.append(header(topicHeader, source.topic))
        }
        headers.append(header(connectorNameHeader, context.taskID.connector))
        headers.append(header(taskIDHeader, String(context.taskID.task)))
        headers.append(header(stageHeader, context.stage.rawValue))
        headers.append(header(classNameHeader, context.className))
        if let error = context.error {
            headers.append(header(exceptionClassNameHeader, String(reflecting: type(of: error))))
            headers.append(header(exceptionMessageHeader, errorMessage(error)))
            headers.append(header(exceptionStacktraceHeader, traceString(error)))
        }
        return headers
    }

    /// The error's own message (Java's `getMessage()`): the `message` of Connect's errors, else the
    /// description.
    static func errorMessage(_ error: any Error) -> String {
        switch error {
        case let error as ConnectError: error.message
        case let error as DataError: error.message
        case let error as RetriableError: error.message
        default: "\(error)"
        }
    }
}
