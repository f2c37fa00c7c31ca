import MantisCore

/// Rebuilds committed state from WAL entries: writes of a transaction take effect only when its
/// `commit` record is read, at that record's LSN; `abort` discards them; whatever is still open at
/// the end never committed and is dropped.
public final class TransactionReplayer {
    public let store: MVCCStore
    private var open: [TransactionID: [(key: [UInt8], value: [UInt8]?)]] = [:]
    public private(set) var result = ReplayResult()

    public init(store: MVCCStore) {
        self.store = store
    }

    /// Applies one entry (entries must come in LSN order).
    public func apply(_ entry: WALEntry) throws {
        result.recordsRead += 1
        result.bytesRead += UInt64(entry.payload.count)
        result.lastLSN = entry.lsn
        if entry.transactionID != .none { result.maxTransactionID = max(result.maxTransactionID, entry.transactionID) }
        switch entry.kind {
        case .writeBatch:
            open[entry.transactionID, default: []].append(contentsOf: try TransactionRecord.decode(entry))
        case .commit:
            var writes = open.removeValue(forKey: entry.transactionID) ?? []
            writes.append(contentsOf: try TransactionRecord.decode(entry))
            store.install(writes, at: entry.lsn.rawValue)
            result.committedTransactions += 1
            result.lastCommit = entry.lsn
            // No snapshot older than the replay exists: shed superseded versions as we go.
            if result.committedTransactions % 65_536 == 0 {
                store.collectGarbage(oldestActiveSnapshot: entry.lsn.rawValue)
            }
        case .abort:
            open[entry.transactionID] = nil
            result.abortedTransactions += 1
        default:
            break
        }
    }

    /// Ends replay: transactions without a commit record are dropped and listed.
    @discardableResult
    public func finish() -> ReplayResult {
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
