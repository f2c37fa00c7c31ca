import MantisCore
import TxnKit
import WALKit

extension Database {
    /// Opens (or creates) the database in `options.directory` and rebuilds its committed state
    /// from the write-ahead log.
    public static func open(_ options: DatabaseOptions) async throws -> Database {
        let start = ContinuousClock.now
        let fileSystem = options.fileSystem
        try fileSystem.createDirectory(options.directory)
        let wal: any WriteAheadLog
        var walReport: WALOpenReport?
        switch options.walKind {
        case .memory:
            wal = InMemoryWAL()
        case .segmented:
            var walOptions = options.wal
            walOptions.logger = options.logger
            let segmented = try SegmentedWAL.open(
                directory: Path.join(options.directory, "wal"), fileSystem: fileSystem,
                checksum: options.checksum, options: walOptions)
            walReport = segmented.openReport
            wal = segmented
        }
        let store = MVCCStore(checksum: options.checksum, verifyReads: options.verifyReads)
        let replayer = TransactionReplayer(store: store)
        do {
            let cursor = try wal.entries(from: .zero)
            while let entry = try cursor.next() { try replayer.apply(entry) }
        } catch {
            try? await wal.close()
            throw error
        }
        let replay = replayer.finish()
        let epochStart = try TransactionIDEpoch.advance(directory: options.directory, fileSystem: fileSystem)
        let nextID = TransactionID(max(epochStart.rawValue, replay.maxTransactionID.rawValue + 1))
        let manager = TransactionManager(
            store: store, wal: wal,
            lockManager: options.lockManager ?? WaitForGraphLockManager(defaultTimeout: options.transactions.lockTimeout),
            options: options.transactions, lastCommit: wal.status.lastLSN.rawValue,
            nextTransactionID: nextID, logger: options.logger)
        if !replay.incompleteTransactions.isEmpty {
            options.logger.notice("dropped transactions without a commit record", metadata: ["transactions": "\(replay.incompleteTransactions)"])
        }
        let report = DatabaseOpenReport(wal: walReport, replay: replay, duration: .now - start)
        return Database(options: options, manager: manager, wal: wal, report: report)
    }
}
