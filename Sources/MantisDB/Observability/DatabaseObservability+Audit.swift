import IntegrityScrubber
import MantisCore
import ObservabilityKit
import RecoveryKit

extension DatabaseObservability {
    /// Records the audit events the components report only in their status: checkpoints taken
    /// or failed, WAL segments removed (archived), files the scrubber quarantined. Runs every
    /// `sampleInterval` and at close, so an event is recorded within about a second (a crash in
    /// that second loses its entry: see the hooks listed in `Docs/observability.md`).
    func watch(_ database: Database) async {
        var events: [AuditEvent] = []
        let checkpoint = database.checkpointer?.status
        let findings = database.scrubber?.status.findings ?? []
        let archive = database.options.wal.archiveDirectory
        watcher.withLock { cursor in
            if let status = checkpoint {
                if status.taken > cursor.checkpointsTaken {
                    var details: [String: String] = ["count": String(status.taken - cursor.checkpointsTaken)]
                    if let last = status.last {
                        details["file"] = last.path
                        details["lsn"] = String(last.lsn.rawValue)
                        details["keys"] = String(last.entryCount)
                        details["bytes"] = String(last.fileBytes)
                        details["uncompressed_bytes"] = String(last.uncompressedBytes)
                        details["codec"] = last.codecName
                    }
                    if let duration = status.lastDuration { details["duration_ms"] = String(duration.milliseconds) }
                    events.append(AuditEvent(action: "checkpoint", outcome: .success, details: details))
                    cursor.checkpointsTaken = status.taken
                }
                if status.failed > cursor.checkpointsFailed {
                    events.append(AuditEvent(action: "checkpoint", outcome: .failure, details: [
                        "count": String(status.failed - cursor.checkpointsFailed), "error": status.lastFailure ?? "",
                        "consecutive_failures": String(status.consecutiveFailures),
                    ]))
                    cursor.checkpointsFailed = status.failed
                }
                if status.segmentsRemoved > cursor.segmentsRemoved {
                    events.append(AuditEvent(action: "wal_cleanup", outcome: .success, details: [
                        "segments_removed": String(status.segmentsRemoved - cursor.segmentsRemoved),
                        "archived_to": archive ?? "(not archived: deleted)",
                        "below_checkpoint_lsn": status.last.map { String($0.lsn.rawValue) } ?? "",
                    ]))
                    cursor.segmentsRemoved = status.segmentsRemoved
                }
            }
            for finding in findings where !cursor.findings.contains(finding.id) && finding.resolution != .transient {
                cursor.findings.insert(finding.id)
                var details = ["file": finding.file, "kind": finding.kind.rawValue, "code": finding.code, "reason": finding.reason,
                               "found_by": "scrubber", "recovery_depends_on_it": String(finding.recoveryDependsOnIt)]
                if let offset = finding.offset { details["offset"] = String(offset) }
                if let quarantinedAs = finding.quarantinedAs { details["quarantined_as"] = quarantinedAs }
                events.append(AuditEvent(action: "quarantine", outcome: finding.quarantinedAs == nil ? .failure : .success, details: details))
            }
        }
        for event in events { await auditLog.record(event) }
    }

    /// Records what recovery found and did, and each checkpoint it quarantined.
    func recordRecovery(_ report: RecoveryReport) async {
        var details: [String: String] = [
            "clean_shutdown": String(report.cleanShutdown),
            "replayed_records": String(report.replay.recordsRead),
            "replayed_transactions": String(report.replay.committedTransactions),
            "dropped_incomplete_transactions": String(report.replay.incompleteTransactions.count),
            "last_lsn": String(report.lastLSN.rawValue),
            "duration_ms": String(report.duration.milliseconds),
            "mode": report.mode.isSafe ? "safe" : "normal",
            "steps": report.steps.joined(separator: "; "),
        ]
        if let checkpoint = report.checkpoint {
            details["checkpoint"] = checkpoint.path
            details["checkpoint_lsn"] = String(checkpoint.lsn.rawValue)
        }
        if !report.walRepairs.isEmpty { details["wal_repairs"] = report.walRepairs.map(\.description).joined(separator: "; ") }
        if case .safe(let reason) = report.mode { details["safe_mode_reason"] = reason }
        await audit("recovery", outcome: report.mode.isSafe ? .failure : .success, details: details)
        for file in report.quarantined {
            await audit("quarantine", details: ["file": file, "found_by": "recovery", "kind": "checkpoint"])
        }
        if !report.quarantined.isEmpty {
            await alerts.send(Alert(name: "corruption_detected", severity: .critical,
                                    message: "recovery found damaged checkpoint(s) and quarantined them: \(report.quarantined.joined(separator: ", ")); "
                                        + (report.mode.isSafe ? "the database is in safe mode" : "it recovered from an older checkpoint and the log"),
                                    details: ["files": report.quarantined.joined(separator: ", "), "found_by": "recovery"]))
        }
    }
}
