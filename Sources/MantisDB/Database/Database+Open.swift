import IntegrityKit
import IntegrityScrubber
import MantisCore
import ObservabilityKit
import RecoveryKit
import Synchronization
import TxnKit
import WALKit

extension Database {
    /// Opens (or, with `options.createIfMissing`, creates) the database in `options.directory`,
    /// recovering its committed state. Throws if recovery ends in safe mode and
    /// `options.safeMode` is `.refuse`.
    public static func open(_ options: DatabaseOptions) async throws -> Database {
        try options.validateRPO()
        let fileSystem = options.fileSystem
        if !options.createIfMissing {
            try DataDirectoryCheck.requireExisting(options.directory, fileSystem: fileSystem)
        }
        try fileSystem.createDirectory(options.directory)
        let lock = fileSystem is PosixFileSystem ? try DataDirectoryLock(directory: options.directory) : nil
        if let unfinished = Restore.unfinishedRestore(in: options.directory, fileSystem: fileSystem) {
            lock?.release()
            throw unfinished
        }
        do {
            return try await open(options, lock: lock)
        } catch {
            lock?.release()
            throw error
        }
    }

    private static func open(_ options: DatabaseOptions, lock: DataDirectoryLock?) async throws -> Database {
        let fileSystem = options.fileSystem
        let observability = DatabaseObservability(options)
        let alerts = observability.alerts
        let store: MVCCStore
        let wal: any WriteAheadLog
        var report: RecoveryReport?
        var mode = DatabaseMode.normal
        var maxTransactionID = TransactionID.none
        switch options.walKind {
        case .memory:
            store = MVCCStore(checksum: options.valueChecksum, verifyReads: options.verifyReads)
            wal = InMemoryWAL()
        case .segmented:
            var walOptions = options.wal
            walOptions.removalPacing = options.removalPacingNearReserve(walOptions.removalPacing)
            if let metrics = observability.metrics {
                // Every fdatasync into the latency and group-size histograms (not approximated).
                let previous = walOptions.onSync
                walOptions.onSync = { latency, records in
                    metrics.recordSync(duration: latency, records: Int(records))
                    previous?(latency, records)
                }
            }
            var recoveryOptions = RecoveryOptions(
                dataDirectory: DataDirectory(options.directory), fileSystem: fileSystem, checksum: options.checksum,
                checksums: options.readableChecksums, codecs: options.readableCodecs, wal: walOptions, logger: options.logger)
            recoveryOptions.verifyReads = options.verifyReads
            recoveryOptions.valueChecksum = options.valueChecksum
            recoveryOptions.progress = options.recoveryProgress
            let recovered: RecoveredState
            do {
                recovered = try RecoveryEngine(options: recoveryOptions).recover()
            } catch {
                await alerts.send(Alert(name: "recovery_failed", severity: .critical, message: "recovery failed: \(error)",
                                        details: ["directory": options.directory]))
                await observability.audit("recovery", outcome: .failure, details: ["error": "\(error)", "data_dir": options.directory])
                await observability.finish()
                throw error
            }
            store = recovered.store
            report = recovered.report
            mode = recovered.report.mode
            maxTransactionID = recovered.maxTransactionID
            await observability.recordRecovery(recovered.report)
            if case .safe(let reason) = mode {
                await alerts.send(Alert(name: "safe_mode", severity: .critical, message: "the database is in safe mode: \(reason)",
                                        details: ["directory": options.directory]))
                if options.safeMode == .refuse {
                    await observability.audit("open", outcome: .failure, details: ["data_dir": options.directory, "reason": "safe mode refused: \(reason)"])
                    await observability.finish()
                    throw MantisError(.readOnly, "refusing to open: \(reason) (safe_mode is 'refuse'; inspect with `mantisdb recover --dry-run`)",
                                      context: ErrorContext(operation: "open", file: options.directory))
                }
                wal = ReadOnlyWAL(reason: reason, lastLSN: recovered.report.lastLSN)
            } else {
                wal = recovered.wal!
            }
        }
        // Safe mode writes nothing: the directory stays as recovery found it.
        let epochStart: TransactionID
        if mode.isSafe {
            let (first, problem) = TransactionIDEpoch.peek(directory: options.directory, fileSystem: fileSystem)
            if let problem {
                options.logger.warning("safe mode: the transaction-id epoch file cannot be read; ids start at epoch 1 for this run (a normal open will refuse the file)",
                                       metadata: ["error": "\(problem)"])
            }
            epochStart = first
        } else {
            epochStart = try TransactionIDEpoch.advance(directory: options.directory, fileSystem: fileSystem)
        }
        var guards = Database.Guards()
        var admission = options.writeAdmission
        let managerBox = ManagerBox()
        if !mode.isSafe, options.walKind == .segmented, let reserve = options.diskReserve {
            let paths = [options.directory] + [options.wal.archiveDirectory].compactMap { $0 }
            let disk = DiskSpaceGuard(fileSystem: fileSystem, paths: paths, options: .init(reserve: reserve), alerts: alerts, logger: options.logger)
            disk.start()
            guards.disk = disk
            admission.append(disk)
        }
        if !mode.isSafe, let limits = options.memoryLimits {
            let segmented = wal as? SegmentedWAL
            let memory = MemoryGuard(
                options: limits,
                usage: { store.statistics.approximateBytes + (segmented?.pendingBytes ?? 0) },
                relieve: {
                    managerBox.manager?.collectGarbage()
                    try? await segmented?.sync()
                },
                alerts: alerts)
            guards.memory = memory
            admission.append(memory)
        }
        var transactionOptions = options.transactions
        if let metrics = observability.metrics {
            // Every lock acquisition's wait into the lock-wait histogram (not approximated).
            let previous = transactionOptions.onLockWait
            transactionOptions.onLockWait = { wait in
                metrics.recordLockWait(wait)
                previous?(wait)
            }
        }
        let manager = TransactionManager(
            store: store, wal: wal,
            lockManager: options.lockManager ?? WaitForGraphLockManager(defaultTimeout: options.transactions.lockTimeout),
            options: transactionOptions, lastCommit: max(wal.status.lastLSN.rawValue, store.statistics.newestCommit),
            nextTransactionID: TransactionID(max(epochStart.rawValue, maxTransactionID.rawValue + 1)),
            admission: admission, logger: options.logger)
        managerBox.manager = manager
        var checkpointer: Checkpointer?
        var monitor: RPOMonitor?
        if options.walKind == .segmented, !mode.isSafe {
            let directory = CheckpointDirectory(path: DataDirectory(options.directory).checkpoints, fileSystem: fileSystem, logger: options.logger)
            var checkpointOptions = options.checkpoints
            checkpointOptions.removalPacing = options.removalPacingNearReserve(checkpointOptions.removalPacing)
            if let metrics = observability.metrics {
                // Every checkpoint into the duration histogram (not taken from the status).
                let previous = checkpointOptions.onCheckpoint
                checkpointOptions.onCheckpoint = { info, duration in
                    metrics.recordCheckpoint(duration)
                    previous?(info, duration)
                }
            }
            let taker = Checkpointer(manager: manager, wal: wal, directory: directory, codec: options.checkpointCodec,
                                     checksum: options.checksum, options: checkpointOptions, alerts: alerts, logger: options.logger)
            if options.checkpoints.interval != nil || options.checkpoints.walBytes != nil { taker.start() }
            checkpointer = taker
            if let scrub = options.scrub, let segmented = wal as? SegmentedWAL {
                let scrubber = Scrubber(
                    dataDirectory: DataDirectory(options.directory), fileSystem: fileSystem,
                    checksums: options.readableChecksums, codecs: options.readableCodecs, options: scrub, alerts: alerts,
                    liveLog: { LiveLogPosition.of(segmented) },
                    selfHeal: { _ = try await taker.checkpoint() },
                    maintenance: WALMaintenance.of(segmented), logger: options.logger)
                scrubber.start()
                guards.scrubber = scrubber
            }
            if let rpo = options.rpo {
                let watcher = RPOMonitor(rpo: rpo, wal: wal, checkpointer: taker, alerts: alerts)
                watcher.start(interval: RPOMonitor.checkInterval(for: rpo))
                monitor = watcher
            }
        }
        let database = Database(options: options, manager: manager, wal: wal, mode: mode, recovery: report,
                                checkpointer: checkpointer, rpoMonitor: monitor, alerts: alerts, lock: lock, guards: guards,
                                observability: observability)
        observability.start(database)
        await observability.audit("open", details: [
            "data_dir": options.directory, "mode": mode.isSafe ? "safe (read-only)" : "normal", "wal": options.walKind.rawValue,
            "durability": "\(options.wal.durability)", "last_lsn": "\(wal.status.lastLSN)", "keys": "\(store.statistics.liveKeys)",
        ])
        if let interval = options.garbageCollectionInterval, !mode.isSafe {
            let task = Task.detached { [weak database] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    guard let database else { return }
                    database.manager.abortExpired()
                    database.manager.collectGarbage()
                }
            }
            database.collector.withLock { $0 = task }
        }
        return database
    }
}

/// Lets the memory guard's relief reach the transaction manager created after it.
final class ManagerBox: Sendable {
    private let storage = Mutex<TransactionManager?>(nil)
    var manager: TransactionManager? {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
