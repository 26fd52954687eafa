import ConnectAPI
import KafkaNIO

/// A sink connector's offsets as the REST API shows them: the committed offsets of its consumer
/// group (`connect-<name>`, or `consumer.override.group.id`), each partition as
/// `{"kafka_topic":..,"kafka_partition":..}` and each offset as `{"kafka_offset":..}`.
enum SinkConnectorOffsets {
    static let topicKey = "kafka_topic"
    static let partitionKey = "kafka_partition"
    static let offsetKey = "kafka_offset"

    /// A cluster client configured like the connector's consumer (same servers and security
    /// settings) and the group id its tasks use; the caller shuts the cluster down.
    static func groupCluster(
        worker: WorkerConfig,
        connectorProps: [String: String],
        name: String
    ) throws -> (cluster: KafkaCluster, group: String) {
        let connectorConfig = try ConnectorConfig(connectorProps, definition: ConnectorConfig.sinkDefinition)
        let consumer = try KafkaConsumerConfiguration(
            properties: ClientConfigs.sinkConsumerProperties(
                worker: worker,
                connector: connectorConfig,
                taskID: ConnectorTaskID(connector: name, task: 0)
            )
        )
        return (KafkaCluster(configuration: consumer.client), consumer.groupID ?? "connect-\(name)")
    }

    /// The REST shape of committed offsets, sorted by topic and partition.
    static func entries(
        _ offsets: [KafkaNIO.TopicPartition: Int64]
    ) -> [(partition: [String: ConnectValue], offset: [String: ConnectValue])] {
        offsets.keys.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }.map { partition in
            (
                [topicKey: .string(partition.topic), partitionKey: .int32(partition.partition)],
                [offsetKey: .int64(offsets[partition] ?? 0)]
            )
        }
    }

    /// Parses a PATCH body's entries (Kafka's `SinkUtils.parseSinkConnectorOffsets`): the partition
    /// needs `kafka_topic` and `kafka_partition` (a number or numeric string), the offset is null
    /// (remove that partition's offset) or has `kafka_offset` (a number or numeric string).
    static func parse(
        _ offsets: [(partition: [String: ConnectValue], offset: [String: ConnectValue]?)]
    ) throws -> [ConnectAPI.TopicPartition: Int64?] {
        var result: [ConnectAPI.TopicPartition: Int64?] = [:]
        for (partition, offset) in offsets {
            guard case .string(let topic)? = partition[topicKey], let partitionValue = partition[partitionKey],
                !partitionValue.isNull
            else {
                throw HerderRequestError(
                    .badRequest,
                    "The partition for a sink connector offset must contain the keys '\(topicKey)' and "
                        + "'\(partitionKey)', with a string topic"
                )
            }
            guard let number = integer(partitionValue), let index = Int32(exactly: number), index >= 0 else {
                throw HerderRequestError(
                    .badRequest,
                    "Failed to parse the following Kafka partition value in the provided offsets: "
                        + "'\(partitionValue)'. The value for '\(partitionKey)' must be a non-negative integer."
                )
            }
            let key = ConnectAPI.TopicPartition(topic, index)
            guard let offset else {
                result[key] = .some(nil)
                continue
            }
            guard let offsetValue = offset[offsetKey] else {
                throw HerderRequestError(
                    .badRequest,
                    "The offset for a sink connector should either be null or contain the key '\(offsetKey)'"
                )
            }
            guard let position = integer(offsetValue), position >= 0 else {
                throw HerderRequestError(
                    .badRequest,
                    "Failed to parse the following Kafka offset value in the provided offsets: '\(offsetValue)'. "
                        + "The value for '\(offsetKey)' must be a non-negative integer."
                )
            }
            result[key] = position
        }
        return result
    }

    private static func integer(_ value: ConnectValue) -> Int64? {
        switch value {
        case .int8(let v): return Int64(v)
        case .int16(let v): return Int64(v)
        case .int32(let v): return Int64(v)
        case .int64(let v): return v
        case .string(let text): return Int64(text)
        default: return nil
        }
    }
}
