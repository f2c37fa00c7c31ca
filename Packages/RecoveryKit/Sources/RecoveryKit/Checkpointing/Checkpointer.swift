import Dispatch
import Logging
import MantisCore
import Synchronization
import TxnKit

/// Takes checkpoints of the store from an MVCC snapshot, so writers keep going while one is
/// written, and then trims the log.
///
/// Guarantees: a checkpoint never runs ahead of the log: before it is written the log is synced
/// through its snapshot (with async durability, a checkpoint covering commits the log then lost
/// would let the log hand their LSNs out again after a crash). A checkpoint is written to a
/// temporary file, fsynced, renamed and its directory fsynced before it counts; only after that
/// are older checkpoints beyond `keep` removed and WAL segments wholly below the oldest kept
/// checkpoint's LSN archived/removed, and only once two are kept, so a fallback remains (with
/// `keep: 1` the new checkpoint is instead read back whole before it replaces anything:
/// `readBack`). A failed checkpoint is reported (alert), retried with
/// backoff, and never causes WAL removal. One checkpoint at a time; the file I/O runs on its own
/// thread, never on the Swift concurrency pool.
public final class Checkpointer: Sendable {
    let manager: TransactionManager
    let wal: any WriteAheadLog
    let directory: CheckpointDirectory
    let codec: any CheckpointCodec
    let checksum: any ChecksumAlgorithm
    let options: CheckpointOptions
    let alerts: any AlertSink
    let logger: Logger
    let state = Mutex(CheckpointerStatus())
    let gate = SerialGate()
    let queue = DispatchQueue(label: "mantisdb.checkpoint")
    let scheduler = Mutex<Task<Void, Never>?>(nil)
    /// WAL bytes appended when the last checkpoint started.
    let walBytesAtLast = Mutex<UInt64>(0)

