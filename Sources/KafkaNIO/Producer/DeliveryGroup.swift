import NIOConcurrencyHelpers

/// Collects the delivery results of records sent together and wakes the one task waiting for all
/// of them: one continuation per `send(contentsOf:)` call, not one per record.
final class DeliveryGroup: Sendable {
    private struct State {
        var results: [Result<RecordMetadata, KafkaError>?]
        var remaining: Int
        var continuation: CheckedContinuation<[Result<RecordMetadata, KafkaError>], Never>?
        var finished: [Result<RecordMetadata, KafkaError>]?
    }

    private let state: NIOLockedValueBox<State>

    init(count: Int) {
        self.state = NIOLockedValueBox(
            State(
                results: Array(repeating: nil, count: count),
                remaining: count,
                continuation: nil,
                finished: count == 0 ? [] : nil
            )
        )
    }

    /// Stores the results of records `indices`; the last one resumes the waiter.
    func complete(_ indices: some Sequence<Int>, with result: (Int, Int) -> Result<RecordMetadata, KafkaError>) {
        let resume = self.state.withLockedValue {
            state -> (
                CheckedContinuation<[Result<RecordMetadata, KafkaError>], Never>, [Result<RecordMetadata, KafkaError>]
            )? in
            var position = 0
            for index in indices {
                if state.results[index] == nil { state.remaining -= 1 }
                state.results[index] = result(position, index)
                position += 1
            }
            guard state.remaining == 0, state.finished == nil else { return nil }
            let all = state.results.map { $0 ?? .failure(KafkaError.shutDown) }
            state.finished = all
            guard let continuation = state.continuation else { return nil }
            state.continuation = nil
            return (continuation, all)
        }
        if let (continuation, all) = resume { continuation.resume(returning: all) }
    }

    /// Waits until every record has a result.
    func wait() async -> [Result<RecordMetadata, KafkaError>] {
        await withCheckedContinuation { continuation in
            let done = self.state.withLockedValue { state -> [Result<RecordMetadata, KafkaError>]? in
                if let finished = state.finished { return finished }
                state.continuation = continuation
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }
}
