import MantisCore
import TxnKit
import WALKit

/// What recovery would do, computed without changing anything (`mantisdb recover --dry-run`).
public struct RecoveryPlan: Sendable {
    public var cleanShutdown = false
    public var cleanShutdownLSN: LSN?
    /// The checkpoint that verifies and would be loaded.
    public var checkpoint: CheckpointInfo?
    /// Newer checkpoints recovery would pass over (quarantined if they fail verification, left in
    /// place if unreadable), with the reason.
    public var badCheckpoints: [(path: String, reason: String)] = []
    /// Replay would cover these LSNs.
    public var replayFrom: LSN = .zero
    public var replayThrough: LSN = .zero
    public var recordsToReplay = 0
    public var bytesToReplay: UInt64 = 0
    public var committedTransactions = 0
    /// Transactions with records but no commit record: would be dropped.
    public var incompleteTransactions: [TransactionID] = []
    /// What the log verification found (torn tails are cut after a crash; corruption means safe mode).
    public var walFindings: [WALFinding] = []
    /// What the markers a failed sync left make the log's open do first (cut, rewrite).
    public var walMarkers: [String] = []
    /// Nil if recovery would open normally; otherwise why it would enter safe mode.
    public var safeModeReason: String?

    public init() {}
}

extension RecoveryEngine {
    /// Analyses the data directory read-only: which checkpoint would be used, which log range
    /// replayed, which transactions committed or dropped, and whether safe mode would follow.
    public func plan() throws -> RecoveryPlan {
        var plan = RecoveryPlan()
        let marker = try CleanShutdownMarker.read(directory.cleanShutdownMarker, fileSystem: fileSystem, checksums: options.readableChecksums)
        plan.cleanShutdown = marker != nil
        plan.cleanShutdownLSN = marker?.lastLSN
        let catalog = CheckpointDirectory(path: directory.checkpoints, quarantinePath: directory.quarantine, fileSystem: fileSystem)
        let checkpoints = try catalog.list()
        for candidate in checkpoints {
            do {
                let reader = try CheckpointReader.open(path: candidate.path, fileSystem: fileSystem, codecs: options.codecs, checksums: options.checksums)
                defer { try? reader.close() }
                plan.checkpoint = try reader.verify()
                break
            } catch let error as MantisError where error.code == .ioError {
                plan.badCheckpoints.append((candidate.path, "unreadable, would be left in place after a second read: \(error)"))
            } catch let error as MantisError where error.code == .unsupportedFormat {
                plan.badCheckpoints.append((candidate.path, "not readable by this build, would be left in place: \(error)"))
            } catch {
                plan.badCheckpoints.append((candidate.path, "fails verification, would be quarantined: \(error)"))
            }
        }
        let from = (plan.checkpoint?.lsn ?? .zero).next
        plan.replayFrom = from
        // From here on, the same checks in the same order as `recover()`.
        let hasLog = try hasLogSegments()
        if let reason = Self.missingLogProblem(hasLogSegments: hasLog, checkpointCount: checkpoints.count) {
            plan.safeModeReason = reason
            return plan
        }
        guard hasLog else { return plan }  // a new data directory: the open starts a log
        var open: [TransactionID: Bool] = [:]
        // Records after a failed sync's last durable LSN are cut by the open, not replayed.
        let durableThrough = try WALMarkers.read(directory: directory.wal, fileSystem: fileSystem).durableThrough ?? LSN(UInt64.max)
        let report = try WALVerifier.verify(directory: directory.wal, fileSystem: fileSystem, checksums: options.checksums) { header, _ in
            guard header.lsn >= from, header.lsn <= durableThrough else { return }
            plan.recordsToReplay += 1
            plan.bytesToReplay += UInt64(header.recordSize)
            plan.replayThrough = header.lsn
            switch header.kind {
            case .writeBatch: open[header.transactionID] = true
            case .commit: open[header.transactionID] = nil; plan.committedTransactions += 1
            case .abort: open[header.transactionID] = nil
            default: break
            }
        }
        plan.incompleteTransactions = open.keys.sorted()
        plan.walFindings = report.findingsAfterMarkers
        plan.walMarkers = [report.markers.unsyncedTail, report.syncFailure].compactMap { $0 }
        // The log's open refuses damage; after a crash it cuts a torn tail and what follows a
        // failed sync's last durable record.
        if let corruption = plan.walFindings.first(where: \.isCorruption) {
            plan.safeModeReason = "the log is damaged: \(corruption)"
        } else if let damage = report.markers.damage.first {
            plan.safeModeReason = "the log is damaged: \(damage)"
        } else if marker != nil, let torn = plan.walFindings.first {
            plan.safeModeReason = "the log has a torn tail although the last shutdown was clean: \(torn)"
        } else {
            let logFirst = report.firstLSN ?? from
            let logLast = min(report.lastLSN ?? from.previous, durableThrough)
            plan.safeModeReason = Self.logExtentProblem(checkpoint: plan.checkpoint, logFirst: logFirst, logLast: logLast)
                ?? Self.cleanShutdownProblem(marker: marker, logLast: logLast)
        }
        return plan
    }
}
