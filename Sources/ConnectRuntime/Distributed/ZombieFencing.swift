import ConnectAPI
import KafkaNIO
import Logging

/// Fencing of a source connector's previous task generation under exactly-once source support
/// (Kafka's `DistributedHerder.fenceZombieSourceTasks`, which uses `Admin.fenceProducers`).
///
/// Before the leader writes a new generation of task configurations of a source connector, every
/// `transactional.id` the previous generation may use (`<group.id>-<connector>-<n>` for each `n`
/// below the larger of the last task count record and the committed task count) gets an
/// InitProducerId from a short-lived transactional producer: that bumps the id's epoch, aborts its
/// open transaction and makes every older producer with it fail (PRODUCER_FENCED), so a zombie task
/// still running on a worker that lost its assignment can no longer commit. Then the configurations
/// are written, then the task count record (`tasks-fencing-<connector>`).
///
/// Differences from Kafka: Kafka writes the configurations first and fences in a later tick of the
/// leader (tasks wait for the task count record before they start, and a follower's task asks the
/// leader to fence over REST); here fencing comes first and the new tasks cannot start before the
/// configurations exist. The admin's FenceProducers (InitProducerId with epoch -1) is emulated by
/// `initTransactions()` of a producer, which sends the same request.
public enum ZombieFencing {
    /// Writes `configs` as `connector`'s task configurations (the leader's write), fencing the
    /// previous generation first and writing the task count record after, when the worker has
    /// `exactly.once.source.support=enabled` and the connector is a source connector; otherwise just
    /// ``KafkaConfigBackingStore/putTaskConfigs(_:_:)``.
    /// - Throws: When fencing or a write fails; nothing was written if fencing failed.
    public static func putTaskConfigs(
        _ connector: String,
        _ configs: [[String: String]],
        store: KafkaConfigBackingStore,
        config: DistributedConfig,
        plugins: PluginRegistry,
        logger: Logger = Logger(label: "swift-connect.fencing")
    ) async throws {
        let snapshot = store.snapshot()
        let isSource =
            snapshot.connectorConfigs[connector]
            .flatMap { $0[ConnectorConfig.connectorClassConfig] }
            .flatMap { try? plugins.requireConnectorPlugin(named: $0) }?.type == .source
        guard config.exactlyOnceSourceSupport == .enabled, isSource else {
            try await store.putTaskConfigs(connector, configs)
            return
        }
        let previous = max(snapshot.taskCountRecords[connector] ?? 0, snapshot.taskCounts[connector] ?? 0)
        try await fence(
            transactionalIDs: (0..<previous).map {
                ExactlyOnceSourceWorkerSettings.transactionalID(groupID: config.groupID, connector: connector, task: $0)
            },
            clientProperties: config.clientProperties(clientIDSuffix: "fencing"),
            logger: logger
        )
        try await store.putTaskConfigs(connector, configs)
        try await store.putTaskCountRecord(connector, count: configs.count)
    }

    /// Fences every producer with one of `transactionalIDs` (InitProducerId for each, concurrently).
    /// - Parameter clientProperties: Client settings (bootstrap servers, security) for the producers.
    /// - Throws: The first failure, as a ``ConnectError`` naming the transactional id.
    public static func fence(
        transactionalIDs: [String],
        clientProperties: [String: String],
        logger: Logger = Logger(label: "swift-connect.fencing")
    ) async throws {
        guard !transactionalIDs.isEmpty else { return }
        try await withThrowingDiscardingTaskGroup { group in
            for transactionalID in transactionalIDs {
                var props = clientProperties
                props["transactional.id"] = transactionalID
                props["enable.idempotence"] = "true"
                props["acks"] = "all"
                let configuration = try KafkaProducerConfiguration(properties: props)
                group.addTask {
                    let producer = KafkaProducer(configuration: configuration, logger: logger)
                    do {
                        try await producer.initTransactions()
                    } catch {
                        await producer.close()
                        throw ConnectError(
                            "Failed to fence out zombie tasks with transactional.id \"\(transactionalID)\"; check that "
                                + "the worker may use transactional ids of its group (TransactionalId WRITE)",
                            underlying: error
                        )
                    }
                    await producer.close()
                }
            }
        }
        logger.info(
            "Fenced out \(transactionalIDs.count) transactional id(s): \(transactionalIDs.joined(separator: ", "))"
        )
    }
}
