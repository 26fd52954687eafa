import ArgumentParser
import KafkaNIO

struct GroupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups",
        abstract: "List and describe consumer groups (like kafka-consumer-groups.sh).",
        subcommands: [List.self, Describe.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List groups: id, protocol type and state.")
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let groups = try await connection.withCluster { cluster in
                try await KafkaAdminClient(cluster: cluster).listGroups()
            }
            var output = ""
            for group in groups {
                // "-" keeps the columns for simple groups (no protocol type) and old brokers (no state).
                output +=
                    "\(group.groupID)\t\(group.protocolType.isEmpty ? "-" : group.protocolType)\t\(group.state ?? "-")\n"
            }
            writeStandardOutput(output)
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe groups: state, members, and per partition the committed offset, log end and lag.",
            discussion: """
                The log end offset is the partition's high watermark, from a Fetch to its leader.
                """
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Group ids.") var groups: [String]

        func run() async throws {
            let output = try await connection.withCluster { cluster in
                let admin = KafkaAdminClient(cluster: cluster)
                var output = ""
                for description in try await admin.describeGroups(groups) {
                    let committed = try await admin.listCommittedOffsets(group: description.groupID)
                    let partitions = Set(committed.keys).union(
                        description.members.flatMap { $0.assignedPartitions ?? [] }
                    )
                    let ends = try await admin.highWatermarks(partitions)
                    output += GroupTable.render(description: description, committed: committed, logEnds: ends)
                }
                return output
            }
            writeStandardOutput(output)
        }
    }
}

/// The text of `groups describe` for one group: a summary line, then kafka-consumer-groups.sh's
/// `--describe` table.
enum GroupTable {
    static let header = [
        "GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID",
    ]

    static func render(
        description: KafkaAdminClient.GroupDescription,
        committed: [TopicPartition: KafkaAdminClient.CommittedOffset],
        logEnds: [TopicPartition: Int64]
    ) -> String {
        let group = description.groupID
        var output = "GROUP \(group) STATE \(description.state) PROTOCOL-TYPE \(dash(description.protocolType)) "
        output += "PROTOCOL \(dash(description.protocolName)) MEMBERS \(description.members.count)\n"
        var owners: [TopicPartition: KafkaAdminClient.GroupDescription.Member] = [:]
        var rows: [[String]] = []
        for member in description.members {
            let assigned = member.assignedPartitions ?? []
            for partition in assigned { owners[partition] = member }
            if assigned.isEmpty {
                // A member without partitions still gets a row, as in Kafka's tool.
                rows.append([
                    group, "-", "-", "-", "-", "-", member.memberID, dash(member.clientHost), dash(member.clientID),
                ])
            }
        }
        let partitions = Set(committed.keys).union(owners.keys).sorted()
        var partitionRows: [[String]] = []
        for partition in partitions {
            let current = committed[partition]?.offset
            let end = logEnds[partition]
            let lag = current.flatMap { current in end.map { max(0, $0 - current) } }
            let owner = owners[partition]
            partitionRows.append([
                group, partition.topic, String(partition.partition), current.map(String.init) ?? "-",
                end.map(String.init) ?? "-", lag.map(String.init) ?? "-", owner?.memberID ?? "-",
                dash(owner?.clientHost ?? ""), dash(owner?.clientID ?? ""),
            ])
        }
        let table = [header] + partitionRows + rows
        let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        for row in table {
            output += row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(to: widths[column])
            }.joined(separator: " ")
            output += "\n"
        }
        return output + "\n"
    }

    private static func dash(_ text: String) -> String { text.isEmpty ? "-" : text }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
