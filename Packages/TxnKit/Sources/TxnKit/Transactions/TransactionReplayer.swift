import Dispatch
import MantisCore

/// Rebuilds committed state from WAL records: writes of a transaction take effect only when its
/// `commit` record is read, at that record's LSN; `abort` discards them; whatever is still open at
/// the end never committed and is dropped.
///
/// Committed transactions are installed in batches (one store lock hold per batch, superseded
/// versions dropped at once: nobody reads during a replay), on a second thread while this one reads
/// and decodes the next batch (at most two batches in flight); `finish()` waits for all of them.
/// Read the store only after `finish()`.
public final class TransactionReplayer {
    public let store: MVCCStore
    private var open: [TransactionID: [(key: [UInt8], value: [UInt8]?)]] = [:]
    private var batch: [(writes: [(key: [UInt8], value: [UInt8]?)], commit: UInt64)] = []
    private let batchSize: Int
    private let installer = DispatchQueue(label: "mantisdb.replay.install")
    private let inFlight = DispatchSemaphore(value: 2)
    public private(set) var result = ReplayResult()

    public init(store: MVCCStore, batchSize: Int = 1024) {
        self.store = store
        self.batchSize = batchSize
        batch.reserveCapacity(batchSize)
    }

    /// Applies one entry (entries must come in LSN order).
    public func apply(_ entry: WALEntry) throws {
        try entry.payload.withUnsafeBytes { payload in
            try apply(WALRecordView(lsn: entry.lsn, kind: entry.kind, transactionID: entry.transactionID, payload: payload))
        }
    }

    /// Applies one record read in place (records must come in LSN order).
    public func apply(_ record: WALRecordView) throws {
        result.recordsRead += 1
        result.bytesRead += UInt64(record.payload.count)
        result.lastLSN = record.lsn
        if record.transactionID != .none { result.maxTransactionID = max(result.maxTransactionID, record.transactionID) }
        switch record.kind {
        case .writeBatch:
            open[record.transactionID, default: []].append(contentsOf: try TransactionRecord.decode(record.payload, lsn: record.lsn))
        case .commit:
            var writes = open.isEmpty ? [] : (open.removeValue(forKey: record.transactionID) ?? [])
            if writes.isEmpty {
                writes = try TransactionRecord.decode(record.payload, lsn: record.lsn)
            } else {
                writes.append(contentsOf: try TransactionRecord.decode(record.payload, lsn: record.lsn))
            }
            batch.append((writes, record.lsn.rawValue))
            if batch.count >= batchSize { installBatch() }
            result.committedTransactions += 1
            result.lastCommit = record.lsn
        case .abort:
            open[record.transactionID] = nil
            result.abortedTransactions += 1
        default:
            break
        }
    }

    private func installBatch() {
        guard !batch.isEmpty else { return }
        let ready = batch
        batch = []
        batch.reserveCapacity(batchSize)
        inFlight.wait()
        installer.async { [store, inFlight] in
            store.installReplayed(ready)
            inFlight.signal()
        }
    }

    /// Ends replay: installs what is pending; transactions without a commit record are dropped and listed.
    @discardableResult
    public func finish() -> ReplayResult {
        installBatch()
        installer.sync {}
        result.incompleteTransactions = open.keys.sorted()
        open.removeAll()
        return result
    }
}

/// What a replay found.
public struct ReplayResult: Sendable, Hashable {
    public var recordsRead = 0
    public var bytesRead: UInt64 = 0
    public var committedTransactions = 0
    public var abortedTransactions = 0
    /// Transactions whose commit record never made it to the log: dropped.
    public var incompleteTransactions: [TransactionID] = []
    public var lastLSN: LSN = .zero
    public var lastCommit: LSN = .zero
    public var maxTransactionID: TransactionID = .none

    public init() {}
}
