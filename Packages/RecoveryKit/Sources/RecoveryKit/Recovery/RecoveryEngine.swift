import Logging
import MantisCore
import TxnKit
import WALKit

/// Turns a data directory — after a clean shutdown or a crash — into exactly the committed state.
///
/// Steps: detect an unclean shutdown (no clean-shutdown marker) → load the newest checkpoint that
/// verifies, quarantining any that do not → open the log (cutting a torn tail only after a crash)
/// → replay committed transactions after the checkpoint's LSN in LSN order, dropping incomplete
/// ones → validate → remove the marker. Damage that must not be papered over (corruption of synced
/// log records, a missing segment, log needed but gone, a clean shutdown whose log does not end
/// where the marker says) ends in **safe mode**: the state recovered up to the damage, read-only,
/// with the reason — never a partial state presented as whole.
public struct RecoveryEngine: Sendable {
    public let options: RecoveryOptions

    public init(options: RecoveryOptions) {
        self.options = options
    }

    var fileSystem: any FileSystem { options.fileSystem }
    var directory: DataDirectory { options.dataDirectory }
    var logger: Logger { options.logger }

    /// True if the log directory holds a segment file.
    func hasLogSegments() throws -> Bool {
        try WALFormat.holdsSegments(directory.wal, fileSystem: fileSystem)
    }

