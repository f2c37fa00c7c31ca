/// The manager's shared bookkeeping, behind one mutex: which commits are durable-pending,
/// what snapshot is visible, which snapshots are active.
struct CommitState {
    /// Commit LSNs reserved (enqueued in the WAL) but not yet installed, ascending.
    var pending: [UInt64] = []
    /// Keys written by each pending commit (serializable validation must see them).
    var pendingKeys: [UInt64: [[UInt8]]] = [:]
    /// The highest commit LSN ever reserved or installed.
    var highestCommit: UInt64
    /// Active transactions' snapshots (for garbage collection), with a count per snapshot.
    var activeSnapshots: [UInt64: Int] = [:]
    var nextTransactionID: UInt64
    var statistics = TransactionStatistics()

    init(lastCommit: UInt64, nextTransactionID: UInt64) {
        highestCommit = lastCommit
        self.nextTransactionID = nextTransactionID
    }

    /// Every commit at or below this is installed: the snapshot new transactions read at.
    var visible: UInt64 {
        if let first = pending.first { return first - 1 }
        return highestCommit
    }

    mutating func reserve(_ lsn: UInt64, keys: [[UInt8]]) {
        pending.append(lsn)
        pendingKeys[lsn] = keys
        highestCommit = max(highestCommit, lsn)
    }

    mutating func finish(_ lsn: UInt64) {
        if let index = pending.firstIndex(of: lsn) { pending.remove(at: index) }
        pendingKeys[lsn] = nil
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
