/// Reads `partition.assignment.strategy` into assignors.
public enum PartitionAssignmentStrategy {
    /// The configuration property.
    public static let property = "partition.assignment.strategy"

    /// The Java client's default since Kafka 3.0: range first, with cooperative-sticky listed so a
    /// group can move to it with one more rolling restart (the group runs eagerly meanwhile).
    public static let defaultValue =
        "org.apache.kafka.clients.consumer.RangeAssignor,org.apache.kafka.clients.consumer.CooperativeStickyAssignor"

    /// The supported assignors, by Java class name and by protocol name.
    static let known: [(className: String, make: @Sendable () -> any ConsumerPartitionAssignor)] = [
        ("org.apache.kafka.clients.consumer.RangeAssignor", { RangeAssignor() }),
        ("org.apache.kafka.clients.consumer.RoundRobinAssignor", { RoundRobinAssignor() }),
        ("org.apache.kafka.clients.consumer.CooperativeStickyAssignor", { CooperativeStickyAssignor() }),
    ]

    static var validValues: String {
        known.map { "\($0.className) (\($0.make().name))" }.joined(separator: ", ")
    }

    /// The assignors of a comma-separated `partition.assignment.strategy` value, in order of
    /// preference.
    ///
    /// Accepts the Java class names and the protocol names (`range`, `roundrobin`,
    /// `cooperative-sticky`). The eager `StickyAssignor` is refused: a Java member of the same
    /// group would send its state in a user-data format this client does not write, and running
    /// cooperative-sticky's algorithm under the name `sticky` would mislead; use
    /// `CooperativeStickyAssignor`.
    ///
    /// - Throws: ``KafkaError/invalidConfiguration(property:reason:)`` for an unknown name, an
    ///   empty list, or one assignor listed twice.
    public static func assignors(from value: String) throws -> [any ConsumerPartitionAssignor] {
        var assignors: [any ConsumerPartitionAssignor] = []
        for entry in value.split(separator: ",") {
            let name = entry.trimmingSpaces()
            if name.isEmpty { continue }
            let assignor = try assignor(named: name)
            if assignors.contains(where: { $0.name == assignor.name }) {
                throw KafkaError.invalidConfiguration(
                    property: property,
                    reason: "the assignor '\(assignor.name)' is listed more than once; list each once"
                )
            }
            assignors.append(assignor)
        }
        if assignors.isEmpty {
            throw KafkaError.invalidConfiguration(
                property: property,
                reason: "no assignor is configured; use one or more of \(validValues)"
            )
        }
        return assignors
    }

    /// One assignor by Java class name or protocol name.
    public static func assignor(named name: String) throws -> any ConsumerPartitionAssignor {
        for entry in known {
            let assignor = entry.make()
            if name == entry.className || name == assignor.name { return assignor }
        }
        if name == "org.apache.kafka.clients.consumer.StickyAssignor" || name == "sticky" {
            throw KafkaError.invalidConfiguration(
                property: property,
                reason: "the eager StickyAssignor ('\(name)') is not supported; use "
                    + "org.apache.kafka.clients.consumer.CooperativeStickyAssignor (cooperative-sticky), "
                    + "which is as sticky and also runs eagerly when the group needs it"
            )
        }
        throw KafkaError.invalidConfiguration(
            property: property,
            reason: "'\(name)' is not a supported assignor; use one or more of \(validValues)"
        )
    }

    /// The rebalance protocol a member with these assignors uses: the newest one that all of
    /// them support, as Kafka's `ConsumerCoordinator` chooses.
    ///
    /// - Throws: ``KafkaError/invalidConfiguration(property:reason:)`` when they share none.
    public static func rebalanceProtocol(for assignors: [any ConsumerPartitionAssignor]) throws -> RebalanceProtocol {
        var common = Set([RebalanceProtocol.eager, .cooperative])
        for assignor in assignors { common.formIntersection(assignor.supportedProtocols) }
        guard !assignors.isEmpty, let newest = common.max() else {
            throw KafkaError.invalidConfiguration(
                property: property,
                reason: "the assignors \(assignors.map(\.name)) support no common rebalance protocol; "
                    + "list assignors that all support EAGER or all support COOPERATIVE"
            )
        }
        return newest
    }
}
