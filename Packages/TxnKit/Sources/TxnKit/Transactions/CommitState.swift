/// The manager's shared bookkeeping, behind one mutex: which commits are durable-pending,
/// what snapshot is visible, which snapshots are active.
struct CommitState {
    /// Commits enqueued in the WAL but not yet installed, ascending: the LSN of the
    /// transaction's first record and of its commit record.
    var pending: [(first: UInt64, commit: UInt64)] = []
    /// Keys written by each pending commit (serializable validation must see them).
    var pendingKeys: [UInt64: [[UInt8]]] = [:]
    /// The highest commit LSN ever reserved or installed.
    var highestCommit: UInt64
    /// Active transactions' snapshots (for garbage collection), with a count per snapshot.
    var activeSnapshots: [UInt64: Int] = [:]
    var nextTransactionID: UInt64
    var statistics = TransactionStatistics()
    /// Committers whose commit is installed but not yet visible (an earlier commit is still
    /// pending), by commit LSN.
    var visibilityWaiters: [(commit: UInt64, continuation: CheckedContinuation<Void, Never>)] = []

    init(lastCommit: UInt64, nextTransactionID: UInt64) {
        highestCommit = lastCommit
        self.nextTransactionID = nextTransactionID
    }

    /// The snapshot new transactions read at: every transaction with any WAL record at or below
    /// it is installed, so a checkpoint at it plus a replay from the next LSN is complete (a
    /// multi-record transaction is never split by the checkpoint).
    var visible: UInt64 {
        if let first = pending.first { return first.first - 1 }
        return highestCommit
    }

    mutating func reserve(first: UInt64, commit: UInt64, keys: [[UInt8]]) {
        pending.append((first, commit))
        pendingKeys[commit] = keys
        highestCommit = max(highestCommit, commit)
    }

    /// Removes a commit from the pending list (installed or failed) and returns the waiters
    /// whose commit became visible, to be resumed outside the lock.
    mutating func finish(_ commit: UInt64) -> [CheckedContinuation<Void, Never>] {
        if let index = pending.firstIndex(where: { $0.commit == commit }) { pending.remove(at: index) }
        pendingKeys[commit] = nil
        guard !visibilityWaiters.isEmpty else { return [] }
        let visible = self.visible
        var ready: [CheckedContinuation<Void, Never>] = []
        visibilityWaiters.removeAll { waiter in
            guard waiter.commit <= visible else { return false }
            ready.append(waiter.continuation)
            return true
        }
        return ready
    }

    mutating func register(snapshot: UInt64) {
        activeSnapshots[snapshot, default: 0] += 1
    }

    mutating func unregister(snapshot: UInt64) {
        guard let count = activeSnapshots[snapshot] else { return }
        if count <= 1 { activeSnapshots[snapshot] = nil } else { activeSnapshots[snapshot] = count - 1 }
    }

    /// The oldest snapshot anyone may still read at.
    var oldestActiveSnapshot: UInt64 {
        activeSnapshots.keys.min().map { min($0, visible) } ?? visible
    }
}
