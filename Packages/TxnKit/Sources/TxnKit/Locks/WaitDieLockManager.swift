import MantisCore

/// A `LockManager` with the `wait-die` policy. Deadlock prevention by age (non-preemptive): an older requester waits for younger transactions; a requester that would wait for an older one (holder or conflicting request queued ahead) dies at once with `deadlock`, naming the conflict, and is reported by `isAborted` until its `releaseAll`.
///
/// Shared/exclusive locks with S→X upgrade, strictly FIFO queues (upgrades queue ahead), and
/// per-request timeouts; see `LockTable`. `isAborted` resets when `releaseAll` runs for the
/// transaction, after which its new requests are served again.
public final class WaitDieLockManager: LockManager {
    public static let policyName = "wait-die"

    let table: LockTable<WaitDiePolicy>

    /// `defaultTimeout` bounds every wait whose request passes no timeout of its own.
    public init(defaultTimeout: Duration = .seconds(10)) {
        table = LockTable(policy: WaitDiePolicy(), defaultTimeout: defaultTimeout)
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
