import MantisCore
import ObservabilityKit

/// `monitoring`: what the alert rules and the audit trail see that no other check does —
/// degraded while `slow_fsync` or `long_transaction` is raised, or when the audit trail could not
/// record an event; critical while an alert escalated to critical (a warning left unattended past
/// `alerts.escalate_after`) is active.
struct MonitoringHealthCheck: HealthCheck {
    let database: Database
    var name: String { "monitoring" }

    func check() async -> HealthCheckResult {
        let observability = database.observability
        var reasons: [String] = []
        var status = HealthStatus.healthy
        let escalated = observability.alerts.active.values.filter(\.escalated).map(\.alert.name).sorted()
        if !escalated.isEmpty {
            status = .critical
            reasons.append("escalated to critical (unattended past alerts.escalate_after): \(escalated.joined(separator: ", "))")
        }
        let raised = (observability.rules?.raised ?? []).subtracting(["wal_failed"]).sorted()
        for rule in raised {
            status = max(status, .degraded)
            switch rule {
            case "slow_fsync": reasons.append("log syncs are slow or stalled (slow_fsync)")
            case "long_transaction":
                let oldest = database.manager.oldestRunning.map { " (transaction \($0.id), \($0.age))" } ?? ""
                reasons.append("a transaction runs longer than alerts.long_transaction\(oldest)")
            default: reasons.append(rule)
            }
        }
        if let audit = observability.auditLog as? FileAuditLog, audit.counts.failed > 0 {
            status = max(status, .degraded)
            reasons.append("the audit trail failed to record \(audit.counts.failed) event(s) (see the log)")
        }
        let active = observability.alerts.active.count
        return HealthCheckResult(name: name, status: status,
                                 reason: reasons.isEmpty ? "\(active) alert(s) active; alert rules clear; audit trail recording" : reasons.joined(separator: "; "))
    }
}
