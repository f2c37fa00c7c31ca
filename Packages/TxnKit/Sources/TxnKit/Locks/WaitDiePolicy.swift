import MantisCore

/// Prevention by age, non-preemptive: a requester waits only for younger transactions; if it
/// would wait for an older one (a holder or a conflicting request queued ahead), it dies at once
/// with `deadlock`. Every wait-for edge then points from older to younger, so no cycle can form.
struct WaitDiePolicy: DeadlockPolicy {
    var name: String { WaitDieLockManager.policyName }

    func victims(for wait: WaitingRequest, in state: LockState) -> [DeadlockVictim] {
        let older = wait.blockers.transactions.filter { $0 < wait.transaction }
        guard !older.isEmpty else { return [] }
        return [DeadlockVictim(
            transaction: wait.transaction,
            reason: .waitDie(wait.transaction, mode: wait.mode, key: wait.key, olderThan: older, policy: name)
        )]
    }
}
