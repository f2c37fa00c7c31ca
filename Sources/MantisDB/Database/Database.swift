import IntegrityKit
import IntegrityScrubber
import Logging
import MantisCore
import ObservabilityKit
import RecoveryKit
import Synchronization
import TxnKit
import WALKit

/// A MantisDB database: ACID transactions over a write-ahead log and an MVCC store, with
/// checkpoints, crash recovery and a recovery-point objective.
///
/// Durability: a commit returns only when its records meet the WAL's durability level (with
/// `sync`, on stable storage). Opening recovers the committed state (checkpoint + log replay).
/// If recovery finds damage it must not paper over, the database is in **safe mode**: reads are
/// served from what could be recovered, every write is refused with `readOnly` and the reason.
public final class Database: Sendable {
    public let options: DatabaseOptions
    public let manager: TransactionManager
    public let wal: any WriteAheadLog
    public let store: MVCCStore
    /// The mode recovery left the database in at open.
    public let modeAtOpen: DatabaseMode
    /// What recovery found and did (nil for an in-memory log).
    public let recovery: RecoveryReport?
    public let checkpointer: Checkpointer?
    public let rpoMonitor: RPOMonitor?
    /// Collects versions no snapshot can see any more, every `options.garbageCollectionInterval`.
    let collector = Mutex<Task<Void, Never>?>(nil)
    public let dataDirectory: DataDirectory
    public let diskGuard: DiskSpaceGuard?
    public let memoryGuard: MemoryGuard?
    public let scrubber: Scrubber?
    /// Metrics, alerts, alert rules and the audit trail.
    public let observability: DatabaseObservability
    let alerts: any AlertSink
    let logger: Logger
    let random = Mutex(SplitMix64(seed: WallClock.nanosecondsSinceEpoch()))
    let closed = Atomic<Bool>(false)
    let lock: DataDirectoryLock?
    let openedAtNanoseconds = WallClock.nanosecondsSinceEpoch()

    init(
        options: DatabaseOptions, manager: TransactionManager, wal: any WriteAheadLog, mode: DatabaseMode,
        recovery: RecoveryReport?, checkpointer: Checkpointer?, rpoMonitor: RPOMonitor?, alerts: any AlertSink,
        lock: DataDirectoryLock?, guards: Guards, observability: DatabaseObservability
    ) {
        self.observability = observability
        self.lock = lock
        self.diskGuard = guards.disk
        self.memoryGuard = guards.memory
        self.scrubber = guards.scrubber
        self.options = options
        self.manager = manager
        self.wal = wal
        self.store = manager.store
        self.modeAtOpen = mode
        self.recovery = recovery
        self.checkpointer = checkpointer
        self.rpoMonitor = rpoMonitor
        self.dataDirectory = DataDirectory(options.directory)
        self.alerts = alerts
        self.logger = options.logger
    }

    deinit {
        guard !closed.load(ordering: .acquiring) else { return }
        // Released without `close()`: say what that costs, since nothing else will.
        logger.warning("database released without close(): no final sync of an async log, no clean-shutdown marker (the next open recovers as after a crash), and its LOCK is held until the process exits",
                       metadata: ["data_dir": "\(options.directory)"])
    }

    /// Safe mode if recovery left the database in it, or since the write-ahead log failed at
    /// runtime: the log then accepts no writes until a restart recovers from what is on disk.
    public var mode: DatabaseMode {
        if modeAtOpen.isSafe { return modeAtOpen }
        if let failure = wal.failure {
            return .safe(reason: "the write-ahead log failed at runtime and accepts no writes until a restart recovers from it: \(failure)")
        }
        return .normal
    }

    /// True in safe mode (see `mode`): every write is refused.
    public var isReadOnly: Bool { mode.isSafe }

    /// Takes a checkpoint now; returns what was written.
    @discardableResult
    public func checkpoint() async throws -> CheckpointInfo {
        try checkOpen()
        guard let checkpointer else {
            throw MantisError(isReadOnly ? .readOnly : .invalidArgument,
                              isReadOnly ? "no checkpoints in safe mode: \(mode)" : "this database has no checkpoints (in-memory log)")
        }
        do {
            return try await checkpointer.checkpoint()
        } catch {
            observability.observe(error, operation: "checkpoint")
            throw error
        }
    }

    /// Forces every acknowledged write durable (meaningful with `async` or `os` durability).
    public func sync() async throws {
        try checkOpen()
        do {
            try await wal.sync()
        } catch {
            observability.observe(error, operation: "sync")
            throw error
        }
    }

    /// Stops background work, optionally checkpoints, ends open (not committing) transactions,
    /// makes everything durable, writes the clean-shutdown marker last. Later calls throw
    /// `closed`; calls on an ended transaction throw `transactionClosed`, and its writes never
    /// appear. A database released without it logs a warning: its next open recovers as after a
    /// crash, and its data directory stays locked until the process exits.
    public func close() async throws {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if let task = collector.withLock({ task -> Task<Void, Never>? in defer { task = nil }; return task }) {
            task.cancel()
            await task.value
        }
        await rpoMonitor?.stop()
        await scrubber?.stop()
        await diskGuard?.stop()
        await checkpointer?.stop()
        if options.checkpointOnClose, let checkpointer {
            do { try await checkpointer.checkpoint() } catch { logger.error("final checkpoint failed", metadata: ["error": "\(error)"]) }
        }
        await observability.stop(self)
        // Open transactions end here (their owners' next calls are refused): each references the
        // manager, which references it, and would keep the whole store alive.
        manager.abortRunning()
        defer { lock?.release() }
        do {
            // Throws if the log failed at any point: then no clean-shutdown marker (the tail may
            // be torn; the next open recovers it like a crash, instead of calling it corruption).
            try await wal.close()
            if options.walKind == .segmented, !isReadOnly {
                try CleanShutdownMarker.write(CleanShutdownMarker(lastLSN: wal.status.lastLSN),
                                              to: dataDirectory.cleanShutdownMarker,
                                              fileSystem: options.fileSystem, checksum: options.checksum)
            }
        } catch {
            await observability.audit("close", outcome: .failure, details: ["error": "\(error)", "last_lsn": "\(wal.status.lastLSN)"])
            await observability.finish()
            throw error
        }
        await observability.audit("close", details: ["clean_shutdown_marker": String(options.walKind == .segmented && !isReadOnly),
                                                     "last_lsn": "\(wal.status.lastLSN)"])
        await observability.finish()
    }

    func checkOpen() throws {
        if closed.load(ordering: .acquiring) { throw MantisError(.closed, "the database is closed") }
    }
}

extension Database {
    /// The integrity and resource components created at open.
    struct Guards {
        var disk: DiskSpaceGuard?
        var memory: MemoryGuard?
        var scrubber: Scrubber?
    }
}
