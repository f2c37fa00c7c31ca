import MantisCore

/// A `LockManager` with the `timeout` policy. No deadlock detection: every wait ends granted or at its lock timeout (`lockTimeout`), which is what breaks a deadlock.
///
/// Shared/exclusive locks with S→X upgrade, strictly FIFO queues (upgrades queue ahead), and
/// per-request timeouts; see `LockTable`. `isAborted` resets when `releaseAll` runs for the
/// transaction, after which its new requests are served again.
public final class TimeoutLockManager: LockManager {
    public static let policyName = "timeout"

    let table: LockTable<TimeoutPolicy>

    /// `defaultTimeout` bounds every wait whose request passes no timeout of its own.
    public init(defaultTimeout: Duration = .seconds(10)) {
        table = LockTable(policy: TimeoutPolicy(), defaultTimeout: defaultTimeout)
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
