import IntegrityKit
import MantisCore

/// A point-in-time reading of everything the metrics and alert rules look at, as plain values.
///
/// The assembly fills it from the components' status snapshots (`wal.status`,
/// `manager.statistics`, `checkpointer.status`, the recovery report, the guards and the
/// scrubber); a part is nil when the component does not exist (no checkpoints with an in-memory
/// log, no scrubber when disabled…). Counters are totals since the component started: the
/// sampler turns them into increments.
public struct DatabaseSample: Sendable {
    public var wal: WALStatus?
    public var transactions: TransactionSample?
    public var checkpoints: CheckpointSample?
    public var recovery: RecoverySample?
    public var scrub: ScrubSample?
    public var disk: DiskSpaceReport?
    public var memory: MemorySample?
    public var rpo: RPOSample?
    /// Safe mode: writes refused.
    public var readOnly = false
    public var storeKeys: Int?
    public var storeVersions: Int?
    /// Files in the quarantine directory (data files, not their `.reason.json` reports).
    public var quarantinedFiles: Int?
    /// When the sample was taken (wall clock).
    public var timeNanoseconds: UInt64

    public init(timeNanoseconds: UInt64 = WallClock.nanosecondsSinceEpoch()) {
        self.timeNanoseconds = timeNanoseconds
    }
}

/// The transaction manager's counters.
public struct TransactionSample: Sendable, Hashable {
    public var begun: UInt64 = 0
    public var committed: UInt64 = 0
    public var readOnlyCommitted: UInt64 = 0
    /// Aborts by reason (`deadlock`, `rollback`, …).
    public var aborted: [String: UInt64] = [:]
    public var active = 0
    /// Lock waits and their total time.
    public var lockWaits: UInt64 = 0
    public var lockWaitNanoseconds: UInt64 = 0

    public init() {}
}

/// The checkpointer's status.
public struct CheckpointSample: Sendable, Hashable {
    public var taken: UInt64 = 0
    public var failed: UInt64 = 0
    public var consecutiveFailures = 0
    public var segmentsRemoved: UInt64 = 0
    public var inProgress = false
    public var lastDuration: Duration?
    public var lastCompletedAtNanoseconds: UInt64?
    public var lastLSN: UInt64?
    public var lastFileBytes: Int64?
    public var lastUncompressedBytes: UInt64?
    public var lastKeys: UInt64?
    /// When the checkpointer started (for the age before the first checkpoint).
    public var startedAtNanoseconds: UInt64 = 0

    public init() {}
}

/// What the recovery at open found and did.
public struct RecoverySample: Sendable, Hashable {
    public var duration: Duration = .zero
    public var recordsReplayed = 0
    public var transactionsReplayed = 0
    public var droppedIncomplete = 0
    public var cleanShutdown = false
    public var safeMode = false
    public var quarantined = 0
    public var tornTailRepairs = 0

    public init() {}
}

/// The scrubber's status.
public struct ScrubSample: Sendable, Hashable {
    public var passes = 0
    public var filesChecked = 0
    public var bytesChecked: Int64 = 0
    public var inProgress = false
    /// 0…1 of the pass in progress.
    public var progress: Double?
    public var findingsTotal = 0
    /// Findings that were transient read errors (not damage).
    public var transientFindings = 0
    /// Findings recovery still depends on.
    public var unresolved = 0

    public init() {}
}

/// Memory use and limits.
public struct MemorySample: Sendable, Hashable {
    public var usedBytes = 0
    public var softLimit: Int?
    public var hardLimit: Int?
    /// 0 normal, 1 past the soft limit, 2 past the hard limit.
    public var level = 0
    public var refusedWrites: UInt64 = 0

    public init() {}
}

/// The recovery-point objective and the current exposure.
public struct RPOSample: Sendable, Hashable {
    public var target: Duration
    public var exposure: Duration

    public init(target: Duration, exposure: Duration) {
        self.target = target
        self.exposure = exposure
    }
}
