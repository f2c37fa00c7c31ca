import MantisCore

extension LockState {
    /// The slow path of `lock`: re-checks what changed since the fast path, queues the request,
    /// and lets `policy` decide on victims. `effects` resumes `continuation` if the wait already
    /// ended; otherwise the request stays pending.
    mutating func wait(
        _ request: LockRequest,
        id: UInt64,
        continuation: CheckedContinuation<Void, any Error>,
        isCancelled: Bool,
        policy: some DeadlockPolicy,
        effects: inout LockEffects
    ) {
        if let reason = aborted[request.transaction] {
            effects.fail(continuation, with: reason.locking(request.key))
            return
        }
        if grantAtOnce(request) {
            effects.grant(continuation)
            return
        }
        if isCancelled {
            effects.fail(continuation, with: CancellationError())
            return
        }
        enqueue(request, id: id, continuation: continuation)
        if request.timeout <= .zero {
            end(id, because: .timedOut, effects: &effects)
            return
        }
        resolveConflict(of: id, with: policy, effects: &effects)
    }

    enum WaitEnd { case timedOut, cancelled }

    /// Ends the wait of request `id` at its timeout or on cancellation (no-op if it already ended).
    mutating func end(_ id: UInt64, because reason: WaitEnd, effects: inout LockEffects) {
        guard let request = pending[id],
              let lock = keys[KeyBytes(request.key)],
              let index = lock.index(of: id) else { return }
        let error: any Error
        switch reason {
        case .cancelled:
            error = CancellationError()
        case .timedOut:
            let waiter = lock.queue[index]
            error = MantisError.lockTimeout(
                waiter.transaction, mode: waiter.mode, key: request.key,
                after: waiter.timeout, blockers: lock.blockers(ofWaiterAt: index)
            )
        }
        fail(id, with: error, effects: &effects)
    }

    /// Asks `policy` about the newly queued request `id` and aborts the victims it names, until
    /// it names no new victim or the request's own wait has ended.
    mutating func resolveConflict(of id: UInt64, with policy: some DeadlockPolicy, effects: inout LockEffects) {
        while let wait = waitingRequest(id) {
            let victims = policy.victims(for: wait, in: self).filter { aborted[$0.transaction] == nil }
            if victims.isEmpty { return }
            for victim in victims {
                abort(victim.transaction, because: victim.reason, effects: &effects)
            }
        }
    }

    /// Marks `transaction` aborted and fails each of its pending waits with `reason`. Its locks
    /// stay held until `releaseAll`.
    mutating func abort(_ transaction: TransactionID, because reason: MantisError, effects: inout LockEffects) {
        aborted[transaction] = reason
        for id in waitingRequests[transaction] ?? [] {
            guard let key = pending[id]?.key else { continue }
            fail(id, with: reason.locking(key), effects: &effects)
        }
    }

    /// The queued request `id` as a policy sees it; nil once its wait has ended.
    func waitingRequest(_ id: UInt64) -> WaitingRequest? {
        guard let request = pending[id],
              let lock = keys[KeyBytes(request.key)],
              let index = lock.index(of: id) else { return nil }
        let waiter = lock.queue[index]
        return WaitingRequest(
            transaction: waiter.transaction, key: request.key, mode: waiter.mode,
            blockers: lock.blockers(ofWaiterAt: index)
        )
    }
}
