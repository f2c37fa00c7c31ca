import MantisCore
import RecoveryKit
import WALKit

extension Restore {
    /// Checks the manifest's LSNs against the files: `checkpointLSN` must be the checkpoint's own
    /// LSN (0 without one) and `lastLSN` the last record the backup's log holds (the checkpoint's
    /// LSN without a log), so the restored database recovers exactly to `lastLSN`; and the log
    /// must cover replay from the checkpoint, as recovery requires. Throws `corruption` naming the
    /// manifest, the field and both values.
    static func verifyLSNs(of manifest: BackupManifest, at manifestPath: String, checkpoint: CheckpointInfo?, log: WALVerificationReport?) throws {
        func mismatch(_ message: String) -> MantisError {
            MantisError(.corruption, "the backup manifest does not match the backup: \(message); the manifest was edited or belongs to another backup",
                        context: ErrorContext(operation: "restore", file: manifestPath))
        }
        let checkpointLSN = checkpoint?.lsn ?? .zero
        guard manifest.checkpointLSN == checkpointLSN.rawValue else {
            let actual = checkpoint.map { "the checkpoint \($0.path) is at LSN \($0.lsn)" } ?? "the backup has no checkpoint (LSN 0)"
            throw mismatch("its checkpointLSN is \(manifest.checkpointLSN) but \(actual)")
        }
        let lastLSN = log?.lastLSN ?? checkpointLSN
        guard manifest.lastLSN == lastLSN.rawValue else {
            let actual = log.map { "the backup's log (\($0.directory)) ends at LSN \(lastLSN), its last readable record" }
                ?? "the backup has no log, so it ends at the checkpoint's LSN \(lastLSN)"
            throw mismatch("its lastLSN is \(manifest.lastLSN) but \(actual)")
        }
        if let log, let first = log.firstLSN,
           let problem = RecoveryEngine.logExtentProblem(checkpoint: checkpoint, logFirst: first, logLast: lastLSN) {
            throw MantisError(.corruption, "the backup would not recover: \(problem)", context: ErrorContext(operation: "restore", file: log.directory))
        }
    }
}
