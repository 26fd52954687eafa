import KafkaNIO
import Testing

private func tp(_ topic: String, _ partition: Int32) -> TopicPartition { TopicPartition(topic, partition) }

private func subscriptions(_ topics: [String: [String]]) -> [String: ConsumerGroupSubscription] {
    Dictionary(
        uniqueKeysWithValues: topics.map { ($0.key, ConsumerGroupSubscription(memberID: $0.key, topics: $0.value)) }
    )
}

/// Checks what every assignor must do: each member present, every partition of a subscribed,
/// existing topic assigned exactly once, and only to a member subscribed to its topic.
private func expectValid(
    _ assignment: [String: [TopicPartition]],
    partitionCounts: [String: Int32],
    subscriptions: [String: ConsumerGroupSubscription],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(Set(assignment.keys) == Set(subscriptions.keys), sourceLocation: sourceLocation)
    var seen: [TopicPartition: Int] = [:]
    for (member, partitions) in assignment {
        for partition in partitions {
            seen[partition, default: 0] += 1
            #expect(
                subscriptions[member]?.topics.contains(partition.topic) == true,
                "\(member) got \(partition) without subscribing",
                sourceLocation: sourceLocation
            )
        }
    }
    let subscribed = Set(subscriptions.values.flatMap(\.topics))
    let expected = subscribed.flatMap { topic in (0..<(partitionCounts[topic] ?? 0)).map { tp(topic, $0) } }
    #expect(Set(seen.keys) == Set(expected), sourceLocation: sourceLocation)
    #expect(seen.values.allSatisfy { $0 == 1 }, "a partition was assigned twice", sourceLocation: sourceLocation)
}

/// Expected outputs come from the test cases of Kafka's `RangeAssignorTest` (the case names are
/// Kafka's), derived by hand from the algorithm.
@Suite struct RangeAssignorTests {
    let assignor = RangeAssignor()

    @Test func nameAndProtocol() {
        #expect(assignor.name == "range")
        #expect(assignor.supportedProtocols == [.eager])
    }

    @Test func oneConsumerNoTopic() {
        let subs = subscriptions(["consumer": []])
        #expect(assignor.assign(partitionCounts: [:], subscriptions: subs) == ["consumer": []])
    }

    @Test func oneConsumerNonexistentTopic() {
        let subs = subscriptions(["consumer": ["topic"]])
        #expect(assignor.assign(partitionCounts: [:], subscriptions: subs) == ["consumer": []])
    }

    @Test func onlyAssignsPartitionsFromSubscribedTopics() {
        let subs = subscriptions(["consumer": ["topic"]])
        let result = assignor.assign(partitionCounts: ["topic": 3, "other": 3], subscriptions: subs)
        #expect(result == ["consumer": [tp("topic", 0), tp("topic", 1), tp("topic", 2)]])
    }

    @Test func twoConsumersOneTopicOnePartition() {
        let subs = subscriptions(["consumer1": ["topic"], "consumer2": ["topic"]])
        let result = assignor.assign(partitionCounts: ["topic": 1], subscriptions: subs)
        #expect(result == ["consumer1": [tp("topic", 0)], "consumer2": []])
    }

