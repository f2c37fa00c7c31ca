/// Counters of the transaction manager (for metrics and status).
public struct TransactionStatistics: Sendable, Hashable {
    public var begun: UInt64 = 0
    public var committed: UInt64 = 0
    public var readOnlyCommitted: UInt64 = 0
    /// Aborts by reason: `rollback`, `deadlock`, `serialization_failure`, `lock_timeout`,
    /// `transaction_timeout`, `wal_failed`, `error`.
    public var aborted: [String: UInt64] = [:]
    public var active: Int = 0
    /// Total nanoseconds spent waiting for locks, and how many waits.
    public var lockWaitNanoseconds: UInt64 = 0
    public var lockRequests: UInt64 = 0
    /// Times an installing committer handed the role to a waiting one
    /// (`TransactionManagerOptions.installHandOffWrites`).
    public var installHandOffs: UInt64 = 0

    public init() {}
}
