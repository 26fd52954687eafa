import ConnectAPI

/// The Kafka client settings the worker gives its tasks' clients, with Kafka's precedence: the
/// worker's defaults, then the worker's `producer.*` keys, then the connector's `producer.override.*`
/// keys (only those the override policy allows; validation rejects the others).
enum ClientConfigs {
    /// A source task's producer (Kafka's `Worker.baseProducerConfigs`): `acks=all`,
    /// `max.in.flight.requests.per.connection=1`, `enable.idempotence=false`, `delivery.timeout.ms` =
    /// Int32.max, `client.id=connector-producer-<connector>-<task>`.
    static func sourceProducerProperties(
        worker: WorkerConfig,
        connector: ConnectorConfig,
        taskID: ConnectorTaskID,
        clientIDPrefix: String = "connector-producer-"
    ) -> [String: String] {
        var props: [String: String] = [
            "bootstrap.servers": worker.bootstrapServers.joined(separator: ","),
            "acks": "all",
            "max.in.flight.requests.per.connection": "1",
            "enable.idempotence": "false",
            "delivery.timeout.ms": String(Int32.max),
            "client.id": "\(clientIDPrefix)\(taskID.connector)-\(taskID.task)",
        ]
        props.merge(worker.originals(withPrefix: "producer.")) { _, new in new }
        for (key, value) in connector.originals(withPrefix: "producer.override.")
        where worker.overridePolicy.allows(key) {
            props[key] = value
        }
        return props
    }

    /// A sink task's consumer (Kafka's `Worker.baseConsumerConfigs`): `group.id=connect-<connector>`,
    /// `client.id=connector-consumer-<connector>-<task>`, `enable.auto.commit=false`,
    /// `auto.offset.reset=earliest`; then the worker's `consumer.*` keys, then the connector's
    /// `consumer.override.*` keys the policy allows.
    static func sinkConsumerProperties(
        worker: WorkerConfig,
        connector: ConnectorConfig,
        taskID: ConnectorTaskID
    ) -> [String: String] {
        var props: [String: String] = [
            "bootstrap.servers": worker.bootstrapServers.joined(separator: ","),
            "group.id": "connect-\(taskID.connector)",
            "client.id": "connector-consumer-\(taskID.connector)-\(taskID.task)",
            "enable.auto.commit": "false",
            "auto.offset.reset": "earliest",
        ]
        props.merge(worker.originals(withPrefix: "consumer.")) { _, new in new }
        for (key, value) in connector.originals(withPrefix: "consumer.override.")
        where worker.overridePolicy.allows(key) {
            props[key] = value
        }
        return props
    }

    /// The producer of a task's dead letter queue (Kafka's `Worker.sinkTaskReporters`): configured like
    /// a source task's producer, with `client.id=connector-dlq-producer-<connector>-<task>`.
    static func deadLetterQueueProducerProperties(
        worker: WorkerConfig,
        connector: ConnectorConfig,
        taskID: ConnectorTaskID
    ) -> [String: String] {
        sourceProducerProperties(
            worker: worker,
            connector: connector,
            taskID: taskID,
            clientIDPrefix: "connector-dlq-producer-"
        )
    }
}
