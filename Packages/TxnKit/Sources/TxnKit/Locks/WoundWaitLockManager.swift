import MantisCore

/// A `LockManager` with the `wound-wait` policy. Deadlock prevention by age (preemptive): an older requester wounds every younger transaction it would wait for (`isAborted` turns true, and a wait of theirs in progress fails at once with `deadlock`), then waits until they release; a younger requester waits for older ones.
///
/// Shared/exclusive locks with S→X upgrade, strictly FIFO queues (upgrades queue ahead), and
/// per-request timeouts; see `LockTable`. `isAborted` resets when `releaseAll` runs for the
/// transaction, after which its new requests are served again.
public final class WoundWaitLockManager: LockManager {
    public static let policyName = "wound-wait"

    let table: LockTable<WoundWaitPolicy>

    /// `defaultTimeout` bounds every wait whose request passes no timeout of its own.
    public init(defaultTimeout: Duration = .seconds(10)) {
        table = LockTable(policy: WoundWaitPolicy(), defaultTimeout: defaultTimeout)
    }

    public var policyName: String { Self.policyName }

    public var defaultTimeout: Duration { table.defaultTimeout }

    public func lock(_ key: [UInt8], mode: LockMode, for transaction: TransactionID, timeout: Duration?) async throws {
        try await table.lock(key, mode: mode, for: transaction, timeout: timeout)
    }

    public func releaseAll(for transaction: TransactionID) {
        table.releaseAll(for: transaction)
    }

    public func isAborted(_ transaction: TransactionID) -> Bool {
        table.isAborted(transaction)
    }

    public func snapshot() -> LockTableSnapshot {
        table.snapshot()
    }
}
