import MantisCore

/// A `LockManager` with the `wait-die` policy. Deadlock prevention by age (non-preemptive): an
/// older requester waits for younger transactions; a requester that would wait for an older one
/// (holder or conflicting request queued ahead) dies at once with `deadlock`, naming the conflict,
/// and is reported by `isAborted` until its `releaseAll`.
///
/// Shared and exclusive locks with S→X upgrade, on a per-key FIFO queue that no new request
/// overtakes (upgrades queue ahead of plain waiters). A wait suspends the task, not a thread,
/// and ends granted; at the request's timeout (`nil`: `defaultTimeout`; zero or less: never
/// wait) with `lockTimeout`; as a policy victim with `deadlock`; with `CancellationError` when
/// the task is cancelled; or with `transactionClosed` when `releaseAll` runs for its
/// transaction. A victim stays `isAborted`, and its further requests fail with the same
/// `deadlock` error, until `releaseAll` for it runs: that resets it and its new requests are
/// served again.
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
