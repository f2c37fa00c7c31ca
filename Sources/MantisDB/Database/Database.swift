import Logging
import MantisCore
import Synchronization
import TxnKit
import WALKit

/// A MantisDB database: ACID transactions over a write-ahead log and an MVCC store.
///
/// Durability: a commit returns only when its records meet the WAL's durability level (with
/// `sync`, on stable storage). Opening rebuilds the committed state from the log; transactions
/// without a commit record are dropped.
public final class Database: Sendable {
    public let options: DatabaseOptions
    public let manager: TransactionManager
    public let wal: any WriteAheadLog
    public let store: MVCCStore
    /// What opening found: the WAL's report and the replay.
    public let openReport: DatabaseOpenReport
    let logger: Logger
    let random = Mutex(SplitMix64(seed: WallClock.nanosecondsSinceEpoch()))
    let closed = Atomic<Bool>(false)

    init(options: DatabaseOptions, manager: TransactionManager, wal: any WriteAheadLog, report: DatabaseOpenReport) {
        self.options = options
        self.manager = manager
        self.wal = wal
        self.store = manager.store
        self.openReport = report
        self.logger = options.logger
    }

    /// Makes everything durable and releases the files. Later calls throw `closed`.
    public func close() async throws {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try await wal.close()
    }

    func checkOpen() throws {
        if closed.load(ordering: .acquiring) { throw MantisError(.closed, "the database is closed") }
    }
}

/// What `Database.open` found and did.
public struct DatabaseOpenReport: Sendable {
    public var wal: WALOpenReport?
    public var replay: ReplayResult
    public var duration: Duration
}
