import IntegrityKit
import Synchronization

/// A `MonotonicClock` that moves only when told, recording every wait, so tests check exact
/// backoff delays, cool-downs and rate-limit pauses without waiting.
///
/// - `autoAdvance: true` (default): `sleep` and `blockingSleep` record the duration and move
///   the clock forward by it at once — time passes exactly as the code asked.
/// - `autoAdvance: false`: `sleep` suspends until `advance(by:)` moves the clock past its
///   deadline (for background loops a test steps through); `blockingSleep` still advances.
public final class ManualClock: MonotonicClock, Sendable {
    struct Sleeper {
        let id: Int
        let deadline: Duration
        let continuation: CheckedContinuation<Void, any Error>
    }

    struct State {
        var now: Duration
        var sleeps: [Duration] = []
        var blockingSleeps: [Duration] = []
        var sleepers: [Sleeper] = []
        var nextID = 0
    }

    public let autoAdvance: Bool
    private let state: Mutex<State>

    public init(start: Duration = .seconds(1_000), autoAdvance: Bool = true) {
        self.autoAdvance = autoAdvance
        self.state = Mutex(State(now: start))
    }

    public func now() -> Duration { state.withLock { $0.now } }

    /// Every `sleep` duration asked for, in order.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }
    /// Every `blockingSleep` duration asked for, in order.
    public var blockingSleeps: [Duration] { state.withLock { $0.blockingSleeps } }
    /// Tasks currently suspended in `sleep` (only with `autoAdvance: false`).
    public var pendingSleepers: Int { state.withLock { $0.sleepers.count } }

    /// Moves the clock forward and wakes every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        let woken = state.withLock { state -> [Sleeper] in
            state.now += duration
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        if autoAdvance {
            state.withLock { state in
                state.sleeps.append(duration)
                state.now += max(.zero, duration)
            }
            await Task.yield()
            return
        }
        let id = state.withLock { state -> Int in
            state.sleeps.append(duration)
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Bool in
                    let deadline = state.now + duration
                    if deadline <= state.now { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    public func blockingSleep(for duration: Duration) {
        state.withLock { state in
            state.blockingSleeps.append(duration)
            state.now += max(.zero, duration)
        }
    }

    /// Waits (yielding) until `count` tasks are suspended in `sleep`.
    public func waitForSleepers(_ count: Int = 1) async {
        while pendingSleepers < count { await Task.yield() }
    }
}
