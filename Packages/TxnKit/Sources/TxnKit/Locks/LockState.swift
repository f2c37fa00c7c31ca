import MantisCore

/// Everything a lock table knows, guarded by the table's one mutex. Every method runs with the
/// lock held; effects on suspended tasks are collected in `LockEffects` and run afterwards.
struct LockState: Sendable {
    var keys: [KeyBytes: KeyLock] = [:]
    /// The keys each transaction holds a lock on.
    var heldKeys: [TransactionID: Set<KeyBytes>] = [:]
    /// Every queued request by id.
    var pending: [UInt64: PendingRequest] = [:]
    /// The queued requests of each transaction.
    var waitingRequests: [TransactionID: [UInt64]] = [:]
    /// Transactions a deadlock policy chose as victims, with the reason; cleared by `releaseAll`.
    var aborted: [TransactionID: MantisError] = [:]
    private var lastRequestID: UInt64 = 0

    mutating func makeRequestID() -> UInt64 {
        lastRequestID &+= 1
        return lastRequestID
    }

    /// Grants `request` if it needs no wait.
    mutating func grantAtOnce(_ request: LockRequest) -> Bool {
        let granted = keys[KeyBytes(request.key), default: KeyLock()].grantAtOnce(request.mode, to: request.transaction)
        if granted {
            heldKeys[request.transaction, default: []].insert(KeyBytes(request.key))
        }
        // Not granted means the key has holders or waiters, so the entry is never left idle.
        return granted
    }

    /// Queues `request` as waiter `id`.
    mutating func enqueue(_ request: LockRequest, id: UInt64, continuation: CheckedContinuation<Void, any Error>) {
        let isUpgrade = keys[KeyBytes(request.key), default: KeyLock()].isUpgrade(request.mode, by: request.transaction)
        let waiter = LockWaiter(
            id: id, transaction: request.transaction, mode: request.mode, isUpgrade: isUpgrade,
            timeout: request.timeout, continuation: continuation, timer: nil
        )
        keys[KeyBytes(request.key), default: KeyLock()].enqueue(waiter)
        pending[id] = PendingRequest(key: request.key, transaction: request.transaction)
        waitingRequests[request.transaction, default: []].append(id)
    }

    func isPending(_ id: UInt64) -> Bool { pending[id] != nil }

    /// True when nothing is held, queued or remembered as aborted (no bookkeeping left behind).
    var isEmpty: Bool {
        keys.isEmpty && heldKeys.isEmpty && pending.isEmpty && waitingRequests.isEmpty && aborted.isEmpty
    }

    mutating func setTimer(_ timer: Task<Void, Never>, for id: UInt64) {
        guard let key = pending[id].map({ KeyBytes($0.key) }), let index = keys[key]?.index(of: id) else {
            timer.cancel()
            return
        }
        keys[key]?.queue[index].timer = timer
    }

    /// Ends the wait of request `id` with `error`, then grants whoever that unblocks.
    mutating func fail(_ id: UInt64, with error: any Error, effects: inout LockEffects) {
        guard let request = pending.removeValue(forKey: id) else { return }
        forget(id, of: request.transaction)
        if let waiter = keys[KeyBytes(request.key)]?.removeWaiter(id) {
            effects.end(waiter, with: error)
        }
        grantWaiters(on: request.key, effects: &effects)
    }

    /// Grants the queue of `key` from the front as far as it goes; drops the key when idle.
    mutating func grantWaiters(on bytes: [UInt8], effects: inout LockEffects) {
        let key = KeyBytes(bytes)
        guard let granted = keys[key]?.grantFromFront() else { return }
        for waiter in granted {
            pending[waiter.id] = nil
            forget(waiter.id, of: waiter.transaction)
            heldKeys[waiter.transaction, default: []].insert(key)
            effects.end(waiter, with: nil)
        }
        if keys[key]?.isIdle == true { keys[key] = nil }
    }

    /// Drops every lock and queued request of `transaction` (failing its waits with `released`),
    /// wakes whoever can now proceed, and forgets that it was aborted.
    mutating func releaseAll(for transaction: TransactionID, effects: inout LockEffects) {
        // Keys left with waiters (the others are dropped here, with one lookup each).
        var touched: [KeyBytes] = []
        for key in heldKeys.removeValue(forKey: transaction) ?? [] {
            guard let index = keys.index(forKey: key) else { continue }
            keys.values[index].holders[transaction] = nil
            if keys.values[index].isIdle { keys.remove(at: index) } else { touched.append(key) }
        }
        for id in waitingRequests.removeValue(forKey: transaction) ?? [] {
            guard let request = pending.removeValue(forKey: id),
                  let waiter = keys[KeyBytes(request.key)]?.removeWaiter(id) else { continue }
            effects.end(waiter, with: MantisError.released(transaction, mode: waiter.mode, key: request.key))
            touched.append(KeyBytes(request.key))
        }
        for key in touched {
            grantWaiters(on: key.bytes, effects: &effects)
        }
        if !aborted.isEmpty { aborted[transaction] = nil }
    }

    private mutating func forget(_ id: UInt64, of transaction: TransactionID) {
        guard var ids = waitingRequests[transaction] else { return }
        ids.removeAll { $0 == id }
        waitingRequests[transaction] = ids.isEmpty ? nil : ids
    }
}
