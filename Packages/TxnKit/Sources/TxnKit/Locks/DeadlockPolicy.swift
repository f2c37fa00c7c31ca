import MantisCore

/// What a lock table does when a request has to wait: the pluggable part of a lock manager.
///
/// `victims(for:in:)` runs with the table's lock held, right after the request was queued and
/// found not grantable, so it sees the wait-for graph including the new wait. The table marks
/// each victim aborted and fails its pending waits (the requester may be a victim); it then asks
/// again until no new victim is named, so a policy only ever has to name one round of victims.
protocol DeadlockPolicy: Sendable {
    /// The registry name (`wait-for-graph`, `wait-die`, `wound-wait`, `timeout`).
    var name: String { get }

    /// The transactions to abort so that `wait` cannot take part in a deadlock; empty to let it wait.
    func victims(for wait: WaitingRequest, in state: LockState) -> [DeadlockVictim]
}

/// A queued request as a policy sees it.
struct WaitingRequest: Sendable {
    let transaction: TransactionID
    let key: [UInt8]
    let mode: LockMode
    let blockers: LockBlockers
}

/// A transaction a policy chose to abort, and the error that tells it why.
struct DeadlockVictim: Sendable {
    let transaction: TransactionID
    let reason: MantisError
}
