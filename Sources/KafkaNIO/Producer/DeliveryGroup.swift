import NIOConcurrencyHelpers

/// Collects the delivery results of records sent together and wakes the one task waiting for all
/// of them: one continuation per `send(contentsOf:)` call, not one per record.
///
/// Results are kept without their topic (one topic string per completed partition batch), and the
/// ``RecordMetadata`` values are built by the waiting task: the sender's event loop thread then never
/// retains a topic string per record, which the producing thread retains for every new record too
/// (the reference count bouncing between cores cost the Connect source pipeline noticeably).
final class DeliveryGroup: Sendable {
    /// One record's result, its topic an index into the group's topics.
    enum Outcome: Sendable {
        case pending
        case delivered(topic: Int32, partition: Int32, offset: Int64, timestamp: Int64)
        case failed(KafkaError)
    }

    private struct State {
        var outcomes: [Outcome]
        var topics: [String] = []
        var remaining: Int
        var continuation: CheckedContinuation<([Outcome], [String]), Never>?
        var isFinished: Bool
    }

    private let state: NIOLockedValueBox<State>

    init(count: Int) {
        self.state = NIOLockedValueBox(
            State(
                outcomes: Array(repeating: .pending, count: count),
                remaining: count,
                continuation: nil,
                isFinished: count == 0
            )
        )
    }

    /// Records `indices` were delivered to `topic`/`partition`; `offsetAndTimestamp` gives each one's
    /// offset and timestamp from its position among `indices`.
    func deliver(
        _ indices: [Int],
        topic: String,
        partition: Int32,
        offsetAndTimestamp: (Int) -> (offset: Int64, timestamp: Int64)
    ) {
        self.update { state in
            let topicIndex = Int32(state.topics.count)
            state.topics.append(topic)
            for (position, index) in indices.enumerated() {
                if case .pending = state.outcomes[index] { state.remaining -= 1 }
                let (offset, timestamp) = offsetAndTimestamp(position)
                state.outcomes[index] = .delivered(
                    topic: topicIndex,
                    partition: partition,
                    offset: offset,
                    timestamp: timestamp
                )
            }
        }
    }

    /// Records `indices` failed with `error`.
    func fail(_ indices: some Sequence<Int>, with error: KafkaError) {
        self.update { state in
            for index in indices {
                if case .pending = state.outcomes[index] { state.remaining -= 1 }
                state.outcomes[index] = .failed(error)
            }
        }
    }

    /// Applies `change`; the last result resumes the waiter (outside the lock).
    private func update(_ change: (inout State) -> Void) {
        let resume = self.state.withLockedValue {
            state -> (CheckedContinuation<([Outcome], [String]), Never>, [Outcome], [String])? in
            change(&state)
            guard state.remaining == 0, !state.isFinished else { return nil }
            state.isFinished = true
            guard let continuation = state.continuation else { return nil }
            state.continuation = nil
            return (continuation, state.outcomes, state.topics)
        }
        if let (continuation, outcomes, topics) = resume { continuation.resume(returning: (outcomes, topics)) }
    }

    /// Waits until every record has a result; builds the results on the caller's thread.
    func wait() async -> [Result<RecordMetadata, KafkaError>] {
        let (outcomes, topics) = await withCheckedContinuation { continuation in
            let done = self.state.withLockedValue { state -> ([Outcome], [String])? in
                if state.isFinished { return (state.outcomes, state.topics) }
                state.continuation = continuation
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
        return outcomes.map { outcome in
            switch outcome {
            case .delivered(let topic, let partition, let offset, let timestamp):
                .success(
                    RecordMetadata(
                        topic: topics[Int(topic)],
                        partition: partition,
                        offset: offset,
                        timestamp: timestamp
                    )
                )
            case .failed(let error): .failure(error)
            case .pending: .failure(.shutDown)
            }
        }
    }
}
