import TxnKit

/// One transaction of a recorded history (`HistoryWorkload`): what it did, what it saw, how it
/// ended. Keys and values are text; every value written in a history is unique
/// (`v<transaction>.<operation>`), so each value read names the one write it came from.
struct HistoryTransaction: Sendable {
    enum Outcome: Sendable, Hashable {
        case committed
        /// Why: the error code (`deadlock`, `serializationFailure`, `lockTimeout`), `rollback`
        /// (the workload chose to roll back), or `unexpected: …` (any other error: a failure).
        case aborted(String)
    }

    /// One successful call, in program order.
    enum Operation: Sendable, Hashable {
        /// `key` read as `value` (nil: absent). The reads of one call (a `get`, a batched `get`,
        /// a `scan`) share `call`; a scan reads every key of the range it covered, absent ones
        /// as nil. `visible`: the manager's visible snapshot just before and just after the call
        /// (a read committed read is taken at some snapshot in between).
        case read(key: String, value: String?, call: Int, visible: ClosedRange<UInt64>)
        /// A put of `value`, or a delete (nil).
        case write(key: String, value: String?)
        /// `lockForUpdate(key)` returned.
        case lock(key: String)
    }

    let id: UInt64
    /// The task that ran it (-1: the setup transaction).
    let worker: Int
    let isolation: IsolationLevel
    /// `Transaction.snapshot`: the commit timestamp snapshot and serializable reads are taken at.
    let snapshot: UInt64
    var operations: [Operation] = []
    var outcome: Outcome = .aborted("unfinished")

    init(id: UInt64, worker: Int, isolation: IsolationLevel, snapshot: UInt64, operations: [Operation] = [], outcome: Outcome = .aborted("unfinished")) {
        self.id = id
        self.worker = worker
        self.isolation = isolation
        self.snapshot = snapshot
        self.operations = operations
        self.outcome = outcome
    }

    var isCommitted: Bool { outcome == .committed }

    /// The last write of each key: what a commit installs.
    var finalWrites: [String: String?] {
        var result: [String: String?] = [:]
        for case .write(let key, let value) in operations { result[key] = .some(value) }
        return result
    }

    var name: String { "T\(id)" }
}
