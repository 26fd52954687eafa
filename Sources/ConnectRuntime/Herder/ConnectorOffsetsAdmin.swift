import ConnectAPI
import KafkaNIO

/// Reads and changes a connector's committed offsets for the REST API (KIP-875), the same way in
/// standalone and distributed mode: a source connector's in the worker's offset store, a sink
/// connector's in its consumer group. The herder checks that the connector exists (and is STOPPED
/// for changes) first.
struct ConnectorOffsetsAdmin: Sendable {
    let worker: Worker

    /// Kafka's refusal to change the offsets of a connector that is not STOPPED (with no tasks).
    static func requireStopped(_ name: String, _ isStopped: Bool) throws {
        guard isStopped else {
            throw HerderRequestError(
                .badRequest,
                "Connectors must be in the STOPPED state before their offsets can be modified. This can be done "
                    + "for the specified connector by issuing a 'PUT' request to the '/connectors/\(name)/stop' endpoint"
            )
        }
    }

    /// A connector's committed offsets (`GET /connectors/<name>/offsets`): a source connector's from
    /// the offset store, sorted by partition JSON for a stable answer; a sink connector's are its
    /// consumer group's (``SinkConnectorOffsets``), sorted by topic and partition.
    /// - Throws: ``ConnectError`` `notFound`; ``KafkaError`` when the group's offsets cannot be read.
    func offsets(
        _ name: String,
        config: [String: String]
    ) async throws -> [(partition: [String: ConnectValue], offset: [String: ConnectValue])] {
        if isSink(config) {
            let committed = try await sinkGroupAdmin(name, config) { admin, group in
                try await admin.listCommittedOffsets(group: group).mapValues(\.offset)
            }
            return SinkConnectorOffsets.entries(committed)
        }
        let partitions = try await worker.offsetStore.partitions(namespace: name)
        let keys = partitions.map { OffsetKey(namespace: name, partition: $0) }
        let stored = try await worker.offsetStore.get(keys)
        return keys.compactMap { key in stored[key].map { (key.partition, $0) } }
            .sorted { $0.partition.jsonKey < $1.partition.jsonKey }
    }

    /// Alters a stopped connector's offsets (`PATCH /connectors/<name>/offsets`, KIP-875): the
    /// connector's `alterOffsets` is asked first, then the offsets are written (a sink connector's to
    /// its consumer group); a `nil` offset removes the partition's offset.
    /// - Returns: Whether the connector handled the change itself (`alterOffsets` returned true).
    /// - Throws: ``ConnectError`` `notFound`; ``HerderRequestError`` `badRequest` when the connector is
    ///   not STOPPED, no offsets are given, or a partition or offset is not a map of primitives.
    func alter(
        _ name: String,
        config: [String: String],
        offsets: [(partition: [String: ConnectValue], offset: [String: ConnectValue]?)]
    ) async throws -> Bool {
        guard !offsets.isEmpty else {
            throw HerderRequestError(
                .badRequest,
                "Partitions / offsets need to be provided for an alter offsets request"
            )
        }
        if isSink(config) {
            return try await applySinkOffsets(name, config, SinkConnectorOffsets.parse(offsets))
        }
        var normalized: [[String: ConnectValue]: [String: ConnectValue]?] = [:]
        for (partition, offset) in offsets {
            let partition = try Self.normalized(partition, what: "partition")
            normalized[partition] = try offset.map { try Self.normalized($0, what: "offset") }
        }
        return try await applyOffsets(name, config, normalized)
    }

    /// Removes every offset of a stopped connector (`DELETE /connectors/<name>/offsets`); for a sink
    /// connector, every committed offset of its group (OffsetDelete; Kafka deletes the whole group).
    /// - Returns: Whether the connector handled the change itself.
    /// - Throws: ``ConnectError`` `notFound`; ``HerderRequestError`` `badRequest` when not STOPPED.
    func reset(_ name: String, config: [String: String]) async throws -> Bool {
        if isSink(config) {
            let committed = try await sinkGroupAdmin(name, config) { admin, group in
                try await admin.listCommittedOffsets(group: group)
            }
            var offsets: [ConnectAPI.TopicPartition: Int64?] = [:]
            for partition in committed.keys {
                offsets[ConnectAPI.TopicPartition(partition.topic, partition.partition)] = .some(nil)
            }
            return try await applySinkOffsets(name, config, offsets)
        }
        var offsets: [[String: ConnectValue]: [String: ConnectValue]?] = [:]
        for partition in try await worker.offsetStore.partitions(namespace: name) {
            offsets[partition] = .some(nil)
        }
        return try await applyOffsets(name, config, offsets)
    }

