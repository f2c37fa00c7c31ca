/// Limits of the transaction manager.
public struct TransactionManagerOptions: Sendable {
    /// A transaction older than this is aborted (`transactionTimeout`): at its next step, or by
    /// `TransactionManager.abortExpired` if it is idle.
    public var transactionTimeout: Duration = .seconds(60)
    /// The longest a lock request waits (`lockTimeout`).
    public var lockTimeout: Duration = .seconds(5)
    /// Largest WAL record payload a transaction's writes are split into.
    public var maxRecordPayload: Int = 1 << 20
    /// Largest write set (keys + values) one transaction may buffer (`resourceExhausted` past it).
    public var maxWriteSetBytes: Int = 256 << 20
    /// How many writes one committer installs for others before it hands the installing role to a
    /// committer still waiting for its own commit, if one waits: bounds how long a commit's return
    /// is delayed by installing other commits (the committer may be a server's event loop).
    public var installHandOffWrites: Int = 8192
    /// Called with each lock acquisition's wait (zero or near it when granted at once), on the
    /// acquiring task, before the write proceeds: for an exact lock-wait histogram. Keep it cheap.
    public var onLockWait: (@Sendable (Duration) -> Void)?

    public init() {}
}