    @Test func multipleConsumersMixedTopics() {
        let subs = subscriptions([
            "consumer1": ["topic1"], "consumer2": ["topic1", "topic2"], "consumer3": ["topic1"],
        ])
        let counts: [String: Int32] = ["topic1": 3, "topic2": 2]
        let result = assignor.assign(partitionCounts: counts, subscriptions: subs)
        #expect(
            result == [
                "consumer1": [tp("topic1", 0)],
                "consumer2": [tp("topic1", 1), tp("topic2", 0), tp("topic2", 1)],
                "consumer3": [tp("topic1", 2)],
            ]
        )
        expectValid(result, partitionCounts: counts, subscriptions: subs)
    }

    @Test func twoConsumersTwoTopicsSixPartitions() {
        let subs = subscriptions(["consumer1": ["topic1", "topic2"], "consumer2": ["topic1", "topic2"]])
        let result = assignor.assign(partitionCounts: ["topic1": 3, "topic2": 3], subscriptions: subs)
        #expect(
            result == [
                "consumer1": [tp("topic1", 0), tp("topic1", 1), tp("topic2", 0), tp("topic2", 1)],
                "consumer2": [tp("topic1", 2), tp("topic2", 2)],
            ]
        )
    }

    /// The first `partitions % members` members get the extra partition: 8 over 3 is 3, 3, 2.
    @Test func extraPartitionsGoToTheFirstMembers() {
        let subs = subscriptions(["c": ["t"], "a": ["t"], "b": ["t"]])
        let result = assignor.assign(partitionCounts: ["t": 8], subscriptions: subs)
        #expect(result["a"] == [tp("t", 0), tp("t", 1), tp("t", 2)])
        #expect(result["b"] == [tp("t", 3), tp("t", 4), tp("t", 5)])
        #expect(result["c"] == [tp("t", 6), tp("t", 7)])
    }

    /// Kafka's `testStaticMemberRangeAssignmentPersistent` idea: static members order by
    /// `group.instance.id`, ahead of dynamic members, whatever their member ids.
    @Test func staticMembersOrderByInstanceIDFirst() {
        let subs: [String: ConsumerGroupSubscription] = [
            "a-dynamic": ConsumerGroupSubscription(memberID: "a-dynamic", topics: ["t"]),
            "z-member": ConsumerGroupSubscription(memberID: "z-member", groupInstanceID: "instance1", topics: ["t"]),
            "m-member": ConsumerGroupSubscription(memberID: "m-member", groupInstanceID: "instance2", topics: ["t"]),
        ]
        let result = assignor.assign(partitionCounts: ["t": 3], subscriptions: subs)
        #expect(result == ["z-member": [tp("t", 0)], "m-member": [tp("t", 1)], "a-dynamic": [tp("t", 2)]])
    }

    @Test func membersOrderByJavaStringOrder() {
        // UTF-16 order puts U+FF5E (one code unit 0xFF5E) after U+1F600 (surrogates 0xD83D...),
        // the reverse of scalar order.
        let subs = subscriptions(["\u{FF5E}": ["t"], "\u{1F600}": ["t"]])
        let result = assignor.assign(partitionCounts: ["t": 2], subscriptions: subs)
        #expect(result == ["\u{1F600}": [tp("t", 0)], "\u{FF5E}": [tp("t", 1)]])
    }
}

/// Expected outputs come from the test cases of Kafka's `RoundRobinAssignorTest`.
@Suite struct RoundRobinAssignorTests {
    let assignor = RoundRobinAssignor()

    @Test func nameAndProtocol() {
        #expect(assignor.name == "roundrobin")
        #expect(assignor.supportedProtocols == [.eager])
    }

    @Test func oneConsumerNonexistentTopic() {
        let subs = subscriptions(["consumer": ["topic"]])
        #expect(assignor.assign(partitionCounts: [:], subscriptions: subs) == ["consumer": []])
    }

    @Test func multipleConsumersMixedTopics() {
        let subs = subscriptions([
            "consumer1": ["topic1"], "consumer2": ["topic1", "topic2"], "consumer3": ["topic1"],
        ])
        let counts: [String: Int32] = ["topic1": 3, "topic2": 2]
        let result = assignor.assign(partitionCounts: counts, subscriptions: subs)
        #expect(
            result == [
                "consumer1": [tp("topic1", 0)],
                "consumer2": [tp("topic1", 1), tp("topic2", 0), tp("topic2", 1)],
                "consumer3": [tp("topic1", 2)],
            ]
        )
        expectValid(result, partitionCounts: counts, subscriptions: subs)
    }

    @Test func twoConsumersTwoTopicsSixPartitions() {
        let subs = subscriptions(["consumer1": ["topic1", "topic2"], "consumer2": ["topic1", "topic2"]])
        let result = assignor.assign(partitionCounts: ["topic1": 3, "topic2": 3], subscriptions: subs)
        #expect(
            result == [
                "consumer1": [tp("topic1", 0), tp("topic1", 2), tp("topic2", 1)],
                "consumer2": [tp("topic1", 1), tp("topic2", 0), tp("topic2", 2)],
            ]
        )
    }

    @Test func membersWithoutSubscriptionsGetNothing() {
        let subs = subscriptions(["a": [], "b": ["t"], "c": [], "d": ["t", "missing"]])
        let counts: [String: Int32] = ["t": 5]
        let result = assignor.assign(partitionCounts: counts, subscriptions: subs)
        #expect(result["a"] == [])
        #expect(result["c"] == [])
        #expect(result["b"] == [tp("t", 0), tp("t", 2), tp("t", 4)])
        #expect(result["d"] == [tp("t", 1), tp("t", 3)])
        expectValid(result, partitionCounts: counts, subscriptions: subs)
    }

    @Test func noMembers() {
        #expect(assignor.assign(partitionCounts: ["t": 3], subscriptions: [:]).isEmpty)
        #expect(RangeAssignor().assign(partitionCounts: ["t": 3], subscriptions: [:]).isEmpty)
        #expect(CooperativeStickyAssignor().assign(partitionCounts: ["t": 3], subscriptions: [:]).isEmpty)
    }
}

