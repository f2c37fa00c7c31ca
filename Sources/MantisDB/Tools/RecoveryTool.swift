import MantisCore
import RecoveryKit

/// `mantisdb recover --dry-run DIR`: the recovery plan, computed without changing anything.
public enum RecoveryTool {
    /// Exit 0 would open normally; 2 safe mode, or the open refuses the directory (an unfinished
    /// restore, a damaged clean-shutdown marker or transaction-id epoch file); 3 not a data
    /// directory (`DataDirectoryCheck`) or unreadable. Reads only: creates nothing, not even a
    /// missing directory.
    public static func dryRun(options: DatabaseOptions) -> WALTool.Output {
        do {
            try DataDirectoryCheck.requireExisting(options.directory, fileSystem: options.fileSystem, operation: "recover --dry-run")
        } catch {
            return WALTool.Output(text: "error: \(error)\n", exitCode: 3)
        }
        var text = "recovery plan for \(options.directory) (dry run: nothing changed)\n"
        func refused(_ reason: String) -> WALTool.Output {
            WALTool.Output(text: text + "result: REFUSED: the open refuses this directory: \(reason)\n", exitCode: 2)
        }
        // As `Database.open`, which asks this before recovery runs.
        if let unfinished = Restore.unfinishedRestore(in: options.directory, fileSystem: options.fileSystem) {
            return refused("\(unfinished)")
        }
        let engine = RecoveryEngine(options: RecoveryOptions(
            dataDirectory: DataDirectory(options.directory), fileSystem: options.fileSystem, checksum: options.checksum,
            checksums: options.readableChecksums, codecs: options.readableCodecs, wal: options.wal))
        let plan: RecoveryPlan
        do { plan = try engine.plan() } catch let error as MantisError where error.code == .corruption {
            return refused("\(error)")  // a damaged clean-shutdown marker: recovery throws it too
        } catch {
            return WALTool.Output(text: "error: cannot analyse \(options.directory): \(error)\n", exitCode: 3)
        }
        text += plan.cleanShutdown ? "last shutdown: clean, log should end at LSN \(plan.cleanShutdownLSN?.description ?? "?")\n" : "last shutdown: not clean (crash recovery)\n"
        for bad in plan.badCheckpoints { text += "checkpoint \(bad.path) would not be used: \(bad.reason)\n" }
        if let checkpoint = plan.checkpoint {
            text += "checkpoint: \(checkpoint.path) at LSN \(checkpoint.lsn) (\(checkpoint.entryCount) keys)\n"
        } else {
            text += "checkpoint: none; the whole log would be replayed\n"
        }
        if plan.recordsToReplay == 0 {
            text += "replay: nothing after LSN \(plan.replayFrom.previous)\n"
        } else {
            text += "replay: LSN \(plan.replayFrom)...\(plan.replayThrough), \(plan.recordsToReplay) records, \(plan.bytesToReplay) bytes, \(plan.committedTransactions) committed transactions\n"
        }
        if !plan.incompleteTransactions.isEmpty {
            text += "would drop \(plan.incompleteTransactions.count) incomplete transaction(s): \(plan.incompleteTransactions.prefix(20).map(\.description).joined(separator: ", "))\n"
        }
        for marker in plan.walMarkers { text += "log marker: \(marker)\n" }
        for finding in plan.walFindings { text += "log finding: \(finding)\n" }
        if let reason = plan.safeModeReason {
            text += "result: SAFE MODE: \(reason)\n"
            return WALTool.Output(text: text, exitCode: 2)
        }
        // A normal open then advances the transaction-id epoch, refusing a damaged file (safe mode only reads it).
        if let problem = TransactionIDEpoch.peek(directory: options.directory, fileSystem: options.fileSystem).problem {
            return refused(problem)
        }
        text += "result: would open normally\n"
        return WALTool.Output(text: text, exitCode: 0)
    }
}
