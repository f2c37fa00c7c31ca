import MantisCore

/// Prevention by age, preemptive: a requester wounds every younger transaction it would wait
/// for (they are marked aborted and a pending wait of theirs fails at once), then waits until
/// they release; a younger requester simply waits for older ones. A wounded transaction can
/// start no new wait, so every live wait-for edge points from younger to older: no cycle.
struct WoundWaitPolicy: DeadlockPolicy {
    var name: String { WoundWaitLockManager.policyName }

    func victims(for wait: WaitingRequest, in state: LockState) -> [DeadlockVictim] {
        wait.blockers.transactions.filter { $0 > wait.transaction }.map { younger in
            DeadlockVictim(
                transaction: younger,
                reason: .wounded(younger, by: wait.transaction, mode: wait.mode, key: wait.key, policy: name)
            )
        }
    }
}
