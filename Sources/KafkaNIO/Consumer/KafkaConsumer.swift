import KafkaProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Where to move a partition's position.
public enum KafkaSeekPosition: Sendable, Hashable {
    case earliest
    case latest
    case offset(Int64)
    /// The earliest offset whose timestamp is at or after this many milliseconds since the epoch.
    case timestamp(Int64)
}

/// Reads records from assigned partitions (assign mode; consumer groups build on it).
///
/// A background fetcher keeps one Fetch request in flight per broker while earlier results wait
/// in a buffer, so decoding and fetching overlap with the caller's processing. ``poll()`` hands out
/// buffered records; ``records`` is the same as an `AsyncSequence`.
public final class KafkaConsumer: Sendable {
    public let configuration: KafkaConsumerConfiguration
    public let cluster: KafkaCluster
    private let ownsCluster: Bool
    let logger: Logger

    struct State: Sendable {
        var fetch: FetchState
        var pollWaiter: CheckedContinuation<Void, Never>?
        var isClosed = false
    }

    let state: NIOLockedValueBox<State>
    let fetcherWakeup: WakeupSignal
    private let fetcherTask: NIOLockedValueBox<Task<Void, Never>?> = NIOLockedValueBox(nil)
    /// Consumer-group state (subscribe mode); see KafkaConsumer+Group.swift.
    let group = NIOLockedValueBox(ConsumerGroupState())
    let groupWakeup = WakeupSignal(eventLoop: MultiThreadedEventLoopGroup.singleton.next())

    public init(
        configuration: KafkaConsumerConfiguration,
        cluster: KafkaCluster? = nil,
        logger: Logger = Logger(label: "swift-connect.kafka.consumer")
    ) {
        self.configuration = configuration
        self.state = NIOLockedValueBox(
            State(fetch: FetchState(readCommitted: configuration.isolationLevel == .readCommitted))
        )
        self.cluster = cluster ?? KafkaCluster(configuration: configuration.client, logger: logger)
        self.ownsCluster = cluster == nil
        self.logger = logger
        self.fetcherWakeup = WakeupSignal(eventLoop: MultiThreadedEventLoopGroup.singleton.next())
        // The consumer owns the fetcher task; close() cancels and awaits it.
        let task = Task { [self] in await self.runFetcher() }
        self.fetcherTask.withLockedValue { $0 = task }
    }

    var defaultReset: FetchState.SeekTarget? {
        switch self.configuration.autoOffsetReset {
        case .earliest: return .earliest
        case .latest: return .latest
        case .none: return nil
        }
    }

    // MARK: Assignment and positions

    /// Replaces the set of partitions read. New partitions start per `auto.offset.reset` unless
    /// sought; partitions kept keep their position.
    public func assign(_ topicPartitions: [TopicPartition]) {
        let reset = self.defaultReset
        self.state.withLockedValue { $0.fetch.assign(topicPartitions, defaultReset: reset) }
        self.fetcherWakeup.signal()
    }

    /// The partitions currently assigned.
    public var assignment: [TopicPartition] {
        self.state.withLockedValue { $0.fetch.assignment }
    }

    /// Moves a partition's position. Earliest, latest and timestamp positions are looked up with
    /// ListOffsets before this returns.
    public func seek(_ topicPartition: TopicPartition, to position: KafkaSeekPosition) async throws {
        let offset: Int64
        switch position {
        case .offset(let value):
            offset = value
        case .earliest:
            offset = try await self.lookUpOffset(topicPartition, target: .earliest)
        case .latest:
            offset = try await self.lookUpOffset(topicPartition, target: .latest)
        case .timestamp(let time):
            offset = try await self.lookUpOffset(topicPartition, target: .timestamp(time))
        }
        let assigned = self.state.withLockedValue { state -> Bool in
            guard state.fetch.partitions[topicPartition] != nil else { return false }
            state.fetch.seek(topicPartition, to: offset)
            return true
        }
        guard assigned else {
            throw KafkaError.invalidArgument("seek on \(topicPartition), which is not assigned; assign it first")
        }
        self.fetcherWakeup.signal()
    }

    /// Stops fetching and returning records of these partitions until ``resume(_:)``.
    public func pause(_ topicPartitions: [TopicPartition]) {
        self.state.withLockedValue { $0.fetch.setPaused(topicPartitions, true) }
    }

    public func resume(_ topicPartitions: [TopicPartition]) {
        self.state.withLockedValue { $0.fetch.setPaused(topicPartitions, false) }
        self.fetcherWakeup.signal()
        self.wakePoller()
    }

