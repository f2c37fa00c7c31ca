import Dispatch
import MantisCore

/// Rebuilds committed state from WAL records: writes of a transaction take effect only when its
/// `commit` record is read, at that record's LSN; `abort` discards them; whatever is still open at
/// the end never committed and is dropped.
///
/// A commit record's writes are decoded straight into the store's version records (one
/// allocation per write, value checksum and key hash computed here). Committed transactions are
/// installed in batches of at least `batchSize` writes (whole transactions; one store lock hold
/// per batch, superseded versions dropped at once: nobody reads during a replay), on a second
/// thread while this one reads and decodes the next batch (at most two batches in flight). The
/// installer hands each batch and the versions it dropped back, and they are released on this
/// thread, where they were allocated, their arrays reused. `finish()` waits for all of it.
/// Read the store only after `finish()`.
public final class TransactionReplayer {
    public let store: MVCCStore
    private var open: [TransactionID: [(key: [UInt8], value: [UInt8]?)]] = [:]
    private var batch: [MVCCReplayedWrite] = []
    private let batchSize: Int
    private let installer = DispatchQueue(label: "mantisdb.replay.install")
    private let inFlight = DispatchSemaphore(value: 2)
    private let installed = ReplayBatchQueue()
    /// Emptied `dropped` arrays, kept for reuse.
    private var spareDropped: [[MVCCVersionRecord]] = []
    public private(set) var result = ReplayResult()

    public init(store: MVCCStore, batchSize: Int = 1024) {
        precondition(batchSize > 0)
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
            try appendCommit(record)
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

    /// Appends the writes of the transaction `record` commits to the batch: all of them, or none
    /// if its payload is damaged.
    private func appendCommit(_ record: WALRecordView) throws {
        let commit = record.lsn.rawValue
        let start = batch.count
        do {
            if !open.isEmpty, let earlier = open.removeValue(forKey: record.transactionID) {
                for write in earlier {
                    batch.append(write.key.withUnsafeBytes { key in
                        guard let value = write.value else { return store.replayedWrite(key: key, value: nil, commit: commit) }
                        return value.withUnsafeBytes { store.replayedWrite(key: key, value: $0, commit: commit) }
                    })
                }
            }
            try TransactionRecord.forEachWrite(in: record.payload, lsn: record.lsn) { key, value in
                batch.append(store.replayedWrite(key: key, value: value, commit: commit))
            }
        } catch {
            batch.removeSubrange(start...)
            throw error
        }
    }

    private func installBatch() {
        guard !batch.isEmpty else { return }
        inFlight.wait()
        let reusable = releaseInstalled()
        let ready = ReplayBatch(writes: batch, dropped: spareDropped.popLast() ?? [])
        batch = reusable ?? []
        batch.reserveCapacity(batchSize)
        installer.async { [store, inFlight, installed] in
            store.installReplayed(ready.writes, dropped: &ready.dropped)
            installed.push(ready)
            inFlight.signal()
        }
    }

    /// Releases the batches installed so far and the versions they dropped, on this thread.
    /// Returns one emptied writes array to reuse.
    private func releaseInstalled() -> [MVCCReplayedWrite]? {
        let done = installed.takeAll()
        var reusable: [MVCCReplayedWrite]?
        for batch in done {
            batch.writes.removeAll(keepingCapacity: true)
            batch.dropped.removeAll(keepingCapacity: true)
            if spareDropped.count < 2 { spareDropped.append(batch.dropped) }
            if reusable == nil { reusable = batch.writes }
        }
        return reusable
    }

    /// Ends replay: installs what is pending; transactions without a commit record are dropped and listed.
    @discardableResult
    public func finish() -> ReplayResult {
        installBatch()
        installer.sync {}
        _ = releaseInstalled()
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
