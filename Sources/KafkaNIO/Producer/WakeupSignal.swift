import NIOConcurrencyHelpers
import NIOCore

/// Wakes one waiting task, or remembers the signal if nobody waits yet; a wait can have a deadline.
final class WakeupSignal: Sendable {
    private struct State {
        var pending = false
        var continuation: CheckedContinuation<Void, Never>?
    }

    private let state = NIOLockedValueBox(State())
    private let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func signal() {
        let continuation = self.state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            if let continuation = state.continuation {
                state.continuation = nil
                return continuation
            }
            state.pending = true
            return nil
        }
        continuation?.resume()
    }

    /// Returns after a signal, or after `timeout` if one is given.
    func wait(timeout: Duration?) async {
        let timer: Scheduled<Void>? = timeout.map { timeout in
            let nanoseconds = max(
                Int64(0),
                timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
            )
            return self.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) { [self] in self.signal() }
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = self.state.withLockedValue { state -> Bool in
                if state.pending {
                    state.pending = false
                    return true
                }
                state.continuation = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        timer?.cancel()
        // A timer that fired after the signal leaves a stale pending flag; that only costs one
        // extra loop in the waiter, which re-checks its state anyway.
    }
}
