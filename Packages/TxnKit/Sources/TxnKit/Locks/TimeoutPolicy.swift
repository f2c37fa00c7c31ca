import MantisCore

/// No detection and no prevention: every wait ends granted or at its lock timeout.
struct TimeoutPolicy: DeadlockPolicy {
    var name: String { TimeoutLockManager.policyName }

    func victims(for wait: WaitingRequest, in state: LockState) -> [DeadlockVictim] { [] }
}
