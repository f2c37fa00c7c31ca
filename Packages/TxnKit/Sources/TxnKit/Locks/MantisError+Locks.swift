import MantisCore

/// The errors of the lock managers. Each names the transaction in `metadata["transaction"]`
/// (as `T<id>`) and, once tied to a request, the key in `context.key`.
extension MantisError {
    static func lockTimeout(
        _ transaction: TransactionID, mode: LockMode, key: [UInt8], after timeout: Duration, blockers: LockBlockers
    ) -> MantisError {
        var detail: [String] = []
        if !blockers.holders.isEmpty { detail.append("held by \(list(blockers.holders))") }
        if !blockers.queuedAhead.isEmpty { detail.append("queued ahead: \(list(blockers.queuedAhead))") }
        let waited = timeout <= .zero ? "could not get" : "waited \(milliseconds(timeout)) for"
        return MantisError(
            .lockTimeout,
            (["lock timeout: \(transaction) \(waited) \(mode) on \(ErrorContext.render(key))"] + detail).joined(separator: "; "),
            context: ErrorContext(operation: "lock", key: key, metadata: [
                "transaction": transaction.description,
                "holders": list(blockers.holders),
            ])
        )
    }

    static func deadlockCycle(_ cycle: [TransactionID], victim: TransactionID, policy: String) -> MantisError {
        let path = (cycle + cycle.prefix(1)).map(\.description).joined(separator: " → ")
        return MantisError(
            .deadlock,
            "deadlock: \(path); \(victim) (youngest) aborted",
            context: ErrorContext(operation: "lock", metadata: [
                "transaction": victim.description, "cycle": path, "policy": policy,
            ])
        )
    }

    static func waitDie(
        _ transaction: TransactionID, mode: LockMode, key: [UInt8], olderThan older: [TransactionID], policy: String
    ) -> MantisError {
        let names = older.map(\.description).joined(separator: ", ")
        return MantisError(
            .deadlock,
            "deadlock prevented (wait-die): \(transaction) would wait for older \(names) for \(mode) on \(ErrorContext.render(key)); \(transaction) (younger) dies",
            context: ErrorContext(operation: "lock", key: key, metadata: [
                "transaction": transaction.description, "conflict": names, "policy": policy,
            ])
        )
    }

    static func wounded(
        _ transaction: TransactionID, by older: TransactionID, mode: LockMode, key: [UInt8], policy: String
    ) -> MantisError {
        MantisError(
            .deadlock,
            "deadlock prevented (wound-wait): \(transaction) wounded by older \(older), which requested \(mode) on \(ErrorContext.render(key)); \(transaction) must abort",
            context: ErrorContext(operation: "lock", metadata: [
                "transaction": transaction.description, "wounded-by": older.description,
                "wounded-on": ErrorContext.render(key), "policy": policy,
            ])
        )
    }

    static func released(_ transaction: TransactionID, mode: LockMode, key: [UInt8]) -> MantisError {
        MantisError(
            .transactionClosed,
            "\(transaction) released its locks while waiting for \(mode) on \(ErrorContext.render(key))",
            context: ErrorContext(operation: "lock", key: key, metadata: ["transaction": transaction.description])
        )
    }

    /// This error as the failure of a lock request on `key`.
    func locking(_ key: [UInt8]) -> MantisError {
        var error = self
        error.context.key = key
        error.context.operation = "lock"
        return error
    }

    private static func list(_ holders: [LockTableSnapshot.Holder]) -> String {
        holders.map { "\($0.transaction) (\($0.mode))" }.joined(separator: ", ")
    }

    private static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        if micros % 1000 == 0 { return "\(micros / 1000) ms" }
        return "\(micros) µs"
    }
}