    public func recover() throws -> RecoveredState {
        let start = ContinuousClock.now
        var report = RecoveryReport()
        func step(_ text: String) {
            report.steps.append(text)
            logger.info("recovery: \(text)")
        }
        try fileSystem.createDirectory(directory.path)

        let marker = try CleanShutdownMarker.read(directory.cleanShutdownMarker, fileSystem: fileSystem, checksums: options.readableChecksums)
        report.cleanShutdown = marker != nil
        // 1. The newest checkpoint that verifies.
        let catalog = CheckpointDirectory(path: directory.checkpoints, quarantinePath: directory.quarantine, fileSystem: fileSystem, logger: logger)
        // Temporary and retired files are not listed, so the list holds before they are removed.
        let checkpoints = try catalog.list()
        if let marker {
            step("clean shutdown at LSN \(marker.lastLSN) detected")
        } else if checkpoints.isEmpty, try !hasLogSegments() {
            step("new data directory: nothing to recover")
        } else {
            step("no clean-shutdown marker: recovering from a crash")
        }
        for stale in try catalog.removeTemporaryFiles() { step("removed stale checkpoint file \(stale)") }
        var store = freshStore()
        var loaded: CheckpointInfo?
        for candidate in checkpoints {
            do {
                let (filled, info, count) = try loadRereadingOnce(candidate.path, step: step)
                store = filled
                loaded = info
                report.checkpointEntriesLoaded = count
                step("loaded checkpoint \(candidate.path) at LSN \(info.lsn): \(count) keys")
                break
            } catch let error as MantisError where error.code == .unsupportedFormat {
                // Whole and verified as far as its header, but written with a codec, checksum or
                // format this build lacks: not damage. Left in place for a build that reads it.
                report.unreadableCheckpoints.append(candidate.path)
                step("checkpoint \(candidate.path) is not readable by this build (\(error)); left in place, trying an older one")
            } catch let error as MantisError where error.code == .corruption || error.code == .checksumMismatch || error.code == .codecError {
                let moved = try catalog.quarantine(path: candidate.path, reason: QuarantineReason(error: error, detectedBy: "recovery"))
                report.quarantined.append(moved)
                step("checkpoint \(candidate.path) failed verification (\(error)); quarantined as \(moved), trying an older one")
            } catch let error as MantisError where error.code == .ioError {
                // Unreadable twice: fall back to an older checkpoint, leaving this one in place
                // (the disk, not the file, may be at fault); the log from the older checkpoint on
                // is kept (or the checks below refuse).
                report.unreadableCheckpoints.append(candidate.path)
                step("checkpoint \(candidate.path) could not be read twice (\(error)); left in place, trying an older one")
            }
        }
        report.checkpoint = loaded
        let checkpointLSN = loaded?.lsn ?? .zero
        report.replayFrom = checkpointLSN.next
        var maxTransactionID = loaded.map { TransactionID($0.nextTransactionID.rawValue == 0 ? 0 : $0.nextTransactionID.rawValue - 1) } ?? .none

        // 2. The log.
        if let reason = Self.missingLogProblem(hasLogSegments: try hasLogSegments(), checkpointCount: checkpoints.count) {
            return safeMode(reason, store: store, report: &report, start: start, maxTransactionID: maxTransactionID)
        }
        if loaded == nil && !checkpoints.isEmpty {
            report.steps.append("no checkpoint verified; replaying the whole log if it starts at LSN 1")
        }
        var walOptions = options.wal
        walOptions.repairTornTail = marker == nil
        walOptions.firstLSN = checkpointLSN.next
        walOptions.additionalChecksums = options.checksums.filter { $0.identifier != options.checksum.identifier }
        walOptions.logger = logger
        let wal: SegmentedWAL
        do {
            wal = try SegmentedWAL.open(directory: directory.wal, fileSystem: fileSystem, checksum: options.checksum, options: walOptions)
        } catch let error as MantisError where error.code == .corruption || error.code == .tornWrite || error.code == .unsupportedFormat {
            let reason = error.code == .tornWrite
                ? "the log has a torn tail although the last shutdown was clean: \(error)"
                : "the log is damaged: \(error)"
            step("opening the log failed: \(error); salvaging what is readable, read-only")
            maxTransactionID = max(maxTransactionID, salvage(into: store, from: checkpointLSN.next, report: &report))
            return safeMode(reason, store: store, report: &report, start: start, maxTransactionID: maxTransactionID)
        }
        report.walRepairs = wal.openReport.repairs
        for repair in wal.openReport.repairs { step("cut \(repair), kept in \(wal.openReport.brokenFiles.joined(separator: ", "))") }
        if wal.openReport.segmentsRewrittenAfterFailedSync > 0 {
            step("rewrote and synced \(wal.openReport.segmentsRewrittenAfterFailedSync) log segment(s) whose sync failed at the last open")
        }
        if wal.openReport.recordsCutAfterSyncFailure > 0 {
            step("cut \(wal.openReport.recordsCutAfterSyncFailure) log record(s) after the last durable one a failed sync recorded (never acknowledged as durable), kept in .broken files")
        }
        let status = wal.status
        if let reason = Self.logExtentProblem(checkpoint: loaded, logFirst: status.firstLSN, logLast: status.lastLSN) {
            try? closeQuietly(wal)
            return safeMode(reason, store: store, report: &report, start: start, maxTransactionID: maxTransactionID)
        }

        // 3. Replay.
        let replayer = TransactionReplayer(store: store)
        do {
            try replay(wal: wal, from: checkpointLSN.next, into: replayer, report: &report, start: start)
        } catch let error as MantisError where error.code == .corruption || error.code == .unsupportedFormat {
            report.replay = replayer.finish()
            try? closeQuietly(wal)
            step("replay stopped at damage: \(error)")
            return safeMode("the log is damaged: \(error)", store: store, report: &report, start: start,
                            maxTransactionID: max(maxTransactionID, report.replay.maxTransactionID))
        }
        report.replay = replayer.finish()
        maxTransactionID = max(maxTransactionID, report.replay.maxTransactionID)
        if !report.replay.incompleteTransactions.isEmpty {
            step("dropped \(report.replay.incompleteTransactions.count) transaction(s) without a commit record: \(report.replay.incompleteTransactions.prefix(10).map(\.description).joined(separator: ", "))")
        }

        // 4. Validate.
        report.lastLSN = status.lastLSN
        if let reason = Self.cleanShutdownProblem(marker: marker, logLast: status.lastLSN) {
            try? closeQuietly(wal)
            return safeMode(reason, store: store, report: &report, start: start, maxTransactionID: maxTransactionID)
        }
        if report.replay.recordsRead > 0, report.replay.lastLSN != status.lastLSN {
            try? closeQuietly(wal)
            return safeMode("replay ended at LSN \(report.replay.lastLSN) but the log ends at LSN \(status.lastLSN)", store: store, report: &report, start: start, maxTransactionID: maxTransactionID)
        }
        try CleanShutdownMarker.remove(directory.cleanShutdownMarker, fileSystem: fileSystem)
        report.duration = .now - start
        step("recovered to LSN \(status.lastLSN): \(report.replay.committedTransactions) transactions replayed from LSN \(checkpointLSN.next) in \(report.duration)")
        return RecoveredState(store: store, wal: wal, report: report, maxTransactionID: maxTransactionID)
    }

