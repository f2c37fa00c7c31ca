import MantisCore
import RecoveryKit

/// The database's own health checks: mode (normal / safe), the WAL, checkpoints, the RPO.
public enum DatabaseHealthChecks {
    public static func all(for database: Database) -> [any HealthCheck] {
        var checks: [any HealthCheck] = [ModeHealthCheck(database: database), WALHealthCheck(database: database)]
        if let checkpointer = database.checkpointer { checks.append(CheckpointHealthCheck(checkpointer: checkpointer, options: database.options.checkpoints)) }
        if let monitor = database.rpoMonitor { checks.append(RPOHealthCheck(monitor: monitor)) }
        if let disk = database.diskGuard { checks.append(disk) }
        if let memory = database.memoryGuard { checks.append(memory) }
        if let scrubber = database.scrubber { checks.append(scrubber) }
        checks.append(MonitoringHealthCheck(database: database))
        return checks
    }
}

struct ModeHealthCheck: HealthCheck {
    let database: Database
    var name: String { "mode" }
    func check() async -> HealthCheckResult {
        switch database.mode {
        case .normal: HealthCheckResult(name: name, status: .healthy, reason: "normal: reads and writes")
        case .safe(let reason): HealthCheckResult(name: name, status: .critical, reason: "safe mode (read-only): \(reason)")
        }
    }
}

struct WALHealthCheck: HealthCheck {
    let database: Database
    var name: String { "wal" }
    func check() async -> HealthCheckResult {
        let status = database.wal.status
        if database.modeAtOpen.isSafe { return HealthCheckResult(name: name, status: .critical, reason: "no writable log in safe mode") }
        if let failure = status.failure {
            return HealthCheckResult(name: name, status: .critical, reason: "the write-ahead log failed and accepts no writes; restart to recover: \(failure)")
        }
        return HealthCheckResult(name: name, status: .healthy, reason: "last LSN \(status.lastLSN), durable LSN \(status.durableLSN), \(status.segmentCount) segments")
    }
}

struct CheckpointHealthCheck: HealthCheck {
    let checkpointer: Checkpointer
    let options: CheckpointOptions
    var name: String { "checkpoints" }
    func check() async -> HealthCheckResult {
        let status = checkpointer.status
        if status.consecutiveFailures >= options.criticalAfterFailures {
            return HealthCheckResult(name: name, status: .critical, reason: "\(status.consecutiveFailures) checkpoints in a row failed: \(status.lastFailure ?? "")")
        }
        if status.consecutiveFailures > 0 {
            return HealthCheckResult(name: name, status: .degraded, reason: "the last checkpoint failed: \(status.lastFailure ?? "")")
        }
        if let interval = options.interval, let completed = status.lastCompletedAtNanoseconds {
            let age = WallClock.nanosecondsSinceEpoch() &- completed
            let limit = UInt64(interval.components.seconds) * 3_000_000_000
            if limit > 0, age > limit {
                return HealthCheckResult(name: name, status: .degraded, reason: "the last checkpoint is \(age / 1_000_000_000) s old (interval \(interval))")
            }
        }
        let last = status.last.map { "last at LSN \($0.lsn)" } ?? "none taken yet"
        return HealthCheckResult(name: name, status: .healthy, reason: last)
    }
}

struct RPOHealthCheck: HealthCheck {
    let monitor: RPOMonitor
    var name: String { "rpo" }
    func check() async -> HealthCheckResult {
        let exposure = monitor.exposure
        if monitor.rpo == .zero {
            return HealthCheckResult(name: name, status: .healthy, reason: "rpo 0: every acknowledged write is already durable (sync durability)")
        }
        if exposure > monitor.rpo {
            return HealthCheckResult(name: name, status: .degraded, reason: "writes pending for \(exposure), beyond the RPO of \(monitor.rpo)")
        }
        return HealthCheckResult(name: name, status: .healthy, reason: "exposure \(exposure) within the RPO of \(monitor.rpo)")
    }
}

/// The worst status of a set of results: readiness.
public struct HealthReport: Sendable, Codable {
    public var status: HealthStatus
    /// Why it is not healthy, worst first (`"wal: critical: …"`); empty when healthy.
    public var reasons: [String]
    public var checks: [HealthCheckResult]

    public init(status: HealthStatus, checks: [HealthCheckResult]) {
        self.status = status
        self.checks = checks
        reasons = checks.filter { $0.status != .healthy }
            .sorted { $0.status > $1.status }
            .map { "\($0.name): \($0.status.rawValue): \($0.reason)" }
    }

    public static func evaluate(_ checks: [any HealthCheck]) async -> HealthReport {
        var results: [HealthCheckResult] = []
        for check in checks { results.append(await check.check()) }
        return HealthReport(status: results.map(\.status).max() ?? .healthy, checks: results)
    }
}
