import KafkaProtocol

/// ListOffsets against partition leaders, shared by the consumer (seeks) and the admin client.
enum KafkaOffsetLookup {
    struct Found: Sendable, Hashable {
        var offset: Int64
        var timestamp: Int64
    }

    /// Looks up offsets; `timestamps` maps each partition to -2 (earliest), -1 (latest) or a time
    /// in milliseconds. Retriable errors are retried with backoff until `default.api.timeout.ms`.
    static func listOffsets(
        cluster: KafkaCluster,
        _ timestamps: [TopicPartition: Int64],
        isolationLevel: KafkaConsumerConfiguration.IsolationLevel = .readUncommitted
    ) async throws -> [TopicPartition: Found] {
        let configuration = cluster.configuration
        let deadline = ContinuousClock.now + .milliseconds(configuration.defaultApiTimeoutMs)
        var remaining = timestamps
        var found: [TopicPartition: Found] = [:]
        var attempt = 0
        while !remaining.isEmpty {
            attempt += 1
            let topics = Array(Set(remaining.keys.map(\.topic)))
            let metadata = try await cluster.metadata(for: topics)
            var byLeader: [Int32: [TopicPartition: Int64]] = [:]
            for (topicPartition, timestamp) in remaining {
                guard metadata.topics[topicPartition.topic]?.partitions[topicPartition.partition] != nil else {
                    throw KafkaError.unknownTopicOrPartition(
                        topic: topicPartition.topic,
                        partition: topicPartition.partition
                    )
                }
                guard let leader = metadata.leader(of: topicPartition) else { continue }
                byLeader[leader.nodeID, default: [:]][topicPartition] = timestamp
            }
            var lastError: KafkaError?
            for (node, partitions) in byLeader {
                var byTopic: [String: [ListOffsetsRequest.ListOffsetsTopic.ListOffsetsPartition]] = [:]
                for (topicPartition, timestamp) in partitions {
                    byTopic[topicPartition.topic, default: []].append(
                        .init(partitionIndex: topicPartition.partition, timestamp: timestamp)
                    )
                }
                let request = ListOffsetsRequest(
                    replicaId: -1,
                    isolationLevel: isolationLevel.rawValue,
                    topics: byTopic.map { .init(name: $0.key, partitions: $0.value) },
                    timeoutMs: Int32(clamping: configuration.requestTimeoutMs)
                )
                do {
                    let connection = try await cluster.connection(to: node)
                    let version = connection.apiVersions.version(for: ListOffsetsRequest.self) ?? 0
                    let response = try await connection.send(request, version: version)
                    for topic in response.topics {
                        for partition in topic.partitions {
                            let topicPartition = TopicPartition(topic.name, partition.partitionIndex)
                            guard remaining[topicPartition] != nil else { continue }
                            let code = KafkaErrorCode(rawValue: partition.errorCode)
                            if code == .noError {
                                let offset = version == 0 ? (partition.oldStyleOffsets.first ?? -1) : partition.offset
                                found[topicPartition] = Found(offset: offset, timestamp: partition.timestamp)
                                remaining[topicPartition] = nil
                            } else if code.isRetriable {
                                lastError = .broker(code, message: "ListOffsets \(topicPartition)")
                                await cluster.invalidate(topic: topicPartition.topic)
                            } else {
                                throw KafkaError.broker(code, message: "ListOffsets \(topicPartition)")
                            }
                        }
                    }
                } catch let error as KafkaError where error.isRetriable {
                    lastError = error
                }
            }
            if remaining.isEmpty { break }
            if ContinuousClock.now >= deadline {
                throw KafkaError.retriesExhausted(last: lastError.map { "\($0)" } ?? "no leader for \(remaining.keys)")
            }
            try await Task.sleep(for: configuration.retryBackoff(attempt: attempt))
        }
        return found
    }
}
