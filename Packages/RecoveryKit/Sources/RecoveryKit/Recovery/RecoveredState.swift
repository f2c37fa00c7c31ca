import MantisCore
import TxnKit
import WALKit

/// The result of recovery: the rebuilt store and, unless in safe mode, the open log to continue in.
public struct RecoveredState: Sendable {
    public var store: MVCCStore
    /// The log, open for appends; nil in safe mode (the database must stay read-only).
    public var wal: SegmentedWAL?
    public var report: RecoveryReport
    /// The largest transaction id found in the checkpoint or the log.
    public var maxTransactionID: TransactionID
}
