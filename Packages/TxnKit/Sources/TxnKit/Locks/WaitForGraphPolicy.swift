import MantisCore

/// Detection: when a wait begins, search the wait-for graph from the new waiter; a cycle through
/// it costs its youngest transaction (largest id), which is aborted with a `deadlock` error
/// naming the cycle. Waits that close no cycle are left alone (they may still time out).
struct WaitForGraphPolicy: DeadlockPolicy {
    var name: String { WaitForGraphLockManager.policyName }

    func victims(for wait: WaitingRequest, in state: LockState) -> [DeadlockVictim] {
        guard let cycle = state.cycle(through: wait.transaction), let youngest = cycle.max() else { return [] }
        return [DeadlockVictim(transaction: youngest, reason: .deadlockCycle(cycle, victim: youngest, policy: name))]
    }
}