@Suite struct CooperativeStickyAssignorTests {
    let assignor = CooperativeStickyAssignor()

    private func member(
        _ id: String,
        _ topics: [String],
        owned: [TopicPartition] = [],
        generation: Int32 = -1
    ) -> (String, ConsumerGroupSubscription) {
        (id, ConsumerGroupSubscription(memberID: id, topics: topics, ownedPartitions: owned, generationID: generation))
    }

    private func spread(_ assignment: [String: [TopicPartition]]) -> Int {
        let sizes = assignment.values.map(\.count)
        return (sizes.max() ?? 0) - (sizes.min() ?? 0)
    }

    /// No member can take a partition from a member with two or more partitions than itself: the
    /// balance Kafka's sticky assignor reaches when subscriptions differ.
    private func expectLocallyBalanced(
        _ assignment: [String: [TopicPartition]],
        subscriptions: [String: ConsumerGroupSubscription],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for (owner, partitions) in assignment {
            for partition in partitions {
                for (other, subscription) in subscriptions
                where other != owner && subscription.topics.contains(partition.topic) {
                    #expect(
                        (assignment[other]?.count ?? 0) + 1 >= partitions.count,
                        "\(other) could take \(partition) from \(owner)",
                        sourceLocation: sourceLocation
                    )
                }
            }
        }
    }

    @Test func nameAndProtocols() {
        #expect(assignor.name == "cooperative-sticky")
        #expect(Set(assignor.supportedProtocols) == [.eager, .cooperative])
    }

    @Test func freshGroupIsBalanced() {
        let subs = subscriptions(["a": ["t1", "t2"], "b": ["t1", "t2"], "c": ["t1", "t2"]])
        let counts: [String: Int32] = ["t1": 4, "t2": 3]
        let result = assignor.assign(partitionCounts: counts, subscriptions: subs)
        expectValid(result, partitionCounts: counts, subscriptions: subs)
        #expect(spread(result) <= 1)
    }

    @Test func addingAMemberMovesOnlyWhatItReceives() {
        let counts: [String: Int32] = ["t": 6]
        let first = assignor.assign(partitionCounts: counts, subscriptions: subscriptions(["a": ["t"], "b": ["t"]]))
        #expect(first.values.map(\.count).sorted() == [3, 3])
        let second: [String: ConsumerGroupSubscription] = Dictionary(uniqueKeysWithValues: [
            member("a", ["t"], owned: first["a"] ?? [], generation: 1),
            member("b", ["t"], owned: first["b"] ?? [], generation: 1),
            member("c", ["t"]),
        ])
        let result = assignor.assign(partitionCounts: counts, subscriptions: second)
        expectValid(result, partitionCounts: counts, subscriptions: second)
        #expect(result.values.map(\.count) == [2, 2, 2])
        // a and b each give up exactly one partition, to c; nothing else moves.
        for old in ["a", "b"] {
            #expect(Set(result[old] ?? []).isSubset(of: Set(first[old] ?? [])))
        }
        #expect(Set(result["c"] ?? []).count == 2)
    }

    @Test func removingAMemberKeepsTheSurvivorsPartitions() {
        let counts: [String: Int32] = ["t1": 5, "t2": 4]
        let three = subscriptions(["a": ["t1", "t2"], "b": ["t1", "t2"], "c": ["t1", "t2"]])
        let first = assignor.assign(partitionCounts: counts, subscriptions: three)
        let survivors: [String: ConsumerGroupSubscription] = Dictionary(uniqueKeysWithValues: [
            member("a", ["t1", "t2"], owned: first["a"] ?? [], generation: 1),
            member("c", ["t1", "t2"], owned: first["c"] ?? [], generation: 1),
        ])
        let result = assignor.assign(partitionCounts: counts, subscriptions: survivors)
        expectValid(result, partitionCounts: counts, subscriptions: survivors)
        #expect(spread(result) <= 1)
        for survivor in ["a", "c"] {
            #expect(Set(first[survivor] ?? []).isSubset(of: Set(result[survivor] ?? [])))
        }
    }

    @Test func unchangedGroupKeepsItsAssignment() {
        let counts: [String: Int32] = ["t1": 7, "t2": 2]
        let fresh = subscriptions(["a": ["t1", "t2"], "b": ["t1", "t2"], "c": ["t1", "t2"]])
        let first = assignor.assign(partitionCounts: counts, subscriptions: fresh)
        var again = fresh
        for (id, partitions) in first {
            again[id]?.ownedPartitions = partitions
            again[id]?.generationID = 4
        }
        #expect(assignor.assign(partitionCounts: counts, subscriptions: again) == first)
    }

    @Test func higherGenerationWinsAConflict() {
        let counts: [String: Int32] = ["t": 4]
        let subs: [String: ConsumerGroupSubscription] = Dictionary(uniqueKeysWithValues: [
            // a rejoins late with a stale view from generation 1; b owns t-0 and t-1 since generation 2.
            member("a", ["t"], owned: [tp("t", 0), tp("t", 1)], generation: 1),
            member("b", ["t"], owned: [tp("t", 0), tp("t", 1)], generation: 2),
        ])
        let result = assignor.assign(partitionCounts: counts, subscriptions: subs)
        #expect(result["b"] == [tp("t", 0), tp("t", 1)])
        #expect(result["a"] == [tp("t", 2), tp("t", 3)])
    }

    @Test func claimsTiedAtTheSameGenerationAreDropped() {
        let counts: [String: Int32] = ["t": 4]
        let subs: [String: ConsumerGroupSubscription] = Dictionary(uniqueKeysWithValues: [
            member("a", ["t"], owned: [tp("t", 0), tp("t", 3)], generation: 3),
            member("b", ["t"], owned: [tp("t", 0), tp("t", 2)], generation: 3),
        ])
        let result = assignor.assign(partitionCounts: counts, subscriptions: subs)
        expectValid(result, partitionCounts: counts, subscriptions: subs)
        // Uncontested claims are kept; t-0 goes wherever balance puts it.
        #expect(result["a"]?.contains(tp("t", 3)) == true)
        #expect(result["b"]?.contains(tp("t", 2)) == true)
        #expect(spread(result) == 0)
    }

    @Test func claimsToUnsubscribedOrMissingPartitionsAreIgnored() {
        let counts: [String: Int32] = ["t": 2, "u": 2]
        let subs: [String: ConsumerGroupSubscription] = Dictionary(uniqueKeysWithValues: [
            // a dropped topic u, and t-7 does not exist (the topic shrank or the claim is bogus).
            member("a", ["t"], owned: [tp("u", 0), tp("u", 1), tp("t", 7)], generation: 5),
            member("b", ["t", "u"], owned: [], generation: 5),
        ])
        let result = assignor.assign(partitionCounts: counts, subscriptions: subs)
        expectValid(result, partitionCounts: counts, subscriptions: subs)
        #expect(result["a"]?.allSatisfy { $0.topic == "t" } == true)
        expectLocallyBalanced(result, subscriptions: subs)
    }

    @Test func unevenSubscriptionsAndAbsentTopics() {
        let counts: [String: Int32] = ["t1": 1, "t2": 2, "t3": 3]
        let subs = subscriptions([
            "a": ["t1"], "b": ["t1", "t2"], "c": ["t1", "t2", "t3", "gone"], "d": [], "e": ["gone"],
        ])
        let result = assignor.assign(partitionCounts: counts, subscriptions: subs)
        expectValid(result, partitionCounts: counts, subscriptions: subs)
        expectLocallyBalanced(result, subscriptions: subs)
        #expect(result["d"] == [])
        #expect(result["e"] == [])
        // a can only take t1-0; c must take all of t3 and b takes t2.
        #expect(result["a"] == [tp("t1", 0)])
    }

    @Test func unevenSubscriptionsMoveNewlyAssignedPartitionsBeforeOwnedOnes() {
        // a owns everything of t1 and t2; b arrives subscribing only to t2.
        let counts: [String: Int32] = ["t1": 2, "t2": 4]
        let owned = [tp("t1", 0), tp("t1", 1), tp("t2", 0), tp("t2", 1), tp("t2", 2), tp("t2", 3)]
        let subs: [String: ConsumerGroupSubscription] = Dictionary(uniqueKeysWithValues: [
            member("a", ["t1", "t2"], owned: owned, generation: 1),
            member("b", ["t2"]),
        ])
        let result = assignor.assign(partitionCounts: counts, subscriptions: subs)
        expectValid(result, partitionCounts: counts, subscriptions: subs)
        #expect(result.values.map(\.count).sorted() == [3, 3])
        #expect(result["b"]?.allSatisfy { $0.topic == "t2" } == true)
        #expect(Set(result["a"] ?? []).isSubset(of: Set(owned)))
    }

    /// Random groups over a few rounds of membership changes: every round's assignment is
    /// valid and balanced, and members that stay keep every partition their quota allows.
    @Test func randomGroupsStayBalancedAndSticky() {
        var random = SplitMix64(seed: 42)
        for round in 0..<200 {
            let topicCount = Int.random(in: 1...4, using: &random)
            let counts = Dictionary(
                uniqueKeysWithValues: (0..<topicCount).map { ("t\($0)", Int32.random(in: 1...12, using: &random)) }
            )
            let topics = counts.keys.sorted()
            let equal = round % 2 == 0
            var subs: [String: ConsumerGroupSubscription] = [:]
            var nextID = 0
            func newMember() -> ConsumerGroupSubscription {
                defer { nextID += 1 }
                let chosen = equal ? topics : topics.filter { _ in Bool.random(using: &random) }
                return ConsumerGroupSubscription(memberID: "m\(nextID)", topics: chosen)
            }
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let member = newMember()
                subs[member.memberID] = member
            }
            for generation in 1...4 {
                let result = assignor.assign(partitionCounts: counts, subscriptions: subs)
                expectValid(result, partitionCounts: counts, subscriptions: subs)
                expectLocallyBalanced(result, subscriptions: subs)
                if equal {
                    #expect(spread(result) <= 1, "round \(round) generation \(generation): \(result)")
                    // Stickiness: a member keeps min(owned, quota) partitions of what it owned.
                    let total = counts.values.reduce(0) { $0 + Int($1) }
                    let quota = (total + subs.count - 1) / subs.count
                    for (id, subscription) in subs {
                        let kept = Set(subscription.ownedPartitions).intersection(result[id] ?? []).count
                        #expect(kept >= min(subscription.ownedPartitions.count, total / subs.count))
                        #expect(kept <= quota)
                    }
                }
                // Next generation: everyone reports what it got; one member may leave, one may join.
                for (id, partitions) in result {
                    subs[id]?.ownedPartitions = partitions
                    subs[id]?.generationID = Int32(generation)
                }
                if subs.count > 1, Bool.random(using: &random),
                    let leaving = subs.keys.sorted().randomElement(using: &random)
                {
                    subs[leaving] = nil
                }
                if Bool.random(using: &random) {
                    let member = newMember()
                    subs[member.memberID] = member
                }
            }
        }
    }
}

