import Logging
import MantisCore
import Synchronization

/// The write-ahead log on files: a directory of segments (`wal-<first LSN>.log`).
///
/// Durability: `append` returns when `options.durability` is met — with `.sync` only after the
/// records' `fdatasync` returned; concurrent appenders are group committed (one leader writes
/// and syncs everything pending, the others wait). An appender finding the log idle leads that
/// round itself; while appenders keep arriving, the rounds after it are led by the log's own
/// thread (`leaderThread`), so syncs do not hold threads of Swift's cooperative pool. A waiter
/// that must not block its thread (`BlockingIO.policy`: `.never`; `.whileFast`, an event loop,
/// while the recent rounds were not all short) never leads: that thread does the round for it.
/// A write or sync failure fails the log for good: the failed sync is never retried, every later
/// call throws `walFailed` with the original cause, and a reopen recovers from what is on disk.
public final class SegmentedWAL: WriteAheadLog {
    struct Waiter {
        var target: LSN
        var durable: Bool
        var continuation: CheckedContinuation<Role, any Error>
    }

    enum Role { case done, lead }

    struct AppendState {
        var buffer: [UInt8] = []
        var nextLSN: LSN
        var writtenLSN: LSN
        var durableLSN: LSN
        /// The last LSN a leader has taken out of `buffer`.
        var takenThrough: LSN
        var ioActive = false
        var waiters: [Waiter] = []
        var failure: MantisError?
        var closed = false
        /// Set by `sealActiveSegment`; the next leader round rotates and bumps `sealGeneration`.
        var sealRequested = false
        var sealGeneration: UInt64 = 0
        var counters = WALStatus()
        /// The active segment and how many of its bytes hold only durable records (the end of
        /// the last synced round), for copying it while appends go on.
        var durableEnd: (path: String, length: Int64)
        /// Rounds in a row whose I/O took less than `options.shortRoundBound` (at most
        /// `shortRoundsToLead`): whether a `BlockingIO.whileFast` waiter may lead.
        var shortRounds = 0
        /// The async flusher asked for a sync while a round was in progress: rounds go on, and
        /// sync, until everything appended before the request is durable.
        var syncDue = false
        /// When the oldest record not yet durable was appended, or a moment before (0: none).
        var undurableSince: UInt64 = 0
    }

    public let directory: String
    public let openReport: WALOpenReport
    let fileSystem: any FileSystem
    let checksum: any ChecksumAlgorithm
    let checksums: ChecksumSet
    let options: SegmentedWALOptions
    let logger: Logger
    let maxPayload: Int
    /// The largest record payload accepted (`SegmentedWALOptions.effectiveMaxPayload`).
    public var maxRecordPayload: Int { maxPayload }

    let state: Mutex<AppendState>
    let active: ActiveSegment
    let catalog: Mutex<[SegmentInfo]>
    let cleanupLock = Mutex(())
    let preparer: SegmentPreparer
    /// With async durability, makes what was appended durable every `flushInterval`: an OS
    /// thread, so the window a crash can lose does not grow while Swift's pool is busy.
    let flusherThread = IOThread(name: "mantisdb-flush")
    /// Leads the group-commit rounds after the first, while appenders keep arriving.
    let leaderThread = IOThread(name: "mantisdb-wal")

    init(
        directory: String,
        fileSystem: any FileSystem,
        checksum: any ChecksumAlgorithm,
        options: SegmentedWALOptions,
        active: ActiveSegment,
        segments: [SegmentInfo],
        preparer: SegmentPreparer,
        nextLSN: LSN,
        report: WALOpenReport
    ) {
        self.directory = directory
        self.fileSystem = fileSystem
        self.checksum = checksum
        self.checksums = ChecksumSet(primary: checksum, additional: options.additionalChecksums)
        self.options = options
        self.logger = options.logger
        self.maxPayload = options.effectiveMaxPayload
        self.active = active
        self.catalog = Mutex(segments)
        self.preparer = preparer
        self.openReport = report
        self.state = Mutex(AppendState(nextLSN: nextLSN, writtenLSN: nextLSN.previous, durableLSN: nextLSN.previous, takenThrough: nextLSN.previous,
                                       durableEnd: (active.info.path, active.writeOffset)))
    }

    public var status: WALStatus {
        let segments = catalog.withLock { $0 }
        var status = state.withLock { state in
            var status = state.counters
            status.lastLSN = state.nextLSN.previous
            status.writtenLSN = state.writtenLSN
            status.durableLSN = state.durableLSN
            status.pendingBytes = state.buffer.count
            status.oldestUndurableAtNanoseconds = state.undurableSince
            status.shortRoundStreak = state.shortRounds
            status.failure = state.failure.map { "\($0)" }
            return status
        }
        status.segmentCount = segments.count
        status.firstLSN = segments.first?.firstLSN ?? .zero
        status.totalBytes = segments.reduce(0) { $0 + $1.size }
        return status
    }

    /// The segment files, oldest first; the last is the active one.
    public var segmentPaths: [String] { catalog.withLock { $0.map(\.path) } }
}

extension SegmentedWAL {
    /// Bytes encoded but not yet written.
    public var pendingBytes: Int { state.withLock { $0.buffer.count } }

    /// How many bytes from the start of the segment at `path` hold only durable records, if it is
    /// the active segment: a copy of that prefix is a valid segment ending at a synced round
    /// (the rest is preallocated space or records not yet synced). Nil for any other segment:
    /// sealed segments are synced whole and truncated to their last record.
    public func durablePrefixLength(ofSegment path: String) -> Int64? {
        state.withLock { $0.durableEnd.path == path ? $0.durableEnd.length : nil }
    }
}
