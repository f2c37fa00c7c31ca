/// A snapshot of the log's positions and counters.
public struct WALStatus: Sendable, Hashable {
    /// The oldest LSN still readable (0 if the log is empty).
    public var firstLSN: LSN = .zero
    /// The last LSN assigned.
    public var lastLSN: LSN = .zero
    /// Every record up to here has been handed to the OS.
    public var writtenLSN: LSN = .zero
    /// Every record up to here is on stable storage.
    public var durableLSN: LSN = .zero
    public var segmentCount: Int = 0
    /// Bytes of all segment files (including preallocated space).
    public var totalBytes: Int64 = 0
    public var appendedRecords: UInt64 = 0
    public var appendedBytes: UInt64 = 0
    /// `fdatasync` calls issued and their total and last latency.
    public var syncCount: UInt64 = 0
    public var syncNanosecondsTotal: UInt64 = 0
    public var lastSyncNanoseconds: UInt64 = 0
    /// Group commits: how many write+sync rounds served how many records.
    public var groupCommits: UInt64 = 0
    public var groupCommittedRecords: UInt64 = 0
    /// Rounds led by a caller on its own thread (a committer's task, an event loop, a seal)
    /// rather than by the log's own threads.
    public var roundsLedByCallers: UInt64 = 0
    /// Rounds in a row whose I/O was short (at most 16; at 16 an event loop may lead a round).
    public var shortRoundStreak: Int = 0
    /// Bytes waiting in memory for the next write.
    public var pendingBytes: Int = 0
    /// Nanoseconds since the epoch of the last completed sync (0 if none).
    public var lastSyncAtNanoseconds: UInt64 = 0
    /// Nanoseconds since the epoch when the oldest record not yet durable was appended, or a
    /// moment before it (0 if every record is durable, or the log does not track it): what a
    /// power loss would take reaches back to here.
    public var oldestUndurableAtNanoseconds: UInt64 = 0
    /// The failure that stopped the log, if it has failed.
    public var failure: String?

    public init() {}
}
