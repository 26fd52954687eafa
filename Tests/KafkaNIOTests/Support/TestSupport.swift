import KafkaNIO
import KafkaProtocol
import NIOCore
import Synchronization
import Testing

/// An operation did not finish within its time limit.
struct TimedOut: Error, CustomStringConvertible {
    var limit: Duration
    var description: String { "did not finish within \(self.limit)" }
}

/// Runs `operation`, failing with ``TimedOut`` once `limit` has passed.
///
/// The limit only detects hangs: it is generous (30 s) so that a machine busy with other builds
/// does not fail tests that take well under a second when idle.
///
/// The operation runs in its own task and the caller is resumed by whichever comes first, so an
/// operation that ignores cancellation (an NIO future, say) cannot hang the test: at worst it is
/// left running in the background.
func withTimeout<T: Sendable>(
    _ limit: Duration = .seconds(30),
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let race = Race(continuation)
        let work = Task {
            do {
                race.finish(.success(try await operation()))
            } catch {
                race.finish(.failure(error))
            }
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            if race.finish(.failure(TimedOut(limit: limit))) { work.cancel() }
        }
        race.onFinish { timer.cancel() }
    }
}

/// Resumes a continuation once, with whichever result comes first.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var onFinish: (@Sendable () -> Void)?
    }

    private let state: Mutex<State>

    init(_ continuation: CheckedContinuation<T, any Error>) {
        self.state = Mutex(State(continuation: continuation))
    }

    /// Runs `action` when the race finishes (at once if it already has).
    func onFinish(_ action: @escaping @Sendable () -> Void) {
        let finished = self.state.withLock { state -> Bool in
            if state.continuation == nil { return true }
            state.onFinish = action
            return false
        }
        if finished { action() }
    }

    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        let (continuation, action) = self.state.withLock { state in
            defer {
                state.continuation = nil
                state.onFinish = nil
            }
            return (state.continuation, state.onFinish)
        }
        guard let continuation else { return false }
        continuation.resume(with: result)
        action?()
        return true
    }
}

/// Runs `operation` (bounded by `limit`) and returns the ``KafkaError`` it throws. Records an issue
/// and returns nil if it succeeds, times out, or throws anything else.
func kafkaError<T: Sendable>(
    within limit: Duration = .seconds(30),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ operation: @escaping @Sendable () async throws -> T
) async -> KafkaError? {
    do {
        let value = try await withTimeout(limit, operation)
        Issue.record("expected a KafkaError, got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch let error as KafkaError {
        return error
    } catch {
        Issue.record("expected a KafkaError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Waits (bounded) until `condition` holds, checking every few milliseconds.
func eventually(
    within limit: Duration = .seconds(30),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: @escaping @Sendable () async -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while !(await condition()) {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within \(limit)", sourceLocation: sourceLocation)
            throw TimedOut(limit: limit)
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// A small deterministic random number generator (SplitMix64), for reproducible fuzzing.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension ByteBuffer {
    /// The readable bytes as a string (test values are UTF-8).
    var text: String { String(buffer: self) }
}

extension Optional where Wrapped == ByteBuffer {
    var text: String? { self.map { String(buffer: $0) } }
}

/// A client configuration for a fake broker, with short timeouts and backoffs.
func clientConfiguration(
    _ broker: FakeKafkaBroker,
    requestTimeoutMs: Int = 5_000
) -> KafkaClientConfiguration {
    var configuration = KafkaClientConfiguration(bootstrapServers: [broker.address])
    configuration.clientID = "kafka-nio-tests"
    configuration.requestTimeoutMs = requestTimeoutMs
    configuration.retryBackoffMs = 10
    configuration.retryBackoffMaxMs = 50
    configuration.socketConnectionSetupTimeoutMs = 2_000
    return configuration
}

/// A record batch (magic v2) holding `values` at offsets from `baseOffset`.
func recordBatch(baseOffset: Int64, values: [String], timestamp: Int64 = 1_700_000_000_000) throws -> ByteBuffer {
    var builder = RecordBatchBuilder(baseOffset: baseOffset)
    for (index, value) in values.enumerated() {
        builder.append(
            timestamp: timestamp + Int64(index),
            key: ByteBuffer(string: "k\(index)"),
            value: ByteBuffer(string: value)
        )
    }
    return try builder.build()
}

/// Every record in Fetch- or Produce-style record bytes.
func decodeRecords(_ bytes: ByteBuffer?) throws -> [Record] {
    guard let bytes else { return [] }
    var reader = RecordBatchReader(bytes)
    var records: [Record] = []
    while let batch = try reader.next() { records.append(contentsOf: batch.records) }
    return records
}

/// Runs `body` with a fresh fake broker, shut down afterwards whatever happens.
func withFakeBroker<T>(
    topics: [String: Int32] = [:],
    apiVersions: [Int16: ClosedRange<Int16>] = FakeKafkaBroker.defaultApiVersions,
    script: @escaping FakeKafkaBroker.Script = { _ in .standard },
    _ body: (FakeKafkaBroker) async throws -> T
) async throws -> T {
    let broker = try await FakeKafkaBroker.start(topics: topics, apiVersions: apiVersions, script: script)
    do {
        let result = try await body(broker)
        await broker.shutdown()
        return result
    } catch {
        await broker.shutdown()
        throw error
    }
}

/// Runs `body` with a producer, closed afterwards (bounded) whatever happens.
func withProducer<T>(
    _ configuration: KafkaProducerConfiguration,
    _ body: (KafkaProducer) async throws -> T
) async throws -> T {
    let producer = KafkaProducer(configuration: configuration)
    do {
        let result = try await body(producer)
        try await withTimeout(.seconds(10)) { await producer.close() }
        return result
    } catch {
        _ = try? await withTimeout(.seconds(10)) { await producer.close() }
        throw error
    }
}

/// Runs `body` with a consumer, closed afterwards (bounded) whatever happens.
func withConsumer<T>(
    _ configuration: KafkaConsumerConfiguration,
    _ body: (KafkaConsumer) async throws -> T
) async throws -> T {
    let consumer = KafkaConsumer(configuration: configuration)
    do {
        let result = try await body(consumer)
        try await withTimeout(.seconds(10)) { await consumer.close() }
        return result
    } catch {
        _ = try? await withTimeout(.seconds(10)) { await consumer.close() }
        throw error
    }
}

/// Opens a connection to the fake broker directly (ApiVersions negotiated), bounded. The request
/// timeout is generous so that only what a test scripts ends a request; tests of timeouts pass theirs.
func connect(_ broker: FakeKafkaBroker, requestTimeoutMs: Int = 30_000) async throws -> BrokerConnection {
    let configuration = clientConfiguration(broker, requestTimeoutMs: requestTimeoutMs)
    return try await withTimeout {
        try await BrokerConnection.connect(
            to: configuration.bootstrapServers[0],
            nodeID: FakeKafkaBroker.nodeID,
            configuration: configuration
        )
    }
}
