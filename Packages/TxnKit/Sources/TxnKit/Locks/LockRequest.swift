import MantisCore

/// One call of `lock`: what is asked for, by whom, and how long it may wait.
struct LockRequest: Sendable {
    let key: [UInt8]
    let mode: LockMode
    let transaction: TransactionID
    /// Zero or negative: never wait (a try-lock that fails with `lockTimeout`).
    let timeout: Duration
}