    public init(
        manager: TransactionManager,
        wal: any WriteAheadLog,
        directory: CheckpointDirectory,
        codec: any CheckpointCodec,
        checksum: any ChecksumAlgorithm,
        options: CheckpointOptions = CheckpointOptions(),
        alerts: any AlertSink = NoAlertSink(),
        logger: Logger = Logger(label: "mantisdb.checkpoint", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.manager = manager
        self.wal = wal
        self.directory = directory
        self.codec = codec
        self.checksum = checksum
        self.options = options
        self.alerts = alerts
        self.logger = logger
        walBytesAtLast.withLock { $0 = wal.status.appendedBytes }
    }

    public var status: CheckpointerStatus { state.withLock { $0 } }

    /// Takes a checkpoint now (after any in progress) and trims checkpoints and log.
    @discardableResult
    public func checkpoint() async throws -> CheckpointInfo {
        try await gate.run { try await self.takeCheckpoint() }
    }

    /// Takes a checkpoint and runs `body` with it before any other checkpoint or log trimming
    /// can start: what a backup needs to copy the checkpoint and the log after it.
    public func checkpoint<T: Sendable>(then body: @Sendable (CheckpointInfo) async throws -> T) async throws -> T {
        try await gate.run {
            let info = try await self.takeCheckpoint()
            return try await body(info)
        }
    }

    private func takeCheckpoint() async throws -> CheckpointInfo {
        let start = ContinuousClock.now
        state.withLock { $0.inProgress = true }
        defer { state.withLock { $0.inProgress = false } }
        let bytesAtStart = wal.status.appendedBytes
        let pin = manager.pinSnapshot()
        defer { pin.release() }
        let nextID = manager.nextTransactionID
        do {
            try await wal.sync()
            let info = try await onIOThread { [self] in
                let writer = try CheckpointWriter(
                    directory: directory.path, lsn: LSN(pin.snapshot), nextTransactionID: nextID,
                    codec: codec, checksum: checksum, fileSystem: directory.fileSystem,
                    blockSize: options.blockSize, writesInBackground: true, logger: logger)
                do {
                    try manager.store.forEachLatestInPlace(at: pin.snapshot) { key, value in try writer.append(key: key, value: value) }
                    return try writer.finish(beforeRename: options.keep == 1 ? { try self.readBack($0) } : nil)
                } catch {
                    writer.abandon()
                    throw error
                }
            }
            walBytesAtLast.withLock { $0 = bytesAtStart }
            // Paced deletions block their thread: on the checkpoint's thread, not the pool.
            let (removedCheckpoints, removedSegments) = try await onIOThread { [self] in
                let removedCheckpoints = try directory.retain(newest: options.keep, pacing: options.removalPacing)
                var removedSegments = 0
                // The log goes only once an older kept checkpoint could stand in for the new one
                // (with keep 1, the new one was read back instead): the first checkpoint of a
                // database lets nothing go.
                let kept = try directory.list()
                if kept.count >= 2 || options.keep == 1, let oldest = kept.last {
                    removedSegments = try wal.removeSegments(below: oldest.lsn.next)
                }
                return (removedCheckpoints, removedSegments)
            }
            let duration = ContinuousClock.now - start
            let recovered = state.withLock { state -> Bool in
                let wasFailing = state.consecutiveFailures > 0
                state.last = info
                state.lastDuration = duration
                state.lastCompletedAtNanoseconds = WallClock.nanosecondsSinceEpoch()
                state.consecutiveFailures = 0
                state.lastFailure = nil
                state.taken += 1
                state.segmentsRemoved += UInt64(removedSegments)
                return wasFailing
            }
            options.onCheckpoint?(info, duration)
            logger.info("checkpoint taken", metadata: [
                "file": "\(info.path)", "lsn": "\(info.lsn)", "keys": "\(info.entryCount)",
                "bytes": "\(info.fileBytes)", "duration": "\(duration)",
                "removed_checkpoints": "\(removedCheckpoints.count)", "removed_segments": "\(removedSegments)",
            ])
            if recovered {
                await alerts.send(Alert(name: "checkpoint_failed", severity: .resolved, message: "checkpoints succeed again"))
            }
            return info
        } catch {
            let failures = state.withLock { state -> Int in
                state.consecutiveFailures += 1
                state.failed += 1
                state.lastFailure = "\(error)"
                return state.consecutiveFailures
            }
            logger.error("checkpoint failed; the log is kept", metadata: ["error": "\(error)", "consecutive_failures": "\(failures)"])
            await alerts.send(Alert(
                name: "checkpoint_failed",
                severity: failures >= options.criticalAfterFailures ? .critical : .warning,
                message: "checkpoint failed (\(failures) in a row): \(error)",
                details: ["consecutive_failures": "\(failures)"]))
            throw error
        }
    }

    /// Starts taking checkpoints by interval and by WAL bytes, retrying failures with backoff.
    public func start() {
        let task = Task.detached { [weak self] in
            var delay: Duration?
            while !Task.isCancelled {
                try? await Task.sleep(for: delay ?? .milliseconds(200))
                guard let self, !Task.isCancelled else { return }
                if delay == nil, !self.isDue() { continue }
                do {
                    try await self.checkpoint()
                    delay = nil
                } catch {
                    let next = min(self.options.retryMaxDelay, (delay ?? self.options.retryInitialDelay / 2) * 2)
                    delay = next
                }
            }
        }
        scheduler.withLock { $0 = task }
    }

    /// Stops scheduling; waits for a checkpoint in progress.
    public func stop() async {
        let task = scheduler.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
    }

    /// Whether the interval or the byte trigger says a checkpoint is due.
    func isDue() -> Bool {
        if let threshold = options.walBytes {
            let appended = wal.status.appendedBytes &- walBytesAtLast.withLock { $0 }
            if appended >= threshold { return true }
        }
        if let interval = options.interval {
            let last = state.withLock { $0.lastCompletedAtNanoseconds } ?? startedAt
            let elapsed = WallClock.nanosecondsSinceEpoch() &- last
            if elapsed >= UInt64(interval.components.seconds) * 1_000_000_000 + UInt64(interval.components.attoseconds / 1_000_000_000) {
                return wal.status.appendedBytes != walBytesAtLast.withLock { $0 }
            }
        }
        return false
    }

    private var startedAt: UInt64 { creation }
    private let creation = WallClock.nanosecondsSinceEpoch()

    private func onIOThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
