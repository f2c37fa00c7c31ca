import MantisCore

/// The checks recovery makes on the log once it is open, shared by `recover()` and `plan()`: the
/// dry run decides safe mode with the same conditions and words as the open.
extension RecoveryEngine {
    /// Why no log can serve recovery, or nil: the log holds no segment while checkpoints exist
    /// (`checkpointCount` counts every checkpoint file, verified or not).
    static func missingLogProblem(hasLogSegments: Bool, checkpointCount: Int) -> String? {
        guard !hasLogSegments, checkpointCount > 0 else { return nil }
        return "the write-ahead log is missing but checkpoints exist: commits after the newest checkpoint cannot be accounted for"
    }

    /// Why a log holding LSNs `logFirst...logLast` (after the open's cuts) cannot be replayed from
    /// `checkpoint` (nil: none verified), or nil if it can: it must start at or before the first
    /// LSN replay needs, and end at or after the checkpoint's LSN (a checkpoint is written only
    /// once the log is durable through its LSN; a log ending before it would hand those LSNs out
    /// again).
    public static func logExtentProblem(checkpoint: CheckpointInfo?, logFirst: LSN, logLast: LSN) -> String? {
        let checkpointLSN = checkpoint?.lsn ?? .zero
        if logFirst > checkpointLSN.next {
            return checkpoint == nil
                ? "no checkpoint verified and the log starts at LSN \(logFirst): the commits before it are gone"
                : "the log starts at LSN \(logFirst), but replay from checkpoint LSN \(checkpointLSN) needs LSN \(checkpointLSN.next): log segments are missing"
        }
        if let checkpoint, logLast < checkpoint.lsn {
            return "the log ends at LSN \(logLast) but checkpoint \(checkpoint.path) covers up to LSN \(checkpoint.lsn): log records it was taken after are missing, and new commits would reuse their LSNs"
        }
        return nil
    }

    /// Why a log ending at `logLast` contradicts the clean-shutdown marker, or nil.
    static func cleanShutdownProblem(marker: CleanShutdownMarker?, logLast: LSN) -> String? {
        guard let marker, marker.lastLSN != logLast else { return nil }
        return "the clean shutdown recorded LSN \(marker.lastLSN) but the log ends at LSN \(logLast)"
    }
}