    /// The offset of the next record ``poll()`` returns for the partition, once known.
    public func position(_ topicPartition: TopicPartition) -> Int64? {
        self.state.withLockedValue { $0.fetch.partitions[topicPartition]?.position }
    }

    /// How far the position trails the end of readable data as of the last fetch: the high
    /// watermark, or under `isolation.level=read_committed` the last stable offset (as Kafka).
    public func lag(_ topicPartition: TopicPartition) -> Int64? {
        self.state.withLockedValue { $0.fetch.partitions[topicPartition]?.lag }
    }

    /// The partition's last stable offset as of the last fetch (read_committed reads stop there:
    /// records of transactions still open lie beyond it); nil until a fetch reported one.
    public func lastStableOffset(_ topicPartition: TopicPartition) -> Int64? {
        self.state.withLockedValue { $0.fetch.partitions[topicPartition]?.lastStableOffset }
    }

    /// The partition's high watermark as of the last fetch.
    public func highWatermark(_ topicPartition: TopicPartition) -> Int64? {
        self.state.withLockedValue { $0.fetch.partitions[topicPartition]?.highWatermark }
    }

    // MARK: Polling

    /// Waits until records are available and returns up to `max.poll.records` of them.
    /// - Throws: a non-retriable fetch error (for example OFFSET_OUT_OF_RANGE with
    ///   `auto.offset.reset=none`), once; `CancellationError` if the calling task is cancelled.
    public func poll() async throws -> [KafkaConsumerRecord] {
        let maxRecords = self.configuration.maxPollRecords
        self.pollStarted()
        defer { self.pollEnded() }
        while true {
            try Task.checkCancellation()
            let (records, error, closed) = self.state.withLockedValue { state in
                let error = state.fetch.error
                state.fetch.error = nil
                return (state.fetch.takeRecords(maxRecords: maxRecords), error, state.isClosed)
            }
            if let error { throw error }
            if !records.isEmpty {
                self.fetcherWakeup.signal()
                return records
            }
            if closed { throw KafkaError.shutDown }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = self.state.withLockedValue { state -> Bool in
                        if state.fetch.hasDeliverableRecords || state.fetch.error != nil || state.isClosed
                            || Task.isCancelled
                        {
                            return true
                        }
                        state.pollWaiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                self.wakePoller()
            }
        }
    }

    /// Like ``poll()``, but returns an empty array when no record arrives within `timeout`.
    public func poll(timeout: Duration) async throws -> [KafkaConsumerRecord] {
        try await withThrowingTaskGroup(of: [KafkaConsumerRecord]?.self) { group in
            group.addTask { try await self.poll() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { return [] }
            if let records = first { return records }
            // The timer won; poll() ends on cancellation without taking records.
            group.cancelAll()
            while let next = try? await group.next() {
                if let records = next { return records }
            }
            return []
        }
    }

    /// Every record, in order per partition, as an `AsyncSequence`.
    public var records: KafkaConsumerRecords { KafkaConsumerRecords(consumer: self) }

    /// Leaves the group (committing first with `enable.auto.commit`), stops fetching and, if the
    /// consumer made it, closes the cluster connections.
    public func close() async {
        await self.closeGroup()
        self.state.withLockedValue { $0.isClosed = true }
        let task = self.fetcherTask.withLockedValue { $0 }
        task?.cancel()
        self.fetcherWakeup.signal()
        self.wakePoller()
        await task?.value
        if self.ownsCluster { await self.cluster.shutdown() }
    }

    func wakePoller() {
        let waiter = self.state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            defer { state.pollWaiter = nil }
            return state.pollWaiter
        }
        waiter?.resume()
    }

    // MARK: Offset lookups

    private func lookUpOffset(_ topicPartition: TopicPartition, target: FetchState.SeekTarget) async throws -> Int64 {
        let timestamp: Int64
        switch target {
        case .earliest: timestamp = -2
        case .latest: timestamp = -1
        case .timestamp(let value): timestamp = value
        }
        let result = try await KafkaOffsetLookup.listOffsets(
            cluster: self.cluster,
            [topicPartition: timestamp],
            isolationLevel: self.configuration.isolationLevel
        )
        guard let found = result[topicPartition] else {
            throw KafkaError.unknownTopicOrPartition(topic: topicPartition.topic, partition: topicPartition.partition)
        }
        if found.offset < 0, case .timestamp = target {
            // No record at or after the timestamp: Kafka's consumer then moves to the end.
            return try await self.lookUpOffset(topicPartition, target: .latest)
        }
        return found.offset
    }

    // MARK: Fetcher

