import MantisCore

/// `LockManager.isAborted` with the manager's type opened once, at the transaction manager's
/// creation: every read and write asks it, and asking through the `any LockManager`
/// existential copied the existential each time.
struct LockVictimProbe: Sendable {
    private let isVictim: @Sendable (TransactionID) -> Bool

    init<Manager: LockManager>(_ manager: Manager) {
        isVictim = { manager.isAborted($0) }
    }

    /// Whether the lock manager chose `transaction` as a deadlock victim.
    @inline(__always)
    func callAsFunction(_ transaction: TransactionID) -> Bool { isVictim(transaction) }
}
