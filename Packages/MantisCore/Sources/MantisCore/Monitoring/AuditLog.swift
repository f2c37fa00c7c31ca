/// One critical operation, for the audit trail: who did what, when, and how it ended.
///
/// Actions in use: `open`, `recovery`, `close`, `checkpoint`, `wal_cleanup`, `quarantine`,
/// `backup`, `restore`, `config_loaded`, `admin_command`, `audit_repair`. New actions may be added
/// freely: readers must not assume the list is closed.
public struct AuditEvent: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        case success
        case failure
    }

    /// What was done (`checkpoint`, `restore`, …).
    public var action: String
    public var outcome: Outcome
    /// Who asked for it: `system` (the database itself), `admin-http`, `cli`, `resp:<address>`…
    public var actor: String
    /// What it concerned and how it went: files, LSNs, counts, the error of a failure.
    public var details: [String: String]
    public var timeNanoseconds: UInt64

    public init(action: String, outcome: Outcome = .success, actor: String = "system", details: [String: String] = [:],
                timeNanoseconds: UInt64 = WallClock.nanosecondsSinceEpoch()) {
        self.action = action
        self.outcome = outcome
        self.actor = actor
        self.details = details
        self.timeNanoseconds = timeNanoseconds
    }
}

/// An append-only record of critical operations (open, recovery, checkpoints, log cleanup,
/// quarantine, backup, restore, configuration changes, admin commands).
///
/// Implementations must not throw and must not lose an event silently: a failure to record is
/// theirs to report (log, alert). `record` returns once the event is durable, if the
/// implementation promises durability (the file implementation does: one fsync per entry).
public protocol AuditLog: Sendable {
    func record(_ event: AuditEvent) async
}

/// Records nothing.
public struct NoAuditLog: AuditLog {
    public init() {}
    public func record(_ event: AuditEvent) async {}
}