    private func runFetcher() async {
        let maxBuffered = max(self.configuration.maxPollRecords * 4, 10_000)
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let closed = self.state.withLockedValue { $0.isClosed }
                if closed { break }
                await self.performPendingResets()
                let metadata = await self.cluster.metadata
                let now = ContinuousClock.now
                var missingLeaders: Set<String> = []
                let byNode = self.state.withLockedValue {
                    state -> [Int32: [(TopicPartition, offset: Int64, epoch: Int)]] in
                    var byNode: [Int32: [(TopicPartition, offset: Int64, epoch: Int)]] = [:]
                    for entry in state.fetch.startFetch(
                        now: now,
                        maxBufferedRecords: maxBuffered,
                        caughtUpInterval: .milliseconds(self.configuration.fetchMaxWaitMs)
                    ) {
                        if let leader = metadata.leader(of: entry.0) {
                            byNode[leader.nodeID, default: []].append(entry)
                        } else {
                            missingLeaders.insert(entry.0.topic)
                            state.fetch.fetchFailed(entry.0, epoch: entry.epoch, retryAt: now)
                        }
                    }
                    return byNode
                }
                if !missingLeaders.isEmpty {
                    do {
                        _ = try await self.cluster.metadata(for: Array(missingLeaders))
                    } catch {
                        self.logger.debug("metadata refresh failed", metadata: ["error": "\(error)"])
                        try? await Task.sleep(for: self.configuration.client.retryBackoff(attempt: 1))
                    }
                    continue
                }
                for (node, partitions) in byNode {
                    group.addTask { await self.fetch(from: node, partitions) }
                }
                if byNode.isEmpty {
                    await self.fetcherWakeup.wait(timeout: .milliseconds(self.configuration.client.retryBackoffMs))
                } else {
                    // Wait for any fetch to finish (or a seek/assign) before planning the next round.
                    await self.fetcherWakeup.wait(
                        timeout: .milliseconds(
                            self.configuration.fetchMaxWaitMs + self.configuration.client.requestTimeoutMs
                        )
                    )
                }
            }
            group.cancelAll()
        }
    }

    private func performPendingResets() async {
        let pending = self.state.withLockedValue { $0.fetch.pendingResets() }
        guard !pending.isEmpty else { return }
        for (topicPartition, target, epoch) in pending {
            do {
                let offset = try await self.lookUpOffset(topicPartition, target: target)
                self.state.withLockedValue { $0.fetch.resetCompleted(topicPartition, offset: offset, epoch: epoch) }
            } catch {
                self.logger.debug(
                    "offset lookup failed",
                    metadata: ["partition": "\(topicPartition)", "error": "\(error)"]
                )
                if let kafkaError = error as? KafkaError, !kafkaError.isRetriable {
                    self.failPoll(kafkaError)
                }
                try? await Task.sleep(for: self.configuration.client.retryBackoff(attempt: 1))
            }
        }
    }

    func failPoll(_ error: KafkaError) {
        self.state.withLockedValue { $0.fetch.error = error }
        self.wakePoller()
    }

    private func fetch(from node: Int32, _ partitions: [(TopicPartition, offset: Int64, epoch: Int)]) async {
        var topics: [String: [FetchRequest.FetchTopic.FetchPartition]] = [:]
        var topicOrder: [String] = []
        for (topicPartition, offset, _) in partitions {
            if topics[topicPartition.topic] == nil { topicOrder.append(topicPartition.topic) }
            topics[topicPartition.topic, default: []].append(
                .init(
                    partition: topicPartition.partition,
                    fetchOffset: offset,
                    partitionMaxBytes: Int32(clamping: self.configuration.maxPartitionFetchBytes)
                )
            )
        }
        let request = FetchRequest(
            maxWaitMs: Int32(clamping: self.configuration.fetchMaxWaitMs),
            minBytes: Int32(clamping: self.configuration.fetchMinBytes),
            maxBytes: Int32(clamping: self.configuration.fetchMaxBytes),
            isolationLevel: self.configuration.isolationLevel.rawValue,
            topics: topicOrder.map { FetchRequest.FetchTopic(topic: $0, partitions: topics[$0] ?? []) },
            rackId: self.configuration.clientRack
        )
        let epochs = Dictionary(partitions.map { ($0.0, $0.epoch) }, uniquingKeysWith: { first, _ in first })
        let offsets = Dictionary(partitions.map { ($0.0, $0.offset) }, uniquingKeysWith: { first, _ in first })
        let retryAt = ContinuousClock.now + self.configuration.client.retryBackoff(attempt: 1)
        let response: FetchResponse
        var connection: BrokerConnection?
        do {
            let leader = try await self.cluster.connection(to: node)
            connection = leader
            response = try await leader.send(request)
            try KafkaError.check(response.errorCode)
        } catch {
            if let connection, (error as? KafkaError)?.isRetriable ?? true {
                await self.cluster.connectionFailed(connection)
            }
            self.logger.debug("fetch failed", metadata: ["node": "\(node)", "error": "\(error)"])
            self.state.withLockedValue { state in
                for (topicPartition, _, epoch) in partitions {
                    state.fetch.fetchFailed(topicPartition, epoch: epoch, retryAt: retryAt)
                }
            }
            self.fetcherWakeup.signal()
            return
        }

        var answered: Set<TopicPartition> = []
        var results: [CompletedFetch] = []
        var failures: [(TopicPartition, KafkaErrorCode)] = []
        for topic in response.responses {
            for partition in topic.partitions {
                let topicPartition = TopicPartition(topic.topic, partition.partitionIndex)
                guard let epoch = epochs[topicPartition], let fetchOffset = offsets[topicPartition] else { continue }
                answered.insert(topicPartition)
                let code = KafkaErrorCode(rawValue: partition.errorCode)
                guard code == .noError else {
                    failures.append((topicPartition, code))
                    continue
                }
                do {
                    // read_committed: the aborted transactions the broker listed (none: an empty list).
                    let aborted: [(producerID: Int64, firstOffset: Int64)]? =
                        self.configuration.isolationLevel == .readCommitted
                        ? (partition.abortedTransactions ?? []).map { ($0.producerId, $0.firstOffset) } : nil
                    let (records, nextOffset) = try FetchState.decodeFetchedRecords(
                        partition.records,
                        topicPartition: topicPartition,
                        fetchOffset: fetchOffset,
                        verifyCRC: self.configuration.checkCRCs,
                        abortedTransactions: aborted
                    )
                    results.append(
                        CompletedFetch(
                            topicPartition: topicPartition,
                            epoch: epoch,
                            records: records,
                            nextOffset: nextOffset,
                            highWatermark: partition.highWatermark,
                            lastStableOffset: partition.lastStableOffset
                        )
                    )
                } catch {
                    let kafkaError = KafkaError.protocolViolation(
                        error as? KafkaProtocolError ?? .corruptRecord("\(error)")
                    )
                    self.failPoll(kafkaError)
                    failures.append((topicPartition, .corruptMessage))
                }
            }
        }
        var invalidate: Set<String> = []
        let resetTarget = self.defaultReset
        var fatal: KafkaError?
        self.state.withLockedValue { state in
            for result in results { state.fetch.fetchCompleted(result) }
            for (topicPartition, code) in failures {
                guard let epoch = epochs[topicPartition] else { continue }
                switch code {
                case .offsetOutOfRange:
                    if let resetTarget {
                        state.fetch.requestReset(topicPartition, to: resetTarget)
                    } else {
                        state.fetch.fetchFailed(topicPartition, epoch: epoch, retryAt: .now + .seconds(3600))
                        fatal = .broker(
                            code,
                            message:
                                "\(topicPartition) at offset \(offsets[topicPartition] ?? -1); auto.offset.reset is none"
                        )
                    }
                default:
                    if code.isRetriable { invalidate.insert(topicPartition.topic) }
                    state.fetch.fetchFailed(topicPartition, epoch: epoch, retryAt: retryAt)
                    if !code.isRetriable, code != .corruptMessage {
                        fatal = .broker(code, message: "fetching \(topicPartition)")
                    }
                }
            }
            for (topicPartition, _, epoch) in partitions where !answered.contains(topicPartition) {
                state.fetch.fetchFailed(topicPartition, epoch: epoch, retryAt: retryAt)
            }
        }
        if let fatal { self.failPoll(fatal) }
        for topic in invalidate { await self.cluster.invalidate(topic: topic) }
        if !results.isEmpty { self.wakePoller() }
        self.fetcherWakeup.signal()
    }
}

/// The records of a ``KafkaConsumer`` as an `AsyncSequence`; iteration ends when the consumer is
/// closed and throws the errors ``KafkaConsumer/poll()`` throws.
public struct KafkaConsumerRecords: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerRecord
    let consumer: KafkaConsumer

    public struct AsyncIterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer
        var buffer: [KafkaConsumerRecord] = []
        var index = 0

        public mutating func next() async throws -> KafkaConsumerRecord? {
            if index < buffer.count {
                defer { index += 1 }
                return buffer[index]
            }
            do {
                buffer = try await consumer.poll()
            } catch KafkaError.shutDown {
                return nil
            }
            index = 1
            return buffer.first
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(consumer: self.consumer) }
}
