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
        taskID: ConnectorTaskID
    ) -> [String: String] {
        var props: [String: String] = [
            "bootstrap.servers": worker.bootstrapServers.joined(separator: ","),
            "acks": "all",
            "max.in.flight.requests.per.connection": "1",
            "enable.idempotence": "false",
            "delivery.timeout.ms": String(Int32.max),
            "client.id": "connector-producer-\(taskID.connector)-\(taskID.task)",
        ]
        props.merge(worker.originals(withPrefix: "producer.")) { _, new in new }
        for (key, value) in connector.originals(withPrefix: "producer.override.")
        where worker.overridePolicy.allows(key) {
            props[key] = value
        }
        return props
    }
}
