import MantisCore

/// What `SegmentedWAL.open` found and did.
public struct WALOpenReport: Sendable, Hashable {
    public var segmentCount = 0
    /// The last valid LSN found (0 for a new log).
    public var lastLSN: LSN = .zero
    public var bytesScanned: Int64 = 0
    /// Torn tails cut, each kept beside its segment in `brokenFiles`.
    public var repairs: [WALFinding] = []
    public var brokenFiles: [String] = []
    /// Stale files removed: segments prepared but never used, trimmed segments whose removal a
    /// crash interrupted.
    public var removedTemporaryFiles: [String] = []
    public var createdNewLog = false
    /// Records cut because a failed sync left a `sync-failed` marker (never acknowledged as durable).
    public var recordsCutAfterSyncFailure: UInt64 = 0
    /// Segments rewritten and synced because the last open's sync of the tail failed (a
    /// `tail-unsynced` marker).
    public var segmentsRewrittenAfterFailedSync = 0

    public init() {}
}