    func freshStore() -> MVCCStore {
        MVCCStore(checksum: options.valueChecksum ?? options.checksum, verifyReads: options.verifyReads)
    }

    /// Loads a checkpoint into a fresh store, reading it once more after an I/O error (which may
    /// be transient); throws the second read's error, or any verification failure.
    func loadRereadingOnce(_ path: String, step: (String) -> Void) throws -> (MVCCStore, CheckpointInfo, Int) {
        func read() throws -> (MVCCStore, CheckpointInfo, Int) {
            let store = freshStore()
            let (info, count) = try load(path, into: store)
            return (store, info, count)
        }
        do {
            return try read()
        } catch let error as MantisError where error.code == .ioError {
            step("reading checkpoint \(path) failed (\(error)); reading it again")
            return try read()
        }
    }

    /// Loads a checkpoint into `store` in batches; throws on any verification failure.
    func load(_ path: String, into store: MVCCStore) throws -> (CheckpointInfo, Int) {
        let reader = try CheckpointReader.open(path: path, fileSystem: fileSystem, codecs: options.codecs, checksums: options.checksums)
        defer { try? reader.close() }
        let lsn = reader.info.lsn.rawValue
        var batch: [(key: [UInt8], value: [UInt8]?)] = []
        batch.reserveCapacity(4096)
        var count = 0
        try reader.forEach { key, value in
            batch.append((key, value))
            count += 1
            if batch.count == 4096 {
                store.install(batch, at: lsn)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { store.install(batch, at: lsn) }
        return (reader.info, count)
    }

    func replay(wal: SegmentedWAL, from lsn: LSN, into replayer: TransactionReplayer, report: inout RecoveryReport, start: ContinuousClock.Instant) throws {
        let total = UInt64(max(0, wal.status.totalBytes))
        var lastProgress = ContinuousClock.now
        var records = 0
        try wal.forEachRecord(from: lsn) { record in
            try replayer.apply(record)
            records += 1
            if records & 0x3FFF == 0, let progress = options.progress, ContinuousClock.now - lastProgress > .milliseconds(100) {
                lastProgress = .now
                let done = replayer.result.bytesRead + UInt64(records) * UInt64(WALFormat.recordHeaderSize)
                progress(RecoveryProgress(phase: "replay", recordsDone: records, bytesDone: done, bytesTotal: max(total, done), elapsed: .now - start))
            }
        }
    }

    /// Replays every readable entry from `lsn` until the first damage (read-only). Returns the
    /// largest transaction id seen.
    func salvage(into store: MVCCStore, from lsn: LSN, report: inout RecoveryReport) -> TransactionID {
        let replayer = TransactionReplayer(store: store)
        do {
            let cursor = try SegmentedWAL.readOnlyEntries(directory: directory.wal, fileSystem: fileSystem, checksums: options.checksums, from: lsn)
            while let entry = try cursor.next() { try replayer.apply(entry) }
        } catch {
            report.steps.append("salvage stopped: \(error)")
        }
        report.replay = replayer.finish()
        report.lastLSN = report.replay.lastLSN
        return report.replay.maxTransactionID
    }

    func safeMode(_ reason: String, store: MVCCStore, report: inout RecoveryReport, start: ContinuousClock.Instant, maxTransactionID: TransactionID) -> RecoveredState {
        report.mode = .safe(reason: reason)
        report.duration = .now - start
        report.steps.append("SAFE MODE: \(reason)")
        logger.critical("recovery entered safe mode", metadata: ["reason": "\(reason)"])
        return RecoveredState(store: store, wal: nil, report: report, maxTransactionID: maxTransactionID)
    }

    func closeQuietly(_ wal: SegmentedWAL) throws {
        let box = UncheckedBox(wal)
        Task { try? await box.value.close() }
    }
}

/// Lets a non-awaiting path hand a log to a closing task.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
