import Synchronization

/// The topics each connector has used since it was created or its set was last reset (Kafka's
/// active topic tracking, KIP-558; `GET /connectors/<name>/topics`). Tasks report a topic when a
/// record to it is acknowledged. Shared by the worker's tasks; a lock keeps reports cheap.
public final class ActiveTopics: Sendable {
    private let topics = Mutex<[String: Set<String>]>([:])

    /// An empty tracker.
    public init() {}

    /// Notes that `connector` used `topic`.
    public func record(connector: String, topic: String) {
        topics.withLock { topics in
            if topics[connector]?.contains(topic) != true { topics[connector, default: []].insert(topic) }
        }
    }

    /// The topics `connector` used, sorted.
    public func topics(of connector: String) -> [String] {
        topics.withLock { $0[connector].map { $0.sorted() } ?? [] }
    }

    /// Forgets the topics of `connector`.
    public func reset(_ connector: String) {
        _ = topics.withLock { $0.removeValue(forKey: connector) }
    }
}
