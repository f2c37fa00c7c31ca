import MantisCore
import Synchronization

/// Limits a flow of bytes (or any unit) to `rate` per second with bursts of up to `burst`.
///
/// The bucket holds up to `burst` tokens and refills at `rate` per second. Taking more tokens
/// than it holds is allowed — the bucket goes into debt and the caller waits until the debt is
/// repaid — so a single large read is never refused, only paced: over any interval the total
/// taken is at most `burst + rate · elapsed`. Time comes from the injected clock, so tests check
/// the exact waits. Thread-safe.
public final class TokenBucket: Sendable {
    /// Tokens per second.
    public let rate: Int
    public let burst: Int
    let clock: any MonotonicClock
    let state: Mutex<(tokens: Double, refilledAt: Duration)>

    /// - Precondition: `rate > 0`, `burst >= 0`. The bucket starts full.
    public init(rate: Int, burst: Int, clock: any MonotonicClock) {
        precondition(rate > 0 && burst >= 0, "a token bucket needs a positive rate and a non-negative burst")
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.state = Mutex((tokens: Double(burst), refilledAt: clock.now()))
    }

    /// Takes `count` tokens now and returns how long the caller must wait before using them
    /// (zero if the bucket held enough).
    public func reserve(_ count: Int) -> Duration {
        let now = clock.now()
        return state.withLock { state in
            let elapsed = max(0, (now - state.refilledAt).seconds)
            state.tokens = min(Double(burst), state.tokens + elapsed * Double(rate))
            state.refilledAt = now
            state.tokens -= Double(count)
            guard state.tokens < 0 else { return .zero }
            return .nanoseconds(Int64((-state.tokens / Double(rate) * 1e9).rounded(.up)))
        }
    }

    /// Takes `count` tokens, blocking the calling thread as long as needed (dedicated I/O
    /// threads only).
    public func acquireBlocking(_ count: Int) {
        let wait = reserve(count)
        if wait > .zero { clock.blockingSleep(for: wait) }
    }

    /// As `acquireBlocking(_:)`, sleeping in slices of at most `slice` and returning early (the
    /// tokens stay taken) as soon as `stop` returns true: a paced reader that is cancelled stops
    /// within a slice, not after its whole wait.
    public func acquireBlocking(_ count: Int, slice: Duration = .milliseconds(50), stoppingWhen stop: () -> Bool) {
        var remaining = reserve(count)
        while remaining > .zero, !stop() {
            let step = min(remaining, slice)
            clock.blockingSleep(for: step)
            remaining -= step
        }
    }

    /// Takes `count` tokens, suspending the task as long as needed.
    public func acquire(_ count: Int) async throws {
        let wait = reserve(count)
        if wait > .zero { try await clock.sleep(for: wait) }
    }
}
