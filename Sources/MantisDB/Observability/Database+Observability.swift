import IntegrityKit
import MantisCore
import ObservabilityKit
import RecoveryKit
import WALKit

extension Database {
    /// Everything the metrics sample, read from the components' status snapshots.
    func observabilitySample() -> DatabaseSample {
        var sample = DatabaseSample()
        let wal = wal.status
        sample.wal = wal
        let statistics = manager.statistics
        var transactions = TransactionSample()
        transactions.begun = statistics.begun
        transactions.committed = statistics.committed
        transactions.readOnlyCommitted = statistics.readOnlyCommitted
        transactions.aborted = statistics.aborted
        transactions.active = statistics.active
        transactions.lockWaits = statistics.lockRequests
        transactions.lockWaitNanoseconds = statistics.lockWaitNanoseconds
        sample.transactions = transactions
        if let checkpointer {
            let status = checkpointer.status
            var checkpoints = CheckpointSample()
            checkpoints.taken = status.taken
            checkpoints.failed = status.failed
            checkpoints.consecutiveFailures = status.consecutiveFailures
            checkpoints.segmentsRemoved = status.segmentsRemoved
            checkpoints.inProgress = status.inProgress
            checkpoints.lastDuration = status.lastDuration
            checkpoints.lastCompletedAtNanoseconds = status.lastCompletedAtNanoseconds
            checkpoints.lastLSN = status.last?.lsn.rawValue
            checkpoints.lastFileBytes = status.last.map { Int64($0.fileBytes) }
            checkpoints.lastUncompressedBytes = status.last?.uncompressedBytes
            checkpoints.lastKeys = status.last?.entryCount
            checkpoints.startedAtNanoseconds = openedAtNanoseconds
            sample.checkpoints = checkpoints
        }
        if let report = recovery {
            var recovered = RecoverySample()
            recovered.duration = report.duration
            recovered.recordsReplayed = report.replay.recordsRead
            recovered.transactionsReplayed = report.replay.committedTransactions
            recovered.droppedIncomplete = report.replay.incompleteTransactions.count
            recovered.cleanShutdown = report.cleanShutdown
            recovered.safeMode = report.mode.isSafe
            recovered.quarantined = report.quarantined.count
            recovered.tornTailRepairs = report.walRepairs.count
            sample.recovery = recovered
        }
        if let scrubber {
            let status = scrubber.status
            var scrub = ScrubSample()
            scrub.passes = status.passes
            scrub.filesChecked = status.filesChecked
            scrub.bytesChecked = status.bytesChecked
            scrub.inProgress = status.inProgress
            scrub.progress = status.progress.map { $0.percent / 100 }
            scrub.findingsTotal = status.findingsTotal
            scrub.transientFindings = status.findings.filter { $0.resolution == .transient }.count
            scrub.unresolved = status.findings.filter { $0.resolution == .unresolved }.count
            sample.scrub = scrub
        }
        sample.disk = diskGuard?.report
        let store = store.statistics
        var memory = MemorySample()
        memory.usedBytes = store.approximateBytes + wal.pendingBytes
        if let guardReport = memoryGuard?.report {
            memory.usedBytes = guardReport.usage
            memory.softLimit = guardReport.softLimit
            memory.hardLimit = guardReport.hardLimit
            memory.level = switch guardReport.level {
            case .normal: 0
            case .soft: 1
            case .hard: 2
            }
            memory.refusedWrites = guardReport.refusedWrites
        }
        sample.memory = memory
        if let rpoMonitor { sample.rpo = RPOSample(target: rpoMonitor.rpo, exposure: rpoMonitor.exposure) }
        sample.readOnly = isReadOnly
        sample.storeKeys = store.liveKeys
        sample.storeVersions = store.versions
        if options.walKind == .segmented, let names = try? options.fileSystem.contentsOfDirectory(dataDirectory.quarantine) {
            sample.quarantinedFiles = names.filter { !$0.hasSuffix(".reason.json") && !$0.hasSuffix(".tmp") }.count
        } else if options.walKind == .segmented {
            sample.quarantinedFiles = 0
        }
        return sample
    }

    /// What the alert rules look at now.
    func alertRuleInputs() -> AlertRuleInputs {
        AlertRuleInputs(wal: modeAtOpen.isSafe ? nil : wal.status, oldestTransaction: manager.oldestRunning.map { RunningTransaction(id: $0.id.rawValue, age: $0.age) })
    }
}
