/// The manager's shared bookkeeping, behind one mutex: which commits are durable-pending,
/// what snapshot is visible, which snapshots are active.
struct CommitState {
    /// Commits enqueued in the WAL but not yet installed, ascending: the LSN of the
    /// transaction's first record and of its commit record, and its writes.
    /// Serializable validation reads the keys being committed from here.
    var pending: [(first: UInt64, commit: UInt64, writes: [(key: [UInt8], value: [UInt8]?)])] = []
    /// The highest commit LSN ever reserved or installed.
    var highestCommit: UInt64
    /// The highest commit whose durability wait has returned: every pending commit at or below
    /// it is durable (the log is ordered) and may be installed.
    var durable: UInt64 = 0
    /// True while one committer installs pending commits for everyone (`publish`).
    var installing = false
    /// Committers waiting for an installing committer to make their commit visible; resumed with
    /// true when handed the installing role instead.
    var publishWaiters: [(commit: UInt64, continuation: UnsafeContinuation<Bool, Never>)] = []
    /// Active transactions' snapshots (for garbage collection), with a count per snapshot.
    var activeSnapshots: [UInt64: Int] = [:]
    /// Transactions begun and not yet finished, with when they began. Held strongly, so one
    /// its owner dropped unfinished still expires (`abortExpired`).
    var running: [UInt64: (began: ContinuousClock.Instant, transaction: Transaction)] = [:]
    var nextTransactionID: UInt64
    var statistics = TransactionStatistics()

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

    mutating func reserve(first: UInt64, commit: UInt64, writes: [(key: [UInt8], value: [UInt8]?)]) {
        pending.append((first, commit, writes))
        highestCommit = max(highestCommit, commit)
    }

    /// Every key a pending commit writes.
    var pendingKeys: some Sequence<[UInt8]> { pending.lazy.flatMap { $0.writes.lazy.map(\.key) } }

    /// The pending commits up to and including `commit`, in LSN order.
    func pending(through commit: UInt64) -> [(writes: [(key: [UInt8], value: [UInt8]?)], commit: UInt64)] {
        pending.prefix { $0.commit <= commit }.map { ($0.writes, $0.commit) }
    }

    /// Forgets the pending commits up to and including `commit` (they are installed).
    mutating func removePending(through commit: UInt64) {
        pending.removeFirst(pending.prefix { $0.commit <= commit }.count)
    }

    /// The oldest pending commit's LSN (`.max` if none): every durable commit below it is installed.
    var firstPendingCommit: UInt64 { pending.first?.commit ?? .max }

    /// True once the durable commit `commit` is installed (no pending commit at or below it).
    func isInstalled(_ commit: UInt64) -> Bool { commit < firstPendingCommit }

    /// Removes and returns the waiters whose commits are installed.
    mutating func takeInstalledWaiters() -> [UnsafeContinuation<Bool, Never>] {
        guard !publishWaiters.isEmpty else { return [] }
        let boundary = firstPendingCommit  // read before `removeAll` holds `self` exclusively
        var ready: [UnsafeContinuation<Bool, Never>] = []
        publishWaiters.removeAll { waiter in
            guard waiter.commit < boundary else { return false }
            ready.append(waiter.continuation)
            return true
        }
        return ready
    }

    /// Removes and returns the oldest waiter, to hand it the installing role (after
    /// `takeInstalledWaiters`, every waiter left is durable and not yet installed).
    mutating func takeNextInstaller() -> UnsafeContinuation<Bool, Never>? {
        publishWaiters.isEmpty ? nil : publishWaiters.removeFirst().continuation
    }

    /// Forgets a pending commit that failed (never installed).
    mutating func abandon(_ commit: UInt64) {
        if let index = pending.firstIndex(where: { $0.commit == commit }) { pending.remove(at: index) }
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
