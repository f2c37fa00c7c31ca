import MantisCore

/// The lock state of one key: who holds it in which mode, and the FIFO queue of waiters.
///
/// Grants are strictly FIFO: a request is granted at once only when nobody is queued (or when
/// its transaction already holds a covering mode, or is the sole holder upgrading S→X), and the
/// queue is granted from the front, stopping at the first waiter that conflicts. So a shared
/// request never overtakes a queued exclusive one. Upgrades queue ahead of plain waiters.
struct KeyLock: Sendable {
    var holders: [TransactionID: LockMode] = [:]
    var queue: [LockWaiter] = []

    var isIdle: Bool { holders.isEmpty && queue.isEmpty }

    /// Grants `mode` to `transaction` if that needs no wait; false if it must queue.
    mutating func grantAtOnce(_ mode: LockMode, to transaction: TransactionID) -> Bool {
        if let held = holders[transaction] {
            if held.covers(mode) { return true }
            guard holders.count == 1 else { return false }
            holders[transaction] = .exclusive
            return true
        }
        guard queue.isEmpty, holders.values.allSatisfy({ $0.isCompatible(with: mode) }) else { return false }
        holders[transaction] = mode
        return true
    }

    func isUpgrade(_ mode: LockMode, by transaction: TransactionID) -> Bool {
        mode == .exclusive && holders[transaction] == .shared
    }

    /// Queues `waiter`: upgrades after the upgrades already queued, others at the back.
    mutating func enqueue(_ waiter: LockWaiter) {
        if waiter.isUpgrade {
            let index = queue.firstIndex { !$0.isUpgrade } ?? queue.endIndex
            queue.insert(waiter, at: index)
        } else {
            queue.append(waiter)
        }
    }

    /// Grants waiters from the front while they are compatible with every other holder;
    /// returns them, removed from the queue.
    mutating func grantFromFront() -> [LockWaiter] {
        var granted: [LockWaiter] = []
        while let first = queue.first, canGrant(first) {
            queue.removeFirst()
            holders[first.transaction] = holders[first.transaction]?.joined(with: first.mode) ?? first.mode
            granted.append(first)
        }
        return granted
    }

    func canGrant(_ waiter: LockWaiter) -> Bool {
        holders.allSatisfy { $0.key == waiter.transaction || $0.value.isCompatible(with: waiter.mode) }
    }

    func index(of id: UInt64) -> Int? {
        queue.firstIndex { $0.id == id }
    }

    mutating func removeWaiter(_ id: UInt64) -> LockWaiter? {
        guard let index = index(of: id) else { return nil }
        return queue.remove(at: index)
    }

    /// Whom the waiter at `index` waits for: the other holders it conflicts with, and the
    /// conflicting waiters queued ahead of it (FIFO means it cannot pass them).
    func blockers(ofWaiterAt index: Int) -> LockBlockers {
        let waiter = queue[index]
        var result = LockBlockers()
        for (transaction, mode) in holders where transaction != waiter.transaction && !mode.isCompatible(with: waiter.mode) {
            result.holders.append(LockTableSnapshot.Holder(transaction: transaction, mode: mode))
        }
        result.holders.sort { $0.transaction < $1.transaction }
        for ahead in queue[..<index] where ahead.transaction != waiter.transaction && !ahead.mode.isCompatible(with: waiter.mode) {
            result.queuedAhead.append(ahead.asHolder)
        }
        return result
    }
}

/// The holders and queued requests a waiter waits for.
struct LockBlockers: Sendable {
    var holders: [LockTableSnapshot.Holder] = []
    var queuedAhead: [LockTableSnapshot.Holder] = []

    /// Every transaction waited for, ascending, without duplicates.
    var transactions: [TransactionID] {
        Array(Set(holders.map(\.transaction) + queuedAhead.map(\.transaction))).sorted()
    }
}
