import TxnKit

/// A recorded history (`HistoryWorkload.run`) with what the system said about it afterwards:
/// the log, the final contents of the store. The input of `HistoryChecker`.
struct TransactionHistory: Sendable {
    /// A transaction as the write-ahead log holds it.
    struct LoggedTransaction: Sendable, Hashable {
        /// The LSN of its commit record: the commit timestamp of its versions (`TransactionRecord`:
        /// the commit record makes the writes take effect, at its LSN); nil if it has none.
        var commit: UInt64?
        /// The writes of its `writeBatch` and `commit` records (nil value: a delete).
        var writes: [String: String?]
    }

    /// The workload's seed: a failing history's program replays with it (the interleaving does not).
    var seed: UInt64
    /// How it ran (isolation level, lock policy), for messages.
    var label: String
    var isolation: IsolationLevel
    var transactions: [HistoryTransaction]
    /// Per transaction id.
    var logged: [UInt64: LoggedTransaction]
    /// How many transaction records (`writeBatch`, `commit`) the log holds.
    var logRecords = 0
    /// Every live pair at `visibleAtEnd`, once every transaction had ended.
    var finalState: [String: String]
    /// The manager's visible snapshot at the end.
    var visibleAtEnd: UInt64
}
