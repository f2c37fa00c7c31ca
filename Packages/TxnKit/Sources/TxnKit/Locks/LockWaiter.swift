import MantisCore

/// A queued request: the suspended task's continuation and the timer that ends its wait.
struct LockWaiter: Sendable {
    let id: UInt64
    let transaction: TransactionID
    let mode: LockMode
    /// The transaction holds `shared` on the key and asks for `exclusive`.
    let isUpgrade: Bool
    let timeout: Duration
    let continuation: CheckedContinuation<Void, any Error>
    var timer: Task<Void, Never>?

    var asHolder: LockTableSnapshot.Holder {
        LockTableSnapshot.Holder(transaction: transaction, mode: mode)
    }
}

/// Where a queued request waits, found by its id.
struct PendingRequest: Sendable {
    let key: [UInt8]
    let transaction: TransactionID
}
