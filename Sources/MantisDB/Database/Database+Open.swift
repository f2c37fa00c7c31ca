import MantisCore
import RecoveryKit
import TxnKit
import WALKit

extension Database {
    /// Opens (or creates) the database in `options.directory`, recovering its committed state.
    /// Throws if recovery ends in safe mode and `options.safeMode` is `.refuse`.
    public static func open(_ options: DatabaseOptions) async throws -> Database {
        try options.validateRPO()
        let fileSystem = options.fileSystem
        try fileSystem.createDirectory(options.directory)
        let lock = fileSystem is PosixFileSystem ? try DataDirectoryLock(directory: options.directory) : nil
        do {
            return try await open(options, lock: lock)
        } catch {
            lock?.release()
            throw error
        }
    }

    private static func open(_ options: DatabaseOptions, lock: DataDirectoryLock?) async throws -> Database {
        let fileSystem = options.fileSystem
        let alerts = FanOutAlertSink(sinks: options.alertSinks)
        let store: MVCCStore
        let wal: any WriteAheadLog
        var report: RecoveryReport?
        var mode = DatabaseMode.normal
        var maxTransactionID = TransactionID.none
        switch options.walKind {
        case .memory:
            store = MVCCStore(checksum: options.checksum, verifyReads: options.verifyReads)
            wal = InMemoryWAL()
        case .segmented:
            var recoveryOptions = RecoveryOptions(
                dataDirectory: DataDirectory(options.directory), fileSystem: fileSystem, checksum: options.checksum,
                checksums: options.readableChecksums, codecs: options.readableCodecs, wal: options.wal, logger: options.logger)
            recoveryOptions.verifyReads = options.verifyReads
            recoveryOptions.progress = options.recoveryProgress
            let recovered: RecoveredState
            do {
                recovered = try RecoveryEngine(options: recoveryOptions).recover()
            } catch {
                await alerts.send(Alert(name: "recovery_failed", severity: .critical, message: "recovery failed: \(error)"))
                throw error
            }
            store = recovered.store
            report = recovered.report
            mode = recovered.report.mode
            maxTransactionID = recovered.maxTransactionID
            if case .safe(let reason) = mode {
                await alerts.send(Alert(name: "safe_mode", severity: .critical, message: "the database is in safe mode: \(reason)",
                                        details: ["directory": options.directory]))
                if options.safeMode == .refuse {
                    throw MantisError(.readOnly, "refusing to open: \(reason) (safe_mode is 'refuse'; inspect with `mantisdb recover --dry-run`)",
                                      context: ErrorContext(operation: "open", file: options.directory))
                }
                wal = ReadOnlyWAL(reason: reason, lastLSN: recovered.report.lastLSN)
            } else {
                wal = recovered.wal!
            }
        }
        let epochStart = try TransactionIDEpoch.advance(directory: options.directory, fileSystem: fileSystem)
        let manager = TransactionManager(
            store: store, wal: wal,
            lockManager: options.lockManager ?? WaitForGraphLockManager(defaultTimeout: options.transactions.lockTimeout),
            options: options.transactions, lastCommit: max(wal.status.lastLSN.rawValue, store.statistics.newestCommit),
            nextTransactionID: TransactionID(max(epochStart.rawValue, maxTransactionID.rawValue + 1)),
            admission: options.writeAdmission, logger: options.logger)
        var checkpointer: Checkpointer?
        var monitor: RPOMonitor?
        if options.walKind == .segmented, !mode.isSafe {
            let directory = CheckpointDirectory(path: DataDirectory(options.directory).checkpoints, fileSystem: fileSystem, logger: options.logger)
            let taker = Checkpointer(manager: manager, wal: wal, directory: directory, codec: options.checkpointCodec,
                                     checksum: options.checksum, options: options.checkpoints, alerts: alerts, logger: options.logger)
            if options.checkpoints.interval != nil || options.checkpoints.walBytes != nil { taker.start() }
            checkpointer = taker
            if let rpo = options.rpo {
                let watcher = RPOMonitor(rpo: rpo, wal: wal, checkpointer: taker, alerts: alerts)
                watcher.start(interval: min(.seconds(1), max(.milliseconds(10), rpo / 4)))
                monitor = watcher
            }
        }
        return Database(options: options, manager: manager, wal: wal, mode: mode, recovery: report,
                        checkpointer: checkpointer, rpoMonitor: monitor, alerts: alerts, lock: lock)
    }
}