    private func applyOffsets(
        _ name: String,
        _ config: [String: String],
        _ offsets: [[String: ConnectValue]: [String: ConnectValue]?]
    ) async throws -> Bool {
        let plugin = try worker.plugins.requireConnectorPlugin(
            named: config[ConnectorConfig.connectorClassConfig] ?? ""
        )
        guard let connector = plugin.makeConnector() as? any SourceConnector else { throw notSource(name) }
        let handled: Bool
        do {
            handled = try await connector.alterOffsets(
                configs: try await worker.resolve(config),
                offsets: offsets
            )
        } catch {
            throw ConnectError(
                "Failed to alter offsets for source connector \(name) because its alterOffsets method threw: \(error)",
                underlying: error
            )
        }
        var writes: [OffsetKey: [String: ConnectValue]?] = [:]
        for (partition, offset) in offsets { writes[OffsetKey(namespace: name, partition: partition)] = offset }
        try await worker.offsetStore.set(writes)
        return handled
    }

    private func isSink(_ config: [String: String]) -> Bool {
        worker.plugins.connectorPlugin(named: config[ConnectorConfig.connectorClassConfig] ?? "")?.type == .sink
    }

    private func notSource(_ name: String) -> ConnectError {
        ConnectError("Connector \(name) is not a source connector, so it cannot alter source offsets")
    }

    private func sinkGroupAdmin<T: Sendable>(
        _ name: String,
        _ config: [String: String],
        _ body: (KafkaAdminClient, String) async throws -> T
    ) async throws -> T {
        let (cluster, group) = try SinkConnectorOffsets.groupCluster(
            worker: worker.config,
            connectorProps: try await worker.resolve(config),
            name: name
        )
        do {
            let result = try await body(KafkaAdminClient(cluster: cluster), group)
            await cluster.shutdown()
            return result
        } catch {
            await cluster.shutdown()
            throw error
        }
    }

    /// Kafka's order for sink connectors: the connector's `alterOffsets` first, then the group's
    /// offsets are committed (values) or deleted (nil) while the group has no members.
    private func applySinkOffsets(
        _ name: String,
        _ config: [String: String],
        _ offsets: [ConnectAPI.TopicPartition: Int64?]
    ) async throws -> Bool {
        let plugin = try worker.plugins.requireConnectorPlugin(
            named: config[ConnectorConfig.connectorClassConfig] ?? ""
        )
        guard let connector = plugin.makeConnector() as? any SinkConnector else {
            throw ConnectError("Connector \(name) is not a sink connector")
        }
        let handled: Bool
        do {
            handled = try await connector.alterOffsets(
                configs: try await worker.resolve(config),
                offsets: offsets
            )
        } catch {
            throw ConnectError(
                "Failed to alter offsets for sink connector \(name) because its alterOffsets method threw: \(error)",
                underlying: error
            )
        }
        var commits: [KafkaNIO.TopicPartition: Int64] = [:]
        var deletes: Set<KafkaNIO.TopicPartition> = []
        for (partition, offset) in offsets {
            let key = KafkaNIO.TopicPartition(partition.topic, partition.partition)
            if let offset { commits[key] = offset } else { deletes.insert(key) }
        }
        try await sinkGroupAdmin(name, config) { admin, group in
            do {
                try await admin.alterCommittedOffsets(group: group, offsets: commits)
                try await admin.deleteCommittedOffsets(group: group, partitions: deletes)
            } catch {
                throw ConnectError(
                    "Failed to alter the offsets of consumer group \(group) of sink connector \(name)",
                    underlying: error
                )
            }
        }
        return handled
    }

    /// Kafka's check that partitions and offsets hold only primitives, and its round trip through the
    /// JSON converter (smaller integers become 64-bit, floats double).
    private static func normalized(_ map: [String: ConnectValue], what: String) throws -> [String: ConnectValue] {
        var result: [String: ConnectValue] = [:]
        for (key, value) in map {
            switch value {
            case .null, .boolean, .string, .int64, .float64: result[key] = value
            case .int8(let v): result[key] = .int64(Int64(v))
            case .int16(let v): result[key] = .int64(Int64(v))
            case .int32(let v): result[key] = .int64(Int64(v))
            case .float32(let v): result[key] = .float64(Double(v))
            default:
                throw HerderRequestError(
                    .badRequest,
                    "The value for the key \(key) in the \(what) map must be a primitive (string, number, boolean "
                        + "or null), not \(value)"
                )
            }
        }
        return result
    }
}
