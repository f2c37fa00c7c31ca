import MantisCore
import RecoveryKit

/// `GET /status`: mode, log positions, checkpoints, the recovery report, RPO exposure, counters.
struct StatusReport: Codable, Sendable {
    struct WAL: Codable, Sendable {
        var lastLSN: UInt64
        var durableLSN: UInt64
        var firstLSN: UInt64
        var segments: Int
        var bytes: Int64
        var fsyncs: UInt64
        var meanFsyncMicroseconds: Double
        var recordsPerGroupCommit: Double
        var pendingBytes: Int
        var failure: String?
    }

    struct Checkpoints: Codable, Sendable {
        var lastLSN: UInt64?
        var lastFile: String?
        var lastKeys: UInt64?
        var lastBytes: Int64?
        var lastDurationSeconds: Double?
        var ageSeconds: Double?
        var taken: UInt64
        var failed: UInt64
        var consecutiveFailures: Int
        var lastFailure: String?
    }

    struct Recovery: Codable, Sendable {
        var cleanShutdown: Bool
        var checkpointLSN: UInt64?
        var quarantined: [String]
        var unreadableCheckpoints: [String]
        var walRepairs: [String]
        var replayedRecords: Int
        var replayedTransactions: Int
        var droppedIncompleteTransactions: Int
        var durationSeconds: Double
        var steps: [String]
    }

    struct Transactions: Codable, Sendable {
        var committed: UInt64
        var readOnly: UInt64
        var aborted: [String: UInt64]
        var active: Int
    }

    var mode: String
    var readOnly: Bool
    var safeModeReason: String?
    var dataDirectory: String
    var wal: WAL
    var checkpoints: Checkpoints?
    var recovery: Recovery?
    var rpoMilliseconds: Int64?
    var rpoExposureMilliseconds: Int64?
    var transactions: Transactions
    var keys: Int

    init(database: Database) {
        let wal = database.wal.status
        mode = database.mode.isSafe ? "safe" : "normal"
        readOnly = database.isReadOnly
        if case .safe(let reason) = database.mode { safeModeReason = reason }
        dataDirectory = database.options.directory
        self.wal = WAL(
            lastLSN: wal.lastLSN.rawValue, durableLSN: wal.durableLSN.rawValue, firstLSN: wal.firstLSN.rawValue,
            segments: wal.segmentCount, bytes: wal.totalBytes, fsyncs: wal.syncCount,
            meanFsyncMicroseconds: wal.syncCount == 0 ? 0 : Double(wal.syncNanosecondsTotal) / Double(wal.syncCount) / 1000,
            recordsPerGroupCommit: wal.groupCommits == 0 ? 0 : Double(wal.groupCommittedRecords) / Double(wal.groupCommits),
            pendingBytes: wal.pendingBytes, failure: wal.failure)
        if let status = database.checkpointer?.status {
            checkpoints = Checkpoints(
                lastLSN: status.last?.lsn.rawValue, lastFile: status.last?.path, lastKeys: status.last.map { UInt64($0.entryCount) },
                lastBytes: status.last.map { Int64($0.fileBytes) }, lastDurationSeconds: status.lastDuration?.seconds,
                ageSeconds: status.lastCompletedAtNanoseconds.map { Double(WallClock.nanosecondsSinceEpoch() &- $0) / 1e9 },
                taken: status.taken, failed: status.failed, consecutiveFailures: status.consecutiveFailures, lastFailure: status.lastFailure)
        }
        if let report = database.recovery {
            recovery = Recovery(
                cleanShutdown: report.cleanShutdown, checkpointLSN: report.checkpoint?.lsn.rawValue, quarantined: report.quarantined,
                unreadableCheckpoints: report.unreadableCheckpoints, walRepairs: report.walRepairs.map(\.description), replayedRecords: report.replay.recordsRead,
                replayedTransactions: report.replay.committedTransactions,
                droppedIncompleteTransactions: report.replay.incompleteTransactions.count,
                durationSeconds: report.duration.seconds, steps: report.steps)
        }
        if let monitor = database.rpoMonitor {
            rpoMilliseconds = monitor.rpo.milliseconds
            rpoExposureMilliseconds = monitor.exposure.milliseconds
        }
        let statistics = database.manager.statistics
        transactions = Transactions(committed: statistics.committed, readOnly: statistics.readOnlyCommitted,
                                    aborted: statistics.aborted, active: statistics.active)
        keys = database.store.statistics.liveKeys
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