@Suite struct CooperativeAssignmentTests {
    @Test func withholdsPartitionsThatChangeOwner() {
        let subs: [String: ConsumerGroupSubscription] = [
            "a": ConsumerGroupSubscription(
                memberID: "a",
                topics: ["t"],
                ownedPartitions: [tp("t", 0), tp("t", 1), tp("t", 2)],
                generationID: 3
            ),
            "b": ConsumerGroupSubscription(
                memberID: "b",
                topics: ["t"],
                ownedPartitions: [tp("t", 3)],
                generationID: 3
            ),
            "c": ConsumerGroupSubscription(memberID: "c", topics: ["t"]),
        ]
        let target: [String: [TopicPartition]] = [
            "a": [tp("t", 0), tp("t", 1)],
            "b": [tp("t", 3), tp("t", 4)],  // t-4 is new: nobody owns it
            "c": [tp("t", 2)],  // moves from a
        ]
        let (assignment, withheld) = CooperativeAssignment.withholdingTransfers(assignment: target, subscriptions: subs)
        #expect(withheld == [tp("t", 2)])
        #expect(assignment == ["a": [tp("t", 0), tp("t", 1)], "b": [tp("t", 3), tp("t", 4)], "c": []])
    }

    @Test func anyOtherClaimWithholds() {
        // A stale claim from an older generation still withholds: that member may be consuming.
        let subs: [String: ConsumerGroupSubscription] = [
            "a": ConsumerGroupSubscription(
                memberID: "a",
                topics: ["t"],
                ownedPartitions: [tp("t", 0)],
                generationID: 1
            ),
            "b": ConsumerGroupSubscription(
                memberID: "b",
                topics: ["t"],
                ownedPartitions: [tp("t", 0)],
                generationID: 2
            ),
        ]
        let (assignment, withheld) = CooperativeAssignment.withholdingTransfers(
            assignment: ["a": [], "b": [tp("t", 0)]],
            subscriptions: subs
        )
        #expect(withheld == [tp("t", 0)])
        #expect(assignment == ["a": [], "b": []])
    }

