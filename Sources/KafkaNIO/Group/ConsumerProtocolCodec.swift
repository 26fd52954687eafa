import KafkaProtocol
import NIOCore

/// The consumer protocol's JoinGroup metadata and SyncGroup assignment bytes: a big-endian int16
/// version, then `ConsumerProtocolSubscription` / `ConsumerProtocolAssignment` at that version.
///
/// Readers accept versions newer than they know by reading the fields they know (newer versions
/// only append fields), as Kafka's clients do.
enum ConsumerProtocolCodec {
    /// The subscription version written: v3 carries owned partitions (v1), generation (v2) and rack.
    static let subscriptionVersion: Int16 = 3
    static let assignmentVersion: Int16 = 3

    static func encode(_ subscription: ConsumerGroupSubscription) throws -> ByteBuffer {
        let message = ConsumerProtocolSubscription(
            topics: subscription.topics,
            userData: subscription.userData,
            ownedPartitions: grouped(subscription.ownedPartitions).map {
                ConsumerProtocolSubscription.TopicPartition(topic: $0.topic, partitions: $0.partitions)
            },
            generationId: subscription.generationID,
            rackId: subscription.rackID
        )
        var buffer = ByteBuffer()
        buffer.writeInteger(Self.subscriptionVersion)
        try message.write(into: &buffer, version: Self.subscriptionVersion)
        return buffer
    }

    /// Decodes a member's subscription; `memberID` and `groupInstanceID` come from JoinGroup.
    static func decodeSubscription(
        _ bytes: ByteBuffer,
        memberID: String,
        groupInstanceID: String?
    ) throws -> ConsumerGroupSubscription {
        var buffer = bytes
        guard let rawVersion = buffer.readInteger(as: Int16.self), rawVersion >= 0 else {
            throw KafkaError.protocolViolation(.corruptRecord("consumer subscription of \(memberID) has no version"))
        }
        let version = min(rawVersion, ConsumerProtocolSubscription.validVersions.upperBound)
        let message: ConsumerProtocolSubscription
        do {
            message = try ConsumerProtocolSubscription(from: &buffer, version: version)
        } catch let error as KafkaProtocolError {
            throw KafkaError.protocolViolation(error)
        }
        return ConsumerGroupSubscription(
            memberID: memberID,
            groupInstanceID: groupInstanceID,
            topics: message.topics,
            userData: message.userData,
            ownedPartitions: message.ownedPartitions.flatMap { entry in
                entry.partitions.map { TopicPartition(entry.topic, $0) }
            },
            generationID: version >= 2 ? message.generationId : -1,
            rackID: message.rackId
        )
    }

    static func encode(assignment partitions: [TopicPartition], userData: ByteBuffer? = nil) throws -> ByteBuffer {
        let message = ConsumerProtocolAssignment(
            assignedPartitions: grouped(partitions).map {
                ConsumerProtocolAssignment.TopicPartition(topic: $0.topic, partitions: $0.partitions)
            },
            userData: userData
        )
        var buffer = ByteBuffer()
        buffer.writeInteger(Self.assignmentVersion)
        try message.write(into: &buffer, version: Self.assignmentVersion)
        return buffer
    }

    /// Decodes an assignment; empty bytes (a member the leader left out) mean no partitions.
    static func decodeAssignment(_ bytes: ByteBuffer) throws -> [TopicPartition] {
        var buffer = bytes
        guard buffer.readableBytes > 0 else { return [] }
        guard let rawVersion = buffer.readInteger(as: Int16.self), rawVersion >= 0 else {
            throw KafkaError.protocolViolation(.corruptRecord("consumer assignment has no version"))
        }
        let version = min(rawVersion, ConsumerProtocolAssignment.validVersions.upperBound)
        do {
            let message = try ConsumerProtocolAssignment(from: &buffer, version: version)
            return message.assignedPartitions.flatMap { entry in
                entry.partitions.map { TopicPartition(entry.topic, $0) }
            }
        } catch let error as KafkaProtocolError {
            throw KafkaError.protocolViolation(error)
        }
    }

    /// Partitions grouped by topic, topics and partitions sorted.
    private static func grouped(_ partitions: [TopicPartition]) -> [(topic: String, partitions: [Int32])] {
        Dictionary(grouping: partitions, by: \.topic)
            .map { (topic: $0.key, partitions: $0.value.map(\.partition).sorted()) }
            .sorted { $0.topic < $1.topic }
    }
}
