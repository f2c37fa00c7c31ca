import MantisCore
import ObservabilityKit

extension Database {
    /// Records a critical operation in the audit trail (`<data dir>/audit/audit.log` by default):
    /// for operations the database does not see by itself, such as an admin command arriving over
    /// RESP (`CHECKPOINT`, `SHUTDOWN`, `WALSYNC`) or HTTP. Never throws: a failure to record is
    /// logged and raises the `audit_failed` alert.
    ///
    /// ```swift
    /// await database.recordAudit("admin_command", actor: "resp:\(peer)", details: ["command": "CHECKPOINT"])
    /// ```
    public func recordAudit(_ action: String, outcome: AuditEvent.Outcome = .success, actor: String, details: [String: String] = [:]) async {
        await observability.audit(action, outcome: outcome, actor: actor, details: details)
    }
}