    @Test func stickyRebalanceThenFollowUpCompletesTheMove() {
        let assignor = CooperativeStickyAssignor()
        let counts: [String: Int32] = ["t": 4]
        var subs: [String: ConsumerGroupSubscription] = [
            "a": ConsumerGroupSubscription(
                memberID: "a",
                topics: ["t"],
                ownedPartitions: (0..<4).map { tp("t", $0) },
                generationID: 1
            ),
            "b": ConsumerGroupSubscription(memberID: "b", topics: ["t"]),
        ]
        let target = assignor.assign(partitionCounts: counts, subscriptions: subs)
        let first = CooperativeAssignment.withholdingTransfers(assignment: target, subscriptions: subs)
        #expect(first.withheld.count == 2)
        #expect(first.assignment["b"] == [])
        #expect(first.assignment["a"]?.count == 2)
        // a revokes what it lost; the follow-up rebalance gives b the withheld partitions.
        subs["a"]?.ownedPartitions = first.assignment["a"] ?? []
        subs["a"]?.generationID = 2
        subs["b"]?.generationID = 2
        let followUp = assignor.assign(partitionCounts: counts, subscriptions: subs)
        let second = CooperativeAssignment.withholdingTransfers(assignment: followUp, subscriptions: subs)
        #expect(second.withheld.isEmpty)
        #expect(Set(second.assignment["b"] ?? []) == first.withheld)
        #expect(second.assignment["a"] == first.assignment["a"])
    }
}

