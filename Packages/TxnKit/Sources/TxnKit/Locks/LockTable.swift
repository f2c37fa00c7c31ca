import MantisCore
import Synchronization

/// The lock table every lock manager here is built on: per key the holders and a FIFO queue of
/// waiters, all behind one mutex, with `Policy` deciding what happens when a request must wait.
///
/// A waiting request is a `CheckedContinuation` in the key's queue (the task is suspended, no
/// thread blocks) plus a timer task that ends the wait at its timeout; it ends exactly once, by
/// grant, timeout, cancellation, a policy's verdict or `releaseAll`, whichever takes it out of
/// the queue first under the mutex. Continuations are resumed after the mutex is released.
final class LockTable<Policy: DeadlockPolicy>: Sendable {
    let policy: Policy
    let defaultTimeout: Duration
    private let state = Mutex(LockState())
    /// `state.aborted.count`, published under the mutex: lets `isAborted` skip the mutex in the
    /// common case that nobody is marked aborted.
    private let abortedCount = Atomic<Int>(0)

    init(policy: Policy, defaultTimeout: Duration) {
        self.policy = policy
        self.defaultTimeout = defaultTimeout
    }

    func lock(_ key: [UInt8], mode: LockMode, for transaction: TransactionID, timeout: Duration?) async throws {
        let request = LockRequest(key: key, mode: mode, transaction: transaction, timeout: timeout ?? defaultTimeout)
        // Fast path: granted (or refused) without a continuation.
        let id: UInt64? = try state.withLock { state in
            if let reason = state.aborted[transaction] { throw reason.locking(key) }
            return state.grantAtOnce(request) ? nil : state.makeRequestID()
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Task.isCancelled is read under the mutex: a cancellation handler that ran
                // before this found nothing to cancel, but set the flag first.
                let effects = mutate { state in
                    var effects = LockEffects()
                    state.wait(
                        request, id: id, continuation: continuation, isCancelled: Task.isCancelled,
                        policy: policy, effects: &effects
                    )
                    if state.isPending(id) {
                        state.setTimer(startTimer(for: id, after: request.timeout), for: id)
                    }
                    return effects
                }
                effects.run()
            }
        } onCancel: {
            end(id, because: .cancelled)
        }
    }

    func releaseAll(for transaction: TransactionID) {
        let effects = mutate { state in
            var effects = LockEffects()
            state.releaseAll(for: transaction, effects: &effects)
            return effects
        }
        effects.run()
    }

    func isAborted(_ transaction: TransactionID) -> Bool {
        guard abortedCount.load(ordering: .acquiring) > 0 else { return false }
        return state.withLock { $0.aborted[transaction] != nil }
    }

    func snapshot() -> LockTableSnapshot {
        state.withLock { $0.snapshot() }
    }

    /// True when the table keeps no state at all (for tests of its bookkeeping).
    var isEmpty: Bool {
        state.withLock { $0.isEmpty }
    }

    private func end(_ id: UInt64, because reason: LockState.WaitEnd) {
        let effects = mutate { state in
            var effects = LockEffects()
            state.end(id, because: reason, effects: &effects)
            return effects
        }
        effects.run()
    }

    /// Runs `body` under the mutex, then publishes the aborted count (still under the mutex).
    private func mutate<T>(_ body: (inout LockState) -> T) -> T {
        state.withLock { state in
            let result = body(&state)
            abortedCount.store(state.aborted.count, ordering: .releasing)
            return result
        }
    }

    private func startTimer(for id: UInt64, after timeout: Duration) -> Task<Void, Never> {
        Task { [weak self] in
            do {
                try await Task.sleep(for: timeout)
            } catch {
                return  // the wait ended first and cancelled its timer
            }
            self?.end(id, because: .timedOut)
        }
    }
}
