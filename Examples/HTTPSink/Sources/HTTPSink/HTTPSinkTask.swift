import ConnectAPI
import Foundation

/// Posts each `put` batch synchronously, `batch.size` records per request, so that once `put`
/// returns the records are in the external system and the worker may commit their offsets (the
/// default `preCommit` is right: nothing is buffered).
public actor HTTPSinkTask: SinkTask {
    public static let version = HTTPSinkConnector.version

    private var context: (any SinkTaskContext)?
    private var config: HTTPSinkConfig?
    private var url: URL?
    private var client: HTTPClient?
    /// The last offset posted per partition: a batch the worker delivers again after a retriable
    /// failure skips the records the endpoint already accepted.
    private var posted: [TopicPartition: Int64] = [:]

    public init() {}

    public func initialize(context: any SinkTaskContext) async {
        self.context = context
    }

    public func start(configs: [String: String]) async throws {
        let config = try HTTPSinkConfig(configs)
        guard let url = URL(string: config.url) else {
            throw ConfigError(name: HTTPSinkConfig.urlConfig, value: config.url, reason: "Not a URL")
        }
        self.config = config
        self.url = url
        client = HTTPClient(timeout: config.timeout)
    }

    /// A new owner starts from the committed offsets: forget what this task posted for them.
    public func open(partitions: [TopicPartition]) async throws {
        for partition in partitions { posted[partition] = nil }
    }

    public func close(partitions: [TopicPartition]) async throws {
        for partition in partitions { posted[partition] = nil }
    }

    public func put(_ records: [SinkRecord]) async throws {
        guard let config, let url, let client else { throw ConnectError("The task is not started") }
        let fresh = records.filter { record in
            posted[record.originalTopicPartition].map { record.originalKafkaOffset > $0 } ?? true
        }
        var start = fresh.startIndex
        while start < fresh.endIndex {
            let end = min(start + config.batchSize, fresh.endIndex)
            let batch = Array(fresh[start..<end])
            try await send(batch, to: url, client, config)
            for record in batch { posted[record.originalTopicPartition] = record.originalKafkaOffset }
            start = end
        }
    }

    public func stop() async {
        client?.close()
        client = nil
    }

    // MARK: Requests

    private func send(_ batch: [SinkRecord], to url: URL, _ client: HTTPClient, _ config: HTTPSinkConfig) async throws {
        let response: HTTPClient.Response
        do {
            response = try await client.post(
                url,
                body: Array(Self.body(batch, config.bodyFormat).utf8),
                headers: config.headers
            )
        } catch {
            context?.timeout(config.retryBackoffMs)
            throw RetriableError("POST to \(Self.redacted(url)) failed", underlying: error)
        }
        switch response.status {
        case 200..<300:
            return
        case 408, 429, 500..<600:
            context?.timeout(config.retryBackoffMs)
            throw RetriableError("POST to \(Self.redacted(url)) answered \(response.status)")
        default:
            let failure = ConnectError(
                "POST to \(Self.redacted(url)) answered \(response.status): "
                    + String(decoding: response.body.prefix(200), as: UTF8.self)
            )
            guard let reporter = context?.errantRecordReporter else { throw failure }
            // The endpoint refused the batch: each record goes to the dead letter queue (and the
            // reporter throws when the error tolerance is `none`).
            for record in batch { try await reporter.report(record, error: failure) }
        }
    }

    /// The URL without user information, which may hold a password.
    static func redacted(_ url: URL) -> String {
        guard url.user != nil || url.password != nil,
            var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        else { return url.absoluteString }
        components.user = nil
        components.password = nil
        return components.string ?? "(url)"
    }

    /// The request body: a JSON array of values, or of `{topic, partition, offset, key, value}`.
    static func body(_ records: [SinkRecord], _ format: HTTPSinkConfig.BodyFormat) -> String {
        var output = "["
        for (index, record) in records.enumerated() {
            if index > 0 { output += "," }
            switch format {
            case .values:
                JSONWriter.write(record.value, into: &output)
            case .records:
                output += #"{"topic":"#
                JSONWriter.writeString(record.topic, into: &output)
                output += #","partition":\#(record.kafkaPartition ?? -1),"offset":\#(record.kafkaOffset),"key":"#
                JSONWriter.write(record.key, into: &output)
                output += #","value":"#
                JSONWriter.write(record.value, into: &output)
                output += "}"
            }
        }
        return output + "]"
    }
}