@Suite struct PartitionAssignmentStrategyTests {
    @Test func classNamesAndShortNames() throws {
        let assignors = try PartitionAssignmentStrategy.assignors(
            from: " org.apache.kafka.clients.consumer.RoundRobinAssignor , range,cooperative-sticky"
        )
        #expect(assignors.map(\.name) == ["roundrobin", "range", "cooperative-sticky"])
        let defaults = try PartitionAssignmentStrategy.assignors(from: PartitionAssignmentStrategy.defaultValue)
        #expect(defaults.map(\.name) == ["range", "cooperative-sticky"])
        #expect(
            try PartitionAssignmentStrategy.assignor(
                named: "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"
            ).name
                == "cooperative-sticky"
        )
    }

    @Test func rebalanceProtocolIsTheNewestAllSupport() throws {
        #expect(try PartitionAssignmentStrategy.rebalanceProtocol(for: [CooperativeStickyAssignor()]) == .cooperative)
        // Kafka's default list runs eagerly until range is removed.
        #expect(
            try PartitionAssignmentStrategy.rebalanceProtocol(for: [RangeAssignor(), CooperativeStickyAssignor()])
                == .eager
        )
        #expect(throws: KafkaError.self) { try PartitionAssignmentStrategy.rebalanceProtocol(for: []) }
    }

    @Test(arguments: [
        ("org.apache.kafka.clients.consumer.StickyAssignor", "CooperativeStickyAssignor"),
        ("sticky", "not supported"),
        ("Range", "org.apache.kafka.clients.consumer.RangeAssignor (range)"),
        ("com.example.MyAssignor", "roundrobin"),
        (" , ", "no assignor"),
        ("range,org.apache.kafka.clients.consumer.RangeAssignor", "more than once"),
    ])
    func rejectsWithAnErrorNamingTheFix(value: String, mention: String) {
        do {
            _ = try PartitionAssignmentStrategy.assignors(from: value)
            Issue.record("'\(value)' was accepted")
        } catch let KafkaError.invalidConfiguration(property, reason) {
            #expect(property == "partition.assignment.strategy")
            #expect(reason.contains(mention), "\(reason)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
